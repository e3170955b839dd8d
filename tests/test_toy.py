"""sketchlab.toy: the synthetic faces, in the layout of the real mirror."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sketchlab import toy
from sketchlab.data import DataError, load_cufs, mirror_file_names


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_toy_data_has_the_mirror_layout(toy_dir):
    cufs = load_cufs(toy_dir)
    assert cufs.kind == "toy"
    assert (len(cufs.pairs), len(cufs.split("train")), len(cufs.split("test"))) == (188, 88, 100)
    assert sorted(p.name for p in (toy_dir / "photos").iterdir()) == sorted(p for p, _ in mirror_file_names())
    assert sorted(p.name for p in (toy_dir / "sketches").iterdir()) == sorted(s for _, s in mirror_file_names())
    with Image.open(cufs.pairs[0].photo) as photo, Image.open(cufs.pairs[0].sketch) as sketch:
        assert (photo.size, photo.mode) == ((200, 250), "RGB")
        assert (sketch.size, sketch.mode) == ((200, 250), "L")


def test_same_seed_same_files_other_seed_other_files(toy_dir, tmp_path):
    again = toy.make_toy_data(tmp_path / "again", seed=0)
    assert _digest(again) == _digest(toy_dir)
    photo, _ = toy.render_pair(1)
    other, _ = toy.render_pair(2)
    assert not np.array_equal(photo, other)


def test_photos_and_sketches_look_like_cufs(toy_dir):
    cufs = load_cufs(toy_dir)
    photos = np.stack([np.asarray(Image.open(p.photo), np.float32) for p in cufs.pairs[:40]])
    sketches = np.stack([np.asarray(Image.open(p.sketch).convert("L"), np.float32) for p in cufs.pairs[:40]])
    corner = photos[:, :20, :20].mean(axis=(0, 1, 2))
    assert corner[2] > corner[0] + 40  # blue background
    assert 185 <= sketches.mean() <= 235  # mostly white paper ...
    assert sketches.min() < 60  # ... with dark pencil lines
    assert sketches[:, :15, :15].mean() > 220  # paper in the corners
    assert photos.reshape(40, -1).std(axis=0).mean() > 20  # people differ


def test_interrupted_generation_leaves_nothing(tmp_path, monkeypatch):
    calls = []

    def render_then_interrupt(seed):
        calls.append(seed)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real(seed)

    real = toy.render_pair
    monkeypatch.setattr(toy, "render_pair", render_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        toy.make_toy_data(tmp_path / "toy")
    assert list(tmp_path.iterdir()) == []


def test_refuses_to_overwrite(toy_dir):
    with pytest.raises(DataError, match="already exists"):
        toy.make_toy_data(toy_dir)
