"""Test helpers: small fake CUFS mirrors with the real file names, and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from sketchlab.data import mirror_file_names

# A few persons of each kind: training (F2-/M2- sketches) and test.
SOME_PERSONS = ("f-005-01", "m-008-01", "f-039-01", "f1-003-01", "m-063-01", "m1-003-01")


def write_image(path: Path, mode: str = "RGB", size=(200, 250), value: int = 0) -> Path:
    """A small smooth JPEG/PNG image; ``value`` makes images distinct."""
    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = size
    ramp = (np.add.outer(np.arange(h), np.arange(w)) + 7 * value) % 256
    array = ramp.astype(np.uint8)
    if mode == "RGB":
        array = np.stack([array, 255 - array, np.full_like(array, 200)], axis=-1)
    Image.fromarray(array, mode).save(path)
    return path


def make_mirror(root: Path, persons=SOME_PERSONS, other_folders: bool = True) -> Path:
    """A fake mirror: photos/ and sketches/ for ``persons`` (real names; 42
    of the real sketches are stored as RGB, so one is here too), plus the
    other folders of the real archive when ``other_folders``."""
    names = dict((Path(p).stem, (p, s)) for p, s in mirror_file_names())
    for i, person in enumerate(persons):
        photo, sketch = names[person]
        write_image(root / "photos" / photo, "RGB", value=i)
        write_image(root / "sketches" / sketch, "RGB" if i == 0 else "L", value=i)
    if other_folders:
        write_image(root / "photo" / "f-005-01.JPG", "RGB", size=(64, 48))
        (root / "photo" / "f-005-01.dat").write_text("1 2\n3 4\n")
        (root / "sketch").mkdir()
        (root / "sketch" / "f-005-01.dat").write_text("1 2\n3 4\n")
        write_image(root / "cropped_sketch" / "00001.jpg", "L", size=(50, 60))
        write_image(root / "original_sketch" / "00001.jpg", "L", size=(50, 60))
        for sub in ("photo_points", "sketch_points"):
            (root / sub).mkdir()
            (root / sub / "00001.3pts").write_text("1 2\n")
    return root


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m sketchlab ARGS`` in a fresh process."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "sketchlab", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=600,
    )
