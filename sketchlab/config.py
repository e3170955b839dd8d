"""The profile: one switch for the scale of everything the course runs.

``quick`` fits a laptop CPU or CI (small images, small models, a few epochs);
``full`` is the published setting for a GPU (256x256, the papers' sizes and
epoch counts). The default is ``full`` when TensorFlow sees a GPU, else
``quick``; the environment variable ``SKETCHLAB_PROFILE`` overrides it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import SketchlabError

PROFILE_ENV = "SKETCHLAB_PROFILE"


class ProfileError(SketchlabError, ValueError):
    """A bad setting (a profile name, an option that does not fit the model); the message says where it came from."""


@dataclass(frozen=True)
class Profile:
    """Sizes and budgets that every notebook and command reads.

    Attributes:
        name: ``"quick"`` or ``"full"``.
        image_size: side of the square images the models see.
        batch_size: images per training step.
        epochs: default number of training epochs.
        filters: filters of a generator's first block (they double per block).
        max_filters: the cap on filters per block.
        jitter_scale: the random-jitter resize factor before the random crop
            (pix2pix: 286/256).
        dcgan_epochs: epochs of the DCGAN, which learns from the sketches
            alone at 64x64 and needs more passes than the translators.
        gan_batch_size: pix2pix's images per step: 1, as in the paper; an
            adversarial game needs many small updates (docs/performance.md,
            "Settings chosen by measurement").
        pix2pix_epochs: pix2pix's epochs (the paper: 200 on its small
            datasets). Quick: 10, which keeps notebook 04 within its time
            budget; the CPU run on CUFS at 128x128 asks for 80.
        gan_decay: pix2pix's schedule: True keeps the rate for the first
            half of the epochs and decays it linearly to 0 in the second (the
            paper); False keeps it constant, which suits a short CPU budget
            (docs/performance.md).
        cyclegan_epochs: CycleGAN's epochs (the paper: 100 at a constant
            rate, then 100 decayed to zero). Quick: 3, a check that it learns
            within a notebook's budget; the CPU run on CUFS at 128x128 asks
            for 30 (docs/results.json has each run's command and time).
        cyclegan_blocks: residual blocks of CycleGAN's generators; None:
            :func:`sketchlab.models.resnet_generator`'s choice for the size
            (the paper's 9 at 256x256 and 6 at 128x128; 3 at 64x64).
    """

    name: str
    image_size: int
    batch_size: int
    epochs: int
    filters: int
    max_filters: int
    jitter_scale: float = 286 / 256
    dcgan_epochs: int = 60
    gan_batch_size: int = 1
    pix2pix_epochs: int = 200
    gan_decay: bool = True
    cyclegan_epochs: int = 200
    cyclegan_blocks: int | None = None


PROFILES: dict[str, Profile] = {
    "quick": Profile(name="quick", image_size=64, batch_size=4, epochs=20, filters=32, max_filters=256,
                     pix2pix_epochs=10, gan_decay=False, cyclegan_epochs=3),
    "full": Profile(name="full", image_size=256, batch_size=1, epochs=200, filters=64, max_filters=512,
                    dcgan_epochs=300),
}


def check_image_size(size: int) -> int:
    """``size`` if the networks can be built at it (a power of two >= 4:
    each encoder block halves it, down to 1x1).

    Raises:
        ValueError: naming the size and what to use instead.
    """
    if size < 4 or size & (size - 1):
        raise ValueError(f"image size must be a power of two >= 4 (64, 128, 256), got {size}")
    return size


MIN_TRAINING_SIZE = 32  # below it the U-Net has under 5 levels and the PatchGAN judges one or two patches


def check_training_size(size: int) -> int:
    """``size`` if a model trained at it keeps its depth: a power of two of
    at least :data:`MIN_TRAINING_SIZE` (smaller networks build, for a look
    at their shapes, but learn nothing worth a run).

    Raises:
        ValueError: naming the size and what to use instead.
    """
    if size < MIN_TRAINING_SIZE or size & (size - 1):
        raise ValueError(f"image size must be a power of two of at least {MIN_TRAINING_SIZE} (32, 64, 128, 256), "
                         f"got {size}")
    return size


def gpu_available() -> bool:
    """True when TensorFlow sees at least one GPU."""
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def device_name() -> str:
    """A short description of the device TensorFlow will use."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return f"CPU ({os.cpu_count()} cores)"
    details = tf.config.experimental.get_device_details(gpus[0])
    return f"GPU x{len(gpus)} ({details.get('device_name', gpus[0].name)})"


def get_profile(name: str | None = None) -> Profile:
    """Resolve the profile: ``name``, else ``$SKETCHLAB_PROFILE``, else by GPU.

    Raises:
        ProfileError: for an unknown profile name, naming where it came from.
    """
    source = "argument"
    if name is None:
        name = os.environ.get(PROFILE_ENV) or None
        source = f"${PROFILE_ENV}"
    if name is None:
        return PROFILES["full" if gpu_available() else "quick"]
    if name not in PROFILES:
        raise ProfileError(
            f"unknown profile {name!r} (from {source}); "
            f"use one of: {', '.join(PROFILES)}"
        )
    return PROFILES[name]
