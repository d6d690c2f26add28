"""Datasets and batching: the bundled digits, MNIST/Fashion-MNIST IDX files, DataLoader."""

from chainrule.data.digits import load_digits
from chainrule.data.errors import DatasetError
from chainrule.data.idx import read_idx
from chainrule.data.loader import DataLoader
from chainrule.data.mnist import load_fashion_mnist, load_mnist
from chainrule.data.split import stratified_split
