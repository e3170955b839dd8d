"""The methods of the course, each named once: the registry that the
command line, the demo report, the comparison and the docs read.

A method is what a student trains in one notebook and what
``python -m sketchlab train NAME`` trains: its name (the run folder's name
too), the label a table gives it, its notebook, whether it draws sketches
from photos, where its L1 term is in ``history.csv``, its batch and epoch
rules, and its trainer, which calls the right
``sketchlab.training.train_*``.

    from sketchlab import methods

    unet = methods.get("unet")
    print(unet.label, unet.batch(profile), unet.epochs(profile))
    trained = unet.train(data, profile, out="runs/unet")
    trained.generator  # photo -> sketch

This module imports neither Keras nor TensorFlow (the command line names
the methods before they load); a trainer imports them when it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keras

    from .config import Profile
    from .data import CufsData
    from .training import Run


@dataclass(frozen=True)
class Trained:
    """What a trainer returns: the training run (model, history, run folder),
    the generator its ``generator.keras`` holds (photo -> sketch; the DCGAN's
    draws from noise) and CycleGAN's sketch -> photo generator."""

    run: Run
    generator: keras.Model
    s2i: keras.Model | None = None


Trainer = Callable[..., Trained]  # (data, profile, **options of the training function) -> Trained


@dataclass(frozen=True)
class MethodSpec:
    """One method of the course. ``batch`` and ``epochs`` give the images per
    step (per device) and the epochs its training function uses by default
    with a profile."""

    name: str  # the command line's and the run folder's
    label: str  # a table's and a figure's
    notebook: str  # the notebook that teaches and trains it
    translates: bool  # photo -> sketch, so scored by the protocol (the DCGAN draws from noise)
    l1_columns: tuple[str | None, str | None]  # its L1 term's columns in history.csv: (train, test)
    batch: Callable[[Profile], int]
    epochs: Callable[[Profile], int]
    trainer: Trainer
    both_ways: bool = False  # also sketch -> photo: its run folder holds s2i.keras too
    fixed_size: int | None = None  # the one image size it works at (sketchlab.models.DCGAN_SIZE)
    options: tuple[str, ...] = ()  # keyword options of its own that the command line offers

    def train(self, data: CufsData, profile: Profile, **options) -> Trained:
        """Train it on ``data`` in the profile's budget, as its notebook does;
        ``options`` (``out``, ``epochs``, ``seed``, ``verbose``, ``image_size``,
        ...) go to its training function."""
        return self.trainer(data, profile, **options)

    def image_size(self, profile: Profile, override: int | None = None) -> int:
        """The side of the images it trains on."""
        return self.fixed_size or override or profile.image_size


def _plain(name: str, data: CufsData, profile: Profile, **options) -> Trained:
    """A generator of :data:`sketchlab.models.GENERATORS` trained with L1 alone (method 1)."""
    from .training import train_generator

    run = train_generator(name, data, profile, **options)
    return Trained(run, run.model)


def _pix2pix(data: CufsData, profile: Profile, **options) -> Trained:
    from .training import train_pix2pix

    run = train_pix2pix(data, profile, **options)
    return Trained(run, run.model.generator)


def _dcgan(data: CufsData, profile: Profile, **options) -> Trained:
    from .training import train_dcgan

    run = train_dcgan(data, profile, **options)
    return Trained(run, run.model.generator)


def _cyclegan(data: CufsData, profile: Profile, **options) -> Trained:
    from .training import train_cyclegan

    run = train_cyclegan(data, profile, **options)
    return Trained(run, run.model.i2s, run.model.s2i)


def _dcgan_batch(profile: Profile) -> int:
    from .training import DCGAN_BATCH  # the DCGAN's batch does not scale with the profile

    return DCGAN_BATCH


PAIRED_OPTIONS = ("augment", "upsampling")  # the paired generators' options for sketches of any face


def _plain_method(name: str, label: str) -> MethodSpec:
    return MethodSpec(name, label, notebook="03", translates=True, l1_columns=("loss", "val_loss"),
                      batch=lambda p: p.batch_size, epochs=lambda p: p.epochs, trainer=partial(_plain, name),
                      options=PAIRED_OPTIONS)


REGISTRY: dict[str, MethodSpec] = {m.name: m for m in (
    _plain_method("encoder-decoder", "encoder-decoder"),
    _plain_method("unet", "U-Net"),
    MethodSpec("pix2pix", "pix2pix", notebook="04", translates=True, l1_columns=("g_l1", "val_g_l1"),
               batch=lambda p: p.gan_batch_size, epochs=lambda p: p.pix2pix_epochs, trainer=_pix2pix,
               options=("lambda_l1", "lambda_ssim", "decay", *PAIRED_OPTIONS)),
    MethodSpec("dcgan", "DCGAN", notebook="04", translates=False, l1_columns=(None, None),
               batch=_dcgan_batch, epochs=lambda p: p.dcgan_epochs, trainer=_dcgan, fixed_size=64),
    # unpaired: no L1 while it trains, only the paired one on the test split; a batch of 1, as in the paper
    MethodSpec("cyclegan", "CycleGAN", notebook="05", translates=True, l1_columns=(None, "val_l1_i2s"),
               batch=lambda p: 1, epochs=lambda p: p.cyclegan_epochs, trainer=_cyclegan, both_ways=True),
)}


def names(translating: bool = False) -> tuple[str, ...]:
    """Every method's name in the course's order; ``translating``: only the
    photo -> sketch ones (those the evaluation protocol scores)."""
    return tuple(name for name, m in REGISTRY.items() if m.translates or not translating)


def translators() -> tuple[MethodSpec, ...]:
    """The photo -> sketch methods, in the course's order."""
    return tuple(REGISTRY[name] for name in names(translating=True))


def get(name: str, translating: bool = False) -> MethodSpec:
    """The method called ``name``; ``translating``: one that draws sketches from photos.

    Raises:
        ValueError: no such method, naming the ones there are.
    """
    choices = names(translating)
    if name not in choices:
        raise ValueError(f"unknown method {name!r}; use one of: {', '.join(choices)}")
    return REGISTRY[name]
