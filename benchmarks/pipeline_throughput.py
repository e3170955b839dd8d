"""Images per second of the input pipelines, paired and unpaired, per size.

    python benchmarks/pipeline_throughput.py [--data toy|DIR] [--sizes 64 256]

Each figure is measured after one warm-up epoch (which fills the cache), over
three epochs of the 88 training pairs, and printed as a table.
"""

from __future__ import annotations

import argparse

import sketchlab  # noqa: F401  (quiets TensorFlow's C++ log before it loads)
from sketchlab import pipeline
from sketchlab.config import PROFILES, device_name
from sketchlab.session import resolve_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="toy", help="'toy' or a CUFS folder")
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 256])
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()

    data = resolve_data(args.data)
    train = data.split("train")
    scale = PROFILES["full"].jitter_scale
    print(f"data: {data.describe()}\ndevice: {device_name()}\n")
    print(f"{'size':>5} {'paired img/s':>13} {'unpaired img/s':>15}")
    for size in args.sizes:
        paired = pipeline.paired_dataset(train, size, args.batch_size, training=True, jitter_scale=scale)
        unpaired = pipeline.unpaired_dataset(train, size, args.batch_size, jitter_scale=scale)
        print(f"{size:>5} {pipeline.images_per_second(paired):>13,.0f} {pipeline.images_per_second(unpaired):>15,.0f}")


if __name__ == "__main__":
    main()
