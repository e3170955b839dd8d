"""Screenshot the sketch app with a photo uploaded and its sketch shown, for the docs.

    python docs/app_screenshot.py [--photo PHOTO] [--out docs/figures/app.png]

Starts ``python -m sketchlab app`` on the loopback address, as a user would,
opens the page in headless Chromium, uploads the photo (default: scikit-image's
astronaut, which works offline), presses "Sketch", waits for the sketch and
writes a screenshot of the whole page. Not part of the tests: it needs a
browser, which the course does not install. On Debian or Ubuntu::

    apt install chromium          # the browser (/usr/bin/chromium)
    pip install playwright        # drives it; no browser download needed

``--browser`` names another Chromium or Chrome executable.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
SIZE = {"width": 1280, "height": 860}
# a closed network: no background connections, no first-run pages, no sandbox as root
BROWSER_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def start_app(folder: Path) -> tuple[subprocess.Popen, str]:
    """The app as a user starts it (it takes the first free port from 7860), in ``folder`` (so no runs of the
    reader's are listed); its address."""
    env = {**os.environ, "TMPDIR": str(folder), "GRADIO_ANALYTICS_ENABLED": "False",
           "PYTHONPATH": str(HERE.parent)}
    process = subprocess.Popen([sys.executable, "-m", "sketchlab", "app"], cwd=folder, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in process.stdout:
        if line.startswith("sketch app at "):
            return process, line.split()[3]
    raise SystemExit("the app stopped before it printed its address")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", type=Path, default=None, help="a photo to upload (default: the astronaut)")
    parser.add_argument("--out", type=Path, default=HERE / "figures" / "app.png", help="the screenshot (PNG)")
    parser.add_argument("--browser", default="/usr/bin/chromium", help="a Chromium or Chrome executable")
    args = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("error: playwright is missing: pip install playwright", file=sys.stderr)
        return 2
    if not Path(args.browser).is_file():
        print(f"error: {args.browser}: no browser there; install Chromium (apt install chromium) or pass --browser",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="sketchlab-screenshot-") as scratch:
        folder = Path(scratch)
        photo = args.photo
        if photo is None:
            from skimage import data as skdata

            photo = folder / "astronaut.jpg"
            Image.fromarray(skdata.astronaut()).save(photo, quality=95)
        process, address = start_app(folder)
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=args.browser, args=BROWSER_FLAGS)
                page = browser.new_page(viewport=SIZE)
                page.goto(address)
                page.locator("input[type=file]").first.set_input_files(str(photo))
                page.get_by_role("button", name="Sketch").click()
                # the download box fills last, once the sketch is drawn
                page.get_by_text(f"{photo.stem}_sketch").first.wait_for(timeout=120_000)
                page.wait_for_timeout(1000)  # the images fade in
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out), full_page=True)
                browser.close()
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
