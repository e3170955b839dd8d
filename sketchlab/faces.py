"""New photos into the CUFS frame, and sketches of them.

A phone photo is not a CUFS photo: CUFS faces are frontal, cropped to 200x250
(width x height) with the eyes at fixed places. To sketch a new photo:

1. :func:`load_image`: any image file as 8-bit RGB (transparency onto white,
   16-bit scaled down, EXIF rotation applied);
2. :func:`detect_faces`: MTCNN (Zhang et al., "Joint Face Detection and
   Alignment using Multi-task Cascaded Convolutional Networks", IEEE SPL
   2016) finds each face and five landmarks: the eyes, the nose tip and the
   mouth corners;
3. :func:`align_face`: the similarity transform (rotation, one scale, shift;
   least squares, Umeyama 1991) that takes the eyes and mouth corners of the
   largest face closest to :data:`TEMPLATE`, the landmarks of the median CUFS
   photo, then a warp into the 200x250 frame;
4. :func:`translate`: a trained generator on those 200x250 images, with the
   preprocessing it was trained with (:mod:`sketchlab.pipeline`).

``python -m sketchlab faces align`` and ``python -m sketchlab sketch`` run
these steps on files (see :mod:`sketchlab.cli`). MTCNN and TensorFlow are
imported only when a face is detected or a model is run.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .data import IMAGE_HEIGHT, IMAGE_WIDTH, DataError, too_large
from .files import atomic_write

__all__ = ["FaceError", "AlignedFace", "LANDMARKS", "TEMPLATE", "TEMPLATE_SD", "ALIGN_WITH", "ALIGN_WEIGHTS",
           "load_image", "sample_photos", "detect_faces", "mirrored_landmarks", "similarity_transform", "warp", "align_face", "align_file", "fit_frame",
           "read_images", "frame_images", "frame_files", "output_paths", "save_png", "translate"]

# MTCNN's five landmarks, in its order; "left" is the left of the image (the
# person's right eye).
LANDMARKS = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")

# Where MTCNN finds the five landmarks on the official CUFS photos: the median
# (x, y) over all 188 photos/ of the Kaggle mirror (200x250 JPEGs; a face was
# found in every one), each photo's landmarks averaged with its mirror image's
# (:func:`mirrored_landmarks`, as alignment does), measured once with
#     python benchmarks/alignment.py --measure-template --data CUFS_MIRROR
# The artists' sketches give the same medians within 1 px (a face found in all
# 188 too). The toy faces (sketchlab.toy) are drawn to this template: their
# mean eye centres and mouth corners lie within 1 px of it (tests/test_faces.py).
TEMPLATE = np.array([
    [74.29, 125.46],   # left eye
    [124.97, 125.48],  # right eye
    [99.74, 153.91],   # nose tip
    [79.10, 181.88],   # mouth, left corner
    [120.32, 181.57],  # mouth, right corner
])
# The spread of the same measurement: the standard deviation (x, y) in px over
# the 188 photos. The eyes barely move (the CUFS crops were aligned by the
# eyes); the mouth moves with each face's proportions.
TEMPLATE_SD = np.array([[0.70, 0.81], [0.83, 0.81], [1.47, 2.99], [1.87, 3.08], [1.76, 3.07]])

# The landmarks the similarity is fitted to: the eyes and the mouth corners.
# The nose tip is left out: it stands 2-3 cm in front of the plane of the
# eyes and mouth, so a slightly turned or tilted head moves it in the image
# against the other four (parallax), pulling a 2-D fit sideways; on the
# frontal CUFS photos it adds nothing.
ALIGN_WITH = (0, 1, 3, 4)
# Each landmark's weight in the fit: the inverse of its variance over the
# CUFS photos, so the eyes count about 10 times as much as a mouth corner:
# the fit places the eyes where CUFS has them, as its crops do, and the mouth
# keeps a turned head (eyes closer together in the image) from being blown
# up; re-aligning the official crops agrees best with the crops this way
# (docs/performance.md, "Settings chosen by measurement").
ALIGN_WEIGHTS = 1.0 / (TEMPLATE_SD[list(ALIGN_WITH)] ** 2).mean(axis=1)

DETECT_MAX_SIDE = 1024  # larger photos are shrunk to this for detection (MTCNN's time grows with the area)
_BATCH = 16  # images per model call in translate


class FaceError(DataError):
    """An image that cannot be read, or holds no face; the message names the file and what to do."""


@dataclass(frozen=True)
class AlignedFace:
    """A face brought into the CUFS frame.

    Attributes:
        image: (250, 200, 3) uint8 RGB.
        landmarks: MTCNN's five landmarks (:data:`LANDMARKS`) moved into the
            frame, (5, 2) as (x, y); None when the image was not aligned.
        faces_found: faces MTCNN found in the input (0 when not aligned).
        note: what the reader should know (several faces, a resized crop), or None.
    """

    image: np.ndarray
    landmarks: np.ndarray | None
    faces_found: int
    note: str | None = None


# --------------------------------------------------------------------------
# Reading


def load_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as uint8 RGB, (H, W, 3).

    Any size up to Pillow's pixel limit (``PIL.Image.MAX_IMAGE_PIXELS``)
    and the usual modes: RGB, grey, palette, CMYK; transparency
    (RGBA, LA, a palette with a transparent colour) is laid onto white;
    16-bit grey (PNG mode ``I;16``/``I``) is scaled to 8 bits (65535 -> 255);
    the EXIF orientation of phone photos is applied.

    Raises:
        FaceError: a missing file, a folder, a file that is not an image, one
            over Pillow's pixel limit, or a damaged or truncated one; the
            message names it.
    """
    import warnings

    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    if path.is_dir():
        raise FaceError(f"{path}: is a folder, not an image. Pass image files (JPEG or PNG).")
    if not path.exists():
        raise FaceError(f"{path}: no such file. Check the path.")
    try:
        with warnings.catch_warnings():  # Pillow only warns between its limit and twice it
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                return _rgb(image)
    except UnidentifiedImageError:
        raise FaceError(f"{path}: not an image file (Pillow cannot read it). Pass a photo as JPEG or PNG.") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise _too_large(path, err) from None
    except Exception as err:  # truncated data, broken chunks, ...
        raise FaceError(f"{path}: cannot read this image ({type(err).__name__}: {err}). The file is damaged or "
                        "truncated: copy or export it again.") from None


def _too_large(path: Path, err: Exception) -> FaceError:
    """The error for an image over Pillow's pixel limit, with what to do about a photo."""
    from PIL import Image

    return FaceError(f"{too_large(path, err)} Shrink it below {Image.MAX_IMAGE_PIXELS / 1e6:.3g} megapixels and "
                     "try again.")


def _rgb(image) -> np.ndarray:
    """A loaded PIL image as uint8 RGB."""
    from PIL import Image

    if image.mode.startswith("I") or image.mode == "F":  # 16/32-bit integer or float grey
        values = np.asarray(image, dtype=np.float64)
        if image.mode == "F":  # floats: [0, 1] if they fit, else taken as 8-bit levels
            scale = 255.0 if values.size and values.max() <= 1.0 else 1.0
        else:  # I;16 and I (what Pillow makes of a 16-bit PNG): 16-bit levels
            scale = 255.0 / 65535.0
        grey = np.round(np.clip(values * scale, 0, 255)).astype(np.uint8)
        return np.repeat(grey[..., None], 3, axis=-1)
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    return np.asarray(image.convert("RGB"))


def _as_rgb_array(image: np.ndarray) -> np.ndarray:
    """uint8 (H, W, 3) from (H, W), (H, W, 1) or (H, W, 3)."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}; use load_image(path)")
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[-1] not in (1, 3):
        raise ValueError(f"expected an (H, W), (H, W, 1) or (H, W, 3) image, got shape {image.shape}")
    return np.repeat(image, 3, axis=-1) if image.shape[-1] == 1 else image


def sample_photos() -> dict[str, np.ndarray]:
    """Two photographs of faces that are not in CUFS, shipped with
    scikit-image (so they work offline): ``astronaut`` (Eileen Collins, NASA;
    512x512 colour) and ``cameraman`` (512x512 grey, a three-quarter view).
    Name -> uint8 RGB (H, W, 3)."""
    from skimage import data

    return {"astronaut": data.astronaut(), "cameraman": _as_rgb_array(data.camera())}


# --------------------------------------------------------------------------
# Detection


@functools.lru_cache(maxsize=1)
def _detector():
    """MTCNN, made once per process (its weights ship inside the mtcnn wheel)."""
    from mtcnn import MTCNN

    return MTCNN()


def detect_faces(image: np.ndarray) -> list[dict]:
    """The faces MTCNN finds in an RGB ``image``, largest first.

    Images longer than :data:`DETECT_MAX_SIDE` are shrunk for detection; the
    boxes and landmarks are given in the input's pixels.

    Returns:
        One dict per face: ``box`` (x1, y1, x2, y2), ``landmarks`` (5, 2)
        as (x, y) in the order of :data:`LANDMARKS`, ``confidence``.
    """
    from PIL import Image

    image = _as_rgb_array(image)
    height, width = image.shape[:2]
    factor = min(1.0, DETECT_MAX_SIDE / max(height, width))
    small = image
    if factor < 1.0:
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        small = np.asarray(Image.fromarray(image).resize(size, Image.Resampling.LANCZOS))
    rows = np.asarray(_detector().detect_faces(small, output_type="numpy", box_format="xyxy"), dtype=np.float64)
    # rows: image index, x1, y1, x2, y2, confidence, the five x, the five y
    sx, sy = width / small.shape[1], height / small.shape[0]
    faces = []
    for row in rows.reshape(-1, 16):
        points = np.stack([row[6:11], row[11:16]], axis=-1)
        faces.append({"box": (row[1] * sx, row[2] * sy, row[3] * sx, row[4] * sy),
                      # pixel centres at integer coordinates in both images
                      "landmarks": (points + 0.5) * (sx, sy) - 0.5,
                      "confidence": float(row[5])})
    return sorted(faces, key=lambda f: -(f["box"][2] - f["box"][0]) * (f["box"][3] - f["box"][1]))


def _overlap(a: tuple, b: tuple) -> float:
    """Intersection over union of two (x1, y1, x2, y2) boxes."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def mirrored_landmarks(image: np.ndarray, face: dict) -> np.ndarray:
    """``face``'s landmarks averaged with those MTCNN finds on the mirrored
    image (mapped back, left and right swapped): MTCNN places each landmark
    to about a pixel, and the mean of two looks halves the variance of that
    error. Falls back to ``face``'s own when the mirror finds no face at the
    same place."""
    image = _as_rgb_array(image)
    width = image.shape[1]
    mirrored = []
    for other in detect_faces(np.ascontiguousarray(image[:, ::-1])):
        x1, y1, x2, y2 = other["box"]
        box = (width - 1 - x2, y1, width - 1 - x1, y2)
        if _overlap(box, face["box"]) > 0.5:
            points = other["landmarks"].copy()
            points[:, 0] = width - 1 - points[:, 0]
            mirrored.append(points[[1, 0, 2, 4, 3]])  # the image's left eye was the mirror's right
            break
    return (face["landmarks"] + mirrored[0]) / 2 if mirrored else face["landmarks"]


# --------------------------------------------------------------------------
# Alignment


def similarity_transform(source: np.ndarray, target: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """The rotation, uniform scale and shift that best maps ``source`` points
    onto ``target`` points in (weighted) least squares (Umeyama, IEEE TPAMI
    13(4), 1991; no reflection).

    Args:
        source, target: (N, 2) points as (x, y), N >= 2.
        weights: (N,) weight of each point's squared error; default: equal.

    Returns:
        (2, 3) matrix M: target ~ M[:, :2] @ source + M[:, 2].
    """
    source, target = np.asarray(source, np.float64), np.asarray(target, np.float64)
    w = np.ones(len(source)) if weights is None else np.asarray(weights, np.float64)
    w = w / w.sum()
    mean_s, mean_t = w @ source, w @ target
    s, t = source - mean_s, target - mean_t
    u, sigma, vt = np.linalg.svd((t * w[:, None]).T @ s)
    d = np.diag([1.0, np.sign(np.linalg.det(u) * np.linalg.det(vt)) or 1.0])
    rotation = u @ d @ vt
    scale = np.trace(np.diag(sigma) @ d) / (w @ (s**2).sum(1))
    return np.hstack([scale * rotation, (mean_t - scale * rotation @ mean_s)[:, None]])


def warp(image: np.ndarray, matrix: np.ndarray, width: int = IMAGE_WIDTH, height: int = IMAGE_HEIGHT) -> np.ndarray:
    """``image`` moved by the similarity ``matrix`` (input pixels -> output
    pixels) into a ``width`` x ``height`` frame; bilinear, and outside the
    input the nearest edge pixel is repeated (no black corners). A large
    shrink is done first with Lanczos filtering, so the face does not alias.

    Returns:
        uint8, (height, width, C) like the input's channels.
    """
    from PIL import Image

    image = np.asarray(image)
    grey = image.ndim == 2
    if grey:
        image = image[..., None]
    forward = np.vstack([matrix, [0.0, 0.0, 1.0]])
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
    if scale < 0.75:  # shrink the input first to about the output's scale
        h, w = image.shape[:2]
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        channels = [np.asarray(Image.fromarray(image[..., c]).resize(size, Image.Resampling.LANCZOS))
                    for c in range(image.shape[-1])]
        image = np.stack(channels, axis=-1)
        kx, ky = size[0] / w, size[1] / h  # old pixel (x, y) -> new ((x + .5) kx - .5, (y + .5) ky - .5)
        forward = forward @ np.linalg.inv(np.array([[kx, 0, 0.5 * kx - 0.5], [0, ky, 0.5 * ky - 0.5], [0, 0, 1]]))
    inverse = np.linalg.inv(forward)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    sx = inverse[0, 0] * xs + inverse[0, 1] * ys + inverse[0, 2]
    sy = inverse[1, 0] * xs + inverse[1, 1] * ys + inverse[1, 2]
    h, w = image.shape[:2]
    sx, sy = np.clip(sx, 0, w - 1), np.clip(sy, 0, h - 1)  # edge replication
    x0, y0 = np.minimum(np.floor(sx).astype(int), w - 2).clip(0), np.minimum(np.floor(sy).astype(int), h - 2).clip(0)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    fx, fy = (sx - x0)[..., None], (sy - y0)[..., None]
    pixels = image.astype(np.float64)
    top = pixels[y0, x0] * (1 - fx) + pixels[y0, x1] * fx
    bottom = pixels[y1, x0] * (1 - fx) + pixels[y1, x1] * fx
    out = np.round(np.clip(top * (1 - fy) + bottom * fy, 0, 255)).astype(np.uint8)
    return out[..., 0] if grey else out


def align_face(image: np.ndarray, name: str = "image") -> AlignedFace:
    """Detect the face in ``image`` and bring it into the CUFS frame.

    The eyes and mouth corners of the largest face are fitted to
    :data:`TEMPLATE` (see :data:`ALIGN_WITH` and :data:`ALIGN_WEIGHTS`) and the image is warped to
    200x250 with :func:`warp`.

    Args:
        image: uint8 RGB (H, W, 3) (or grey (H, W)), any size.
        name: how messages call the image (its file name).

    Raises:
        FaceError: no face was found.
    """
    image = _as_rgb_array(image)
    faces = detect_faces(image)
    if not faces:
        raise FaceError(
            f"{name}: no face found. Use a frontal, well-lit photo with the face large in the picture (at "
            "least 80 px wide). An image that already is a face crop like CUFS's (200x250, eyes at the same "
            "height) needs no alignment: `sketch --no-align`, or sketchlab.faces.fit_frame in Python.")
    points = mirrored_landmarks(image, faces[0])
    matrix = similarity_transform(points[list(ALIGN_WITH)], TEMPLATE[list(ALIGN_WITH)], ALIGN_WEIGHTS)
    landmarks = points @ matrix[:, :2].T + matrix[:, 2]
    note = f"{len(faces)} faces in {name}; using the largest" if len(faces) > 1 else None
    return AlignedFace(warp(image, matrix), landmarks, len(faces), note)


def align_file(path: str | os.PathLike) -> AlignedFace:
    """:func:`load_image` then :func:`align_face`, named by the file."""
    return align_face(load_image(path), name=str(path))


def fit_frame(image: np.ndarray, name: str = "image") -> AlignedFace:
    """An image taken as a face crop already (no detection): a 200x250 image
    as it is; another size centre-cropped to the 4:5 aspect and resized to
    200x250 (Lanczos), with a note saying so."""
    from PIL import Image

    image = _as_rgb_array(image)
    height, width = image.shape[:2]
    if (width, height) == (IMAGE_WIDTH, IMAGE_HEIGHT):
        return AlignedFace(image, None, 0)
    crop_w = min(width, round(height * IMAGE_WIDTH / IMAGE_HEIGHT))
    crop_h = min(height, round(width * IMAGE_HEIGHT / IMAGE_WIDTH))
    left, top = (width - crop_w) // 2, (height - crop_h) // 2
    crop = Image.fromarray(image[top:top + crop_h, left:left + crop_w])
    resized = np.asarray(crop.resize((IMAGE_WIDTH, IMAGE_HEIGHT), Image.Resampling.LANCZOS))
    cropped = f"centre-cropped to {crop_w}x{crop_h} and " if (crop_w, crop_h) != (width, height) else ""
    return AlignedFace(resized, None, 0, f"{name} is {width}x{height}, not a {IMAGE_WIDTH}x{IMAGE_HEIGHT} crop: "
                                         f"{cropped}resized to {IMAGE_WIDTH}x{IMAGE_HEIGHT}")


# --------------------------------------------------------------------------
# Many files: check everything, then write


def output_paths(inputs: Sequence[str | os.PathLike], out: str | os.PathLike) -> list[Path]:
    """``out/<stem>.png`` for each input, checked before any work is done.

    Raises:
        FaceError: two inputs share a stem (also in another case: on Windows
            and macOS those are one file), an output exists already, or
            ``out`` is a file.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FaceError(f"{out}: is a file; --out must be a folder (it is made if missing).")
    seen: dict[str, Path] = {}
    paths = []
    for item in map(Path, inputs):
        key = item.stem.casefold()
        if key in seen:
            raise FaceError(f"{seen[key]} and {item}: both would be written as {out / (item.stem + '.png')}. "
                            "Rename one of them, or run them one at a time with different --out folders.")
        seen[key] = item
        target = out / f"{item.stem}.png"
        if target.exists():
            raise FaceError(f"{target}: exists already. Remove it, or choose another --out.")
        paths.append(target)
    return paths


def read_images(paths: Sequence[str | os.PathLike]) -> list[np.ndarray]:
    """Every file read (:func:`load_image`), before any slow work: a typo
    fails in a moment, not after TensorFlow and a model have loaded.

    Raises:
        FaceError: naming each file that could not be read (all of them, not only the first).
    """
    images, problems = [], []
    for path in paths:
        try:
            images.append(load_image(path))
        except FaceError as err:
            problems.append(str(err))
    _refuse(problems, len(paths))
    return images


def frame_images(images: Sequence[np.ndarray], names: Sequence[str], align: bool = True) -> list[AlignedFace]:
    """Each image brought into the CUFS frame (:func:`align_face`, or
    :func:`fit_frame` when ``align`` is False), before anything is written.

    Raises:
        FaceError: naming each image that holds no face (all of them, not only the first).
    """
    framed, problems = [], []
    for image, name in zip(images, names):
        try:
            framed.append(align_face(image, name=name) if align else fit_frame(image, name=name))
        except FaceError as err:
            problems.append(str(err))
    _refuse(problems, len(images))
    return framed


def frame_files(paths: Sequence[str | os.PathLike], align: bool = True) -> list[AlignedFace]:
    """:func:`read_images`, then :func:`frame_images`: every file read and
    framed before anything is written."""
    return frame_images(read_images(paths), [str(path) for path in paths], align=align)


def _refuse(problems: list[str], total: int) -> None:
    """Raise one FaceError listing every problem, if there is any."""
    if problems:
        head = f"{len(problems)} of {total} inputs failed:\n  " if len(problems) > 1 else ""
        tail = "\nNothing was written: every input is checked first." if total > 1 else ""
        raise FaceError(head + "\n  ".join(problems) + tail)


def save_png(image: np.ndarray, path: str | os.PathLike) -> Path:
    """Write a uint8 image (grey (H, W) or RGB (H, W, 3)) as PNG, beside the
    target and renamed into place, so ``path`` is never half-written."""
    from PIL import Image

    path = Path(path)
    with atomic_write(path) as tmp:
        Image.fromarray(np.asarray(image)).save(tmp, format="PNG")
    return path


# --------------------------------------------------------------------------
# Inference


def translate(model, images: np.ndarray | Sequence[np.ndarray], direction: str = "i2s") -> np.ndarray:
    """Run a generator on 200x250 images, preprocessed as in training.

    Each image is padded into the square (:func:`sketchlab.pipeline.pad_to_square`),
    resized to the model's input size, scaled to [-1, 1]; the output is
    unpadded back to 200x250 (:func:`sketchlab.pipeline.unpad`) and rounded
    to 8 bits, as :func:`sketchlab.evaluation.generate` does.

    Args:
        model: a generator, (B, N, N, 3) -> (B, N, N, 1) for ``"i2s"``
            (photo -> sketch), (B, N, N, 1) -> (B, N, N, 3) for ``"s2i"``.
        images: one uint8 image or several, each (250, 200, 3) or grey
            (250, 200) / (250, 200, 1); a photo for i2s (grey is repeated to
            RGB), a sketch for s2i (RGB is made grey with ITU-R 601 luma, as
            Pillow's ``convert("L")``).
        direction: ``"i2s"`` or ``"s2i"``.

    Returns:
        uint8: sketches (N, 250, 200) for i2s, photos (N, 250, 200, 3) for
        s2i; without the N axis when one image was given.
    """
    import tensorflow as tf

    from .metrics import to_grey
    from .pipeline import pad_to_square, resize, to_model_range, to_unit_range, unpad

    if direction not in ("i2s", "s2i"):
        raise ValueError(f"direction must be 'i2s' or 's2i', not {direction!r}")
    channels = 3 if direction == "i2s" else 1
    if model.input_shape[-1] != channels:
        raise ValueError(f"the model takes {model.input_shape[-1]} channels; a {direction} generator takes "
                         f"{channels}. Check the direction.")
    if len(images) == 0:
        raise ValueError("no images to translate")
    first = np.asarray(images[0] if isinstance(images, (list, tuple)) else images)
    single = not isinstance(images, (list, tuple)) and (
        first.ndim == 2 or (first.ndim == 3 and first.shape[:2] == (IMAGE_HEIGHT, IMAGE_WIDTH)))
    batch = [images] if single else list(images)
    prepared = []
    for image in batch:
        image = _as_rgb_array(np.asarray(image))
        if image.shape[:2] != (IMAGE_HEIGHT, IMAGE_WIDTH):
            raise ValueError(f"expected 200x250 images (align_face or fit_frame first), got shape {image.shape}")
        if channels == 1:  # ITU-R 601 luma in 8 bits, exactly as Pillow's convert("L")
            image = np.round(to_grey(image, eight_bit=True) * 255).astype(np.uint8)
        prepared.append(image)
    size = int(model.input_shape[1])
    out = []
    for start in range(0, len(prepared), _BATCH):
        squares = tf.stack([pad_to_square(tf.constant(im)) for im in prepared[start:start + _BATCH]])
        result = model(to_model_range(resize(squares, size)), training=False)
        frames = unpad(to_unit_range(result), IMAGE_HEIGHT, IMAGE_WIDTH)
        out.append(tf.round(frames * 255.0).numpy().astype(np.uint8))
    result = np.concatenate(out)
    result = result[..., 0] if direction == "i2s" else result[..., :3]
    return result[0] if single else result
