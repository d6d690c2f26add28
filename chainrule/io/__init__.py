"""Safe persistence: atomic writes and pickle-free, checksummed state files."""

from chainrule.io.atomic import atomic_write
from chainrule.io.serialize import CheckpointError, load, save
