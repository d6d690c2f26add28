"""Training: the fit/evaluate loop, callbacks, metrics, run folders and checkpoints."""

from chainrule.train.callbacks import EarlyStopping, ProgressReporter
from chainrule.train.loop import Callback, NonFiniteLossError, evaluate, fit
from chainrule.train.metrics import confusion_matrix, per_class_accuracy
from chainrule.train.run import Run, TrainConfig
