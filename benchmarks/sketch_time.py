"""How long a user waits for a sketch: one photo with the model loaded, and the app's first answers.

    python benchmarks/sketch_time.py [--photo PHOTO] [--repeats 10] [--no-app]

Prints, for the shipped model (sketchlab.pretrained):

- the time to load it, and MTCNN's first detection (both once per process);
- the time from reading a photo file to its sketch written as PNG, the
  model and MTCNN already loaded (what ``python -m sketchlab sketch`` does
  per photo: read, find and align the face, draw, write), median and
  slowest of ``--repeats``;
- the app (``python -m sketchlab app``, started as a user starts it): the
  seconds until it prints its address, then its first answer to a photo
  (the model loads on the first request) and its second.

The photo defaults to scikit-image's astronaut (512x512).
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sketchlab  # noqa: F401  (quiets TensorFlow's C++ log before it loads)
from sketchlab import faces, pretrained
from sketchlab.config import device_name

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs"))
from app_screenshot import start_app  # noqa: E402  (docs/app_screenshot.py: the app started as a user starts it)


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def sketch_one(model, photo: Path, out: Path) -> None:
    """What `sketch` does for one photo once the model is loaded."""
    face = faces.align_face(faces.load_image(photo), name=str(photo))
    faces.save_png(faces.translate(model, face.image), out)


def app_times(photo: Path, scratch: Path) -> dict[str, float]:
    """Seconds to the app's address, its first answer and its second."""
    from gradio_client import Client, handle_file

    from sketchlab.app import SHIPPED

    seconds, (process, address) = timed(lambda: start_app(scratch))
    times = {"address": seconds}
    try:
        client = Client(address, verbose=False, download_files=str(scratch / "got"))
        for name in ("first answer", "second answer"):
            times[name], _ = timed(lambda: client.predict(handle_file(str(photo)), None, SHIPPED, api_name="/sketch"))
        return times
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photo", type=Path, default=None, help="a photo with a face (default: the astronaut)")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--no-app", action="store_true", help="leave the app's times out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        photo = args.photo
        if photo is None:
            from PIL import Image
            from skimage import data as skdata

            photo = scratch / "astronaut.jpg"
            Image.fromarray(skdata.astronaut()).save(photo, quality=95)
        print(f"device: {device_name()}; model: {pretrained.card()['name']}; photo: {photo.name}")
        load, model = timed(pretrained.load)
        first, _ = timed(lambda: sketch_one(model, photo, scratch / "first.png"))
        print(f"load the model: {load:.2f} s; first sketch (MTCNN loads, graphs are traced): {first:.2f} s")
        runs = [timed(lambda i=i: sketch_one(model, photo, scratch / f"s{i}.png"))[0] for i in range(args.repeats)]
        print(f"photo file -> sketch PNG, model loaded, alignment included: median {statistics.median(runs):.2f} s, "
              f"slowest {max(runs):.2f} s ({args.repeats} runs)")
        if not args.no_app:
            times = app_times(photo, scratch)
            print("app: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in times.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
