"""CUFS as a TensorFlow Datasets builder, with a ``toy`` and a ``cuhk`` config.

    import sketchlab.tfds_cufs  # registers the builder as "cufs"
    ds = tfds.load("cufs/toy", split="train", data_dir=...)
    ds = tfds.load("cufs/cuhk", split="test", data_dir=...,
                   download_and_prepare_kwargs={"download_config":
                       tfds.download.DownloadConfig(manual_dir="data/cufs")})

Examples are ``{"photo": (250, 200, 3) uint8, "sketch": (250, 200, 1) uint8,
"person_id": str}``; splits ``train`` (88) and ``test`` (100).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import tensorflow_datasets as tfds
from PIL import Image

from .data import DATASET_HANDLE, IMAGE_HEIGHT, IMAGE_WIDTH, Pair, load_cufs

CITATION = """@article{wang2009face,
  title={Face Photo-Sketch Synthesis and Recognition},
  author={Wang, Xiaogang and Tang, Xiaoou},
  journal={IEEE Transactions on Pattern Analysis and Machine Intelligence},
  volume={31}, number={11}, pages={1955--1967}, year={2009}
}"""


class Cufs(tfds.core.GeneratorBasedBuilder):
    """The CUHK student subset of CUFS: 188 face photos and their sketches."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Paired by person id; the official 88/100 split."}
    BUILDER_CONFIGS = [
        tfds.core.BuilderConfig(name="toy", description="Synthetic toy faces made offline by sketchlab."),
        tfds.core.BuilderConfig(name="cuhk", description="The real database, from the Kaggle mirror."),
    ]
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""
    Put the unzipped Kaggle mirror {DATASET_HANDLE} (at least its photos/ and
    sketches/ folders) in the manual folder, e.g. with
    `python -m sketchlab data download --out data/cufs`, then pass
    DownloadConfig(manual_dir="data/cufs").
    """

    def _info(self) -> tfds.core.DatasetInfo:
        return tfds.core.DatasetInfo(
            builder=self,
            description="Face photos and artists' pencil sketches, paired by person id.",
            features=tfds.features.FeaturesDict(
                {
                    "photo": tfds.features.Image(shape=(IMAGE_HEIGHT, IMAGE_WIDTH, 3)),
                    "sketch": tfds.features.Image(shape=(IMAGE_HEIGHT, IMAGE_WIDTH, 1)),
                    "person_id": tfds.features.Text(),
                }
            ),
            supervised_keys=("photo", "sketch"),
            homepage="http://mmlab.ie.cuhk.edu.hk/archive/facesketch.html",
            citation=CITATION,
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        if self.builder_config.name == "toy":
            from .toy import make_toy_data

            root = Path(dl_manager.download_dir) / "toy_faces"
            if not root.exists():
                make_toy_data(root)
        else:
            root = Path(dl_manager.manual_dir)
        data = load_cufs(root)
        return {split: self._generate_examples(data.split(split)) for split in ("train", "test")}

    def _generate_examples(self, pairs: list[Pair]):
        for pair in pairs:
            with Image.open(pair.photo) as photo, Image.open(pair.sketch) as sketch:
                yield pair.person_id, {
                    "photo": np.asarray(photo.convert("RGB")),
                    "sketch": np.asarray(sketch.convert("L"))[..., None],
                    "person_id": pair.person_id,
                }


def prepare(config: str, data_dir: str | Path, manual_dir: str | Path | None = None) -> Cufs:
    """Build (once) and return the ``cufs/<config>`` dataset builder quietly.

    Args:
        config: ``"toy"`` or ``"cuhk"``.
        data_dir: where TFDS keeps its prepared copy.
        manual_dir: for ``cuhk``, the folder holding the unzipped mirror.
    """
    builder = Cufs(config=config, data_dir=str(data_dir))
    download_config = tfds.download.DownloadConfig(manual_dir=str(manual_dir) if manual_dir else None)
    tfds.disable_progress_bar()
    with contextlib.redirect_stdout(io.StringIO()):  # TFDS prints paths and sizes
        builder.download_and_prepare(download_config=download_config)
    return builder
