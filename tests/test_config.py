"""sketchlab.config and sketchlab.session: the profile and the setup line."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from sketchlab import config, session


def test_quick_profile_is_the_default_without_a_gpu(monkeypatch):
    monkeypatch.delenv(config.PROFILE_ENV, raising=False)
    monkeypatch.setattr(config, "gpu_available", lambda: False)
    assert config.get_profile().name == "quick"
    monkeypatch.setattr(config, "gpu_available", lambda: True)
    assert config.get_profile().name == "full"


def test_environment_overrides_the_default(monkeypatch):
    monkeypatch.setattr(config, "gpu_available", lambda: True)
    monkeypatch.setenv(config.PROFILE_ENV, "quick")
    assert config.get_profile() == config.PROFILES["quick"]
    assert config.get_profile("full") == config.PROFILES["full"]  # an argument beats the variable


def test_unknown_profile_names_the_setting(monkeypatch):
    monkeypatch.setenv(config.PROFILE_ENV, "huge")
    with pytest.raises(ValueError, match=r"SKETCHLAB_PROFILE.*quick, full"):
        config.get_profile()


def test_the_quick_profile_is_smaller_than_the_full_one_in_every_size():
    quick, full = config.PROFILES["quick"], config.PROFILES["full"]
    for size in ("image_size", "filters", "max_filters", "epochs", "pix2pix_epochs", "cyclegan_epochs", "dcgan_epochs"):
        assert getattr(quick, size) < getattr(full, size), size


def test_setup_line_names_profile_data_and_device(mirror, monkeypatch, capsys):
    monkeypatch.setenv(config.PROFILE_ENV, "quick")
    run = session.start(data=mirror)
    line = capsys.readouterr().out.strip()
    assert line == run.line()
    assert "profile quick (64x64" in line and "real CUFS" in line and "device: CPU" in line


def test_toy_data_is_said_loudly(toy_dir, monkeypatch):
    monkeypatch.setenv(config.PROFILE_ENV, "quick")
    assert "TOY synthetic faces" in session.start(data=toy_dir, verbose=False).line()


def test_default_data_is_the_toy_faces_unless_real_data_is_present(tmp_path, monkeypatch):
    monkeypatch.setenv("SKETCHLAB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv(session.DATA_ENV, raising=False)
    assert session.resolve_data().kind == "toy"
    assert (tmp_path / "toy" / "photos").is_dir()
    from fakes import make_mirror

    make_mirror(tmp_path / "cufs")
    assert session.resolve_data().kind == "cuhk"


def test_runs_go_beside_the_data_unless_told(monkeypatch, tmp_path):
    from sketchlab import session
    from sketchlab.data import default_data_dir

    monkeypatch.delenv(session.RUNS_ENV, raising=False)
    assert session.runs_dir() == default_data_dir().parent / "runs"
    monkeypatch.setenv(session.RUNS_ENV, str(tmp_path / "elsewhere"))
    assert session.runs_dir() == tmp_path / "elsewhere"


ONEDNN_PROBE = ("import sketchlab, tensorflow; from tensorflow.python.util import _pywrap_util_port; "
                "print(_pywrap_util_port.IsMklEnabled())")


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="oneDNN is switched on on x86 only")
@pytest.mark.parametrize("setting, enabled", [(None, "True"), ("0", "False")])
def test_import_sketchlab_turns_onednn_on_unless_told_otherwise(setting, enabled):
    # TensorFlow reads the variable once, as it loads: hence a fresh process
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    if setting is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = setting
    done = subprocess.run([sys.executable, "-c", ONEDNN_PROBE], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == enabled


def test_an_unknown_profile_argument_is_named(monkeypatch):
    monkeypatch.setenv(config.PROFILE_ENV, "quick")
    with pytest.raises(config.ProfileError, match=r"^unknown profile 'huge' \(from argument\); use one of: quick, full$"):
        config.get_profile("huge")
