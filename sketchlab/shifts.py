"""The shifts a user's own photo has, applied to CUFS photos.

CUFS photos are taken in one studio: a nearly uniform blue backdrop, even
light, a good camera, faces aligned by hand. A phone photo differs in each
of these. Every shift here is a plain function ``(photos, seed) -> photos``
on a batch of RGB photos in the 200x250 frame, (N, 250, 200, 3) float in
[0, 1] (what :func:`sketchlab.evaluation.real_photos` returns); the random
ones draw from ``(seed, index of the face)``, so a face is shifted the same
way whatever batch it is in. :data:`SHIFTS` names them all, in order;
:func:`sketchlab.evaluation.evaluate_shifts` scores a model on each.

Each strength is a constant below, chosen as what a phone photo plausibly
has, with a line saying why.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import ndimage  # installed with scikit-image

from .metrics import to_grey

Shift = Callable[[np.ndarray, int], np.ndarray]

# backdrop
WHITE = (0.96, 0.96, 0.95)  # a white wall, not blown out: a phone exposes for the face
LIGHT_GREY = (0.78, 0.78, 0.78)  # an office wall or a photo booth's curtain
DARK = (0.16, 0.14, 0.13)  # a dim room behind the face
ROOM_OBJECTS = (4, 9)  # how many things stand out from the wall behind a face (at least, at most + 1)
ROOM_BLUR = 3.0  # Gaussian sigma in pixels: a phone focused on the face blurs the room behind a little
# the backdrop mask: CUFS's backdrop, told from the person
BACKDROP_ANGLE = 8.0  # degrees of colour (hue and saturation) a backdrop pixel may differ by, shadows included
BACKDROP_BRIGHTNESS = (0.35, 1.3)  # a backdrop pixel's brightness over the backdrop's: its shadows to its sheen
POCKET = 30  # pixels: backdrop seen between hair and shoulder, cut off from the border, is at least this large
POCKET_ANGLE = 5.0  # degrees: and this close to the backdrop's colour on average (a blue shirt is further)
BLACK_BAND = 0.1  # rows at the top or bottom this dark: the band CUHK's crop left, taken as backdrop too
WEDGE_ROWS = 20  # rows: how far a turned crop's black wedge reaches down from the top (CUFS hair never does)
# light
BRIGHTER = 1.4  # half a stop over: auto-exposure metering a dark scene
DARKER = 0.6  # three quarters of a stop under: an indoor shot against a window
GAMMA = 0.7  # a phone's HDR tone curve lifts the shadows and flattens the face
SIDE_LIGHT = (1.1, 0.5)  # light over the frame from one side to the other: a window to the left
WARM = (1.08, 0.97, 0.78)  # white balance left on daylight under a tungsten lamp, partly corrected
COOL = (0.88, 0.98, 1.12)  # a face in the shade on a sunny day
# camera
JPEG_QUALITY = 30  # what a messaging app sends on a slow connection
BLUR = 1.5  # Gaussian sigma in pixels of the 200x250 frame: a little out of focus, or a shaking hand
HALF = 2  # downscale factor: a face half as large in the photo, upsampled back to the frame
NOISE = 0.03  # standard deviation of sensor noise, per pixel and channel: a phone at high ISO in a dim room
# framing: an imperfect alignment, each drawn between half and all of its bound, either sign
MAX_SHIFT = 6.0  # pixels: the eyes found a few pixels off
MAX_SCALE = 0.05  # relative: a face 5 % larger or smaller than the template
MAX_ROTATION = 5.0  # degrees: a head tilt the landmarks did not catch


def backdrop_mask(photos: np.ndarray) -> np.ndarray:
    """Where each photo shows the backdrop, (N, 250, 200) bool.

    The backdrop's colour is fitted (a plane in x and y per channel, so its
    light falloff is followed) to the pixels along the top and side borders;
    a pixel is backdrop when its colour is within :data:`BACKDROP_ANGLE` of
    that fit and its brightness within :data:`BACKDROP_BRIGHTNESS`, and it is
    connected to the top or side borders through such pixels. A blue shirt
    or grey hair inside the silhouette is thus kept. Black bands at the top
    or bottom count as backdrop; a little opening and closing cleans up.
    """
    return np.stack([_backdrop(photo) for photo in np.asarray(photos, np.float64)])


def _backdrop(photo: np.ndarray) -> np.ndarray:
    height, width = photo.shape[:2]
    band = _black_band(photo)
    top = int(np.argmax(band.mean(axis=1) < 0.5))  # the first row below a black band at the top
    ys, xs = np.mgrid[0:height, 0:width]
    border = np.zeros((height, width), bool)
    border[top:top + 3] = True
    border[top:int(0.6 * height), :3] = border[top:int(0.6 * height), -3:] = True  # the sides above the shoulders
    border &= ~band
    smooth = ndimage.gaussian_filter(photo, sigma=(1, 1, 0))  # sensor noise and JPEG blocks averaged out
    angle, close = _near(smooth, np.median(smooth[border], axis=0))  # most of the border is backdrop
    for _ in range(2):  # a plane through the border pixels that are backdrop (not hair touching the border)
        angle, close = _near(smooth, _plane(smooth, border & close, xs, ys))
    close = ndimage.binary_opening(close, iterations=1)
    labels, count = ndimage.label(close)
    index = np.arange(1, count + 1)
    seeds = np.unique(labels[border & close])
    pockets = index[(ndimage.sum(close, labels, index) >= POCKET) & (ndimage.mean(angle, labels, index) < POCKET_ANGLE)]
    mask = np.isin(labels, seeds[seeds > 0]) | np.isin(labels, pockets)
    mask = ndimage.binary_closing(mask, iterations=2, border_value=1) | band
    return ~ndimage.binary_fill_holes(~mask)  # no backdrop islands left inside the person


def _black_band(photo: np.ndarray) -> np.ndarray:
    """(H, W) True on the black band CUHK's alignment left: dark rows from
    the top or bottom edge, a dark wedge from the top edge where the crop
    was turned, and their edge that JPEG blurred."""
    dark = photo.max(axis=-1) < BLACK_BAND
    rows = dark.mean(axis=1) > 0.9
    band = np.zeros_like(dark)
    for order in (slice(None), slice(None, None, -1)):
        band[order] |= np.cumprod(rows[order]).astype(bool)[:, None]  # up to the first row that is not dark
    labels, _ = ndimage.label(dark[:WEDGE_ROWS])
    band[:WEDGE_ROWS] |= np.isin(labels, labels[0][labels[0] > 0])
    return band | (ndimage.binary_dilation(band, iterations=3) & (photo.max(axis=-1) < 2.5 * BLACK_BAND))


def _plane(photo: np.ndarray, where: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The least-squares plane a + b x + c y per channel through ``photo[where]``, over the frame."""
    design = np.stack([np.ones(where.sum()), xs[where], ys[where]], axis=1)
    coefs, *_ = np.linalg.lstsq(design, photo[where], rcond=None)
    return np.stack([np.ones_like(xs), xs, ys], axis=-1) @ coefs


def _near(photo: np.ndarray, fit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The angle in degrees between each pixel's colour and ``fit``'s, and
    whether it is within :data:`BACKDROP_ANGLE` and :data:`BACKDROP_BRIGHTNESS`."""
    norm_p, norm_f = np.linalg.norm(photo, axis=-1), np.linalg.norm(fit, axis=-1)
    cosine = (photo * fit).sum(axis=-1) / np.maximum(norm_p * norm_f, 1e-6)
    angle, ratio = np.degrees(np.arccos(np.clip(cosine, -1, 1))), norm_p / np.maximum(norm_f, 1e-6)
    low, high = BACKDROP_BRIGHTNESS
    return angle, (angle < BACKDROP_ANGLE) & (ratio > low) & (ratio < high)


def replace_backdrop(photos: np.ndarray, backdrops: np.ndarray) -> np.ndarray:
    """``photos`` with the backdrop (:func:`backdrop_mask`) replaced by ``backdrops``
    ((N, H, W, 3), or one colour), the seam softened over a pixel or two as a lens does."""
    mask = backdrop_mask(photos)
    mask = np.stack([ndimage.binary_dilation(m) for m in mask])  # the backdrop's colour fringe on hair goes too
    alpha = ndimage.gaussian_filter(mask.astype(np.float64), sigma=(0, 0.8, 0.8))[..., None]
    return photos * (1 - alpha) + np.broadcast_to(backdrops, photos.shape) * alpha


def _rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, index])


def textured_backdrop(count: int, seed: int, height: int = 250, width: int = 200) -> np.ndarray:
    """A room behind each face: a wall of muted colour with :data:`ROOM_OBJECTS`
    rectangles on it (shelves, doors, frames, windows), light falling off
    across it, all a little out of focus; (count, height, width, 3) in [0, 1]."""
    out = []
    ys, xs = np.mgrid[0:height, 0:width]
    for i in range(count):
        rng = _rng(seed, i)

        def muted() -> np.ndarray:
            return rng.uniform(0.15, 0.9) * (1 + 0.3 * (rng.random(3) - 0.5))

        room = np.broadcast_to(muted(), (height, width, 3)).copy()
        for _ in range(rng.integers(*ROOM_OBJECTS)):
            x0, y0 = rng.integers(-width // 4, width), rng.integers(-height // 4, height)
            room[max(y0, 0):y0 + rng.integers(15, height // 2), max(x0, 0):x0 + rng.integers(10, width // 2)] = muted()
        angle = rng.uniform(0, 2 * np.pi)
        falloff = 1 + 0.25 * ((xs - width / 2) * np.cos(angle) + (ys - height / 2) * np.sin(angle)) / width
        out.append(np.clip(ndimage.gaussian_filter(room, sigma=(ROOM_BLUR, ROOM_BLUR, 0)) * falloff[..., None], 0, 1))
    return np.stack(out)


def _colour_backdrop(colour: tuple[float, float, float]) -> Shift:
    return lambda photos, seed=0: replace_backdrop(photos, np.asarray(colour))


def textured(photos: np.ndarray, seed: int = 0) -> np.ndarray:
    """The backdrop replaced by :func:`textured_backdrop`."""
    return replace_backdrop(photos, textured_backdrop(len(photos), seed, *photos.shape[1:3]))


def _scaled(factors: tuple[float, ...] | float) -> Shift:
    return lambda photos, seed=0: np.clip(photos * np.asarray(factors), 0, 1)


def gamma(photos: np.ndarray, seed: int = 0) -> np.ndarray:
    """Every value raised to :data:`GAMMA`."""
    return photos**GAMMA


def side_light(photos: np.ndarray, seed: int = 0) -> np.ndarray:
    """Brightness falling from :data:`SIDE_LIGHT`'s first factor at the left edge to its second at the right."""
    left, right = SIDE_LIGHT
    return np.clip(photos * np.linspace(left, right, photos.shape[2])[:, None], 0, 1)


def jpeg(photos: np.ndarray, seed: int = 0) -> np.ndarray:
    """Each photo saved as JPEG at :data:`JPEG_QUALITY` and read back."""
    import io

    from PIL import Image

    out = []
    for photo in _eight_bit(photos):
        buffer = io.BytesIO()
        Image.fromarray(photo).save(buffer, format="JPEG", quality=JPEG_QUALITY)
        with Image.open(buffer) as image:
            out.append(np.asarray(image.convert("RGB")))
    return np.stack(out) / 255.0


def blur(photos: np.ndarray, seed: int = 0) -> np.ndarray:
    """A Gaussian blur of :data:`BLUR` pixels."""
    return ndimage.gaussian_filter(photos, sigma=(0, BLUR, BLUR, 0))


def half_resolution(photos: np.ndarray, seed: int = 0) -> np.ndarray:
    """Each photo shrunk by :data:`HALF` (box filter, as a sensor bins) and enlarged back (bicubic)."""
    from PIL import Image

    height, width = photos.shape[1:3]
    small = (width // HALF, height // HALF)
    return np.stack([np.asarray(Image.fromarray(photo).resize(small, Image.Resampling.BOX)
                                .resize((width, height), Image.Resampling.BICUBIC))
                     for photo in _eight_bit(photos)]) / 255.0


def noise(photos: np.ndarray, seed: int = 0) -> np.ndarray:
    """Gaussian sensor noise of :data:`NOISE`, drawn per face from ``(seed, index)``."""
    return np.clip(np.stack([photo + NOISE * _rng(seed, i).standard_normal(photo.shape)
                             for i, photo in enumerate(photos)]), 0, 1)


def _framing(shift: float = 0.0, scale: float = 0.0, rotation: float = 0.0) -> Shift:
    """A similarity transform about the frame's centre, drawn per face: each
    nonzero bound gives a value between half and all of it, of either sign."""

    def move(photos: np.ndarray, seed: int = 0) -> np.ndarray:
        from .faces import warp

        height, width = photos.shape[1:3]
        centre = np.array([(width - 1) / 2, (height - 1) / 2])
        out = []
        for i, photo in enumerate(_eight_bit(photos)):
            rng = _rng(seed, i)
            dx, dy, ds, angle = (bound * rng.uniform(0.5, 1.0) * rng.choice([-1, 1])
                                 for bound in (shift, shift, scale, np.radians(rotation)))
            turn = (1 + ds) * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
            matrix = np.hstack([turn, (centre - turn @ centre + [dx, dy])[:, None]])
            out.append(warp(photo, matrix, width, height))  # the edges repeated: the backdrop fills in
        return np.stack(out) / 255.0

    return move


def black_and_white(photos: np.ndarray, seed: int = 0) -> np.ndarray:
    """The photo in grey (ITU-R 601 luma), as three equal channels."""
    return np.repeat(to_grey(photos), 3, axis=-1)


def _eight_bit(photos: np.ndarray) -> np.ndarray:
    return np.round(np.clip(photos, 0, 1) * 255).astype(np.uint8)


SHIFTS: dict[str, Shift] = {
    "backdrop: white": _colour_backdrop(WHITE),
    "backdrop: light grey": _colour_backdrop(LIGHT_GREY),
    "backdrop: dark": _colour_backdrop(DARK),
    "backdrop: textured": textured,
    "light: brighter": _scaled(BRIGHTER),
    "light: darker": _scaled(DARKER),
    "light: gamma": gamma,
    "light: side": side_light,
    "light: warm": _scaled(WARM),
    "light: cool": _scaled(COOL),
    "camera: jpeg 30": jpeg,
    "camera: blur": blur,
    "camera: half resolution": half_resolution,
    "camera: noise": noise,
    "framing: shift": _framing(shift=MAX_SHIFT),
    "framing: scale": _framing(scale=MAX_SCALE),
    "framing: rotate": _framing(rotation=MAX_ROTATION),
    "black and white": black_and_white,
}
