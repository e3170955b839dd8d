"""The method registry: what the command line, the comparison and the report train and name."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from sketchlab import cli, comparison, config, methods

# every budget different, so a method that read another method's rule would show
TINY = dataclasses.replace(config.PROFILES["quick"], image_size=32, filters=8, max_filters=32, batch_size=3,
                           gan_batch_size=2, epochs=2, pix2pix_epochs=3, dcgan_epochs=4, cyclegan_epochs=5)


class Stop(Exception):
    """Raised where a training run would start fitting: the test has seen what it needs."""


def test_the_registry_loads_without_keras_or_tensorflow():
    code = ("import sys; from sketchlab import cli, methods; "
            "print(','.join(methods.names()), 'tensorflow' in sys.modules, 'keras' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["encoder-decoder,unet,pix2pix,dcgan,cyclegan", "False", "False"], result.stderr


@pytest.mark.parametrize("name", methods.names())
def test_each_method_trains_with_the_size_batch_and_epochs_the_command_line_prints(
        name, few_toy_dir, tmp_path, monkeypatch, capsys):
    """The header's numbers are the registry's rules; the training function
    must use the same ones (as the settings its checkpoint records show)."""
    from sketchlab import training

    used = {}

    def record(model, folder, settings):
        used.update(settings)
        raise Stop

    monkeypatch.setitem(config.PROFILES, "quick", TINY)
    monkeypatch.setattr(training, "restore", record)
    with pytest.raises(Stop):
        cli.main(["train", name, "--data", str(few_toy_dir), "--out", str(tmp_path / name), "--profile", "quick"])
    out = capsys.readouterr().out
    method = methods.get(name)
    size = used.get("image_size", method.fixed_size)
    assert (used["batch_size"], used["epochs"]) == (method.batch(TINY), method.epochs(TINY))
    assert f"profile quick ({size}x{size}, batch {used['batch_size']}, {used['epochs']} epochs)" in out
    assert f"training {name} at {size}x{size}, batch {used['batch_size']}" in out
    assert used["model"] == name


@pytest.mark.parametrize("name", methods.names())
def test_every_command_line_choice_trains_through_the_registry(name, few_toy_dir, tmp_path, monkeypatch):
    called = {}

    def trainer(data, profile, **options):
        called.update(options, profile=profile.name)
        raise Stop

    monkeypatch.setitem(methods.REGISTRY, name, dataclasses.replace(methods.get(name), trainer=trainer))
    with pytest.raises(Stop):
        cli.main(["train", name, "--data", str(few_toy_dir), "--out", str(tmp_path / "run"), "--profile", "quick",
                  "--epochs", "2", "--seed", "7"])
    assert called["out"] == str(tmp_path / "run") and (called["epochs"], called["seed"]) == (2, 7)
    assert called["profile"] == "quick"
    assert ("image_size" in called) == (methods.get(name).fixed_size is None)


def test_the_comparison_trains_its_methods_through_the_registry(few_toy_dir, monkeypatch):
    from sketchlab.data import load_cufs

    called = []

    def trainer(data, profile, **options):
        called.append(options)
        return methods.Trained(run=type("Run", (), {"history": {"loss": [0.5]}})(), generator="g", s2i="s")

    monkeypatch.setitem(methods.REGISTRY, "pix2pix", dataclasses.replace(methods.get("pix2pix"), trainer=trainer))
    trained = comparison.train_method("pix2pix", load_cufs(few_toy_dir), TINY, out="runs/p", verbose=0)
    assert called == [{"out": "runs/p", "verbose": 0}]
    assert (trained.label, trained.generator, trained.s2i, trained.history) == ("pix2pix", "g", "s", {"loss": [0.5]})
    with pytest.raises(ValueError, match="'dcgan'; use one of: encoder-decoder, unet, pix2pix, cyclegan$"):
        comparison.train_method("dcgan", load_cufs(few_toy_dir), TINY)


def test_what_the_comparison_and_the_report_name_is_the_registry():
    from sketchlab.models import DCGAN_SIZE, GENERATORS

    translators = methods.translators()
    assert comparison.METHODS == {m.name: m.label for m in translators}
    assert [m.name for m in translators] == [n for n in methods.names() if methods.get(n).translates]
    assert set(GENERATORS) <= set(methods.names(translating=True))  # the plain generators are methods too
    assert methods.get("dcgan").fixed_size == DCGAN_SIZE
    assert [m.name for m in translators if m.both_ways] == ["cyclegan"]
    assert all(m.l1_columns[1] for m in translators)  # each has a test L1 curve to draw
    with pytest.raises(ValueError, match="unknown method 'vae'; use one of: encoder-decoder, unet, pix2pix, dcgan"):
        methods.get("vae")


def test_the_docs_offer_the_methods_the_command_line_trains():
    docs = (Path(__file__).parents[1] / "docs" / "commands.md").read_text()
    assert f"`train {'|'.join(methods.names())} " in docs
