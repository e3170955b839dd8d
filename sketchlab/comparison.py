"""Every method of the course on the same faces, by the same protocol.

Notebook 06 and the demo report judge the encoder-decoder and the U-Net
(method 1), pix2pix and CycleGAN (method 2) side by side with the grey-photo
baseline: the same test faces, the metrics of :mod:`sketchlab.evaluation`,
the best value of each column marked.

    methods = [comparison.load_or_train(name, data, profile, runs) for name in comparison.METHODS]
    sketches = comparison.draw(methods, data.split("test"))
    results = comparison.score_all(sketches, data.split("test"))
    print(comparison.table(results))
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import methods as registry  # "methods" names lists of trained ones below
from .config import Profile
from .data import CufsData, Pair
from .evaluation import COLUMNS, format_table

# the methods compared (sketchlab.methods' photo -> sketch ones): run folder name -> label
METHODS: dict[str, str] = {m.name: m.label for m in registry.translators()}
BASELINE = "grey photo"


@dataclass
class Method:
    """A trained method: its photo -> sketch generator (and CycleGAN's
    sketch -> photo one), its history per epoch, and where it came from."""

    name: str
    generator: object  # keras.Model, photo -> sketch
    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: float | None = None  # training time; None when loaded from a run folder
    s2i: object | None = None  # keras.Model, sketch -> photo (CycleGAN)

    @property
    def label(self) -> str:
        return registry.get(self.name).label


def train_method(name: str, data: CufsData, profile: Profile, out: str | Path | None = None,
                 verbose: int = 0) -> Method:
    """Train method ``name`` (a key of :data:`METHODS`) on ``data`` in the
    profile's budget, as the notebooks do; ``out`` is its run folder."""
    spec = registry.get(name, translating=True)
    start = time.perf_counter()
    trained = spec.train(data, profile, out=out, verbose=verbose)
    return Method(name, trained.generator, trained.run.history, time.perf_counter() - start, trained.s2i)


def save_method(method: Method, folder: str | Path) -> Path:
    """Write ``method`` as a run folder that :func:`load_or_train` and
    ``python -m sketchlab sketch`` read: ``generator.keras`` (and CycleGAN's
    ``s2i.keras``) and ``history.csv``; no checkpoint, as there is nothing to resume."""
    from .history import write_history
    from .training import save_model

    folder = Path(folder)
    save_model(method.generator, folder / "generator.keras")
    if method.s2i is not None:
        save_model(method.s2i, folder / "s2i.keras")
    write_history(folder / "history.csv", method.history)
    return folder


def load_or_train(name: str, data: CufsData, profile: Profile, runs: str | Path, verbose: int = 2,
                  log: Callable[[str], None] = print) -> Method:
    """Method ``name`` from its run folder ``runs/name`` (saved by notebooks
    03 to 05 or by ``python -m sketchlab train``), or, when it is missing,
    trained there now in the profile's budget. ``log`` is told which."""
    from .history import read_history
    from .models import load_generator

    spec = registry.get(name, translating=True)
    folder = Path(runs) / name
    files = [folder / "generator.keras"] + ([folder / "s2i.keras"] if spec.both_ways else [])
    shown = f"{folder.parent.name}/{folder.name}"
    if all(f.is_file() for f in files):
        generator = load_generator(files[0])
        s2i = load_generator(files[1], direction="s2i") if spec.both_ways else None
        history = read_history(folder / "history.csv") if (folder / "history.csv").is_file() else {}
        log(f"{spec.label}: loaded {shown}/{files[0].name} (notebook {spec.notebook})")
        return Method(name, generator, history, None, s2i)
    log(f"{spec.label}: {shown}/{files[0].name} not found (notebook {spec.notebook} not run): "
        f"training it here in the {profile.name} profile")
    method = train_method(name, data, profile, out=folder, verbose=verbose)
    log(f"{spec.label}: trained in {method.seconds:.0f} s, saved in {shown}/")
    return method


def draw(methods: Sequence[Method], pairs: Sequence[Pair]) -> dict[str, np.ndarray]:
    """The grey-photo baseline and each method's sketches of ``pairs``, in
    the protocol's frame: label -> (N, 250, 200, 1) in [0, 1]."""
    from .evaluation import generate, grey_photos

    return {BASELINE: grey_photos(pairs), **{m.label: generate(m.generator, pairs) for m in methods}}


def score_all(sketches: dict[str, np.ndarray], pairs: Sequence[Pair],
              progress: Callable[[str], None] | None = None) -> dict[str, dict[str, float]]:
    """The scores of every row of :func:`draw` against the artists' sketches:
    label -> {metric: mean}. ``progress`` (e.g. ``print``) is told a line per
    chunk of pairs scored; None: silent."""
    from .evaluation import ground_truth, score

    real = ground_truth(pairs)
    return {label: score(images, real, progress=progress, what=f"scoring {label}")
            for label, images in sketches.items()}


def best(results: dict[str, dict[str, float]]) -> dict[str, str]:
    """The best label per metric: the highest FSIM, SSIM, PSNR and rank-1,
    the lowest L1 and paper noise (the cleanest paper), and the sharpness
    ratio closest to 1 (the artist's)."""
    def key(metric: str) -> Callable[[str], float]:
        if metric in ("l1", "paper_noise"):
            return lambda label: results[label][metric]
        if metric == "sharpness":
            return lambda label: abs(results[label][metric] - 1.0)
        return lambda label: -results[label][metric]

    metrics = results[next(iter(results))]
    return {metric: min(results, key=key(metric)) for metric in metrics}


def table(results: dict[str, dict[str, float]], extra: dict[str, dict[str, str]] | None = None,
          html: bool = False) -> str:
    """``results`` as a Markdown (or HTML) table, one row per label, the best
    value of each column in bold. ``extra``: more columns, title -> {label: text}."""
    columns = [c for c in COLUMNS if c[0] in results[next(iter(results))]]
    winners = best(results)
    extra = extra or {}
    bold = "<b>{}</b>" if html else "**{}**"

    def cell(label: str, metric: str, fmt: str) -> str:
        text = format(results[label][metric], fmt)
        return bold.format(text) if winners[metric] == label else text

    titles = ["method"] + [title for _, title, _ in columns] + list(extra)
    rows = [[label] + [cell(label, metric, fmt) for metric, _, fmt in columns]
            + [extra[title].get(label, "") for title in extra] for label in results]
    return format_table(titles, rows, style="html" if html else "markdown")


def l1_curves(methods: Sequence[Method]) -> dict[str, dict[str, list[float]]]:
    """Each method's L1 term per epoch, train and test, in the form
    :func:`sketchlab.plots.show_history` draws (``l1`` and ``val_l1``)."""
    curves = {}
    for m in methods:
        train, test = registry.get(m.name).l1_columns
        curve = {key: m.history[source] for key, source in (("l1", train), ("val_l1", test))
                 if source in m.history}
        if curve:
            curves[m.label] = curve
    return curves


GAP_METRICS = ("ssim", "l1")  # the lessons' measures: quick to compute, unlike FSIM


def train_test_gap(methods: Sequence[Method], data: CufsData, test_scores: dict[str, dict[str, float]] | None = None,
                   names: tuple[str, ...] = GAP_METRICS) -> dict[str, dict[str, dict[str, float]]]:
    """Each method scored on the training pairs it learned from and on the
    test pairs it never saw: label -> {"train": scores, "test": scores}.
    A large gap is overfitting (88 pairs are few). ``test_scores``: the
    test split's scores when already measured (:func:`score_all`'s)."""
    from .evaluation import generate, ground_truth, score

    out = {}
    for split in ("train", "test"):
        pairs = data.split(split)
        real = ground_truth(pairs)
        for m in methods:
            known = (test_scores or {}).get(m.label) if split == "test" else None
            scores = {k: known[k] for k in names} if known else score(generate(m.generator, pairs), real, names)
            out.setdefault(m.label, {})[split] = scores
    return out


def data_size_curve(data: CufsData, profile: Profile, sizes: Sequence[int], name: str = "unet",
                    runs: str | Path | None = None, verbose: int = 0) -> dict[int, dict[str, float]]:
    """Test scores of method ``name`` trained on ``n`` of the training pairs
    (spread evenly over the id order, so women and men alike), for each
    ``n`` in ``sizes``, each with the same number of steps as a run on every
    pair (more epochs for fewer pairs), so only the amount of data differs.
    Runs go to ``runs/<name>-<n>pairs`` when given."""
    import dataclasses

    from .evaluation import evaluate

    train, test = data.split("train"), data.split("test")
    curve = {}
    for n in sizes:
        if not 0 < n <= len(train):
            raise ValueError(f"{n} training pairs asked for; there are {len(train)}")
        picked = tuple(train[i * len(train) // n] for i in range(n))
        # the per-epoch validation watches 8 test pairs (it only fills the
        # history); the scores below are on every test pair
        subset = dataclasses.replace(data, pairs=picked + tuple(test[:8]))
        epochs = max(1, round(profile.epochs * len(train) / n))
        sized = dataclasses.replace(profile, epochs=epochs)
        out = Path(runs) / f"{name}-{n}pairs" if runs is not None else None
        method = train_method(name, subset, sized, out=out, verbose=verbose)
        curve[n] = evaluate(method.generator, test)["model"]
    return curve
