"""Train a photo -> sketch model on the real data, score it, and time the training.

    python benchmarks/quality.py --data ../shared/cufs --model unet --image-size 128 [--epochs 60]
    python benchmarks/quality.py --data ../shared/cufs --model pix2pix --image-size 128 [--epochs 80]
                                 [--profile quick] [--seed 0] [--out runs/quality-pix2pix128]
    python benchmarks/quality.py --data ../shared/cufs --model cyclegan --image-size 128 [--record]

Prints the test metrics of the model beside the grey-photo baseline (FSIM,
SSIM, PSNR, L1, rank-1 and the sharpness ratio), the training wall time, and
whether the model's target on the 100 CUFS test pairs is met (exit 1 when
not). ``--record`` (real CUFS only) writes the model's row (CycleGAN: both
directions) of docs/results.json, the one results file, from which
``python docs/make_results.py`` renders the README's tables. The targets,
at 128x128 on 2 CPU cores:

- encoder-decoder and unet (method 1): FSIM >= 0.705 and SSIM >= 0.61
  after at most 10 minutes of training;
- pix2pix: FSIM >= 0.712, SSIM >= 0.60 and sharpness >= 0.55 after at most
  20 minutes (the artist's sketches squeezed to 128x128 and back score 0.71);
- cyclegan (photo -> sketch, trained unpaired): FSIM >= 0.705 and sharpness
  >= 0.55 after at most 45 minutes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

import sketchlab  # noqa: F401  (quiets TensorFlow's C++ log before it loads)
from sketchlab import methods
from sketchlab.config import check_image_size, device_name, get_profile
from sketchlab.evaluation import evaluate, evaluate_photos, format_scores
from sketchlab.session import resolve_data

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs"))
import make_results  # noqa: E402  (docs/make_results.py: the results file's reader and writer)

METHOD1 = {"fsim": 0.705, "ssim": 0.61, "sharpness": 0.0, "train_seconds": 600.0}
TARGETS = {
    "encoder-decoder": METHOD1,
    "unet": METHOD1,
    "pix2pix": {"fsim": 0.712, "ssim": 0.60, "sharpness": 0.55, "train_seconds": 1200.0},
    "cyclegan": {"fsim": 0.705, "ssim": 0.0, "sharpness": 0.55, "train_seconds": 2700.0},
}
DEFAULT_EPOCHS = {"encoder-decoder": 60, "unet": 60, "pix2pix": 80, "cyclegan": 30}


def machine() -> str:
    """The machine of a measured row, ``N-core CPU (its model name), no GPU``
    or the GPU: training times are only comparable on the same machine."""
    name = device_name()
    if name.startswith("GPU"):
        return name
    cpu = platform.processor() or platform.machine()
    if Path("/proc/cpuinfo").exists():
        models = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")]
        cpu = models[0] if models else cpu
    return f"{os.cpu_count()}-core CPU ({cpu}), no GPU"


def result_row(key: str, scores: dict, args: argparse.Namespace, batch: int, seconds: float, where: str,
               old: dict | None = None) -> dict:
    """A measured row of docs/results.json, with the command that measures it
    again; its label and table are kept from ``old``, the row it replaces."""
    old = old or {}
    command = (f"python benchmarks/quality.py --data data/cufs --model {args.model} --image-size {args.image_size} "
               f"--epochs {args.epochs} --profile {args.profile} --seed {args.seed} --record")
    return {"key": key, "table": old.get("table", "photo-to-sketch"), "label": old.get("label", key),
            "status": "measured", "scores": {k: round(v, 4) for k, v in scores.items()},
            "train_seconds": round(seconds), "machine": where, "image_size": args.image_size,
            "epochs": args.epochs, "batch": batch, "profile": args.profile,
            "date": datetime.date.today().isoformat(), "command": command}


def record(measured: dict[str, dict], args: argparse.Namespace, batch: int, seconds: float,
           path: Path = make_results.RESULTS) -> None:
    """Write each ``{row key: scores}`` of this run into the results file, keeping the other rows."""
    where = machine()
    for key, scores in measured.items():
        old = next((row for row in make_results.load(path)["rows"] if row["key"] == key), None)
        make_results.record(result_row(key, scores, args, batch, seconds, where, old), path)
        print(f"recorded: the {key!r} row of {path}")
    print("python docs/make_results.py renders the README's tables from it")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="a CUFS folder (the target is for the real data)")
    parser.add_argument("--model", default="unet", choices=methods.names(translating=True))
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=None, help="default: 60, pix2pix 80, cyclegan 30")
    parser.add_argument("--profile", default="quick", choices=("quick", "full"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="run folder to keep (default: keep nothing)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON object")
    parser.add_argument("--record", action="store_true",
                        help="write the model's row of docs/results.json (the real CUFS only; "
                             "cyclegan: both directions' rows)")
    args = parser.parse_args()
    try:
        check_image_size(args.image_size)
    except ValueError as err:
        parser.error(str(err))

    args.epochs = args.epochs or DEFAULT_EPOCHS[args.model]
    target = TARGETS[args.model]
    data, profile = resolve_data(args.data), get_profile(args.profile)
    print(f"data: {data.describe()}")
    if args.record and data.kind != "cuhk":
        parser.error("--record writes docs/results.json, which holds scores on the real CUFS: "
                     "give --data a folder of the real CUFS")
    method = methods.get(args.model, translating=True)
    batch = method.batch(profile)
    print(f"{args.model} at {args.image_size}x{args.image_size}, {args.epochs} epochs, batch {batch}, "
          f"filters {profile.filters}-{profile.max_filters}, seed {args.seed}, device: {device_name()}")
    start = time.perf_counter()
    common = dict(out=args.out, image_size=args.image_size, epochs=args.epochs, seed=args.seed, verbose=2)
    trained = method.train(data, profile, **common)
    generator, s2i = trained.generator, trained.s2i  # s2i: CycleGAN's other direction, scored too when recorded
    seconds = time.perf_counter() - start
    result = evaluate(generator, data.split("test"))
    print(format_scores(result, name=args.model))
    print(f"training wall time: {seconds:.0f} s ({seconds / args.epochs:.1f} s/epoch)")
    scores = result["model"]
    ok = all(scores[k] >= target[k] for k in ("fsim", "ssim", "sharpness")) and seconds <= target["train_seconds"]
    print(f"target FSIM >= {target['fsim']}, SSIM >= {target['ssim']}, sharpness >= {target['sharpness']}, "
          f"training <= {target['train_seconds']:.0f} s: {'PASS' if ok else 'FAIL'}")
    if args.json:
        print(json.dumps({**result, "train_seconds": seconds, "pass": ok}))
    if args.record:
        measured = {args.model: scores}
        if s2i is not None:
            photos = evaluate_photos(s2i, data.split("test"))
            print(format_scores(photos, name="cyclegan s2i"))
            measured["cyclegan-s2i"] = photos["model"]
        record(measured, args, batch, seconds)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
