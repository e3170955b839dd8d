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

import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .data import IMAGE_HEIGHT, IMAGE_WIDTH, DataError, Pair
from .files import publish_folder, staging_folder


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


Progress = Callable[[str], None]  # told one line per chunk of work, e.g. print


class _Meter:
    """Tells ``progress`` how far a long job is, as Keras' ``fit`` does:
    ``what: done/total unit, elapsed, about T left``."""

    def __init__(self, progress: Progress | None, what: str, total: int, unit: str):
        self.progress, self.what, self.total, self.unit = progress, what, total, unit
        self.start = time.perf_counter()

    def __call__(self, done: int) -> None:
        if self.progress is None:
            return
        elapsed = time.perf_counter() - self.start
        left = f", about {elapsed / done * (self.total - done):.0f} s left" if done < self.total else ""
        self.progress(f"{self.what}: {done}/{self.total} {self.unit}, {elapsed:.0f} s{left}")


def generate(model, pairs: Sequence[Pair], batch_size: int = 32, progress: Progress | None = None,
             direction: str = "i2s") -> np.ndarray:
    """What ``model`` draws for ``pairs``, back in the 200x250 frame and
    rounded to 8 bits, as the protocol scores it: ``i2s``, sketches from the
    photos, (N, 250, 200, 1); ``s2i``, photos from the artists' sketches,
    (N, 250, 200, 3); values in [0, 1].

    The inputs go through the test pipeline at the model's input size.
    ``progress`` (e.g. ``print``) is told a line per batch; None: silent.
    """
    import tensorflow as tf

    from .pipeline import paired_dataset, to_unit_range, unpad

    if direction not in ("i2s", "s2i"):
        raise ValueError(f"direction must be 'i2s' or 's2i', got {direction!r}")
    i2s = direction == "i2s"
    size = int(model.input_shape[1])
    out = []
    given, drawing = ("photos", "sketches") if i2s else ("sketches", "photos")
    meter = _Meter(progress, f"drawing {drawing}", len(pairs), given)
    for photos, sketches in paired_dataset(pairs, size, batch_size, training=False):
        drawn = unpad(to_unit_range(model(photos if i2s else sketches, training=False)), IMAGE_HEIGHT, IMAGE_WIDTH)
        out.append(tf.round((drawn[..., :1] if i2s else drawn) * 255.0).numpy() / 255.0)
        meter(sum(len(batch) for batch in out))
    return np.concatenate(out).astype(np.float64)


# the protocol's scores, in the order of every table: metric, column title, format
COLUMNS = (("fsim", "FSIM", ".3f"), ("ssim", "SSIM", ".3f"), ("psnr", "PSNR (dB)", ".2f"), ("l1", "L1", ".3f"),
           ("rank1", "rank-1", ".2f"), ("sharpness", "sharpness", ".2f"), ("paper_noise", "paper noise", ".2f"))
METRICS = tuple(metric for metric, _, _ in COLUMNS)
PER_PAIR = ("fsim", "ssim", "psnr", "l1")  # one value per pair: can be measured a chunk of pairs at a time
PROGRESS_PAIRS = 25  # pairs scored between two progress lines


def _means(measures: dict[str, Callable], generated: np.ndarray, real: np.ndarray, progress: Progress | None,
           what: str) -> dict[str, float]:
    """The mean of each per-pair measure; with ``progress``, measured a chunk
    of pairs at a time so that it can be told after each."""
    n = len(generated)
    step = PROGRESS_PAIRS if progress else max(n, 1)
    meter = _Meter(progress, what, n, "pairs")
    parts: dict[str, list[np.ndarray]] = {name: [] for name in measures}
    for i in range(0, n, step):
        for name, measure in measures.items():
            parts[name].append(np.asarray(measure(generated[i : i + step], real[i : i + step])))
        meter(min(i + step, n))
    return {name: float(np.mean(np.concatenate(values))) for name, values in parts.items()}


def score(generated: np.ndarray, real: np.ndarray, names: tuple[str, ...] = METRICS,
          progress: Progress | None = None, what: str = "scoring") -> dict[str, float]:
    """Mean FSIM, SSIM, PSNR (dB), L1, the rank-1 rate, and the sharpness and
    paper-noise ratios of ``generated`` against ``real`` (both (N, H, W, 1) in
    [0, 1], row i is person i); ``names`` picks some of them (FSIM takes most
    of the time). ``progress`` (e.g. ``print``) is told ``what`` and how far, a
    line per chunk of pairs; None: silent."""
    from . import metrics

    values = _means({name: getattr(metrics, name) for name in names if name in PER_PAIR}, generated, real,
                    progress, what)
    values.update({name: float(getattr(metrics, name)(generated, real)) for name in names if name not in PER_PAIR})
    return {name: values[name] for name in names}


def real_photos(pairs: Sequence[Pair]) -> np.ndarray:
    """The test photos of ``pairs`` in colour, (N, 250, 200, 3) in [0, 1]."""
    from PIL import Image

    out = []
    for pair in pairs:
        with Image.open(pair.photo) as image:
            out.append(np.asarray(image.convert("RGB"), dtype=np.float64) / 255.0)
    return np.stack(out)


def generate_photos(model, pairs: Sequence[Pair], batch_size: int = 32,
                    progress: Progress | None = None) -> np.ndarray:
    """Photos drawn by a sketch -> photo ``model``: :func:`generate` with ``direction="s2i"``."""
    return generate(model, pairs, batch_size, progress, direction="s2i")


def score_photos(generated: np.ndarray, real: np.ndarray, progress: Progress | None = None,
                 what: str = "scoring") -> dict[str, float]:
    """Mean FSIM and SSIM (on 8-bit grey), colour PSNR (dB) and colour L1 of
    ``generated`` photos against ``real`` ones ((N, H, W, 3) in [0, 1]).
    ``progress``, ``what``: as :func:`score`'s."""
    from . import metrics

    def grey(measure: Callable) -> Callable:
        return lambda x, y: measure(metrics.to_grey(x, eight_bit=True), metrics.to_grey(y, eight_bit=True))

    return _means({"fsim": grey(metrics.fsim), "ssim": grey(metrics.ssim), "psnr": metrics.colour_psnr,
                   "l1": lambda x, y: np.abs(x - y).mean(axis=(1, 2, 3))}, generated, real, progress, what)


def evaluate_photos(model, pairs: Sequence[Pair], batch_size: int = 32, progress: Progress | None = None) -> dict:
    """Score a sketch -> photo ``model`` against the real photos of ``pairs``,
    beside a flat grey image as the baseline. ``progress`` (e.g. ``print``)
    is told a line per batch drawn and per chunk of pairs scored; None: silent.

    Returns:
        ``{"model": {metric: mean}, "baseline": {metric: mean}, "n": len(pairs),
        "direction": "s2i"}``.
    """
    drawn = generate(model, pairs, batch_size, progress, direction="s2i")
    return {"model": score_photos(drawn, real_photos(pairs), progress, "scoring the photos"),
            "baseline": dict(_baseline_scores(tuple(pairs), progress, direction="s2i")),
            "n": len(pairs), "direction": "s2i"}


def evaluate(model, pairs: Sequence[Pair], batch_size: int = 32, progress: Progress | None = None) -> dict:
    """Score ``model`` and the grey-photo baseline on ``pairs`` (the test split).
    ``progress`` (e.g. ``print``) is told a line per batch drawn and per chunk
    of pairs scored; None: silent.

    Returns:
        ``{"model": {metric: mean}, "baseline": {metric: mean}, "n": len(pairs)}``.
    """
    return evaluate_sketches(generate(model, pairs, batch_size, progress), pairs, progress)


def evaluate_sketches(generated: np.ndarray, pairs: Sequence[Pair], progress: Progress | None = None) -> dict:
    """As :func:`evaluate`, for sketches already drawn by :func:`generate`."""
    return {
        "model": score(generated, ground_truth(pairs), progress=progress, what="scoring the sketches"),
        "baseline": dict(_baseline_scores(tuple(pairs), progress)),
        "n": len(pairs),
    }


_BASELINES: dict[tuple, dict[str, float]] = {}  # the last few (direction, pairs) scored


def _baseline_scores(pairs: tuple[Pair, ...], progress: Progress | None = None,
                     direction: str = "i2s") -> dict[str, float]:
    """The baseline's scores on ``pairs``, computed once per direction and set
    of pairs (as long to score as a model's drawings): for ``i2s`` the grey
    photo against the artist's sketch, for ``s2i`` a flat mid-grey image
    against the photo."""
    key = (direction, pairs)
    if key not in _BASELINES:
        if len(_BASELINES) >= 4:
            del _BASELINES[next(iter(_BASELINES))]
        if direction == "i2s":
            _BASELINES[key] = score(grey_photos(pairs), ground_truth(pairs), progress=progress,
                                    what="scoring the grey photos (baseline)")
        else:
            real = real_photos(pairs)
            _BASELINES[key] = score_photos(np.full_like(real, 128 / 255), real, progress,
                                           "scoring flat grey (baseline)")
    return _BASELINES[key]


_TERMINAL_TITLES = {"psnr": "PSNR", "sharpness": "sharp", "paper_noise": "paper"}  # narrower, for a terminal's line


def format_scores(result: dict, name: str = "model") -> str:
    """The result of :func:`evaluate` (or :func:`evaluate_photos`) as a small
    table for the terminal or a notebook."""
    photos = result.get("direction") == "s2i"
    columns = [c for c in COLUMNS if c[0] in result["model"]]
    baseline = "flat grey (baseline)" if photos else "grey photo (baseline)"
    titles = [""] + [_TERMINAL_TITLES.get(metric, title) for metric, title, _ in columns]
    # the model's name whole: a run folder's path tells runs apart
    rows = [[label] + [format(result[key][metric], fmt) for metric, _, fmt in columns]
            for label, key in ((name, "model"), (baseline, "baseline"))]
    if photos:
        note = (f"({result['n']} test pairs, sketch -> photo, 200x250; FSIM and SSIM on grey, PSNR and L1 "
                "on colour)")
    else:
        note = (f"({result['n']} test pairs, 200x250, grey; sharp = mean gradient magnitude, paper = texture on "
                "blank paper, each / the artist's)")
    return format_table(titles, rows) + "\n" + note


def format_table(titles: Sequence[str], rows: Sequence[Sequence[str]], style: str = "text") -> str:
    """Rows of cells, each already text, under ``titles``, as one table:
    ``"text"`` for a terminal (the first column to the left, the others to
    the right), ``"markdown"`` for a notebook, ``"html"`` for a page. Every
    table of scores is written by it, so they all read alike."""
    if style == "markdown":
        lines = ["| " + " | ".join(titles) + " |", "|" + "---|" * len(titles)]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
    if style == "html":
        head = "".join(f"<th>{title}</th>" for title in titles)
        body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
        return f"<table>\n<tr>{head}</tr>\n{body}\n</table>"
    if style != "text":
        raise ValueError(f"unknown table style {style!r}; use text, markdown or html")
    lines = [list(titles), *(list(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(titles))]

    def text(line: list[str]) -> str:
        return line[0].ljust(widths[0] + 1) + "".join(cell.rjust(w + 2) for cell, w in zip(line[1:], widths[1:]))

    return "\n".join(text(line) for line in lines)


def check_save_dir(folder: str | Path) -> Path:
    """``folder`` as a Path, if it is free to write sketches into (missing or empty).

    Raises:
        DataError: the folder holds files already, or is a file.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise DataError(f"{folder}: is a file; --save-dir must name a folder (made if missing). Choose another name.")
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


SHIFT_METRICS = ("fsim", "ssim", "sharpness", "paper_noise")  # the robustness suite's scores, per shift
_SHIFT_BASELINES: dict[tuple, dict[str, float]] = {}  # the grey photo's scores per (pairs, shift, seed)


def evaluate_shifts(model, pairs: Sequence[Pair], shifts: dict[str, Callable] | None = None, seed: int = 0,
                    progress: Progress | None = None) -> dict[str, dict]:
    """The robustness suite: ``model`` on the photos of ``pairs`` under each
    of ``shifts`` (default: every one of :data:`sketchlab.shifts.SHIFTS`),
    scored by the protocol (:data:`SHIFT_METRICS`) against the artist's
    sketches, beside the grey photo of the same shifted photos.

    Each shifted photo is rounded to 8 bits, as a photo file holds it, and
    sketched by :func:`sketchlab.faces.translate` (the test pipeline's
    preprocessing, on an array instead of files). The grey photos' scores are
    kept, so a second model on the same pairs costs only its own. ``progress``
    (e.g. ``print``) is told a line per shift; None: silent.

    Returns:
        ``{"clean": {"model": {metric: mean}, "baseline": {...}}, shift name: {...}, ...}``:
        the unshifted photos first, then each shift in order.
    """
    from .faces import translate
    from .metrics import to_grey
    from .shifts import SHIFTS

    shifts = {"clean": None, **(SHIFTS if shifts is None else shifts)}
    photos, real = real_photos(pairs), ground_truth(pairs)
    meter = _Meter(progress, "sketching and scoring shifted photos", len(shifts), "shifts")
    results = {}
    for done, (name, shift) in enumerate(shifts.items(), start=1):
        shifted = photos if shift is None else shift(photos, seed)
        shifted = np.round(np.clip(shifted, 0, 1) * 255).astype(np.uint8)
        key = (tuple(pairs), name, shift, seed)
        if key not in _SHIFT_BASELINES:  # four floats a key: nothing to evict
            _SHIFT_BASELINES[key] = score(to_grey(shifted, eight_bit=True), real, SHIFT_METRICS)
        sketches = translate(model, shifted)[..., None] / 255.0
        results[name] = {"model": score(sketches, real, SHIFT_METRICS), "baseline": dict(_SHIFT_BASELINES[key])}
        meter(done)
    return results


def mean_over_shifts(result: dict, side: str = "model") -> dict[str, float]:
    """The mean of each score of :func:`evaluate_shifts`'s ``result`` over the
    shifts (the clean photos left out); ``side``: ``"model"`` or ``"baseline"``."""
    shifted = [scores[side] for name, scores in result.items() if name != "clean"]
    return {metric: float(np.mean([s[metric] for s in shifted])) for metric in SHIFT_METRICS}


def shifts_table(results: dict[str, dict], metric: str = "fsim", style: str = "text") -> str:
    """One score per shift side by side: a column per model (label ->
    :func:`evaluate_shifts`'s result, all on the same pairs) and the grey
    photo's last; the mean over the shifts in the last row."""
    first = next(iter(results.values()))
    title, spec = next((title, spec) for name, title, spec in COLUMNS if name == metric)

    def value(result: dict, name: str, side: str) -> str:
        number = mean_over_shifts(result, side)[metric] if name == "mean over shifts" else result[name][side][metric]
        return format(number, spec)

    rows = [[name, *(value(r, name, "model") for r in results.values()), value(first, name, "baseline")]
            for name in [*first, "mean over shifts"]]
    return format_table([title, *results, "grey photo"], rows, style=style)
