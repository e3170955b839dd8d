"""Make the results figures of the README from trained runs on the real CUFS.

    python docs/make_figures.py --data ../cufs --runs runs/cufs128
    python docs/make_figures.py --runs runs/cufs128 --new-photos

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

``--new-photos`` writes only ``new_photos_cufs.png``: scikit-image's two face
photos (not in CUFS), each squeezed into the frame as it is, then aligned
(``sketchlab.faces``), and sketched from the aligned crop by the U-Net and
pix2pix of ``--runs`` (those present) and by the shipped model
(``sketchlab.pretrained``), and by the shipped model from the unaligned one.

The faces are CUFS test photos and sketches (CUHK; Wang and Tang, TPAMI
2009), shown small, for research and teaching, with the credit in the README.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image

matplotlib.use("Agg")

import sketchlab  # noqa: E402,F401
from sketchlab import evaluation, methods, plots  # noqa: E402
from sketchlab.history import read_history  # noqa: E402
from sketchlab.data import load_cufs  # noqa: E402
from sketchlab.models import load_generator  # noqa: E402

HERE = Path(__file__).resolve().parent
MODELS = {m.name: m.label for m in methods.translators()}  # run folder -> how a reader calls the method
FIGURES = {"method1_cufs.png": ("encoder-decoder", "unet"), "pix2pix_cufs.png": ("unet", "pix2pix")}
FACES = 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="the real CUFS folder")
    parser.add_argument("--runs", required=True,
                        help="folder holding encoder-decoder/, unet/, pix2pix/ and cyclegan/ run folders")
    parser.add_argument("--new-photos", action="store_true", help="only the figure of new photos")
    args = parser.parse_args()
    if args.new_photos:
        new_photos(Path(args.runs))
        return
    if not args.data:
        parser.error("--data is needed for the test-split figures")

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


def new_photos(runs: Path) -> None:
    """``new_photos_cufs.png``: new photos, squeezed and aligned, sketched."""
    from sketchlab import faces

    photos = faces.sample_photos()
    squeezed = np.stack([faces.fit_frame(image).image for image in photos.values()])
    aligned = np.stack([faces.align_face(image, name).image for name, image in photos.items()])
    rows = {"photo, squeezed": squeezed, "aligned": aligned}
    from sketchlab import pretrained

    for name in ("unet", "pix2pix"):
        if (runs / name / "generator.keras").is_file():
            generator = load_generator(runs / name / "generator.keras")
            rows[f"{MODELS[name]} {generator.input_shape[1]}"] = faces.translate(generator, aligned)[..., None]
    shipped = pretrained.load()
    rows["shipped"] = faces.translate(shipped, aligned)[..., None]
    rows["shipped, not aligned"] = faces.translate(shipped, squeezed)[..., None]
    unit = {label: images / 255.0 for label, images in rows.items()}
    out = HERE / "figures" / "new_photos_cufs.png"
    plots.show_translations(unit, titles=list(photos), faces_down=True).savefig(out, dpi=72)
    print(f"written: {out}")


if __name__ == "__main__":
    main()
