"""The shipped model: small enough to ship, loads in a fresh process, scores
as its card says, and `sketch` uses it when no model is given."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PIL import Image

from sketchlab import pretrained
from sketchlab.cli import main
from sketchlab.errors import ModelFileError

MAX_MB = 25


def test_the_shipped_files_are_there_and_small_enough():
    description, weights = pretrained.files()
    assert pretrained.available(), f"{weights} missing: run benchmarks/export_showcase.py"
    assert (description.stat().st_size + weights.stat().st_size) / 1e6 <= MAX_MB
    card = pretrained.card()
    assert {"name", "command", "image_size", "toy_scores", "toy_pairs"} <= set(card)


def test_a_fresh_process_loads_it_and_scores_as_its_card_says(toy_dir):
    """The card's toy scores were recorded by the export script from the
    float16 files, on the toy faces' first test pairs (made the same way on
    any machine): a fresh load must score the same."""
    card = pretrained.card()
    code = ("import json, sys\n"
            "from sketchlab import pretrained\n"
            "from sketchlab.data import load_cufs\n"
            "from sketchlab.evaluation import evaluate\n"
            "model = pretrained.load()\n"
            f"pairs = load_cufs(sys.argv[1]).split('test')[:{card['toy_pairs']}]\n"
            "print(json.dumps({'input': model.input_shape[1], 'scores': evaluate(model, pairs)['model']}))\n")
    done = subprocess.run([sys.executable, "-c", code, str(toy_dir)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["input"] == card["image_size"]
    for metric, value in card["toy_scores"].items():
        assert result["scores"][metric] == pytest.approx(value, abs=2e-3), metric


def test_a_copy_without_the_files_says_what_to_do(tmp_path):
    assert not pretrained.available(tmp_path)
    with pytest.raises(ModelFileError, match="shipped model is missing.*sketchlab train pix2pix"):
        pretrained.load(tmp_path)


def test_sketch_without_a_model_uses_the_shipped_one(tmp_path, capsys):
    from skimage import data as skdata

    photo = tmp_path / "astronaut.jpg"
    Image.fromarray(skdata.astronaut()).save(photo, quality=95)
    out = tmp_path / "sketches"
    assert main(["sketch", str(photo), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "model: the shipped one" in printed and f"-> {out / 'astronaut.png'}" in printed
    with Image.open(out / "astronaut.png") as image:
        assert image.size == (200, 250) and image.mode == "L"
    assert main(["sketch", str(photo), "--direction", "s2i", "--out", str(tmp_path / "back")]) == 2
    assert "the shipped model draws sketches from photos" in capsys.readouterr().err
    (tmp_path / "run").mkdir()
    assert main(["sketch", str(tmp_path / "run"), "--out", str(tmp_path / "none")]) == 2
    assert "run: a model but no photo" in capsys.readouterr().err
