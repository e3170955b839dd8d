"""The CUHK Face Sketch database (CUFS): finding, pairing, splitting, checking.

The Kaggle mirror ``arbazkhan971/cuhk-face-sketch-database-cufs`` unzips to
eight folders; only ``photos/`` (188 colour photos) and ``sketches/`` (188
artist sketches), both 200x250, are usable for paired training. Photos and
sketches are paired by person id, never by sorted index:

    photo  f-005-01.jpg   <->  sketch F2-005-01-sz1.jpg
    photo  m1-003-01.jpg  <->  sketch m1-003-01-sz1.jpg

The official split comes from the sketch names: ``F2-*``/``M2-*`` are the 88
training pairs, ``f-``, ``f1-``, ``m-``, ``m1-`` the 100 test pairs.

Cite: X. Wang and X. Tang, "Face Photo-Sketch Synthesis and Recognition",
IEEE TPAMI 31(11), 2009.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import SketchlabError
from .files import FolderExistsError, publish_folder, shown, staging_folder  # the staging pair is re-exported

DATASET_HANDLE = "arbazkhan971/cuhk-face-sketch-database-cufs"
PHOTO_DIR = "photos"
SKETCH_DIR = "sketches"
IMAGE_WIDTH, IMAGE_HEIGHT = 200, 250
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
TOY_MARKER = "TOY_FACES.json"
SPLITS = ("train", "test")

# The eight folders of the unzipped mirror (5,716 files) and what each holds.
MIRROR_FOLDERS = {
    "photos/": ("188 colour photos, 200x250, cropped and aligned", True),
    "sketches/": ("188 artist sketches, 200x250, the photos' partners", True),
    "photo/": ("188 uncropped 1024x768 originals + 188 .dat landmark files", False),
    "sketch/": ("188 .dat landmark files, no images", False),
    "original_sketch/": ("1,194 CUFSF (FERET) sketches, no photos", False),
    "cropped_sketch/": ("1,194 CUFSF (FERET) sketches, cropped, no photos", False),
    "photo_points/": ("1,194 .3pts landmark files", False),
    "sketch_points/": ("1,194 .3pts landmark files", False),
}


class DataError(SketchlabError):
    """Bad or missing data; the message names the culprit and what to do."""


@dataclass(frozen=True)
class Pair:
    """One person: a photo, its sketch and the official split."""

    person_id: str
    photo: Path
    sketch: Path
    split: str


@dataclass(frozen=True)
class CufsData:
    """A located and checked copy of CUFS (real or toy)."""

    root: Path
    kind: str  # "cuhk" (the real database) or "toy" (synthetic faces)
    pairs: tuple[Pair, ...]

    def split(self, name: str) -> list[Pair]:
        """The pairs of one split, ``"train"`` or ``"test"``, in id order."""
        if name not in SPLITS:
            raise ValueError(f"unknown split {name!r}; use 'train' or 'test'")
        return [p for p in self.pairs if p.split == name]

    def describe(self) -> str:
        """One line: which data, where, how many pairs."""
        what = "TOY synthetic faces" if self.kind == "toy" else "real CUFS (CUHK)"
        n_train, n_test = len(self.split("train")), len(self.split("test"))
        return f"{what} at {shown(self.root)} ({len(self.pairs)} pairs: {n_train} train / {n_test} test)"

    def fingerprint(self) -> str:
        """What a training checkpoint records of its data, so a run is never
        resumed on other data: the kind, the number of training pairs and a
        short hash of their person ids and file sizes (cheap: nothing is
        decoded), e.g. ``toy faces, 88 train pairs, #1a2b3c4d``."""
        train = self.split("train")
        digest = hashlib.sha256()
        for pair in train:
            digest.update(f"{pair.person_id} {pair.photo.stat().st_size} {pair.sketch.stat().st_size}\n".encode())
        what = "toy faces" if self.kind == "toy" else "real CUFS"
        return f"{what}, {len(train)} train pairs, #{digest.hexdigest()[:8]}"


# --------------------------------------------------------------------------
# Names, keys and the split


def _ids(prefix: str, first: int, last: int, skip: tuple[int, ...] = ()) -> list[str]:
    return [f"{prefix}-{i:03d}-01" for i in range(first, last + 1) if i not in skip]


def mirror_file_names() -> list[tuple[str, str]]:
    """The 188 (photo, sketch) file names of the mirror, paired, in id order."""
    train_f, train_m = range(5, 39), range(8, 63)  # sketches named F2-*/M2-*
    names = []
    for stem in (
        _ids("f", 5, 43)
        + _ids("f1", 1, 15)
        + _ids("m", 8, 101, skip=(20,))
        + _ids("m1", 1, 41)
    ):
        prefix, number = stem.split("-")[0], int(stem.split("-")[1])
        if (prefix == "f" and number in train_f) or (prefix == "m" and number in train_m):
            sketch = prefix.upper() + "2" + stem[len(prefix):]
        else:
            sketch = stem
        names.append((f"{stem}.jpg", f"{sketch}-sz1.jpg"))
    return names


def photo_key(name: str) -> str:
    """Person id of a photo file: its stem, lower-cased (``f-005-01``)."""
    return Path(name).stem.lower()


def sketch_key(name: str) -> str:
    """Person id of a sketch file: ``F2-005-01-sz1.jpg`` -> ``f-005-01``."""
    key = Path(name).stem.lower()
    if key.endswith("-sz1"):
        key = key[: -len("-sz1")]
    for old, new in (("f2-", "f-"), ("m2-", "m-")):
        if key.startswith(old):
            key = new + key[len(old):]
    return key


def split_of(sketch_name: str) -> str:
    """The official split of a sketch: ``train`` for F2-*/M2-*, else ``test``."""
    return "train" if Path(sketch_name).name.lower()[:3] in ("f2-", "m2-") else "test"


def count_index_mispairs(
    photos: list[str], sketches: list[str], key: Callable[[str], str] | None = None
) -> int:
    """How many pairs zipping two ``sorted(..., key=key)`` name lists gets wrong."""
    zipped = zip(sorted(photos, key=key), sorted(sketches, key=key))
    return sum(photo_key(p) != sketch_key(s) for p, s in zipped)


# --------------------------------------------------------------------------
# Finding and checking files


def find_root(folder: str | os.PathLike) -> Path:
    """The folder that holds ``photos/`` and ``sketches/``: ``folder`` itself,
    or one or two levels below it (an unzipped archive often adds one)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise DataError(f"{folder}: is a file, not a folder. Point to the folder of the unzipped CUFS mirror, "
                        "or use 'toy'.")
    if not folder.is_dir():
        raise DataError(
            f"{folder}: no such folder. Point to the unzipped CUFS mirror "
            f"(run `python -m sketchlab data download --out {folder}`) or use 'toy'."
        )
    candidates = [folder] + sorted(p for p in folder.iterdir() if p.is_dir())
    candidates += [q for p in candidates[1:] for q in sorted(p.iterdir()) if q.is_dir()]
    for c in candidates:
        if (c / PHOTO_DIR).is_dir() and (c / SKETCH_DIR).is_dir():
            return c
    have = [d for d in (PHOTO_DIR, SKETCH_DIR) if any((c / d).is_dir() for c in candidates)]
    missing = [d for d in (PHOTO_DIR, SKETCH_DIR) if d not in have]
    raise DataError(
        f"{folder}: no {' or '.join(m + '/' for m in missing)} folder found here or "
        f"up to two levels down. CUFS needs photos/ and sketches/ side by side: unzip the "
        f"whole Kaggle mirror into this folder, or download it with "
        f"`python -m sketchlab data download --out {folder}`."
    )


def list_images(folder: Path) -> list[Path]:
    """The image files of one image folder, sorted; hidden files are skipped.

    Raises:
        DataError: the folder is empty or holds a file that is not an image.
    """
    files = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    others = [p for p in files if p.is_dir() or p.suffix.lower() not in IMAGE_SUFFIXES]
    if others:
        raise DataError(
            f"{others[0]}: not an image file (expected .jpg, .jpeg or .png) in the "
            f"image folder {folder}. Move it out of {folder.name}/."
        )
    if not files:
        raise DataError(
            f"{folder}: the folder is empty. Copy the CUFS images into it again "
            f"(or download afresh with `python -m sketchlab data download`)."
        )
    return files


def too_large(path: str | os.PathLike, err: Exception) -> str:
    """The start of the message for an image over Pillow's pixel limit, which
    Pillow will not decode (a small file can declare a huge image: a
    decompression bomb); ``err`` is Pillow's error or warning."""
    import re

    from PIL import Image

    found = re.search(r"\((\d+) pixels\)", str(err))  # Pillow's message holds the pixel count
    pixels = f"{int(found[1]) / 1e6:.3g} megapixels; " if found else ""
    return (f"{path}: the image is too large to open safely ({pixels}Pillow stops at "
            f"{Image.MAX_IMAGE_PIXELS / 1e6:.3g} megapixels, a guard against decompression bombs).")


def check_image(path: Path) -> None:
    """Check ``path`` is a readable 200x250 image: the size from the header
    first, so a wrong-size or huge file is refused without decoding it, then
    a full decode, which finds truncated data.

    Raises:
        DataError: unreadable, truncated, too large, or the wrong size.
    """
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():  # Pillow only warns between its limit and twice it
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                size = im.size
                if size == (IMAGE_WIDTH, IMAGE_HEIGHT):
                    im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise DataError(
            f"{too_large(path, err)} CUFS images are {IMAGE_WIDTH}x{IMAGE_HEIGHT} (width x height): use the "
            f"aligned photos/ and sketches/ of the mirror, not the originals."
        ) from None
    except Exception as err:  # PIL raises several types for bad files
        raise DataError(
            f"{path}: cannot read this image ({err}). The file is damaged or "
            f"truncated: replace it from the original archive."
        ) from None
    if size != (IMAGE_WIDTH, IMAGE_HEIGHT):
        raise DataError(
            f"{path}: the image is {size[0]}x{size[1]}, CUFS images are "
            f"{IMAGE_WIDTH}x{IMAGE_HEIGHT} (width x height). Use the aligned "
            f"photos/ and sketches/ of the mirror, not the originals."
        )


def pair_files(photos: list[Path], sketches: list[Path]) -> list[Pair]:
    """Pair photos and sketches by person id; each must have its partner.

    Raises:
        DataError: a photo without a sketch, a sketch without a photo, or two
            files of one folder with the same person id.
    """
    by_key: dict[str, dict[str, Path]] = {}
    for kind, files, key in (("photo", photos, photo_key), ("sketch", sketches, sketch_key)):
        for f in files:
            slot = by_key.setdefault(key(f.name), {})
            if kind in slot:
                raise DataError(
                    f"{f}: same person id {key(f.name)!r} as {slot[kind]}. "
                    f"Keep one {kind} per person."
                )
            slot[kind] = f
    pairs = []
    for pid in sorted(by_key):
        slot = by_key[pid]
        if "sketch" not in slot:
            raise DataError(
                f"{slot['photo']}: photo without a sketch (person {pid!r}). Restore "
                f"its sketch in {slot['photo'].parent.parent / SKETCH_DIR} or remove the photo."
            )
        if "photo" not in slot:
            raise DataError(
                f"{slot['sketch']}: sketch without a photo (person {pid!r}). Restore "
                f"its photo in {slot['sketch'].parent.parent / PHOTO_DIR} or remove the sketch."
            )
        pairs.append(Pair(pid, slot["photo"], slot["sketch"], split_of(slot["sketch"].name)))
    return pairs


def load_cufs(folder: str | os.PathLike, check_images: bool = True) -> CufsData:
    """Locate, pair, split and (by default) check every image of a CUFS copy.

    Args:
        folder: a folder holding ``photos/`` and ``sketches/`` (the unzipped
            mirror with all its folders, or just those two, maybe one level down).
        check_images: decode every image and check its size.

    Returns:
        A :class:`CufsData` with the pairs in person-id order.

    Raises:
        DataError: with the file or folder at fault and what to do.
    """
    root = find_root(folder)
    pairs = pair_files(list_images(root / PHOTO_DIR), list_images(root / SKETCH_DIR))
    if check_images:
        for pair in pairs:
            check_image(pair.photo)
            check_image(pair.sketch)
    kind = "toy" if (root / TOY_MARKER).exists() else "cuhk"
    return CufsData(root=root, kind=kind, pairs=tuple(pairs))


def check_split_sizes(data: CufsData, train: int = 0, test: int = 0) -> None:
    """Refuse data with fewer than ``train`` training or ``test`` test pairs:
    a command that trains needs a batch, and scoring needs two test pairs
    (rank-1 looks for each sketch's person among the others).

    Raises:
        DataError: naming the folder, the counts and what to do.
    """
    for split, least, why in (("train", train, "to fill one training batch"),
                              ("test", test, "to score a model (rank-1 compares each sketch with the others)")):
        have = len(data.split(split))
        if have < least:
            names = "F2-*/M2-*" if split == "train" else "f-*, f1-*, m-*, m1-*"
            raise DataError(f"{shown(data.root)}: {have} {split} pairs, and at least {least} are needed {why}. "
                            f"Add pairs to the {split} split (sketches named {names}), or use another --data.")


def inspect(folder: str | os.PathLike) -> dict:
    """A JSON-ready report of the pairs and the split of a CUFS copy."""
    data = load_cufs(folder)
    return {
        "root": str(data.root),
        "kind": data.kind,
        "pairs": len(data.pairs),
        "train": len(data.split("train")),
        "test": len(data.split("test")),
        "items": [
            {
                "person_id": p.person_id,
                "photo": p.photo.relative_to(Path(folder)).as_posix(),
                "sketch": p.sketch.relative_to(Path(folder)).as_posix(),
                "split": p.split,
            }
            for p in data.pairs
        ],
    }


# --------------------------------------------------------------------------
# Where data lives, and downloading it (written safely: sketchlab.files)


def default_data_dir() -> Path:
    """``$SKETCHLAB_DATA_DIR``, else the repository's ``data/``, else ``./data``."""
    if os.environ.get("SKETCHLAB_DATA_DIR"):
        return Path(os.environ["SKETCHLAB_DATA_DIR"])
    repo_data = Path(__file__).resolve().parents[1] / "data"
    return repo_data if (repo_data / "README.md").exists() else Path.cwd() / "data"


def _download_error(err: Exception) -> DataError:
    text = f"{type(err).__name__}: {err}"
    low = text.lower()
    if "401" in low or "403" in low or "unauthorized" in low or "forbidden" in low:
        advice = (
            "Kaggle refused the request. The dataset is public, but Kaggle may ask "
            "you to sign in: create an API token at kaggle.com (Settings > API), then "
            "set KAGGLE_USERNAME and KAGGLE_KEY (on Colab: add them as Colab secrets "
            "and allow this notebook access), or call kagglehub.login()."
        )
    elif any(w in low for w in ("connection", "resolve", "timed out", "timeout", "network", "offline", "max retries")):
        advice = (
            "there is no connection to kaggle.com. Connect to the internet, or copy an "
            "unzipped CUFS mirror into a folder and pass that folder instead, or use "
            "the toy data ('toy'), which works offline."
        )
    else:
        advice = "the download failed. Try again, or download the archive by hand and unzip it."
    return DataError(f"downloading {DATASET_HANDLE}: {advice} ({text})")


def download(dest: str | os.PathLike) -> Path:
    """Download the CUFS mirror from Kaggle and keep its photos and sketches.

    The archive lands in kagglehub's cache; ``photos/`` and ``sketches/`` are
    copied to a temporary folder, checked, then renamed to ``dest``, so an
    interrupted download never leaves a half-written ``dest``.

    Returns:
        ``dest``, holding ``photos/`` and ``sketches/``.

    Raises:
        DataError: network or permission failures, explained.
    """
    dest = Path(dest)
    if dest.exists():  # already there: check it and reuse it
        if not ((dest / PHOTO_DIR).is_dir() and (dest / SKETCH_DIR).is_dir()):
            raise DataError(f"{dest}: exists and holds no {PHOTO_DIR}/ and {SKETCH_DIR}/, so it is not an earlier "
                            "download; nothing was downloaded into it. Choose a new --out (a folder that does not "
                            "exist yet).")
        load_cufs(dest)  # a damaged copy is refused, naming the file
        return dest
    try:
        import kagglehub  # imported here: it reads credentials on import

        archive = Path(kagglehub.dataset_download(DATASET_HANDLE))
    except Exception as err:
        raise _download_error(err) from None
    root = find_root(archive)
    tmp = staging_folder(dest)
    try:
        for sub in (PHOTO_DIR, SKETCH_DIR):
            shutil.copytree(root / sub, tmp / sub)
        (tmp / "SOURCE.json").write_text(json.dumps({"kaggle": DATASET_HANDLE}) + "\n")
        load_cufs(tmp)
        try:
            publish_folder(tmp, dest)
        except FolderExistsError:
            load_cufs(dest)  # another process downloaded it meanwhile: check it and use it
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest
