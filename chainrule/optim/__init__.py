"""Optimisers and learning-rate schedules (PyTorch's names, defaults and update formulas).

opt = optim.Adam(model.parameters(), lr=1e-3)
opt.zero_grad(); loss.backward(); opt.step()
scheduler = optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-2, total_steps=1000)
"""

from chainrule.optim import lr_scheduler
from chainrule.optim.adagrad import Adagrad
from chainrule.optim.adam import Adam, AdamW
from chainrule.optim.adam_variants import Adamax, NAdam, RAdam
from chainrule.optim.optimizer import Optimizer
from chainrule.optim.rmsprop import RMSprop
from chainrule.optim.sgd import SGD

__all__ = [
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "SGD",
    "lr_scheduler",
]
