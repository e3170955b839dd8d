"""Training augmentation: CUHK's studio photos made to look like anybody's.

All CUFS photos come from one studio: a blue backdrop, even light, one
camera. A model trained on them alone learns that the backdrop is blue and
the light even, and a user's own photo (a white wall, a window to the side,
a warm lamp) comes out worse than the grey photo itself (docs/robustness.md).
Augmentation shows it each training face under a random change of what a
photo may differ in, and the artist's sketch unchanged: the sketch of a
face does not depend on the wall behind it or on the light.

Each training photo, with :attr:`Augmentation.probability`, gets:

- **framing**: a small random rotation and scale, the same on the photo and
  its sketch (the pipeline's random crop already shifts both);
- **backdrop**: CUHK's backdrop (found once per photo by
  :func:`sketchlab.shifts.backdrop_mask`) replaced by a random wall: any
  brightness (dim ones more often), a muted tint, a light falloff and soft blotches;
- **light**: exposure, contrast, gamma, a colour cast, hue and saturation,
  and light falling off across the face from a random side;
- **grey**: now and then, the photo's luma on three channels.

The ranges are what phone photos plausibly have, drawn at random, not the
robustness suite's fixed shifts: the suite measures whether the model
learned faces, not whether it saw the test's backdrops. Every draw comes
from the stateless seed the pipeline gives each image, so a run is
repeatable and a resumed run sees the same photos.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import tensorflow as tf


@dataclass(frozen=True)
class Augmentation:
    """The strengths of each change; a value is the bound of a uniform draw.

    Attributes:
        probability: the chance a training photo is changed at all (the rest
            stay studio photos, so the clean faces are still learned).
        rotation: degrees, either way.
        scale: relative, either way.
        backdrop: the chance the backdrop is replaced.
        wall_shade: the exponent of the wall's brightness draw (a uniform
            draw raised to it): 1 draws every brightness alike; 2 draws dim
            rooms more often than white walls, as photos taken indoors are.
        exposure: stops (log2 of the brightness factor), either way.
        contrast: relative, either way.
        gamma: log2 of the gamma, either way.
        cast: relative gain of each colour channel, either way.
        hue: a turn of the colour wheel (1 = 360 degrees), either way.
        saturation: relative, either way.
        falloff: the light's relative change from one side of the frame to
            the centre, at most.
        grey: the chance the photo is made grey.
    """

    probability: float = 0.8
    rotation: float = 5.0
    scale: float = 0.05
    backdrop: float = 0.6
    wall_shade: float = 2.0
    exposure: float = 0.6
    contrast: float = 0.3
    gamma: float = 0.5
    cast: float = 0.15
    hue: float = 0.03
    saturation: float = 0.6
    falloff: float = 0.4
    grey: float = 0.15

    def settings(self) -> dict[str, float]:
        """Its values, for a run's settings (a resumed run must match them)."""
        return asdict(self)


def uniform(seed: tf.Tensor, bound: float, shape=()) -> tf.Tensor:
    """A uniform draw in [-bound, bound] from a shape-(2,) stateless seed."""
    return tf.random.stateless_uniform(shape, seed, -bound, bound)


def chance(seed: tf.Tensor, probability: float) -> tf.Tensor:
    """True with ``probability``, from a shape-(2,) stateless seed."""
    return tf.random.stateless_uniform((), seed) < probability


def reframe(images: tf.Tensor, angle: tf.Tensor, scale: tf.Tensor) -> tf.Tensor:
    """Rotate (radians) and scale an (H, W, C) stack of images about its
    centre, mirroring the border into the corners that open up."""
    height, width = float(images.shape[0]), float(images.shape[1])
    cx, cy = (width - 1) / 2, (height - 1) / 2
    cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale
    # output pixel (x, y) is read from input (a0 x + a1 y + a2, b0 x + b1 y + b2)
    transform = tf.stack([cos, sin, cx - cos * cx - sin * cy,
                          -sin, cos, cy + sin * cx - cos * cy, 0.0, 0.0])
    out = tf.raw_ops.ImageProjectiveTransformV3(
        images=images[None], transforms=transform[None], output_shape=tf.shape(images)[:2],
        fill_value=0.0, interpolation="BILINEAR", fill_mode="REFLECT")
    return tf.reshape(out[0], tf.shape(images))


def random_wall(size: int, seed: tf.Tensor, shade: float) -> tf.Tensor:
    """A (size, size, 3) wall in [0, 1]: a random brightness (a uniform draw
    raised to ``shade``: above 1, dim walls are more common) with a muted
    tint, light falling off across it, and soft blotches (a curtain, a room
    out of focus) of random strength."""
    seeds = tf.random.experimental.stateless_split(seed, 6)
    level = 0.05 + 0.95 * tf.random.stateless_uniform((), seeds[0]) ** shade
    tint = uniform(seeds[1], 0.15, (3,))
    wall = tf.ones((size, size, 3)) * (level + tint)
    angle = tf.random.stateless_uniform((), seeds[2], 0, 2 * math.pi)
    ramp = _ramp(size, angle) * uniform(seeds[3], 0.3)
    noise = tf.random.stateless_uniform((6, 6, 4), seeds[4], -1, 1)
    noise = noise[..., :1] + 0.3 * noise[..., 1:]  # mostly light and shade, a little colour
    blotches = tf.image.resize(noise, (size, size), "bicubic")
    strength = tf.random.stateless_uniform((), seeds[5], 0, 0.2)
    return tf.clip_by_value(wall * (1 + ramp[..., None]) + strength * blotches, 0, 1)


def _ramp(size: int, angle: tf.Tensor) -> tf.Tensor:
    """(size, size) from -1 at one side of the frame to 1 at the other, along ``angle``."""
    axis = tf.linspace(-1.0, 1.0, size)
    ys, xs = tf.meshgrid(axis, axis, indexing="ij")
    return (xs * tf.cos(angle) + ys * tf.sin(angle)) / math.sqrt(2)


def relight(photo: tf.Tensor, seed: tf.Tensor, settings: Augmentation) -> tf.Tensor:
    """An (N, N, 3) photo in [0, 1] under other light: exposure, contrast,
    gamma, a colour cast, hue and saturation, and a falloff across the face."""
    seeds = tf.random.experimental.stateless_split(seed, 8)
    photo = photo * 2.0 ** uniform(seeds[0], settings.exposure)
    photo = tf.clip_by_value(photo, 0, 1) ** (2.0 ** uniform(seeds[1], settings.gamma))
    mean = tf.reduce_mean(photo)
    photo = (photo - mean) * (1 + uniform(seeds[2], settings.contrast)) + mean
    photo = photo * (1 + uniform(seeds[3], settings.cast, (3,)))
    photo = tf.image.adjust_hue(tf.clip_by_value(photo, 0, 1), uniform(seeds[4], settings.hue))
    photo = tf.image.adjust_saturation(photo, 1 + uniform(seeds[5], settings.saturation))
    angle = tf.random.stateless_uniform((), seeds[6], 0, 2 * math.pi)
    falloff = 1 + _ramp(int(photo.shape[0]), angle) * uniform(seeds[7], settings.falloff)
    return tf.clip_by_value(photo * falloff[..., None], 0, 1)


def augment_pair(photo: tf.Tensor, backdrop: tf.Tensor, sketch: tf.Tensor, seed: tf.Tensor,
                 settings: Augmentation = Augmentation()) -> tuple[tf.Tensor, tf.Tensor]:
    """One training pair, changed as the module says.

    Args:
        photo: (N, N, 3) in [0, 255] (the pipeline's, after its random crop).
        backdrop: (N, N, 1) in [0, 1], 1 where the photo shows the backdrop.
        sketch: (N, N, 1) in [0, 255], the artist's.
        seed: a shape-(2,) integer seed for the stateless draws.
        settings: the strengths.

    Returns:
        The photo and the sketch, still in [0, 255].
    """
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), 7)
    if not chance(seeds[0], settings.probability):
        return photo, sketch
    size = int(photo.shape[0])
    stack = tf.concat([photo / 255.0, backdrop, sketch / 255.0], axis=-1)
    stack = reframe(stack, uniform(seeds[1], math.radians(settings.rotation)), 1 + uniform(seeds[2], settings.scale))
    photo, backdrop, sketch = stack[..., :3], stack[..., 3:4], stack[..., 4:]
    if chance(seeds[3], settings.backdrop):
        alpha = tf.clip_by_value(1.5 * backdrop, 0, 1)  # a little wider: the backdrop's blue fringe on hair goes too
        photo = photo * (1 - alpha) + random_wall(size, seeds[4], settings.wall_shade) * alpha
    photo = relight(photo, seeds[5], settings)
    if chance(seeds[6], settings.grey):
        photo = tf.image.grayscale_to_rgb(tf.image.rgb_to_grayscale(photo))
    return photo * 255.0, sketch * 255.0
