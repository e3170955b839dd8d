"""Training runs: a model, its data, ``fit``, and a run folder.

- :func:`train_generator` (method 1): a generator fitted to the paired data
  with an L1 loss, the mean absolute difference between the generated and
  the artist's sketch (the L1 term of pix2pix, Isola et al. 2017).
- :func:`train_pix2pix`: the U-Net against a PatchGAN (:class:`sketchlab.gans.Pix2Pix`).
- :func:`train_dcgan`: a DCGAN that draws sketches from noise (:class:`sketchlab.gans.GAN`).

    python -m sketchlab train unet --data toy --out runs/unet
    python -m sketchlab train pix2pix --data toy --out runs/pix2pix

A run folder holds ``generator.keras`` (the trained network, loadable with
``keras.models.load_model``), ``history.csv`` (train and test loss per epoch)
and ``samples/epoch_NNN.png`` (input / output / target on fixed test faces).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import keras

from .callbacks import NoiseGrid, SampleGrid
from .config import Profile
from .data import CufsData
from .gans import GAN, LAMBDA_L1, LinearDecay, Pix2Pix, adam
from .gans import LEARNING_RATE as GAN_LEARNING_RATE
from .models import DCGAN_SIZE, GENERATORS, dcgan_discriminator, dcgan_generator, patchgan
from .pipeline import paired_dataset, sketch_dataset

LEARNING_RATE = 1e-3  # Adam(1e-3, beta_1=0.5); see train_generator
LATENT_DIM = 100  # DCGAN's noise vector
DCGAN_BATCH = 16
NOISE_SAMPLES = 16  # samples in the DCGAN's grid per epoch
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
    folder = _run_folder(out)
    callbacks = _paired_callbacks(folder, data, size, model)
    history = model.fit(train, validation_data=test, epochs=epochs or profile.epochs,
                        callbacks=callbacks, verbose=verbose, shuffle=False)  # the pipeline shuffles
    return _finish(model, model, history, folder)


def _run_folder(out: str | Path | None) -> Path | None:
    """The run folder, created, without the sample grids of an earlier run."""
    if out is None:
        return None
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in (folder / "samples").glob("epoch_*.png"):
        stale.unlink()
    return folder


def _paired_callbacks(folder: Path | None, data: CufsData, size: int,
                      generator: keras.Model) -> list[keras.callbacks.Callback]:
    """The run folder's ``history.csv`` and per-epoch sample grids (none without a folder)."""
    if folder is None:
        return []
    photos, sketches, ids = sample_batch(data, size)
    return [keras.callbacks.CSVLogger(str(folder / "history.csv")),
            SampleGrid(photos, sketches, folder / "samples", titles=ids, generator=generator)]


def _finish(model: keras.Model, generator: keras.Model, history, folder: Path | None) -> Run:
    if folder is not None:
        save_model(generator, folder / "generator.keras")
    return Run(model=model, history={k: [float(v) for v in vals] for k, vals in history.history.items()},
               folder=folder)


def train_pix2pix(
    data: CufsData,
    profile: Profile,
    out: str | Path | None = None,
    image_size: int | None = None,
    epochs: int | None = None,
    seed: int = 0,
    lambda_l1: float = LAMBDA_L1,
    learning_rate: float = GAN_LEARNING_RATE,
    d_learning_rate: float | None = None,
    decay: bool = True,
    generator: keras.Model | None = None,
    verbose: int = 1,
) -> Run:
    """Train pix2pix photo -> sketch: the U-Net of method 1 against a
    conditional PatchGAN, on the paired, jittered training split, in batches
    of the profile's ``gan_batch_size``.

    ``run.model`` is the :class:`~sketchlab.gans.Pix2Pix`; the run folder's
    ``generator.keras`` holds its U-Net alone (the discriminator is not
    needed to sketch). ``history.csv`` holds every tracker per epoch, with
    ``val_g_l1``, the L1 on the test split.

    Args:
        data, profile, out, image_size, epochs, seed, verbose: as in :func:`train_generator`.
        lambda_l1: weight of the L1 term (the paper: 100).
        learning_rate: Adam's step size for the generator (the paper: 2e-4).
        d_learning_rate: the discriminator's; default: ``learning_rate``.
        generator: a U-Net to start from (e.g. method 1's, trained with L1
            alone); default: a new one.
        decay: keep the rate for the first half of training, then decay it
            linearly to 0 (the authors' schedule); False keeps it constant.
    """
    size = image_size or profile.image_size
    if generator is not None and generator.input_shape[1] != size:
        raise ValueError(f"the generator takes {generator.input_shape[1]}x{generator.input_shape[1]} photos, "
                         f"not {size}x{size}; pass image_size={generator.input_shape[1]}")
    epochs = epochs or profile.epochs
    keras.utils.set_random_seed(seed)
    batch = profile.gan_batch_size
    train = paired_dataset(data.split("train"), size, batch, training=True, seed=seed,
                           jitter_scale=profile.jitter_scale)
    test = paired_dataset(data.split("test"), size, EVAL_BATCH)
    steps = epochs * (len(data.split("train")) // batch)
    model = Pix2Pix(generator or build_generator("unet", size, profile),
                    patchgan(size, filters=profile.filters, max_filters=profile.max_filters),
                    lambda_l1=lambda_l1)

    def rate(value: float):
        return LinearDecay(value, steps) if decay else value

    model.compile(d_optimizer=adam(rate(d_learning_rate or learning_rate)), g_optimizer=adam(rate(learning_rate)))
    folder = _run_folder(out)
    callbacks = _paired_callbacks(folder, data, size, model.generator)
    history = model.fit(train, validation_data=test, epochs=epochs, callbacks=callbacks, verbose=verbose,
                        shuffle=False)
    return _finish(model, model.generator, history, folder)


def train_dcgan(
    data: CufsData,
    profile: Profile,
    out: str | Path | None = None,
    epochs: int | None = None,
    seed: int = 0,
    latent_dim: int = LATENT_DIM,
    batch_size: int = DCGAN_BATCH,
    verbose: int = 1,
) -> Run:
    """Train a DCGAN to draw 64x64 sketches from noise, on the training
    split's sketches (randomly flipped and cropped).

    ``run.model`` is the :class:`~sketchlab.gans.GAN`; the run folder gets
    ``generator.keras``, ``history.csv`` and one grid of samples from the
    same fixed noise per epoch.

    Args:
        data, profile, out, epochs, seed, verbose: as in :func:`train_generator`
            (the DCGAN works at 64x64 in every profile; the profile sets the
            filter counts and ``dcgan_epochs``).
        latent_dim: length of the noise vector.
        batch_size: images per step.
    """
    keras.utils.set_random_seed(seed)
    sketches = sketch_dataset(data.split("train"), DCGAN_SIZE, batch_size, seed=seed,
                              jitter_scale=profile.jitter_scale)
    model = GAN(dcgan_generator(latent_dim, filters=profile.filters),
                dcgan_discriminator(filters=profile.filters), seed=seed)
    model.compile(d_optimizer=adam(), g_optimizer=adam())
    callbacks: list[keras.callbacks.Callback] = []
    folder = _run_folder(out)
    if folder is not None:
        noise = keras.random.normal((NOISE_SAMPLES, latent_dim), seed=seed)
        callbacks += [
            keras.callbacks.CSVLogger(str(folder / "history.csv")),
            NoiseGrid(noise, folder / "samples", model.generator),
        ]
    history = model.fit(sketches, epochs=epochs or profile.dcgan_epochs, callbacks=callbacks, verbose=verbose,
                        shuffle=False)
    return _finish(model, model.generator, history, folder)


def dcgan_spread(gan: GAN, data: CufsData, count: int = 64) -> dict[str, float]:
    """The :func:`~sketchlab.metrics.spread` of ``count`` samples of ``gan``
    beside that of the real training sketches at the same size: a spread far
    below the real one is mode collapse.

    Returns:
        ``{"samples": ..., "real": ..., "ratio": samples / real}``.
    """
    import numpy as np

    from .metrics import spread
    from .pipeline import to_unit_range

    samples = spread(to_unit_range(gan.sample(count)).numpy())
    real = np.concatenate([to_unit_range(s).numpy()
                           for _, s in paired_dataset(data.split("train"), DCGAN_SIZE, EVAL_BATCH)])
    real_spread = spread(real)
    return {"samples": samples, "real": real_spread, "ratio": samples / real_spread}
