"""Training that survives interruption (a Colab disconnect, a kill, a crash).

After every epoch, :class:`Checkpoint` writes ``RUN/checkpoint.weights.h5``:
every network's weights, every optimizer's state (its step count, so the
learning-rate schedule carries on, and Adam's moments), the state of every
random generator (dropout masks, a GAN's noise), CycleGAN's image pools, the
number of finished epochs, and the run's settings. The file is written
beside its final name and renamed into place, so a kill during the write
leaves the previous checkpoint whole.

:func:`restore` loads it into a freshly built, compiled model and returns
the epoch to go on from; the training functions then feed ``fit`` the data
from that epoch on (:func:`sketchlab.pipeline.epoch_stream`), so a resumed
run repeats nothing and skips nothing.

    python -m sketchlab train cyclegan --data toy --out runs/cyclegan   # killed in epoch 7
    python -m sketchlab train cyclegan --data toy --out runs/cyclegan   # goes on from epoch 7
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import keras

from .config import ProfileError

CHECKPOINT = "checkpoint.weights.h5"
_GROUP = "sketchlab_checkpoint"  # the extra group in the weights file: epoch, settings, random states


class CheckpointError(ProfileError):
    """A checkpoint that cannot be resumed (written with other settings, or
    unreadable); the message says why and what to do."""


def _random_states(model: keras.Model) -> list:
    """The state variables of every random generator in ``model``
    (``keras.random.SeedGenerator``: dropout, noise), which the weights file
    does not hold."""
    return [v for v in model.variables if v.path.endswith("seed_generator_state")]


def _build_optimizers(model: keras.Model) -> None:
    """Create the optimizers' state variables, so saved state loads into them."""
    if hasattr(model, "build_optimizers"):
        model.build_optimizers()
    elif getattr(model, "optimizer", None) is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)


def save_checkpoint(model: keras.Model, folder: str | Path, epochs_done: int, settings: dict) -> Path:
    """Write ``folder/checkpoint.weights.h5`` atomically: written beside and
    renamed into place, never half-written under the final name."""
    import h5py
    import numpy as np

    folder = Path(folder)
    path = folder / CHECKPOINT
    tmp = folder / f".checkpoint.partial-{os.getpid()}.weights.h5"
    try:
        model.save_weights(tmp)
        with h5py.File(tmp, "a") as f:
            group = f.create_group(_GROUP)
            group.attrs["epochs_done"] = int(epochs_done)
            group.attrs["settings"] = json.dumps(settings, sort_keys=True)
            for i, state in enumerate(_random_states(model)):
                group.create_dataset(f"random_state_{i}", data=np.asarray(state))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def restore(model: keras.Model, folder: str | Path | None, settings: dict) -> int:
    """Load ``folder``'s checkpoint into ``model`` (built and compiled as the
    checkpointed run's was) and return the number of finished epochs; 0
    when there is no checkpoint.

    Raises:
        CheckpointError: the checkpoint was written with other settings, or
            cannot be read.
    """
    import h5py

    if folder is None or not (Path(folder) / CHECKPOINT).is_file():
        return 0
    path = Path(folder) / CHECKPOINT
    try:
        with h5py.File(path, "r") as f:
            group = f[_GROUP]
            epochs_done = int(group.attrs["epochs_done"])
            saved = json.loads(group.attrs["settings"])
            states = [group[f"random_state_{i}"][()] for i in range(len(group))]
    except (OSError, KeyError, ValueError) as err:
        raise CheckpointError(f"{path}: cannot be read as a sketchlab checkpoint ({err}). "
                              f"Delete it to start the run afresh, or use another --out folder.") from err
    differ = {k: (saved.get(k), settings.get(k)) for k in sorted(set(saved) | set(settings))
              if saved.get(k) != settings.get(k)}
    if differ:
        what = ", ".join(f"{k}={old!r} there, {new!r} now" for k, (old, new) in differ.items())
        raise CheckpointError(f"{path} belongs to a run with other settings ({what}). Run the same command as "
                              f"before to resume it, or use another --out folder to start a new run.")
    _build_optimizers(model)
    try:
        model.load_weights(str(path))
    except (OSError, KeyError, ValueError) as err:
        raise CheckpointError(f"{path} does not fit this model ({err}); it was written by another version of "
                              "the code. Delete it to start the run afresh, or use another --out folder.") from err
    for variable, value in zip(_random_states(model), states, strict=True):
        variable.assign(value)
    return epochs_done


class Checkpoint(keras.callbacks.Callback):
    """Write the run's checkpoint after every epoch (see the module's docstring).

    Put it after the callbacks that write the epoch's records (``CSVLogger``),
    so a checkpoint never gets ahead of them.

    Args:
        folder: the run folder.
        settings: what must match for a resume (model, sizes, epochs, seed, ...).
    """

    def __init__(self, folder: str | Path, settings: dict):
        super().__init__()
        self.folder, self.settings = Path(folder), dict(settings)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        save_checkpoint(self.model, self.folder, epoch + 1, self.settings)


def trim_history(path: str | Path, epochs_done: int) -> None:
    """Keep the rows of the epochs before ``epochs_done`` in a ``history.csv``
    (a run killed between writing an epoch's row and its checkpoint would
    otherwise log that epoch twice); no file, nothing to do."""
    path = Path(path)
    if not path.is_file():
        return
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return
    kept = [rows[0]] + [row for row in rows[1:] if row and int(row[0]) < epochs_done]
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    with tmp.open("w", newline="") as f:
        csv.writer(f).writerows(kept)
    os.replace(tmp, path)
