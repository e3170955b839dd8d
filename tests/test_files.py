"""sketchlab.files: written beside, flushed, renamed into place; other writers' work left alone."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sketchlab import toy
from sketchlab.data import DataError, load_cufs
from sketchlab.files import FolderExistsError, atomic_write, partial_path, publish_folder, remove_stale, staging_folder


@pytest.fixture(scope="module")
def pids():
    """(a pid whose process is gone, the pid of a live process)."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # ended and reaped
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield gone.pid, live.pid
    live.kill()
    live.wait()


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_partial_names_carry_the_pid_and_keep_the_extensions(tmp_path):
    assert partial_path(tmp_path / "checkpoint.weights.h5", 42).name == ".checkpoint.partial-42.weights.h5"
    assert partial_path(tmp_path / "toy").name == f".toy.partial-{os.getpid()}"


def test_atomic_write_flushes_the_file_then_renames_it_then_flushes_the_folder(tmp_path, monkeypatch):
    dest = tmp_path / "runs" / "history.csv"
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.fstat(fd).st_ino))
        real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", Path(src).name, Path(dst).name))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    with atomic_write(dest) as tmp:
        tmp.write_text("epoch,loss\n")
    assert dest.read_text() == "epoch,loss\n" and _siblings(dest) == ["history.csv"]
    assert events == [("fsync", dest.stat().st_ino), ("replace", tmp.name, "history.csv"),
                      ("fsync", dest.parent.stat().st_ino)]


def test_a_failed_write_leaves_the_file_as_it_was(tmp_path):
    dest = tmp_path / "generator.keras"
    dest.write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic_write(dest) as tmp:
        tmp.write_text("half")
        raise KeyboardInterrupt
    assert dest.read_text() == "old" and _siblings(dest) == ["generator.keras"]


def test_previous_keeps_the_replaced_file(tmp_path):
    dest, previous = tmp_path / "a.txt", tmp_path / "a.previous.txt"
    for text in ("one", "two", "three"):
        with atomic_write(dest, previous=previous) as tmp:
            tmp.write_text(text)
    assert (dest.read_text(), previous.read_text()) == ("three", "two")


def test_only_the_partials_of_writers_that_are_gone_are_removed(tmp_path, pids):
    gone, live = pids
    dest = tmp_path / "checkpoint.weights.h5"
    stale = [partial_path(dest, gone), partial_path(dest, os.getpid()),  # this pid: an earlier process's
             tmp_path / f".checkpoint.partial-{gone}-old.weights.h5"]
    kept = [partial_path(dest, live), partial_path(tmp_path / "checkpoint.previous.weights.h5", gone),
            partial_path(tmp_path / "other.weights.h5", gone), dest]
    for path in stale + kept:
        path.write_text("x")
    assert remove_stale(dest) == sorted(stale)
    assert _siblings(dest) == sorted(p.name for p in kept)


def test_a_staging_folder_leaves_another_live_process_s_alone(tmp_path, pids):
    gone, live = pids
    dest = tmp_path / "data" / "toy"
    for pid in (gone, live):
        (partial_path(dest, pid) / "photos").mkdir(parents=True)
    tmp = staging_folder(dest)
    assert tmp == partial_path(dest) and tmp.is_dir()
    assert _siblings(dest) == sorted([tmp.name, partial_path(dest, live).name])
    (tmp / "a.txt").write_text("a")
    publish_folder(tmp, dest)
    assert (dest / "a.txt").read_text() == "a"
    with pytest.raises(FolderExistsError, match="toy: already exists. Remove it first"):
        publish_folder(staging_folder(dest), dest)


def test_a_folder_published_by_another_process_meanwhile_is_refused(tmp_path, monkeypatch):
    dest = tmp_path / "toy"
    tmp = staging_folder(dest)
    real_exists, checks = Path.exists, []

    def exists_after_the_first_check(self):
        if self == dest and not checks:
            checks.append(self)
            (dest / "photos").mkdir(parents=True)  # the other process publishes right after our check
            (dest / "photos" / "a.jpg").write_text("a")
            return False
        return real_exists(self)

    monkeypatch.setattr(Path, "exists", exists_after_the_first_check)
    with pytest.raises(FolderExistsError, match="already exists"):
        publish_folder(tmp, dest)


@pytest.fixture
def few_names(monkeypatch):
    """Toy data of 6 pairs: quick to make."""
    names = toy.mirror_file_names()[:3] + toy.mirror_file_names()[-3:]
    monkeypatch.setattr(toy, "mirror_file_names", lambda: names)


@pytest.mark.parametrize("their_seed", [0, 1])
def test_toy_data_made_by_another_process_meanwhile_is_used_if_the_same(tmp_path, few_names, monkeypatch, their_seed):
    theirs = toy.make_toy_data(tmp_path / "theirs", seed=their_seed)
    out = tmp_path / "data" / "toy"
    real_render = toy.render_pair

    def render_while_another_publishes(seed):
        if not out.exists():
            shutil.copytree(theirs, out)  # another notebook finished first
        return real_render(seed)

    monkeypatch.setattr(toy, "render_pair", render_while_another_publishes)
    if their_seed == 0:
        assert toy.make_toy_data(out, seed=0) == out
        assert len(load_cufs(out).pairs) == 6
    else:
        with pytest.raises(DataError, match="already exists"):
            toy.make_toy_data(out, seed=0)
    assert _siblings(out) == ["toy"]
