"""Make the results figures of the README from trained runs on the real CUFS.

    python docs/make_figures.py --data ../cufs --runs runs/cufs128

``--runs`` holds the run folders of ``python -m sketchlab train`` (one per
model: ``encoder-decoder/``, ``unet/``, ``pix2pix/`` and ``cyclegan/``). Writes,
into docs/figures/:

- ``method1_cufs.png``: four test faces: the photo, each method-1 model's
  sketch (back in the 200x250 frame, as scored), and the artist's sketch;
- ``method1_cufs_loss.png``: train and test L1 per epoch, from history.csv;
- ``pix2pix_cufs.png``: the same faces, U-Net (L1 alone) beside pix2pix;
- ``cyclegan_cufs.png``: the same faces, pix2pix (paired) beside CycleGAN
  (unpaired), then the artist's sketch, CycleGAN's photo drawn from it, and
  the real photo.

The faces are CUFS test photos and sketches (CUHK; Wang and Tang, TPAMI
2009), shown small, for research and teaching, with the credit in the README.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image

matplotlib.use("Agg")

import sketchlab  # noqa: E402,F401
from sketchlab import evaluation, plots  # noqa: E402
from sketchlab.data import load_cufs  # noqa: E402
from sketchlab.models import load_generator  # noqa: E402

HERE = Path(__file__).resolve().parent
MODELS = {"encoder-decoder": "encoder-decoder", "unet": "U-Net", "pix2pix": "pix2pix", "cyclegan": "CycleGAN"}
FIGURES = {"method1_cufs.png": ("encoder-decoder", "unet"), "pix2pix_cufs.png": ("unet", "pix2pix")}
FACES = 4


def read_history(path: Path) -> dict[str, list[float]]:
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {key: [float(r[key]) for r in rows] for key in ("loss", "val_loss")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="the real CUFS folder")
    parser.add_argument("--runs", required=True,
                        help="folder holding encoder-decoder/, unet/, pix2pix/ and cyclegan/ run folders")
    args = parser.parse_args()

    test = load_cufs(args.data).split("test")[:FACES]
    runs = Path(args.runs)
    photos = np.stack([np.asarray(Image.open(p.photo).convert("RGB")) / 255.0 for p in test])
    sketches = {name: evaluation.generate(load_generator(runs / name / "generator.keras"), test) for name in MODELS}
    out = HERE / "figures"
    out.mkdir(exist_ok=True)
    artist = evaluation.ground_truth(test)
    for figure, names in FIGURES.items():
        rows = {"photo": photos, **{MODELS[n]: sketches[n] for n in names}, "artist": artist}
        plots.show_translations(rows, titles=[p.person_id for p in test]).savefig(out / figure, dpi=72)
    rows = {"photo": photos, "pix2pix": sketches["pix2pix"], "CycleGAN": sketches["cyclegan"], "artist": artist,
            "CycleGAN s2i": evaluation.generate_photos(load_generator(runs / "cyclegan" / "s2i.keras", "s2i"), test),
            "real photo": photos}
    plots.show_translations(rows, titles=[p.person_id for p in test]).savefig(out / "cyclegan_cufs.png", dpi=72)
    method1 = FIGURES["method1_cufs.png"]
    histories = {MODELS[n]: read_history(runs / n / "history.csv") for n in method1}
    plots.show_history(histories, ylabel="L1 loss").savefig(out / "method1_cufs_loss.png", dpi=72)
    print(f"written to {out}: {', '.join(FIGURES)}, cyclegan_cufs.png, method1_cufs_loss.png")


if __name__ == "__main__":
    main()
