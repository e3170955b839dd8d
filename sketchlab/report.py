"""The demo report: a folder of figures and a Markdown summary of a run:
the data, the pipeline, and the methods trained with the profile."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib

from .data import CufsData, publish_folder, staging_folder
from .session import Session


def _method1_section(session: Session, folder: Path, data: CufsData) -> list[str]:
    """Train the encoder-decoder and the U-Net with the profile, score them
    on the test split, and draw them side by side on the same test faces."""
    import matplotlib.pyplot as plt

    from . import plots
    from .evaluation import evaluate_sketches, generate, grey_photos, ground_truth
    from .training import train_generator

    p, test = session.profile, data.split("test")
    shown = test[:6]
    runs, results, rows = {}, {}, {"grey photo": grey_photos(shown)}
    for name in ("encoder-decoder", "unet"):
        runs[name] = train_generator(name, data, p, verbose=0)
        sketches = generate(runs[name].model, test)
        results[name] = evaluate_sketches(sketches, test)
        rows[name] = sketches[: len(shown)]
    rows["artist"] = ground_truth(shown)
    plots.show_translations(rows, titles=[q.person_id for q in shown]).savefig(folder / "method1.png", dpi=100)
    histories = {name: run.history for name, run in runs.items()}
    plots.show_history(histories, ylabel="L1 loss").savefig(folder / "method1_loss.png", dpi=100)
    plt.close("all")
    baseline = results["unet"]["baseline"]
    table = [
        "## Method 1: encoder-decoder and U-Net (L1)",
        "",
        f"Trained {p.epochs} epochs at {p.image_size}x{p.image_size} on the {len(data.split('train'))} training "
        f"pairs; scored on the {len(test)} test pairs at 200x250, grey.",
        "",
        "| model | FSIM | SSIM | PSNR (dB) | L1 | rank-1 | sharpness |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, scores in [(name, results[name]["model"]) for name in runs] + [("grey photo (baseline)", baseline)]:
        table.append(
            f"| {label} | {scores['fsim']:.3f} | {scores['ssim']:.3f} | {scores['psnr']:.2f} | "
            f"{scores['l1']:.3f} | {scores['rank1']:.2f} | {scores['sharpness']:.2f} |"
        )
    return table + [
        "",
        "![test faces: grey photo, encoder-decoder, U-Net, artist](method1.png)",
        "",
        "![L1 loss per epoch, train and test](method1_loss.png)",
        "",
    ]


def write_report(session: Session, out: str | Path) -> Path:
    """Write the report of ``session``'s data and pipeline to ``out``.

    The folder is assembled beside ``out`` and swapped in only when complete,
    so an interrupted run leaves the previous report in place.

    Returns:
        The path of ``summary.md``.
    """
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import tensorflow as tf

    from . import pipeline, plots

    out = Path(out)
    tmp = staging_folder(out)
    try:
        p, data = session.profile, session.data
        train, test = data.split("train"), data.split("test")
        shown = train[:4] + test[:4]
        plots.show_pairs(shown).savefig(tmp / "pairs.png", dpi=100)

        photo, sketch = next(iter(pipeline.decoded_pairs(train[:1])))
        plots.show_jitter(photo, sketch, p.image_size, p.jitter_scale).savefig(tmp / "augmentation.png", dpi=100)
        plt.close("all")

        ds = pipeline.paired_dataset(train, p.image_size, p.batch_size, training=True, jitter_scale=p.jitter_scale)
        photos, sketches = next(iter(ds))
        rate = pipeline.images_per_second(ds)
        lines = [
            "# sketchlab report",
            "",
            f"`{session.line()}`",
            "",
            "## Data",
            "",
            "| split | pairs |",
            "|---|---|",
            f"| train | {len(train)} |",
            f"| test | {len(test)} |",
            f"| all | {len(data.pairs)} |",
            "",
            "![pairs: photo and sketch, 4 train then 4 test](pairs.png)",
            "",
            "## Preprocessing",
            "",
            f"Training batches: photos {tuple(photos.shape)}, sketches {tuple(sketches.shape)}, "
            f"values in [{float(tf.reduce_min(photos)):.2f}, {float(tf.reduce_max(photos)):.2f}].",
            f"The training pipeline delivers {rate:,.0f} images/s on {session.device}.",
            "",
            "![one pair under random jitter: the same crop and flip on both](augmentation.png)",
            "",
        ]
        lines += _method1_section(session, tmp, data)
        if data.kind == "toy":
            lines += [
                "> These are the TOY synthetic faces. For the real database run",
                "> `python -m sketchlab data download --out data/cufs`.",
                "",
            ]
        (tmp / "summary.md").write_text("\n".join(lines))
        old = tmp.with_name(tmp.name + "-old")
        if out.exists():
            os.replace(out, old)  # keep the old report until the new one is in place
        publish_folder(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out / "summary.md"
