"""Per-epoch metrics, written as ``history.csv`` and ``history.json`` in the run folder."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from chainrule.io import atomic_write


def write_history(history: list[dict], folder) -> None:
    """Write the list of per-epoch metric dicts as CSV and JSON (atomically)."""
    folder = Path(folder)
    with atomic_write(folder / "history.json", "w") as handle:
        json.dump(history, handle, indent=1)
    if not history:
        return
    text = io.StringIO()
    # every key of every epoch, in first-seen order: a metric a callback adds from a later epoch
    # on is a column too (blank before), not a ValueError that stops training
    columns = list(dict.fromkeys(key for entry in history for key in entry))
    writer = csv.DictWriter(text, fieldnames=columns)
    writer.writeheader()
    writer.writerows(history)
    with atomic_write(folder / "history.csv", "w") as handle:
        handle.write(text.getvalue())
