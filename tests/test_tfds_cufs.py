"""sketchlab.tfds_cufs: the TFDS builder, toy and real configs."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow_datasets as tfds
from fakes import SOME_PERSONS

from sketchlab import pipeline
from sketchlab.data import mirror_file_names, photo_key, split_of
from sketchlab.tfds_cufs import Cufs


def _as_list(builder, split):
    return list(tfds.as_numpy(builder.as_dataset(split=split)))


def test_toy_config_loads_like_any_tfds_dataset(tmp_path):
    (train_ds, test_ds), info = tfds.load("cufs/toy", split=["train", "test"], data_dir=str(tmp_path), with_info=True)
    assert info.splits["train"].num_examples == 88 and len(list(train_ds)) == 88
    assert info.splits["test"].num_examples == 100
    test = list(tfds.as_numpy(test_ds))
    example = test[0]
    assert example["photo"].shape == (250, 200, 3) and example["photo"].dtype == np.uint8
    assert example["sketch"].shape == (250, 200, 1)
    expected = {photo_key(p) for p, s in mirror_file_names() if split_of(s) == "test"}
    assert {e["person_id"].decode() for e in test} == expected


def test_cuhk_config_reads_a_mirror_from_the_manual_folder(tmp_path, mirror):
    builder = Cufs(config="cuhk", data_dir=str(tmp_path / "tfds"))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(mirror.parent)))
    train, test = _as_list(builder, "train"), _as_list(builder, "test")
    assert sorted(e["person_id"].decode() for e in train + test) == sorted(SOME_PERSONS)
    assert sorted(e["person_id"].decode() for e in train) == ["f-005-01", "m-008-01"]
    # the first person's sketch is stored as RGB in the mirror: it arrives grey
    first = next(e for e in train if e["person_id"] == b"f-005-01")
    assert first["sketch"].shape == (250, 200, 1)


def test_tfds_examples_feed_the_pipeline(tmp_path, mirror):
    builder = Cufs(config="cuhk", data_dir=str(tmp_path / "tfds"))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(mirror)))
    ds = pipeline.paired_dataset(builder.as_dataset(split="test"), image_size=32, batch_size=2)
    photo, sketch = next(iter(ds))
    assert photo.shape == (2, 32, 32, 3) and sketch.shape == (2, 32, 32, 1)


def test_cuhk_config_without_data_says_what_to_do(tmp_path):
    builder = Cufs(config="cuhk", data_dir=str(tmp_path / "tfds"))
    with pytest.raises(Exception, match="photos"):
        builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(tmp_path)))
