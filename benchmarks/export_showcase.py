"""Ship a trained photo -> sketch run as the package's model (sketchlab.pretrained), with its scores.

    python benchmarks/export_showcase.py --run runs/showcase [--data data/cufs] [--train-seconds S]
                                         [--mirror-average] [--record]

Writes the run's generator.keras into ``sketchlab/pretrained/`` with its
weights in float16 (``sketchlab.pretrained.export``), loads it back as
``python -m sketchlab sketch`` will, and prints:

- how far the float16 copy's sketches are from the float32 model's, in
  8-bit grey levels, on the toy test photos (and the real ones with --data);
- the shipped copy's scores on the toy faces' test split, by the course's
  protocol: they are written into the model's card, and
  ``tests/test_pretrained.py`` checks a fresh load against them;
- with ``--data`` (the real CUFS): both copies' scores on its test split.

``--mirror-average`` ships the generator wrapped by
``sketchlab.models.mirror_averaged`` (each photo drawn as it is and
mirrored, the two drawings averaged), so everything that uses the shipped
model, and every score here, is of what users get.

``--record`` (with the real CUFS) also writes the ``showcase`` row of
docs/results.json, from which ``python docs/make_results.py`` renders the
README's table; ``--train-seconds`` is the run's training time, printed by
``python -m sketchlab train`` at its end ("trained in N s").
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
from pathlib import Path

import numpy as np

import sketchlab  # noqa: F401  (quiets TensorFlow's C++ log before it loads)
from sketchlab import pretrained
from sketchlab.checkpoints import run_settings
from sketchlab.data import load_cufs
from sketchlab.evaluation import evaluate, format_scores, generate
from sketchlab.gans import LAMBDA_L1
from sketchlab.models import load_generator, mirror_averaged
from sketchlab.session import resolve_data
from sketchlab.toy import make_toy_data

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_results  # noqa: E402  (docs/make_results.py: the results file's reader and writer)
from quality import machine  # noqa: E402

TOY_PAIRS = 20  # the toy test pairs the card's scores are on (tests/test_pretrained.py scores them again)
TRAIN_COMMAND = ("python -m sketchlab train pix2pix --data data/cufs --image-size {size} --epochs {epochs}{options} "
                 "--augment --upsampling {upsampling} --out runs/showcase")
EXPORT_COMMAND = "python benchmarks/export_showcase.py --run runs/showcase --data data/cufs{options} --record"


def pix2pix_options(settings: dict) -> str:
    """The ``train`` options a run's settings need beyond the defaults: its schedule and loss weights."""
    options = " --decay" if settings.get("decay") else ""
    if settings.get("lambda_l1", LAMBDA_L1) != LAMBDA_L1:
        options += f" --lambda-l1 {settings['lambda_l1']:g}"
    if settings.get("lambda_ssim"):
        options += f" --lambda-ssim {settings['lambda_ssim']:g}"
    return options


def grey_levels_apart(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """How far two sets of 8-bit sketches are: the largest difference and the share of pixels that differ."""
    diff = np.abs(np.round(a * 255).astype(int) - np.round(b * 255).astype(int))
    return {"max": int(diff.max()), "pixels_differing": float((diff > 0).mean())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", type=Path, required=True, help="the training run folder (its generator.keras)")
    parser.add_argument("--data", default=None, help="the real CUFS, to score it there too")
    parser.add_argument("--train-seconds", type=float, default=None, help="the run's training time, for the card")
    parser.add_argument("--mirror-average", action="store_true",
                        help="ship the generator averaged with its drawing of the mirrored photo")
    parser.add_argument("--record", action="store_true", help="write the showcase row of docs/results.json")
    args = parser.parse_args()
    source = args.run / "generator.keras"
    if not source.is_file():
        parser.error(f"{source}: no such file; give a finished training run folder")
    data = resolve_data(args.data) if args.data else None
    if args.record and (data is None or data.kind != "cuhk"):
        parser.error("--record writes docs/results.json, which holds scores on the real CUFS: give --data")

    model = load_generator(source)
    if args.mirror_average:
        model = mirror_averaged(model)
    settings = run_settings(args.run)
    size = model.input_shape[1]
    card = {"name": f"pix2pix {size}x{size}, augmented" + (", mirror-averaged" if args.mirror_average else ""),
            "image_size": size, "mirror_average": args.mirror_average,
            "epochs": settings.get("epochs"), "decay": settings.get("decay"),
            "lambda_l1": settings.get("lambda_l1"), "lambda_ssim": settings.get("lambda_ssim", 0.0),
            "upsampling": settings.get("upsampling", "transpose"),
            "augment": settings.get("augment"), "seed": settings.get("seed"),
            "train_seconds": None if args.train_seconds is None else round(args.train_seconds),
            "command": TRAIN_COMMAND.format(size=size, epochs=settings.get("epochs"), options=pix2pix_options(settings),
                                            upsampling=settings.get("upsampling", "transpose"))}
    with tempfile.TemporaryDirectory() as scratch:  # the toy faces are made, deterministically, not stored
        toy_test = load_cufs(make_toy_data(Path(scratch) / "toy")).split("test")[:TOY_PAIRS]
        pretrained.export(model, {**card, "toy_pairs": TOY_PAIRS, "toy_scores": None})
        shipped = pretrained.load()
        print(f"float16 against float32, toy test photos: {grey_levels_apart(generate(model, toy_test), generate(shipped, toy_test))}")
        toy = evaluate(shipped, toy_test)
        print(format_scores(toy, name="shipped (toy)"))
    card.update(toy_pairs=TOY_PAIRS, toy_scores=toy["model"])
    if data is not None:
        test = data.split("test")
        print(f"float16 against float32, {data.kind} test photos: "
              f"{grey_levels_apart(generate(model, test), generate(shipped, test))}")
        full, half = evaluate(model, test), evaluate(shipped, test)
        print(format_scores(full, name="float32"))
        print(format_scores(half, name="shipped (float16)"))
        card["cufs_scores"] = half["model"]
    description, weights = pretrained.export(model, card)
    print(f"wrote {description} and {weights} ({weights.stat().st_size / 1e6:.1f} MB)")
    if args.record:
        row = {"key": "showcase", "table": "photo-to-sketch", "label": card["name"] + " (the shipped model)",
               "status": "measured", "scores": {k: round(v, 4) for k, v in half["model"].items()},
               "train_seconds": card["train_seconds"], "machine": machine(), "image_size": size,
               "epochs": card["epochs"], "batch": settings.get("batch_size"), "profile": "quick",
               "date": datetime.date.today().isoformat(),
               "command": card["command"] + " && " + EXPORT_COMMAND.format(
                   options=" --mirror-average" if args.mirror_average else "")}
        make_results.record(row, after="pix2pix")  # before the published figure
        print(f"recorded: the 'showcase' row of {make_results.RESULTS}; python docs/make_results.py renders it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
