"""The evaluation protocol every method is judged by.

As in the face-sketch papers (e.g. Wang & Tang, TPAMI 2009; Zhang et al.
2011 for FSIM): each generated sketch is mapped back to the 200x250 frame
(:func:`sketchlab.pipeline.unpad`), stored as 8-bit grey like a PNG file,
and compared in grey with the artist's sketch of the same person on the 100
pairs of the official test split. The "grey photo as sketch" baseline is
scored the same way and always reported beside the model.

Sketch -> photo (CycleGAN's second direction) is judged against the real
test photos: FSIM and SSIM on their grey (8-bit luma), PSNR on colour, and L1
on colour; the baseline is a flat mid-grey image, what a generator that has
learned nothing of faces would draw.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .data import IMAGE_HEIGHT, IMAGE_WIDTH, DataError, Pair, publish_folder, staging_folder

def load_grey(path: str | Path) -> np.ndarray:
    """One image file as grey (ITU-R 601 luma, 8-bit like the files), (H, W, 1) in [0, 1]."""
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("L"), dtype=np.float64)[..., None] / 255.0


def ground_truth(pairs: Sequence[Pair]) -> np.ndarray:
    """The artists' sketches of ``pairs``, (N, 250, 200, 1) in [0, 1]."""
    return np.stack([load_grey(p.sketch) for p in pairs])


def grey_photos(pairs: Sequence[Pair]) -> np.ndarray:
    """The baseline: each photo in grey, used as its own sketch, (N, 250, 200, 1)."""
    return np.stack([load_grey(p.photo) for p in pairs])


def generate(model, pairs: Sequence[Pair], batch_size: int = 32) -> np.ndarray:
    """Sketches drawn by ``model`` for the photos of ``pairs``, back in the
    200x250 frame and rounded to 8-bit grey: (N, 250, 200, 1) in [0, 1].

    The photos go through the test pipeline at the model's input size.
    """
    import tensorflow as tf

    from .pipeline import paired_dataset, to_unit_range, unpad

    size = int(model.input_shape[1])
    out = []
    for photos, _ in paired_dataset(pairs, size, batch_size, training=False):
        sketches = unpad(to_unit_range(model(photos, training=False)), IMAGE_HEIGHT, IMAGE_WIDTH)
        out.append(tf.round(sketches[..., :1] * 255.0).numpy() / 255.0)
    return np.concatenate(out).astype(np.float64)


METRICS = ("fsim", "ssim", "psnr", "l1", "rank1", "sharpness")


def score(generated: np.ndarray, real: np.ndarray, names: tuple[str, ...] = METRICS) -> dict[str, float]:
    """Mean FSIM, SSIM, PSNR (dB), L1, the rank-1 rate and the sharpness ratio of ``generated``
    against ``real`` (both (N, H, W, 1) in [0, 1], row i is person i); ``names``
    picks some of them (FSIM takes most of the time)."""
    from . import metrics

    return {name: float(np.mean(getattr(metrics, name)(generated, real))) for name in names}


def real_photos(pairs: Sequence[Pair]) -> np.ndarray:
    """The test photos of ``pairs`` in colour, (N, 250, 200, 3) in [0, 1]."""
    from PIL import Image

    out = []
    for pair in pairs:
        with Image.open(pair.photo) as image:
            out.append(np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0)
    return np.stack(out)


def generate_photos(model, pairs: Sequence[Pair], batch_size: int = 32) -> np.ndarray:
    """Photos drawn by a sketch -> photo ``model`` from the artists' sketches
    of ``pairs``, back in the 200x250 frame, 8-bit RGB: (N, 250, 200, 3) in [0, 1]."""
    import tensorflow as tf

    from .pipeline import paired_dataset, to_unit_range, unpad

    size = int(model.input_shape[1])
    out = []
    for _, sketches in paired_dataset(pairs, size, batch_size, training=False):
        photos = unpad(to_unit_range(model(sketches, training=False)), IMAGE_HEIGHT, IMAGE_WIDTH)
        out.append(tf.round(photos * 255.0).numpy() / 255.0)
    return np.concatenate(out).astype(np.float64)


def score_photos(generated: np.ndarray, real: np.ndarray) -> dict[str, float]:
    """Mean FSIM and SSIM (on 8-bit grey), colour PSNR (dB) and colour L1 of
    ``generated`` photos against ``real`` ones ((N, H, W, 3) in [0, 1])."""
    from . import metrics

    grey_generated, grey_real = metrics.to_grey(generated, eight_bit=True), metrics.to_grey(real, eight_bit=True)
    return {"fsim": float(np.mean(metrics.fsim(grey_generated, grey_real))),
            "ssim": float(np.mean(metrics.ssim(grey_generated, grey_real))),
            "psnr": float(np.mean(metrics.colour_psnr(generated, real))),
            "l1": float(np.mean(np.abs(generated - real)))}


def evaluate_photos(model, pairs: Sequence[Pair], batch_size: int = 32) -> dict:
    """Score a sketch -> photo ``model`` against the real photos of ``pairs``,
    beside a flat grey image as the baseline.

    Returns:
        ``{"model": {metric: mean}, "baseline": {metric: mean}, "n": len(pairs),
        "direction": "s2i"}``.
    """
    real = real_photos(pairs)
    return {"model": score_photos(generate_photos(model, pairs, batch_size), real),
            "baseline": score_photos(np.full_like(real, 128 / 255), real), "n": len(pairs), "direction": "s2i"}


def evaluate(model, pairs: Sequence[Pair], batch_size: int = 32) -> dict:
    """Score ``model`` and the grey-photo baseline on ``pairs`` (the test split).

    Returns:
        ``{"model": {metric: mean}, "baseline": {metric: mean}, "n": len(pairs)}``.
    """
    return evaluate_sketches(generate(model, pairs, batch_size), pairs)


def evaluate_sketches(generated: np.ndarray, pairs: Sequence[Pair]) -> dict:
    """As :func:`evaluate`, for sketches already drawn by :func:`generate`."""
    return {
        "model": score(generated, ground_truth(pairs)),
        "baseline": dict(_baseline_scores(tuple(pairs))),
        "n": len(pairs),
    }


@functools.lru_cache(maxsize=4)
def _baseline_scores(pairs: tuple[Pair, ...]) -> dict[str, float]:
    """The grey-photo baseline's scores on ``pairs``, computed once per set of
    pairs (FSIM takes a few seconds on the 100 test pairs)."""
    return score(grey_photos(pairs), ground_truth(pairs))


_COLUMNS = (("fsim", "FSIM", "7.3f"), ("ssim", "SSIM", "7.3f"), ("psnr", "PSNR", "7.2f"), ("l1", "L1", "7.3f"),
            ("rank1", "rank-1", "8.2f"), ("sharpness", "sharp", "7.2f"))


def format_scores(result: dict, name: str = "model") -> str:
    """The result of :func:`evaluate` (or :func:`evaluate_photos`) as a small
    table for the terminal or a notebook."""
    photos = result.get("direction") == "s2i"
    columns = [c for c in _COLUMNS if c[0] in result["model"]]
    lines = ["".ljust(22) + "".join(f"{title:>{fmt[0]}}" for _, title, fmt in columns)]
    baseline = "flat grey (baseline)" if photos else "grey photo (baseline)"
    for label, key in ((name, "model"), (baseline, "baseline")):
        lines.append(f"{label[:21]:22}" + "".join(f"{result[key][k]:{fmt}}" for k, _, fmt in columns))
    if photos:
        lines.append(f"({result['n']} test pairs, sketch -> photo, 200x250; FSIM and SSIM on grey, PSNR and L1 "
                     "on colour)")
    else:
        lines.append(f"({result['n']} test pairs, 200x250, grey; sharp = mean gradient magnitude / the artist's)")
    return "\n".join(lines)


def check_save_dir(folder: str | Path) -> Path:
    """``folder`` as a Path, if it is free to write sketches into (missing or empty).

    Raises:
        DataError: the folder holds files already.
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise DataError(f"{folder}: not empty. Choose a new --save-dir, or remove it first.")
    return folder


def save_sketches(images: np.ndarray, pairs: Sequence[Pair], folder: str | Path) -> Path:
    """Write each image as ``<person_id>.png`` (8-bit grey) into ``folder``.

    The folder is filled beside its final place and moved in when complete.
    """
    from PIL import Image

    folder = check_save_dir(folder)
    tmp = staging_folder(folder)
    try:
        for image, pair in zip(images, pairs):
            grey = np.round(np.clip(image[..., 0], 0, 1) * 255).astype(np.uint8)
            Image.fromarray(grey, mode="L").save(tmp / f"{pair.person_id}.png")
        if folder.exists():
            folder.rmdir()
        publish_folder(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder
