"""Train a method-1 model on the real data, score it, and time the training.

    python benchmarks/quality.py --data ../shared/cufs --model unet --image-size 128 [--epochs 60]
                                 [--profile quick] [--seed 0] [--out runs/quality-unet128]

Prints the test metrics of the model beside the grey-photo baseline, the
training wall time, and whether the target is met: FSIM >= 0.705 and
SSIM >= 0.61 on the 100 CUFS test pairs after at most 10 minutes of training
(the grey photo scores 0.697 / 0.533). Exits 1 when it is not.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import sketchlab  # noqa: F401  (quiets TensorFlow's C++ log before it loads)
from sketchlab.cli import MODEL_NAMES
from sketchlab.config import check_image_size, device_name, get_profile
from sketchlab.evaluation import evaluate, format_scores
from sketchlab.session import resolve_data
from sketchlab.training import train_generator

TARGET = {"fsim": 0.705, "ssim": 0.61, "train_seconds": 600.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="a CUFS folder (the target is for the real data)")
    parser.add_argument("--model", default="unet", choices=MODEL_NAMES)
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--profile", default="quick", choices=("quick", "full"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="run folder to keep (default: keep nothing)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON object")
    args = parser.parse_args()
    try:
        check_image_size(args.image_size)
    except ValueError as err:
        parser.error(str(err))

    data, profile = resolve_data(args.data), get_profile(args.profile)
    print(f"data: {data.describe()}")
    print(f"{args.model} at {args.image_size}x{args.image_size}, {args.epochs} epochs, batch {profile.batch_size}, "
          f"filters {profile.filters}-{profile.max_filters}, seed {args.seed}, device: {device_name()}")
    start = time.perf_counter()
    run = train_generator(args.model, data, profile, out=args.out, image_size=args.image_size,
                          epochs=args.epochs, seed=args.seed, verbose=2)
    seconds = time.perf_counter() - start
    result = evaluate(run.model, data.split("test"))
    print(format_scores(result, name=args.model))
    print(f"training wall time: {seconds:.0f} s ({seconds / args.epochs:.1f} s/epoch)")
    ok = (result["model"]["fsim"] >= TARGET["fsim"] and result["model"]["ssim"] >= TARGET["ssim"]
          and seconds <= TARGET["train_seconds"])
    print(f"target FSIM >= {TARGET['fsim']}, SSIM >= {TARGET['ssim']}, training <= {TARGET['train_seconds']:.0f} s: "
          f"{'PASS' if ok else 'FAIL'}")
    if args.json:
        print(json.dumps({**result, "train_seconds": seconds, "pass": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
