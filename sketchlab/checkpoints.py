"""Training that survives interruption (a Colab disconnect, a kill, a crash).

After every epoch, :class:`Checkpoint` writes ``RUN/checkpoint.weights.h5``:
every network's weights, every optimizer's state (its step count, so the
learning-rate schedule carries on, and Adam's moments), the state of every
random generator (dropout masks, a GAN's noise), CycleGAN's image pools, the
number of finished epochs, and the run's settings (with what the run
trains on: :meth:`sketchlab.data.CufsData.fingerprint`). The file is written
beside its final name, read back, flushed to disk, and only then renamed
into place (:mod:`sketchlab.files`); the one it replaces is kept as
``checkpoint.previous.weights.h5``, so even a checkpoint torn by a power cut
costs one epoch, not the run.

:func:`restore` loads it into a freshly built, compiled model and returns
the epoch to go on from (from the previous checkpoint when the latest cannot
be read, saying so); the training functions then feed ``fit`` the data from
that epoch on (:func:`sketchlab.pipeline.epoch_stream`), so a resumed run
repeats nothing and skips nothing.

    python -m sketchlab train cyclegan --data toy --out runs/cyclegan   # killed in epoch 7
    python -m sketchlab train cyclegan --data toy --out runs/cyclegan   # goes on from epoch 7
"""

from __future__ import annotations

import json
from pathlib import Path

import keras

from .errors import SketchlabError
from .files import atomic_write, remove_stale, shown

CHECKPOINT = "checkpoint.weights.h5"
PREVIOUS = "checkpoint.previous.weights.h5"  # the one before, kept until a newer one is complete
_GROUP = "sketchlab_checkpoint"  # the extra group in the weights file: epoch, settings, random states


class CheckpointError(SketchlabError):
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


def _read_header(path: Path) -> tuple[int, dict, list]:
    """The finished epochs, the settings and the random states that ``path`` records.

    Raises:
        OSError, KeyError, ValueError: ``path`` is not a complete sketchlab checkpoint.
    """
    import h5py

    with h5py.File(path, "r") as f:
        group = f[_GROUP]
        epochs_done = int(group.attrs["epochs_done"])
        settings = json.loads(group.attrs["settings"])
        states = [group[f"random_state_{i}"][()] for i in range(len(group))]
    return epochs_done, settings, states


def run_settings(folder: str | Path) -> dict:
    """The settings a run folder's checkpoint records: what the run was trained with."""
    return _read_header(Path(folder) / CHECKPOINT)[1]


def _start_afresh(folder: Path) -> str:
    """What to do with checkpoints that cannot be resumed."""
    return (f"Delete {shown(folder / CHECKPOINT)} and {shown(folder / PREVIOUS)} to start the run afresh, "
            "or use another --out folder.")


def save_checkpoint(model: keras.Model, folder: str | Path, epochs_done: int, settings: dict) -> Path:
    """Write ``folder/checkpoint.weights.h5`` safely: written beside, read
    back, flushed to disk, and renamed into place; the checkpoint it
    replaces becomes ``checkpoint.previous.weights.h5``."""
    import h5py
    import numpy as np

    folder = Path(folder)
    path = folder / CHECKPOINT
    with atomic_write(path, previous=folder / PREVIOUS) as tmp:
        model.save_weights(tmp)
        with h5py.File(tmp, "a") as f:
            group = f.create_group(_GROUP)
            group.attrs["epochs_done"] = int(epochs_done)
            group.attrs["settings"] = json.dumps(settings, sort_keys=True)
            for i, state in enumerate(_random_states(model)):
                group.create_dataset(f"random_state_{i}", data=np.asarray(state))
        _read_header(tmp)  # it must read back before it replaces the last good one
    return path


def _latest_readable(folder: Path) -> tuple[Path, tuple[int, dict, list]] | None:
    """The newest checkpoint of ``folder`` that can be read, with its header;
    None when there is none. Falling back to the previous one is said in a
    printed line.

    Raises:
        CheckpointError: there are checkpoints, and none can be read.
    """
    current, previous = folder / CHECKPOINT, folder / PREVIOUS
    errors = {}
    for path in (current, previous):
        if not path.is_file():
            continue
        try:
            header = _read_header(path)
        except (OSError, KeyError, ValueError) as err:
            errors[path] = err
            continue
        if path == previous:
            why = f"cannot be read ({errors[current]})" if current in errors else "is missing"
            print(f"{shown(current)} {why}: going on from {shown(previous)}, one epoch earlier")
        return path, header
    if not errors:
        return None
    names = " and ".join(shown(path) for path in errors)
    why = "; ".join(f"{path.name}: {err}" for path, err in errors.items())
    raise CheckpointError(f"{names}: cannot be read as a sketchlab checkpoint ({why}). {_start_afresh(folder)}")


def restore(model: keras.Model, folder: str | Path | None, settings: dict) -> tuple[int, Path | None]:
    """Load ``folder``'s checkpoint into ``model`` (built and compiled as the
    checkpointed run's was). Temporaries of checkpoint writers that were
    killed are removed first.

    Returns:
        The number of finished epochs and the checkpoint file they come
        from; ``(0, None)`` when there is no checkpoint.

    Raises:
        CheckpointError: the checkpoint was written with other settings or
            for another model, or cannot be read (nor can the previous one).
    """
    if folder is None:
        return 0, None
    folder = Path(folder)
    remove_stale(folder / CHECKPOINT)
    found = _latest_readable(folder)
    if found is None:
        return 0, None
    path, (epochs_done, saved, states) = found
    differ = {k: (saved.get(k), settings.get(k)) for k in sorted(set(saved) | set(settings))
              if saved.get(k) != settings.get(k)}
    if differ:
        what = ", ".join(f"{k}={old!r} there, {new!r} now" for k, (old, new) in differ.items())
        raise CheckpointError(f"{shown(path)} belongs to a run with other settings ({what}). Run the same command as "
                              f"before to resume it, or use another --out folder to start a new run.")
    variables = _random_states(model)
    shapes = ([tuple(v.shape) for v in variables], [tuple(s.shape) for s in states])
    if shapes[0] != shapes[1]:
        raise CheckpointError(f"{shown(path)} holds random-generator states of shapes {shapes[1]}, this model has "
                              f"{shapes[0]}: it was written by another version of the code. "
                              + _start_afresh(folder))
    _build_optimizers(model)
    try:
        model.load_weights(str(path))
    except (OSError, KeyError, ValueError) as err:
        keras_says = str(err) if len(str(err)) <= 300 else str(err)[:300] + " ..."  # it may list whole arrays
        raise CheckpointError(f"{shown(path)} does not fit this model: it was written by another version of the "
                              f"code. {_start_afresh(folder)} (Keras: {keras_says})") from err
    for variable, value in zip(variables, states):
        variable.assign(value)
    return epochs_done, path


class Checkpoint(keras.callbacks.Callback):
    """Write the run's checkpoint after every epoch (see the module's docstring).

    Put it after the callbacks that write the epoch's records (``CSVLogger``),
    so a checkpoint never gets ahead of them.

    Args:
        folder: the run folder.
        settings: what must match for a resume (model, sizes, epochs, seed, data, ...).
    """

    def __init__(self, folder: str | Path, settings: dict):
        super().__init__()
        self.folder, self.settings = Path(folder), dict(settings)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        save_checkpoint(self.model, self.folder, epoch + 1, self.settings)

