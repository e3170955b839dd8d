"""Train a photo -> sketch model on the real data, score it, and time the training.

    python benchmarks/quality.py --data ../shared/cufs --model unet --image-size 128 [--epochs 60]
    python benchmarks/quality.py --data ../shared/cufs --model pix2pix --image-size 128 [--epochs 80]
                                 [--profile quick] [--seed 0] [--out runs/quality-pix2pix128]
    python benchmarks/quality.py --data ../shared/cufs --model cyclegan --image-size 128

Prints the test metrics of the model beside the grey-photo baseline (FSIM,
SSIM, PSNR, L1, rank-1 and the sharpness ratio), the training wall time, and
whether the model's target on the 100 CUFS test pairs is met (exit 1 when
not). The targets, at 128x128 on 2 CPU cores (the grey photo scores
FSIM 0.697 / SSIM 0.533):

- encoder-decoder and unet (method 1): FSIM >= 0.705 and SSIM >= 0.61
  after at most 10 minutes of training;
- pix2pix: FSIM >= 0.712, SSIM >= 0.60 and sharpness >= 0.55 after at most
  20 minutes (the artist's sketches squeezed to 128x128 and back score 0.71);
- cyclegan (photo -> sketch, trained unpaired): FSIM >= 0.705 and sharpness
  >= 0.55 after at most 45 minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import sketchlab  # noqa: F401  (quiets TensorFlow's C++ log before it loads)
from sketchlab.cli import TRANSLATORS
from sketchlab.config import check_image_size, device_name, get_profile
from sketchlab.evaluation import evaluate, format_scores
from sketchlab.session import resolve_data
from sketchlab.training import train_cyclegan, train_generator, train_pix2pix

METHOD1 = {"fsim": 0.705, "ssim": 0.61, "sharpness": 0.0, "train_seconds": 600.0}
TARGETS = {
    "encoder-decoder": METHOD1,
    "unet": METHOD1,
    "pix2pix": {"fsim": 0.712, "ssim": 0.60, "sharpness": 0.55, "train_seconds": 1200.0},
    "cyclegan": {"fsim": 0.705, "ssim": 0.0, "sharpness": 0.55, "train_seconds": 2700.0},
}
DEFAULT_EPOCHS = {"encoder-decoder": 60, "unet": 60, "pix2pix": 80, "cyclegan": 30}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="a CUFS folder (the target is for the real data)")
    parser.add_argument("--model", default="unet", choices=TRANSLATORS)
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=None, help="default: 60, pix2pix 80, cyclegan 30")
    parser.add_argument("--profile", default="quick", choices=("quick", "full"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="run folder to keep (default: keep nothing)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON object")
    args = parser.parse_args()
    try:
        check_image_size(args.image_size)
    except ValueError as err:
        parser.error(str(err))

    args.epochs = args.epochs or DEFAULT_EPOCHS[args.model]
    target = TARGETS[args.model]
    data, profile = resolve_data(args.data), get_profile(args.profile)
    print(f"data: {data.describe()}")
    batch = {"pix2pix": profile.gan_batch_size, "cyclegan": 1}.get(args.model, profile.batch_size)
    print(f"{args.model} at {args.image_size}x{args.image_size}, {args.epochs} epochs, batch {batch}, "
          f"filters {profile.filters}-{profile.max_filters}, seed {args.seed}, device: {device_name()}")
    start = time.perf_counter()
    common = dict(out=args.out, image_size=args.image_size, epochs=args.epochs, seed=args.seed, verbose=2)
    if args.model == "pix2pix":
        generator = train_pix2pix(data, profile, **common).model.generator
    elif args.model == "cyclegan":
        generator = train_cyclegan(data, profile, **common).model.i2s
    else:
        generator = train_generator(args.model, data, profile, **common).model
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
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
