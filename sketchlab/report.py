"""The demo report: every method of the course trained with the profile on
the data in use, judged on the same test faces, and used on new photos; one
HTML page (``report.html``) with its figures beside it, and the trained
generators in ``runs/<method>/``, ready for ``python -m sketchlab sketch``."""

from __future__ import annotations

import html
import os
import shlex
import shutil
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np

from . import __version__
from .data import DataError, publish_folder, staging_folder
from .evaluation import COLUMNS, format_table
from .session import Session

SHOWN_FACES = 6  # test faces in the comparison grid
REPORT_MARKER = ".sketchlab-report"  # in every report: a folder holding it may be replaced by the next demo


def check_out_folder(out: str | Path) -> Path:
    """``out`` as a Path, if the demo may put its report there: a missing or
    empty folder, or a previous report (it holds :data:`REPORT_MARKER`),
    which the new one replaces whole. Checked before any training, so that
    no one's files are deleted and no minutes are spent on a refused folder.

    Raises:
        DataError: ``out`` is a file, or a folder holding other files.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise DataError(f"{out}: is a file, not a folder. Choose another --out for the report (a new folder).")
    if out.is_dir() and any(out.iterdir()) and not (out / REPORT_MARKER).is_file() and not _older_report(out):
        raise DataError(f"{out}: not empty, and not marked as a demo report (no {REPORT_MARKER} in it); the demo "
                        "replaces its --out folder whole. Choose a new --out, or empty that folder.")
    return out


# what a report held before reports were marked: such a folder, and nothing else, is a report too
_UNMARKED_REPORT = {"report.html", "pairs.png", "augmentation.png", "comparison.png", "losses.png", "new_photos.png",
                    "sketch_to_photo.png"}


def _older_report(folder: Path) -> bool:
    """True for a report written before :data:`REPORT_MARKER` existed: its page and figures, nothing else."""
    names = {p.name for p in folder.iterdir()}
    return "report.html" in names and names <= _UNMARKED_REPORT and all((folder / n).is_file() for n in names)


def sketch_command(out: str | Path) -> str:
    """The command that sketches a photo with the pix2pix generator the demo
    kept in its report folder ``out``: the next step after the demo."""
    return f"python -m sketchlab sketch {shlex.quote(str(Path(out) / 'runs' / 'pix2pix'))} my_photo.jpg --out sketches"


def table_notes(results: dict[str, dict[str, float]], toy: bool) -> list[str]:
    """Sentences for under the metrics table: what rank-1, sharpness and
    paper noise are, and, when the grey photo is best in a column, why a
    photo can win it (on the toy faces above all), so that no reader takes it
    for a sketch."""
    from .comparison import BASELINE, best

    notes = ["Rank-1: the share of test faces whose sketch is nearer to the artist's sketch of the same person "
             "than to the artist's sketch of anyone else in the test split.",
             "Sharpness: the mean gradient magnitude (edge strength) of a method's sketches over that of the "
             "artist's sketches; 1.0 is as sharp as the artist, lower is blurrier.",
             "Paper noise: the fine texture (a high-pass filter's mean response) a method draws where the artist "
             "left blank paper, over that of the artist's own paper; 1.0 is as clean as the artist's paper, higher "
             "shows a grid or speckle that FSIM hardly sees."]
    won = [metric for metric, label in best(results).items() if label == BASELINE]
    if not won:
        return notes
    titles = dict((metric, title) for metric, title, _ in COLUMNS)
    structure = [titles[m] for m in ("fsim", "ssim") if m in won]
    pixels = [titles[m] for m in ("psnr", "l1") if m in won]
    reasons = []
    if structure:
        reasons.append(f"a photo has every edge of the face exactly in place, which {' and '.join(structure)} "
                       + ("reward" if len(structure) > 1 else "rewards"))
    if "rank1" in won:
        reasons.append("a photo resembles its own person's sketch more than anyone else's, which is what rank-1 "
                       "counts")
    if "sharpness" in won:
        reasons.append("a photo's own texture has edges too, and sharpness counts edges, not pencil strokes")
    if "paper_noise" in won:
        reasons.append("its backdrop and skin are smooth where the artist left paper, and paper noise counts "
                       "texture there, not what is drawn")
    if pixels:
        reasons.append(f"its grey values lie nearer the artist's than the models' sketches do ({' and '.join(pixels)})")
    why = (f"The grey photo, which is no model at all, is best in {', '.join(titles[m] for m in won)}: "
           + "; ".join(reasons) + ".")
    if toy:
        why += (" On the toy faces this is so above all: each sketch is drawn from the very shapes of its photo, "
                "so the grey photo has the sketch's edges exactly in place.")
    return notes + [why + " It is still a photo, not a sketch: compare the faces below."]


class _Page:
    """The report's HTML, written section by section."""

    def __init__(self, title: str):
        self.title = title
        self.parts: list[str] = []

    def heading(self, text: str) -> None:
        self.parts.append(f"<h2>{html.escape(text)}</h2>")

    def text(self, text: str) -> None:
        self.parts.append(f"<p>{html.escape(text)}</p>")

    def raw(self, markup: str) -> None:
        self.parts.append(markup)

    def figure(self, name: str, caption: str) -> None:
        self.parts.append(f'<figure><img src="{name}" alt="{html.escape(caption)}">'
                          f"<figcaption>{html.escape(caption)}</figcaption></figure>")

    def render(self) -> str:
        style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
                 "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:4px 10px;"
                 "text-align:right}td:first-child,th:first-child{text-align:left}img{max-width:100%}"
                 "figure{margin:1em 0}figcaption{font-size:90%;color:#555}.note{background:#fff3cd;"
                 "padding:.6em 1em;border-left:4px solid #e0a800}code{background:#f3f3f3;padding:1px 4px}")
        body = "\n".join(self.parts)
        return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(self.title)}"
                f"</title><style>{style}</style></head>\n<body>\n<h1>{html.escape(self.title)}</h1>\n{body}\n"
                "</body></html>\n")


@contextmanager
def _stage(number: int, total: int, name: str, log: Callable[[str], None]):
    """Print ``[k/n] name ...``, run the block, then say how long it took."""
    start = time.perf_counter()
    log(f"[{number}/{total}] {name} ...")
    yield
    log(f"[{number}/{total}] {name}: done in {time.perf_counter() - start:.0f} s")


def write_report(session: Session, out: str | Path, log: Callable[[str], None] = print, verbose: int = 2) -> Path:
    """Train every method with ``session``'s profile on its data, score them
    on the test split, sketch new photos, and write the report to ``out``.

    The folder is assembled beside ``out`` and swapped in only when complete,
    so an interrupted run leaves the previous report in place; ``out`` must
    be free for it (:func:`check_out_folder`). The trained generators stay in
    ``out/runs/<method>/``, for :func:`sketch_command`. ``log`` gets a line
    per stage, and with ``verbose`` a line per chunk of scoring; ``verbose``
    is Keras' display while training (1 a bar, 2 a line per epoch, 0 none).

    Returns:
        The path of ``report.html``.
    """
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import tensorflow as tf

    from . import comparison, evaluation, faces, methods, pipeline, plots

    out = check_out_folder(out)
    tmp = staging_folder(out)
    try:
        p, data = session.profile, session.data
        train, test = data.split("train"), data.split("test")
        total = 4 + len(methods.translators())
        page = _Page("sketchlab report")
        page.raw(f"<p><code>{html.escape(session.line())}</code></p>")
        if data.kind == "toy":
            page.raw('<p class="note">These are the TOY synthetic faces: the numbers show that the code learns, '
                     "and say nothing about real faces. For the real database run "
                     "<code>python -m sketchlab data download --out data/cufs</code>.</p>")

        with _stage(1, total, "data and pipeline", log):
            plots.show_pairs(train[:4] + test[:4]).savefig(tmp / "pairs.png", dpi=100)
            photo, sketch = next(iter(pipeline.decoded_pairs(train[:1])))
            plots.show_jitter(photo, sketch, p.image_size, p.jitter_scale).savefig(tmp / "augmentation.png", dpi=100)
            plt.close("all")
            ds = pipeline.paired_dataset(train, p.image_size, p.batch_size, training=True,
                                         jitter_scale=p.jitter_scale)
            photos, sketches = next(iter(ds))
            rate = pipeline.images_per_second(ds)
        page.heading("Data")
        page.raw(_split_table(len(train), len(test)))
        page.figure("pairs.png", "photo and sketch pairs: 4 train, then 4 test")
        page.heading("Preprocessing")
        page.text(f"Training batches: photos {tuple(photos.shape)}, sketches {tuple(sketches.shape)}, values in "
                  f"[{float(tf.reduce_min(photos)):.2f}, {float(tf.reduce_max(photos)):.2f}]. The training "
                  f"pipeline delivers {rate:,.0f} images/s on {session.device}.")
        page.figure("augmentation.png", "one pair under random jitter: the same crop and flip on both")

        trained = []
        for k, method in enumerate(methods.translators(), start=2):
            with _stage(k, total, f"training {method.label}", log):
                trained.append(comparison.train_method(method.name, data, p, verbose=verbose))
                # kept inside the report, replaced with it: never one of the user's runs/
                comparison.save_method(trained[-1], tmp / "runs" / method.name)

        with _stage(total - 2, total, "scoring every method on the test split", log):
            sketches_by = comparison.draw(trained, test)
            results = comparison.score_all(sketches_by, test, progress=log if verbose else None)
            shown = test[:SHOWN_FACES]
            rows = {"photo": evaluation.real_photos(shown),
                    **{label: images[:SHOWN_FACES] for label, images in sketches_by.items()},
                    "artist": evaluation.ground_truth(shown)}
            plots.show_translations(rows, titles=[q.person_id for q in shown], faces_down=True).savefig(
                tmp / "comparison.png", dpi=100)
            plots.show_history(comparison.l1_curves(trained), metric="l1", ylabel="L1 (sketch vs artist)").savefig(
                tmp / "losses.png", dpi=100)
            plt.close("all")
        page.heading("Every method on the same test faces")
        seconds = {m.label: f"{m.seconds:.0f} s" for m in trained}
        page.text(f"Trained at {p.image_size}x{p.image_size} on the {len(train)} training pairs with the "
                  f"{p.name} profile's budget; scored on the {len(test)} test pairs back at 200x250, in grey. "
                  "Best value per column in bold (sharpness: closest to the artist's, 1.0; paper noise: the "
                  "lowest).")
        page.raw(comparison.table(results, extra={"training": seconds}, html=True))
        for note in table_notes(results, toy=data.kind == "toy"):
            page.text(note)
        page.figure("comparison.png", "one row a test face: the photo, the grey-photo baseline, each method, "
                                      "the artist's sketch")
        page.figure("losses.png", "the L1 term per epoch, train and test (CycleGAN trains unpaired: test only)")

        with _stage(total - 1, total, "new photos (face detection, alignment, sketches)", log):
            new_photos = faces.sample_photos()
            aligned = {name: faces.align_face(image, name=name) for name, image in new_photos.items()}
            crops = np.stack([a.image for a in aligned.values()])
            rows = {"photo": np.stack([faces.fit_frame(image).image for image in new_photos.values()]),
                    "aligned": crops}
            for m in trained:
                rows[m.label] = faces.translate(m.generator, crops)[..., None]
            unit = {label: np.asarray(images, np.float64) / 255.0 for label, images in rows.items()}
            plots.show_translations(unit, titles=list(new_photos), faces_down=True).savefig(
                tmp / "new_photos.png", dpi=100)
            cyclegan = next(m for m in trained if m.s2i is not None)
            artist = evaluation.ground_truth(shown[:4])
            drawn = faces.translate(cyclegan.s2i, np.round(artist * 255).astype(np.uint8), direction="s2i")
            plots.show_translations({"artist's sketch": artist,
                                     "CycleGAN sketch -> photo": np.asarray(drawn) / 255.0,
                                     "real photo": evaluation.real_photos(shown[:4])},
                                    titles=[q.person_id for q in shown[:4]]).savefig(tmp / "sketch_to_photo.png",
                                                                                   dpi=100)
            plt.close("all")
        page.heading("New photos")
        notes = "; ".join(a.note for a in aligned.values() if a.note)
        toy = (" Trained on the toy faces, the models have never seen a real face: they draw the toy style "
               "onto whatever is in the frame." if data.kind == "toy" else "")
        page.text("Photos from outside the dataset (scikit-image's astronaut and cameraman): the face is found "
                  "(MTCNN), aligned to the CUFS frame by its eyes and mouth, then sketched by every method."
                  + (f" {notes}." if notes else "") + toy)
        page.figure("new_photos.png", "one row a photo: the photo, its aligned crop, each method's sketch")
        page.heading("Sketch -> photo (CycleGAN)")
        page.figure("sketch_to_photo.png", "the artist's sketch, CycleGAN's photo drawn from it, the real photo")
        page.heading("Your own photo")
        page.raw("<p>Every method's trained generator is kept beside this page, in <code>runs/&lt;method&gt;/"
                 "generator.keras</code> (CycleGAN's sketch -&gt; photo one in <code>runs/cyclegan/s2i.keras</code>), "
                 "with its <code>history.csv</code>. Sketch a photo of your own with "
                 f"pix2pix's, from the folder the demo ran in:</p><pre><code>{html.escape(sketch_command(out))}"
                 "</code></pre>")

        with _stage(total, total, "writing the page", log):
            (tmp / "report.html").write_text(page.render())
            (tmp / REPORT_MARKER).write_text(f"sketchlab {__version__}: a report of `python -m sketchlab demo`, "
                                             "which replaces this folder whole when run with --out here.\n")
        check_out_folder(out)  # still free: nothing was put there during the run
        old = tmp.with_name(tmp.name + "-old")
        if out.exists():
            os.replace(out, old)  # keep the old report until the new one is in place
        publish_folder(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out / "report.html"


def _split_table(train: int, test: int) -> str:
    """The split as a small HTML table."""
    rows = [[name, str(count)] for name, count in (("train", train), ("test", test), ("all", train + test))]
    return format_table(["split", "pairs"], rows, style="html")
