"""The shipped model: a photo -> sketch generator that comes with the package,
so ``python -m sketchlab sketch photo.jpg --out out/`` draws without training.

It is the course's showcase pix2pix (docs/model_card.md: its data, the
command that trains it again, its scores and its limits), stored as its
architecture (``showcase.json``) and its weights in float16
(``showcase.weights.npz``), half the size of a ``.keras`` file; the weights
are widened back to float32 on loading, so it computes like the trained
model. ``showcase.json`` also records the scores the exported model had on
the toy faces, which the tests check a fresh load against.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

FOLDER = Path(__file__).resolve().parent / "pretrained"
NAME = "showcase"


def files(folder: Path = FOLDER, name: str = NAME) -> tuple[Path, Path]:
    """The shipped model's two files: its description and its weights."""
    return folder / f"{name}.json", folder / f"{name}.weights.npz"


def available(folder: Path = FOLDER, name: str = NAME) -> bool:
    """True when the package holds the shipped model."""
    return all(path.is_file() for path in files(folder, name))


def card(folder: Path = FOLDER, name: str = NAME) -> dict:
    """The shipped model's description: what it is, how it was trained, the
    scores recorded when it was exported (``"toy_scores"``)."""
    return json.loads(files(folder, name)[0].read_text())["card"]


def load(folder: Path = FOLDER, name: str = NAME):
    """The shipped photo -> sketch generator, a ``keras.Model`` in float32.

    Raises:
        ModelFileError: the package holds no shipped model (a copy without
            its data files), naming what to do instead.
    """
    import keras

    from . import models  # noqa: F401  (registers sketchlab's layers, e.g. models.Mirror, for from_config)
    from .errors import ModelFileError

    description, weights = files(folder, name)
    if not available(folder, name):
        raise ModelFileError(f"{weights}: the shipped model is missing from this copy of sketchlab. Reinstall it "
                             "from the repository, or train a model (`python -m sketchlab train pix2pix --out "
                             "runs/pix2pix`) and pass its run folder.")
    model = keras.Model.from_config(json.loads(description.read_text())["model"])
    with np.load(weights) as stored:
        model.set_weights([stored[f"w{i}"].astype("float32") for i in range(len(stored.files))])
    return model


def export(generator, card: dict, folder: Path = FOLDER, name: str = NAME) -> tuple[Path, Path]:
    """Write ``generator`` as the shipped model: its config, ``card`` and its
    weights in float16. Returns the two files."""
    from .files import atomic_write

    description, weights = files(folder, name)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {f"w{i}": np.asarray(w, dtype=np.float16) for i, w in enumerate(generator.get_weights())}
    with atomic_write(weights) as tmp:
        with open(tmp, "wb") as out:
            np.savez(out, **arrays)
    with atomic_write(description) as tmp:
        Path(tmp).write_text(json.dumps({"card": card, "model": generator.get_config()}, indent=1) + "\n")
    return description, weights
