"""Training method 1: a generator fitted to the paired data with an L1 loss.

The loss is the mean absolute difference between the generated and the
artist's sketch (the L1 term of pix2pix, Isola et al. 2017), minimised with
Adam and Keras' ``fit`` on the paired, jittered pipeline.

    python -m sketchlab train unet --data toy --out runs/unet

A run folder holds ``generator.keras`` (the trained network, loadable with
``keras.models.load_model``), ``history.csv`` (train and test loss per epoch)
and ``samples/epoch_NNN.png`` (input / output / target on fixed test faces).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import keras

from .callbacks import SampleGrid
from .config import Profile
from .data import CufsData
from .models import GENERATORS
from .pipeline import paired_dataset

LEARNING_RATE = 1e-3  # Adam(1e-3, beta_1=0.5); see train_generator
SAMPLE_FACES = 6
EVAL_BATCH = 32  # test-split batches: inference only, so larger and fewer


@dataclass
class Run:
    """What :func:`train_generator` made."""

    model: keras.Model
    history: dict[str, list[float]]
    folder: Path | None


def build_generator(name: str, image_size: int, profile: Profile) -> keras.Model:
    """``GENERATORS[name]`` at ``image_size`` with the profile's filter counts."""
    if name not in GENERATORS:
        raise ValueError(f"unknown model {name!r}; use one of: {', '.join(GENERATORS)}")
    return GENERATORS[name](image_size=image_size, filters=profile.filters, max_filters=profile.max_filters)


def sample_batch(data: CufsData, image_size: int, count: int = SAMPLE_FACES):
    """The first ``count`` test pairs as one batch: (photos, sketches, person ids)."""
    pairs = data.split("test")[:count]
    photos, sketches = next(iter(paired_dataset(pairs, image_size, count)))
    return photos.numpy(), sketches.numpy(), [p.person_id for p in pairs]


def save_model(model: keras.Model, path: str | Path) -> Path:
    """Save ``model`` as a ``.keras`` file; written beside and renamed into
    place, so an interrupted save never leaves a broken file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.partial-{os.getpid()}.keras")
    try:
        model.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def train_generator(
    name: str,
    data: CufsData,
    profile: Profile,
    out: str | Path | None = None,
    image_size: int | None = None,
    epochs: int | None = None,
    seed: int = 0,
    learning_rate: float = LEARNING_RATE,
    verbose: int = 1,
) -> Run:
    """Train ``encoder-decoder`` or ``unet`` photo -> sketch with L1 and ``fit``.

    The test split is passed as validation data, so the history holds the
    test loss of every epoch beside the training loss (it is watched, never
    used to pick a model).

    Args:
        name: a key of :data:`sketchlab.models.GENERATORS`.
        data: the dataset (its train split trains, its test split is watched).
        profile: image size, batch size, epochs and filter counts.
        out: the run folder; None writes nothing.
        image_size, epochs: override the profile's.
        seed: seeds weights, shuffling and jitter; a CPU run is repeatable.
        learning_rate: Adam's step size (beta_1 = 0.5 as in pix2pix). The
            default 1e-3 is 5x pix2pix's 2e-4, which is tuned for adversarial
            training; plain L1 learns faster with it (real CUFS, U-Net at
            128x128, 60 epochs: FSIM 0.710 against 0.705).
        verbose: Keras' progress display (1 = progress bar, 2 = a line per epoch, 0 = silent).
    """
    size = image_size or profile.image_size
    keras.utils.set_random_seed(seed)
    model = build_generator(name, size, profile)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, beta_1=0.5), loss="mean_absolute_error")
    train = paired_dataset(data.split("train"), size, profile.batch_size, training=True, seed=seed,
                           jitter_scale=profile.jitter_scale)
    test = paired_dataset(data.split("test"), size, EVAL_BATCH)
    callbacks: list[keras.callbacks.Callback] = []
    folder = Path(out) if out is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in (folder / "samples").glob("epoch_*.png"):  # from an earlier run in the same folder
            stale.unlink()
        photos, sketches, ids = sample_batch(data, size)
        callbacks += [
            keras.callbacks.CSVLogger(str(folder / "history.csv")),
            SampleGrid(photos, sketches, folder / "samples", titles=ids),
        ]
    history = model.fit(train, validation_data=test, epochs=epochs or profile.epochs,
                        callbacks=callbacks, verbose=verbose, shuffle=False)  # the pipeline shuffles
    if folder is not None:
        save_model(model, folder / "generator.keras")
    return Run(model=model, history={k: [float(v) for v in vals] for k, vals in history.history.items()},
               folder=folder)
