"""The error every dataset loader raises for missing, corrupt or foreign files."""


class DatasetError(ValueError):
    """A dataset cannot be found or read; the message names the file and the problem."""
