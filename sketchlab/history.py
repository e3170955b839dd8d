"""A run's ``history.csv``: one row per epoch, the ``epoch`` (from 0) then
one column per value logged, in the format Keras' ``CSVLogger`` writes
during training (``NA`` where an epoch has no value, such as the
validation columns of a run without validation data). Read, written and
trimmed here, so a run folder's history has one format."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

from .files import atomic_write

MISSING = "NA"  # CSVLogger's text for a value an epoch did not log


def _columns(path: Path) -> dict[str, list[str]]:
    """Every column of the file as written, ``epoch`` included: {title: [text per epoch]}."""
    with path.open(newline="") as f:
        rows = [row for row in csv.reader(f) if row]
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    return {title: [row[i] for row in body] for i, title in enumerate(header)}


def read_history(path: str | Path) -> dict[str, list[float]]:
    """A run's ``history.csv`` as ``{column: [value per epoch]}``, without the
    epoch column and the columns that hold ``NA`` alone (those of a run
    without validation data)."""
    columns = _columns(Path(path))
    return {title: [float("nan") if v == MISSING else float(v) for v in values]
            for title, values in columns.items() if title != "epoch" and any(v != MISSING for v in values)}


def write_history(path: str | Path, history: Mapping[str, Sequence[float | str]]) -> Path:
    """Write ``history`` (``{column: [value per epoch]}``) as a ``history.csv``
    that :func:`read_history` reads and a resumed run's ``CSVLogger`` appends
    to. Written beside and renamed into place, so a reader never sees half a file."""
    path = Path(path)
    titles = list(history)
    with atomic_write(path) as tmp, tmp.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["epoch", *titles])
        writer.writerows([epoch, *values] for epoch, values in enumerate(zip(*(history[t] for t in titles))))
    return path


def trim_history(path: str | Path, epochs_done: int) -> None:
    """Keep the rows of the epochs before ``epochs_done`` in a ``history.csv``
    (a run killed between writing an epoch's row and its checkpoint would
    otherwise log that epoch twice); no file, nothing to do. The kept values
    stay as written, ``NA`` columns too: ``CSVLogger`` appends rows of them all."""
    path = Path(path)
    if not path.is_file():
        return
    columns = _columns(path)
    if not columns:
        return
    kept = [i for i, epoch in enumerate(columns.pop("epoch")) if int(epoch) < epochs_done]
    write_history(path, {title: [values[i] for i in kept] for title, values in columns.items()})
