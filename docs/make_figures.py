"""Make the results figures of the README from trained runs on the real CUFS.

    python docs/make_figures.py --data ../cufs --runs runs/cufs128

``--runs`` holds the run folders of ``python -m sketchlab train`` (one per
model: ``encoder-decoder/`` and ``unet/``). Writes, into docs/figures/:

- ``method1_cufs.png``: four test faces: the photo, each model's sketch
  (back in the 200x250 frame, as scored), and the artist's sketch;
- ``method1_cufs_loss.png``: train and test L1 per epoch, from history.csv.

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
MODELS = {"encoder-decoder": "encoder-decoder", "unet": "U-Net"}
FACES = 4


def read_history(path: Path) -> dict[str, list[float]]:
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {key: [float(r[key]) for r in rows] for key in ("loss", "val_loss")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="the real CUFS folder")
    parser.add_argument("--runs", required=True, help="folder holding encoder-decoder/ and unet/ run folders")
    args = parser.parse_args()

    test = load_cufs(args.data).split("test")[:FACES]
    runs = Path(args.runs)
    rows = {"photo": np.stack([np.asarray(Image.open(p.photo).convert("RGB")) / 255.0 for p in test])}
    for folder, label in MODELS.items():
        rows[label] = evaluation.generate(load_generator(runs / folder / "generator.keras"), test)
    rows["artist"] = evaluation.ground_truth(test)
    out = HERE / "figures"
    out.mkdir(exist_ok=True)
    plots.show_translations(rows, titles=[p.person_id for p in test]).savefig(out / "method1_cufs.png", dpi=72)
    histories = {label: read_history(runs / folder / "history.csv") for folder, label in MODELS.items()}
    plots.show_history(histories, ylabel="L1 loss").savefig(out / "method1_cufs_loss.png", dpi=72)
    print(f"written: {out / 'method1_cufs.png'}, {out / 'method1_cufs_loss.png'}")


if __name__ == "__main__":
    main()
