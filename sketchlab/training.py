"""Training runs: a model, its data, ``fit``, and a run folder.

- :func:`train_generator` (method 1): a generator fitted to the paired data
  with an L1 loss, the mean absolute difference between the generated and
  the artist's sketch (the L1 term of pix2pix, Isola et al. 2017).
- :func:`train_pix2pix`: the U-Net against a PatchGAN (:class:`sketchlab.gans.Pix2Pix`).
- :func:`train_dcgan`: a DCGAN that draws sketches from noise (:class:`sketchlab.gans.GAN`).
- :func:`train_cyclegan`: CycleGAN on unpaired photos and sketches (:class:`sketchlab.gans.CycleGAN`).

    python -m sketchlab train unet --data toy --out runs/unet
    python -m sketchlab train pix2pix --data toy --out runs/pix2pix

A run folder holds ``generator.keras`` (the trained network, loadable with
``keras.models.load_model``), ``history.csv`` (train and test loss per epoch),
``samples/epoch_NNN.png`` (input / output / target on fixed test faces) and
``checkpoint.weights.h5`` (everything needed to go on, written after every
epoch, with the one before as ``checkpoint.previous.weights.h5``): the same
call on the same folder resumes an interrupted run from its last finished
epoch (:mod:`sketchlab.checkpoints`); a call with other settings or other
training data is refused.

Each training function takes ``callbacks``: more Keras callbacks, called
after the run's own, so after each epoch's checkpoint (to watch a run, or to
stop it by raising an exception, as a disconnect would).

More than one GPU: call a training function inside a ``tf.distribute``
strategy's scope (``with tf.distribute.MirroredStrategy().scope():
run = train_pix2pix(data, profile, out="runs/pix2pix")``; a model passed in,
such as pix2pix's ``generator``, must be built in the scope too). The
networks and optimizers are then built for the strategy and ``fit`` splits
each batch among the N devices. The batch sizes (the profile's,
``train_dcgan``'s ``batch_size``) become per device: a step takes N times as
many images (so an epoch has 1/N of the steps; the learning rates stay the
papers') and updates the networks as one device would on that batch
(:mod:`sketchlab.gans`), but for BatchNorm, which normalises each device's
share on its own. XLA stays off under a strategy, as in Keras. Resume a run
on as many devices as it began on (the checkpoint records the batch size).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras

from .augment import Augmentation
from .callbacks import NoiseGrid, SampleGrid
from .checkpoints import CHECKPOINT, PREVIOUS, Checkpoint, restore
from .config import Profile, gpu_available
from .data import CufsData, DataError, check_split_sizes
from .files import atomic_write, shown
from .history import read_history, trim_history  # read_history: callers use training.read_history
from .gans import GAN, LAMBDA_CYCLE, LAMBDA_IDENTITY, LAMBDA_L1, LAMBDA_SSIM, POOL_SIZE, CycleGAN, LinearDecay, Pix2Pix, adam
from .gans import LEARNING_RATE as GAN_LEARNING_RATE
from .models import DCGAN_SIZE, GENERATORS, dcgan_discriminator, dcgan_generator, patchgan, resnet_generator
from .optimizers import LossScaleOptimizer
from .pipeline import paired_dataset, sketch_dataset, unpaired_dataset

LEARNING_RATE = 1e-3  # Adam(1e-3, beta_1=0.5); see train_generator
LATENT_DIM = 100  # DCGAN's noise vector
DCGAN_BATCH = 16
NOISE_SAMPLES = 16  # samples in the DCGAN's grid per epoch
SAMPLE_FACES = 6
EVAL_BATCH = 32  # test-split batches: inference only, so larger and fewer


@dataclass
class Run:
    """What a training function made: the model, every epoch's logs (all
    of the run's epochs, also when it was resumed) and the run folder."""

    model: keras.Model
    history: dict[str, list[float]]
    folder: Path | None


def _replicas() -> int:
    """The devices a training step is split over: N inside a ``tf.distribute``
    strategy's scope, else 1. The batch sizes are per device (see above)."""
    import tensorflow as tf

    return tf.distribute.get_strategy().num_replicas_in_sync


def build_generator(name: str, image_size: int, profile: Profile, upsampling: str = "transpose") -> keras.Model:
    """``GENERATORS[name]`` at ``image_size`` with the profile's filter counts
    and the decoder's ``upsampling`` (:func:`sketchlab.models.upsample`)."""
    if name not in GENERATORS:
        raise ValueError(f"unknown model {name!r}; use one of: {', '.join(GENERATORS)}")
    return GENERATORS[name](image_size=image_size, filters=profile.filters, max_filters=profile.max_filters,
                            upsampling=upsampling)


def sample_batch(data: CufsData, image_size: int, count: int = SAMPLE_FACES):
    """The first ``count`` test pairs as one batch: (photos, sketches, person ids)."""
    pairs = data.split("test")[:count]
    photos, sketches = next(iter(paired_dataset(pairs, image_size, count)))
    return photos.numpy(), sketches.numpy(), [p.person_id for p in pairs]


def save_model(model: keras.Model, path: str | Path) -> Path:
    """Save the network ``model`` as a ``.keras`` file, without its optimizer:
    sketching needs the weights alone, and Adam's moments would double the
    file (the checkpoint keeps them for resuming). Written beside and renamed
    into place, so an interrupted save never leaves a broken file."""
    path = Path(path)
    if getattr(model, "optimizer", None) is not None:  # Keras' include_optimizer=False does not apply to .keras
        model = keras.Model(model.inputs, model.outputs, name=model.name)  # the same layers, uncompiled
    with atomic_write(path) as tmp:
        model.save(tmp)
    return path


def train_generator(name: str, data: CufsData, profile: Profile, out: str | Path | None = None,
                    image_size: int | None = None, epochs: int | None = None, seed: int = 0,
                    learning_rate: float = LEARNING_RATE, augment: Augmentation | None = None,
                    upsampling: str = "transpose", verbose: int = 1,
                    callbacks: Sequence[keras.callbacks.Callback] = ()) -> Run:
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
            training; plain L1 learns faster with it.
        augment: the training photos' augmentation (:mod:`sketchlab.augment`),
            for sketches of any face; None: CUHK's studio photos as they are.
        upsampling: the decoder's, ``"transpose"`` (the paper's) or
            ``"resize"`` (:func:`sketchlab.models.upsample`).
        verbose: Keras' progress display (1 = progress bar, 2 = a line per epoch, 0 = silent).
        callbacks: more Keras callbacks, called after the run's own (after each
            epoch's checkpoint).
    """
    size = image_size or profile.image_size
    epochs = epochs or profile.epochs
    keras.utils.set_random_seed(seed)
    model = build_generator(name, size, profile, upsampling)
    model.compile(optimizer=adam(learning_rate), loss="mean_absolute_error")
    batch = profile.batch_size * _replicas()
    settings = dict(model=name, image_size=size, epochs=epochs, seed=seed, batch_size=batch,
                    filters=profile.filters, max_filters=profile.max_filters, learning_rate=learning_rate,
                    **_data_settings(data, profile), **_generalising(augment, upsampling))

    def train(first_epoch: int):
        return paired_dataset(data.split("train"), size, batch, training=True, seed=seed,
                              jitter_scale=profile.jitter_scale, epochs=epochs, first_epoch=first_epoch,
                              augment=augment)

    folder = _run_folder(out)
    history = _fit(model, train, data, epochs, batch, folder, settings, _paired_callbacks(folder, data, size, model),
                   validation=paired_dataset(data.split("test"), size, EVAL_BATCH), verbose=verbose, extra=callbacks)
    return _finish(model, model, history, folder)


def _data_settings(data: CufsData, profile: Profile) -> dict:
    """The settings of what a run trains on, which a resume must match too."""
    return dict(data=data.fingerprint(), jitter_scale=profile.jitter_scale)


def _generalising(augment: Augmentation | None, upsampling: str) -> dict:
    """The settings of a paired run's augmentation and upsampling, left out
    at the papers' defaults (so runs checkpointed before they existed resume)."""
    return {**({"augment": augment.settings()} if augment is not None else {}),
            **({"upsampling": upsampling} if upsampling != "transpose" else {})}


RUN_OUTPUTS = ("generator.keras", "s2i.keras", "history.csv", "samples", "samples_s2i")  # besides checkpoints


def _run_folder(out: str | Path | None) -> Path | None:
    """The run folder, created. A folder that holds a checkpoint is a run
    (resumed or refused by :func:`~sketchlab.checkpoints.restore`); one
    without may hold only what a run writes, which a new run replaces, so
    that no one else's files are overwritten.

    Raises:
        DataError: ``out`` is a file, or a folder holding other files.
    """
    if out is None:
        return None
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise DataError(f"{shown(folder)}: is a file; --out must name a run folder (made if missing). "
                        "Choose another --out.")
    if folder.is_dir() and not any((folder / name).exists() for name in (CHECKPOINT, PREVIOUS)):
        others = sorted(p.name for p in folder.iterdir() if p.name not in RUN_OUTPUTS and not p.name.startswith("."))
        if others:
            listed = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            raise DataError(f"{shown(folder)}: holds {listed}, not a training run's files, and a new run writes "
                            f"{', '.join(RUN_OUTPUTS[:3])} and samples/ there. Choose a new --out (a missing or "
                            "empty folder), or move those files out.")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _fit(model: keras.Model, train, data: CufsData, epochs: int, batch: int, folder: Path | None, settings: dict,
         callbacks: list[keras.callbacks.Callback], validation=None, verbose: int = 1,
         extra: Sequence[keras.callbacks.Callback] = ()) -> dict[str, list[float]]:
    """``model.fit`` for ``epochs`` epochs, resumed from the run folder's
    checkpoint when it has one (see :mod:`sketchlab.checkpoints`).

    ``train(first_epoch)`` gives the training data from that epoch on. With
    a folder, after every epoch: ``history.csv``, the run's ``callbacks``,
    the checkpoint, then the caller's ``extra`` callbacks.

    Returns:
        The logs of every epoch of the run, resumed or not.
    """
    # the checkpoint must fit this model, not merely these settings: a code
    # change that reshapes a network changes its weight count
    settings = {**settings, "weights": sum(math.prod(w.shape) for w in model.weights)}
    check_split_sizes(data, train=batch)  # an epoch of no steps would save an untrained model
    first, checkpoint = restore(model, folder, settings)
    if folder is not None:
        if first:
            trim_history(folder / "history.csv", first)
            if verbose:
                print(f"resuming after epoch {first} of {epochs} from {shown(checkpoint)}")
        else:
            for stale in folder.glob("samples*/epoch_*.png"):  # an earlier run's grids
                stale.unlink()
        callbacks = [keras.callbacks.CSVLogger(str(folder / "history.csv"), append=first > 0), *callbacks,
                     Checkpoint(folder, settings)]
    callbacks = [*callbacks, *extra]
    logs: dict[str, list[float]] = {}
    if first < epochs:
        history = model.fit(train(first), validation_data=validation, epochs=epochs, initial_epoch=first,
                            steps_per_epoch=len(data.split("train")) // batch, callbacks=callbacks,
                            verbose=verbose, shuffle=False)  # the pipeline shuffles
        logs = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    return read_history(folder / "history.csv") if folder is not None and (folder / "history.csv").is_file() else logs


def _paired_callbacks(folder: Path | None, data: CufsData, size: int,
                      generator: keras.Model) -> list[keras.callbacks.Callback]:
    """The per-epoch sample grids of a paired run (none without a folder)."""
    if folder is None:
        return []
    photos, sketches, ids = sample_batch(data, size)
    return [SampleGrid(photos, sketches, folder / "samples", titles=ids, generator=generator)]


def _finish(model: keras.Model, generator: keras.Model, history: dict[str, list[float]], folder: Path | None) -> Run:
    if folder is not None:
        save_model(generator, folder / "generator.keras")
    return Run(model=model, history=history, folder=folder)


def train_pix2pix(data: CufsData, profile: Profile, out: str | Path | None = None, image_size: int | None = None,
                  epochs: int | None = None, seed: int = 0, lambda_l1: float = LAMBDA_L1,
                  lambda_ssim: float = LAMBDA_SSIM,
                  learning_rate: float = GAN_LEARNING_RATE, d_learning_rate: float | None = None,
                  decay: bool | None = None, generator: keras.Model | None = None,
                  augment: Augmentation | None = None, upsampling: str = "transpose", verbose: int = 1,
                  callbacks: Sequence[keras.callbacks.Callback] = ()) -> Run:
    """Train pix2pix photo -> sketch: the U-Net of method 1 against a
    conditional PatchGAN, on the paired, jittered training split, in batches
    of the profile's ``gan_batch_size``.

    ``run.model`` is the :class:`~sketchlab.gans.Pix2Pix`; the run folder's
    ``generator.keras`` holds its U-Net alone (the discriminator is not
    needed to sketch). ``history.csv`` holds every tracker per epoch, with
    ``val_g_l1``, the L1 on the test split.

    Args:
        data, profile, out, image_size, epochs, seed, verbose, callbacks: as in
            :func:`train_generator` (epochs default: ``profile.pix2pix_epochs``).
        lambda_l1: weight of the L1 term (the paper: 100).
        lambda_ssim: weight of the SSIM term (the paper: 0, none).
        learning_rate: Adam's step size for the generator (the paper: 2e-4).
        d_learning_rate: the discriminator's; default: ``learning_rate``.
        generator: a U-Net to start from (e.g. method 1's, trained with L1
            alone; under a strategy, built or loaded in its scope); default:
            a new one.
        decay: keep the rate for the first half of training, then decay it
            linearly to 0 (the authors' schedule); False keeps it constant.
            Default: the profile's ``gan_decay``.
        augment, upsampling: as in :func:`train_generator` (``upsampling``
            builds a new U-Net; a given ``generator`` keeps its own).
    """
    size = image_size or profile.image_size
    if generator is not None and generator.input_shape[1] != size:
        raise ValueError(f"the generator takes {generator.input_shape[1]}x{generator.input_shape[1]} photos, "
                         f"not {size}x{size}; pass image_size={generator.input_shape[1]}")
    epochs = epochs or profile.pix2pix_epochs
    keras.utils.set_random_seed(seed)
    batch = profile.gan_batch_size * _replicas()
    decay = profile.gan_decay if decay is None else decay
    steps = epochs * (len(data.split("train")) // batch)
    model = Pix2Pix(generator or build_generator("unet", size, profile, upsampling),
                    patchgan(size, filters=profile.filters, max_filters=profile.max_filters),
                    lambda_l1=lambda_l1, lambda_ssim=lambda_ssim)

    def rate(value: float):
        return LinearDecay(value, steps) if decay else value

    model.compile(d_optimizer=adam(rate(d_learning_rate or learning_rate)), g_optimizer=adam(rate(learning_rate)))
    settings = dict(model="pix2pix", image_size=size, epochs=epochs, seed=seed, batch_size=batch,
                    filters=profile.filters, max_filters=profile.max_filters, lambda_l1=lambda_l1,
                    lambda_ssim=lambda_ssim,
                    learning_rate=learning_rate, d_learning_rate=d_learning_rate, decay=decay,
                    generator="given" if generator is not None else "new", **_data_settings(data, profile),
                    **_generalising(augment, upsampling))

    def train(first_epoch: int):
        return paired_dataset(data.split("train"), size, batch, training=True, seed=seed,
                              jitter_scale=profile.jitter_scale, epochs=epochs, first_epoch=first_epoch,
                              augment=augment)

    folder = _run_folder(out)
    history = _fit(model, train, data, epochs, batch, folder, settings,
                   _paired_callbacks(folder, data, size, model.generator),
                   validation=paired_dataset(data.split("test"), size, EVAL_BATCH), verbose=verbose, extra=callbacks)
    return _finish(model, model.generator, history, folder)


def train_dcgan(data: CufsData, profile: Profile, out: str | Path | None = None, epochs: int | None = None,
                seed: int = 0, latent_dim: int = LATENT_DIM, batch_size: int = DCGAN_BATCH, verbose: int = 1,
                callbacks: Sequence[keras.callbacks.Callback] = ()) -> Run:
    """Train a DCGAN to draw 64x64 sketches from noise, on the training
    split's sketches (randomly flipped and cropped).

    ``run.model`` is the :class:`~sketchlab.gans.GAN`; the run folder gets
    ``generator.keras``, ``history.csv`` and one grid of samples from the
    same fixed noise per epoch.

    Args:
        data, profile, out, epochs, seed, verbose, callbacks: as in :func:`train_generator`
            (the DCGAN works at 64x64 in every profile; the profile sets the
            filter counts and ``dcgan_epochs``).
        latent_dim: length of the noise vector.
        batch_size: images per step (per device, inside a strategy's scope).
    """
    epochs = epochs or profile.dcgan_epochs
    keras.utils.set_random_seed(seed)
    model = GAN(dcgan_generator(latent_dim, filters=profile.filters),
                dcgan_discriminator(filters=profile.filters), seed=seed)
    model.compile(d_optimizer=adam(), g_optimizer=adam())
    batch = batch_size * _replicas()
    settings = dict(model="dcgan", epochs=epochs, seed=seed, batch_size=batch, filters=profile.filters,
                    latent_dim=latent_dim, **_data_settings(data, profile))

    def train(first_epoch: int):
        return sketch_dataset(data.split("train"), DCGAN_SIZE, batch, seed=seed,
                              jitter_scale=profile.jitter_scale, epochs=epochs, first_epoch=first_epoch)

    folder = _run_folder(out)
    grids: list[keras.callbacks.Callback] = []
    if folder is not None:
        noise = keras.random.normal((NOISE_SAMPLES, latent_dim), seed=seed)
        grids.append(NoiseGrid(noise, folder / "samples", model.generator))
    history = _fit(model, train, data, epochs, batch, folder, settings, grids, verbose=verbose, extra=callbacks)
    return _finish(model, model.generator, history, folder)


def cyclegan_networks(image_size: int, profile: Profile) -> dict[str, keras.Model]:
    """CycleGAN's four networks at ``image_size`` with the profile's filter
    counts: ResNet generators ``i2s`` (RGB -> grey) and ``s2i`` (grey -> RGB)
    and unconditional 70x70 PatchGANs with instance norm for each domain."""
    blocks = profile.cyclegan_blocks
    return dict(
        i2s=resnet_generator(image_size, profile.filters, blocks, in_channels=3, out_channels=1, name="i2s"),
        s2i=resnet_generator(image_size, profile.filters, blocks, in_channels=1, out_channels=3, name="s2i"),
        d_sketch=patchgan(image_size, profile.filters, profile.max_filters, in_channels=0, out_channels=1,
                          norm="instance", name="d_sketch"),
        d_photo=patchgan(image_size, profile.filters, profile.max_filters, in_channels=0, out_channels=3,
                         norm="instance", name="d_photo"),
    )


def train_cyclegan(data: CufsData, profile: Profile, out: str | Path | None = None, image_size: int | None = None,
                   epochs: int | None = None, seed: int = 0, lambda_cycle: float = LAMBDA_CYCLE,
                   lambda_identity: float = LAMBDA_IDENTITY, pool_size: int = POOL_SIZE,
                   learning_rate: float = GAN_LEARNING_RATE, mixed_precision: bool | None = None,
                   jit_compile: bool | None = None, verbose: int = 1,
                   callbacks: Sequence[keras.callbacks.Callback] = ()) -> Run:
    """Train CycleGAN photo <-> sketch on the training split, unpaired: each
    step sees a photo and a sketch of different people, in batches of 1 as
    in the paper (per device). The rate of every optimizer is constant for
    the first half of the epochs and decays linearly to 0 in the second.

    ``run.model`` is the :class:`~sketchlab.gans.CycleGAN`. The run folder
    gets ``generator.keras`` (photo -> sketch, like every method's),
    ``s2i.keras`` (sketch -> photo), ``history.csv`` (every loss term; ``val_l1_i2s`` and
    ``val_l1_s2i`` are the paired L1 on the test split), sample grids per
    epoch for both directions (``samples/`` and ``samples_s2i/``), and the
    checkpoint that lets the same call resume an interrupted run.

    Args:
        data, profile, out, image_size, epochs, seed, verbose, callbacks: as in
            :func:`train_generator` (epochs default: ``profile.cyclegan_epochs``).
        lambda_cycle, lambda_identity, pool_size: as in :class:`~sketchlab.gans.CycleGAN`.
        learning_rate: Adam's step size for all four networks (the paper: 2e-4).
        mixed_precision: float16 computations with float32 weights, both
            optimizers wrapped in a :class:`~sketchlab.optimizers.LossScaleOptimizer`;
            default: on a GPU.
        jit_compile: XLA-compile the training step; default: on one GPU (on
            a CPU it makes the step slower, see docs/performance.md; under a
            strategy of several devices it is off, as in Keras).
    """
    size = image_size or profile.image_size
    epochs = epochs or profile.cyclegan_epochs
    gpu = gpu_available()
    mixed = gpu if mixed_precision is None else mixed_precision
    keras.utils.set_random_seed(seed)
    previous_policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16" if mixed else "float32")
    try:
        model = CycleGAN(**cyclegan_networks(size, profile), lambda_cycle=lambda_cycle,
                         lambda_identity=lambda_identity, pool_size=pool_size, seed=seed)
    finally:
        keras.config.set_dtype_policy(previous_policy)
    batch = 1 * _replicas()  # one image per step, as in the paper (per device)
    steps = epochs * (len(data.split("train")) // batch)

    def optimizer() -> keras.optimizers.Optimizer:
        opt = adam(LinearDecay(learning_rate, steps))
        return LossScaleOptimizer(opt) if mixed else opt

    jit = gpu and _replicas() == 1 if jit_compile is None else jit_compile
    model.compile(g_optimizer=optimizer(), d_optimizer=optimizer(), jit_compile=jit)
    settings = dict(model="cyclegan", image_size=size, epochs=epochs, seed=seed, batch_size=batch,
                    filters=profile.filters, max_filters=profile.max_filters, blocks=profile.cyclegan_blocks,
                    lambda_cycle=lambda_cycle, lambda_identity=lambda_identity, pool_size=pool_size,
                    learning_rate=learning_rate, mixed_precision=mixed, **_data_settings(data, profile))

    def train(first_epoch: int):
        return unpaired_dataset(data.split("train"), size, batch, seed=seed, jitter_scale=profile.jitter_scale,
                                epochs=epochs, first_epoch=first_epoch)

    folder = _run_folder(out)
    grids: list[keras.callbacks.Callback] = []
    if folder is not None:
        photos, sketches, ids = sample_batch(data, size)
        grids = [SampleGrid(photos, sketches, folder / "samples", titles=ids, generator=model.i2s),
                 SampleGrid(sketches, photos, folder / "samples_s2i", titles=ids, generator=model.s2i)]
    history = _fit(model, train, data, epochs, batch, folder, settings, grids,
                   validation=paired_dataset(data.split("test"), size, EVAL_BATCH), verbose=verbose, extra=callbacks)
    if folder is not None:
        save_model(model.s2i, folder / "s2i.keras")
    return _finish(model, model.i2s, history, folder)


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
