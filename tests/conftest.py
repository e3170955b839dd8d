"""Shared fixtures: a small fake CUFS mirror, the full toy database, and a few of its pairs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fakes import make_mirror


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    return make_mirror(tmp_path / "cufs")


@pytest.fixture(scope="session")
def toy_dir(tmp_path_factory) -> Path:
    """The full toy database, made once per test session."""
    from sketchlab.toy import make_toy_data

    return make_toy_data(tmp_path_factory.mktemp("toy") / "toy")


@pytest.fixture(scope="session")
def few_toy_dir(toy_dir, tmp_path_factory) -> Path:
    """24 train and 8 test pairs of the toy database, as a data folder of their
    own: short epochs and quick scoring, for tests of the command line."""
    from sketchlab.data import PHOTO_DIR, SKETCH_DIR, TOY_MARKER, load_cufs

    data = load_cufs(toy_dir)
    root = tmp_path_factory.mktemp("few") / "toy"
    for sub in (PHOTO_DIR, SKETCH_DIR):
        (root / sub).mkdir(parents=True)
    for pair in data.split("train")[:24] + data.split("test")[:8]:
        shutil.copy(pair.photo, root / PHOTO_DIR / pair.photo.name)
        shutil.copy(pair.sketch, root / SKETCH_DIR / pair.sketch.name)
    shutil.copy(toy_dir / TOY_MARKER, root / TOY_MARKER)
    return root
