"""sketchlab.data: names, pairing, the split, bad input, download."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import kagglehub  # a declared dependency: a broken install fails here, not as skips
import pytest
from fakes import SOME_PERSONS, make_mirror, run_cli, write_image

from sketchlab import data
from sketchlab.data import DataError, load_cufs


def test_mirror_names_have_the_official_split():
    names = data.mirror_file_names()
    assert len(names) == 188
    splits = [data.split_of(s) for _, s in names]
    assert splits.count("train") == 88 and splits.count("test") == 100
    train_sketches = [s for _, s in names if data.split_of(s) == "train"]
    assert sum(s.startswith("F2-") for s in train_sketches) == 34
    assert sum(s.startswith("M2-") for s in train_sketches) == 54
    assert all(data.photo_key(p) == data.sketch_key(s) for p, s in names)


@pytest.mark.parametrize(
    "photo, sketch",
    [
        ("f-005-01.jpg", "F2-005-01-sz1.jpg"),
        ("m1-003-01.jpg", "m1-003-01-sz1.jpg"),
        ("f-039-01.jpg", "f-039-01-sz1.jpg"),
        ("m-062-01.jpg", "M2-062-01-sz1.jpg"),
    ],
)
def test_keys_match_photo_and_sketch(photo, sketch):
    assert data.photo_key(photo) == data.sketch_key(sketch)


def test_split_from_sketch_names():
    assert data.split_of("F2-005-01-sz1.jpg") == "train"
    assert data.split_of("M2-062-01-sz1.jpg") == "train"
    for name in ("f-039-01-sz1.jpg", "f1-001-01-sz1.jpg", "m-063-01-sz1.jpg", "m1-041-01-sz1.jpg"):
        assert data.split_of(name) == "test"


def test_sorted_index_pairing_is_a_trap():
    photos = [p for p, _ in data.mirror_file_names()]
    sketches = [s for _, s in data.mirror_file_names()]
    assert data.count_index_mispairs(photos, sketches) == 74
    assert data.count_index_mispairs(photos, sketches, key=str.lower) == 188


def test_pairing_by_id_is_right_whatever_the_order(mirror):
    photos = sorted((mirror / "photos").iterdir(), reverse=True)
    sketches = sorted((mirror / "sketches").iterdir())
    pairs = data.pair_files(photos, sketches)
    assert [p.person_id for p in pairs] == sorted(SOME_PERSONS)
    assert all(data.photo_key(p.photo.name) == data.sketch_key(p.sketch.name) for p in pairs)


@pytest.mark.parametrize("layout", ["all folders", "two folders", "one level down"])
def test_loader_finds_pairs_and_ignores_other_folders(tmp_path, layout):
    if layout == "one level down":
        make_mirror(tmp_path / "download" / "cufs")
        folder = tmp_path / "download"
    else:
        folder = make_mirror(tmp_path / "cufs", other_folders=layout == "all folders")
    cufs = load_cufs(folder)
    assert cufs.kind == "cuhk"
    assert len(cufs.pairs) == 6
    assert [p.person_id for p in cufs.split("train")] == ["f-005-01", "m-008-01"]
    assert len(cufs.split("test")) == 4


def test_inspect_json_from_the_command_line(mirror):
    result = run_cli("data", "inspect", str(mirror.parent), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["pairs"], report["train"], report["test"]) == (6, 2, 4)
    item = next(i for i in report["items"] if i["person_id"] == "f-005-01")
    assert item == {
        "person_id": "f-005-01",
        "photo": "cufs/photos/f-005-01.jpg",
        "sketch": "cufs/sketches/F2-005-01-sz1.jpg",
        "split": "train",
    }


def _break(mirror: Path, case: str) -> str:
    """Damage the fake mirror; return the name the error must mention."""
    photos, sketches = mirror / "photos", mirror / "sketches"
    if case == "no sketches folder":
        shutil.rmtree(sketches)
        return "sketches/"
    if case == "no photos folder":
        shutil.rmtree(photos)
        return "photos/"
    if case == "empty folder":
        for f in photos.iterdir():
            f.unlink()
        return str(photos)
    if case == "photo without sketch":
        (sketches / "m1-003-01-sz1.jpg").unlink()
        return "m1-003-01.jpg"
    if case == "sketch without photo":
        (photos / "f-005-01.jpg").unlink()
        return "F2-005-01-sz1.jpg"
    if case == "truncated jpeg":
        path = photos / "m-063-01.jpg"
        path.write_bytes(path.read_bytes()[:600])
        return "m-063-01.jpg"
    if case == "not a jpeg at all":
        (sketches / "f-039-01-sz1.jpg").write_bytes(b"this is text, not a picture")
        return "f-039-01-sz1.jpg"
    if case == "non-image file":
        (photos / "notes.txt").write_text("hello")
        return "notes.txt"
    if case == "wrong size":
        write_image(photos / "f1-003-01.jpg", "RGB", size=(100, 125))
        return "f1-003-01.jpg"
    raise AssertionError(case)


BAD_CASES = [
    "no sketches folder",
    "no photos folder",
    "empty folder",
    "photo without sketch",
    "sketch without photo",
    "truncated jpeg",
    "not a jpeg at all",
    "non-image file",
    "wrong size",
]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_names_the_culprit(mirror, case):
    culprit = _break(mirror, case)
    with pytest.raises(DataError) as err:
        load_cufs(mirror)
    assert culprit in str(err.value)


@pytest.mark.parametrize("limit", [40_000, 20_000], ids=["over the limit: a warning", "over twice: an error"])
def test_an_image_over_pillows_pixel_limit_is_too_large_not_damaged(mirror, monkeypatch, limit):
    from PIL import Image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)  # the 200x250 images (50,000 pixels) are now huge
    photo = mirror / "photos" / "f-005-01.jpg"
    with pytest.raises(DataError) as err:
        data.check_image(photo)
    message = str(err.value)
    assert message.startswith(f"{photo}: the image is too large") and "0.05 megapixels" in message
    assert "damaged" not in message and "200x250" in message


def test_the_size_is_checked_before_the_pixels_are_decoded(tmp_path):
    path = write_image(tmp_path / "big.png", "RGB", size=(300, 300))
    path.write_bytes(path.read_bytes()[:400])  # the header says 300x300; the pixels are cut off
    with pytest.raises(DataError, match=r"the image is 300x300, CUFS images are 200x250"):
        data.check_image(path)


@pytest.mark.parametrize("case", ["photo without sketch", "truncated jpeg", "no sketches folder"])
def test_bad_input_exits_non_zero_on_the_command_line(mirror, case):
    culprit = _break(mirror, case)
    result = run_cli("data", "inspect", str(mirror), "--json")
    assert result.returncode == 2
    assert culprit in result.stderr and result.stdout == ""


def test_download_copies_photos_and_sketches(tmp_path, monkeypatch):
    archive = make_mirror(tmp_path / "cache" / "versions" / "1")
    monkeypatch.setattr(kagglehub, "dataset_download", lambda handle, **kw: str(archive))
    dest = data.download(tmp_path / "data" / "cufs")
    assert sorted(p.name for p in dest.iterdir()) == ["SOURCE.json", "photos", "sketches"]
    assert len(load_cufs(dest).pairs) == 6
    assert [p.name for p in dest.parent.iterdir()] == ["cufs"]  # no leftovers


def test_interrupted_download_leaves_nothing(tmp_path, monkeypatch):
    archive = make_mirror(tmp_path / "cache")
    monkeypatch.setattr(kagglehub, "dataset_download", lambda handle, **kw: str(archive))
    real_copytree, calls = shutil.copytree, []

    def copy_then_interrupt(src, dst, **kw):
        calls.append(src)
        if len(calls) == 2:  # photos copied, then Ctrl-C during sketches
            raise KeyboardInterrupt
        return real_copytree(src, dst, **kw)

    monkeypatch.setattr(shutil, "copytree", copy_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        data.download(tmp_path / "data" / "cufs")
    assert list((tmp_path / "data").iterdir()) == []


def test_a_download_finished_by_another_process_meanwhile_is_used(tmp_path, monkeypatch):
    archive = make_mirror(tmp_path / "cache")
    dest = tmp_path / "data" / "cufs"

    def download_while_another_finishes(handle, **kw):
        make_mirror(dest, other_folders=False)  # another notebook's download lands first
        return str(archive)

    monkeypatch.setattr(kagglehub, "dataset_download", download_while_another_finishes)
    assert data.download(dest) == dest
    assert len(load_cufs(dest).pairs) == 6
    assert [p.name for p in dest.parent.iterdir()] == ["cufs"]  # ours removed


@pytest.mark.parametrize(
    "error, advice",
    [
        (RuntimeError("401 Client Error: Unauthorized"), "KAGGLE_USERNAME"),
        (RuntimeError("403 Forbidden"), "Colab secrets"),
        (ConnectionError("Max retries exceeded: Failed to resolve 'www.kaggle.com'"), "offline"),
        (RuntimeError("500 Server Error"), "the download failed. Try again"),
    ],
)
def test_download_failures_say_what_to_do(tmp_path, monkeypatch, error, advice):

    def fail(handle, **kw):
        raise error

    monkeypatch.setattr(kagglehub, "dataset_download", fail)
    with pytest.raises(DataError) as err:
        data.download(tmp_path / "cufs")
    assert advice in str(err.value)
    assert not (tmp_path / "cufs").exists()


def test_importing_sketchlab_does_not_touch_kaggle():
    code = (
        "import sys, sketchlab, sketchlab.data, sketchlab.cli, sketchlab.session;"
        "assert not {'kaggle', 'kagglehub'} & set(sys.modules), sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_two_files_of_one_person_are_refused(mirror):
    write_image(mirror / "photos" / "f-005-01.png", "RGB")  # a second photo of f-005-01
    with pytest.raises(DataError) as err:
        load_cufs(mirror)
    assert str(err.value) == (f"{mirror / 'photos' / 'f-005-01.png'}: same person id 'f-005-01' as "
                              f"{mirror / 'photos' / 'f-005-01.jpg'}. Keep one photo per person.")


def test_an_unknown_split_is_named(mirror):
    with pytest.raises(ValueError, match="unknown split 'val'; use 'train' or 'test'"):
        load_cufs(mirror).split("val")


def test_download_into_a_folder_holding_something_else_is_refused_without_downloading(tmp_path, monkeypatch):
    def never(handle, **kw):
        raise AssertionError("downloaded")

    monkeypatch.setattr(kagglehub, "dataset_download", never)
    dest = tmp_path / "cufs"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    with pytest.raises(DataError, match=r"cufs: exists and holds no photos/ and sketches/.*Choose a new --out"):
        data.download(dest)
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]


def test_a_missing_folder_is_named_with_what_to_do(tmp_path):
    with pytest.raises(DataError, match=r"nowhere: no such folder\. Point to the unzipped CUFS mirror .*or use 'toy'"):
        load_cufs(tmp_path / "nowhere")
    (tmp_path / "afile").write_text("not a folder")
    with pytest.raises(DataError, match=r"afile: is a file, not a folder\. Point to the folder"):
        load_cufs(tmp_path / "afile")


def test_a_split_smaller_than_a_command_needs_is_refused(mirror):
    few = load_cufs(mirror)  # 2 train and 4 test pairs
    data.check_split_sizes(few, train=2, test=2)
    with pytest.raises(DataError, match=r"2 train pairs, and at least 4 are needed .*Add pairs to the train split"):
        data.check_split_sizes(few, train=4)
    with pytest.raises(DataError, match=r"4 test pairs, and at least 5 are needed to score"):
        data.check_split_sizes(few, test=5)
