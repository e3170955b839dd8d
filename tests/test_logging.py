"""TensorFlow's log under sketchlab: its start-up noise is gone, what matters still gets through."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import sketchlab

NOISE = ("absl::InitializeLog", "oneDNN custom operations", "cpu_feature_guard", "cuInit", "Unable to register")
READ_A_MISSING_FILE = ("import sketchlab, tensorflow as tf\n"
                       "try:\n"
                       "    tf.io.read_file('/nowhere/photo.png')\n"
                       "except tf.errors.NotFoundError as err:\n"
                       "    print('raised:', err.message)\n")
# What TensorFlow writes as it loads (absl's note, oneDNN's INFO line), then
# what it writes as it aborts on a CPU it cannot run on.
CRASHING_TENSORFLOW = """
import os
os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n")
os.write(2, b"I0000 00:00:1796395546.632791    5924 port.cc:153] oneDNN custom operations are on.\\n")
os.write(2, b"F0000 00:00:1796395546.632791    5924 cpu_feature_guard.cc:1] compiled to use AVX instructions\\n")
os.abort()
"""


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    """``python -c code`` in a fresh process, TensorFlow's variables unset as a student's are, plus ``env``."""
    base = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**base, **env},
                          timeout=300)


def test_tensorflow_starts_without_its_log_noise_and_a_failing_operation_still_raises():
    done = _python(READ_A_MISSING_FILE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("raised:") and "/nowhere/photo.png; No such file" in done.stdout
    assert not [line for line in done.stderr.splitlines() if any(word in line for word in NOISE)], done.stderr


def test_where_a_gpu_is_meant_to_be_used_tensorflows_warnings_get_through(monkeypatch):
    monkeypatch.setattr(sketchlab.tf_logging, "_cuda_driver_installed", lambda: True)
    done = _python(READ_A_MISSING_FILE, TF_CPP_MIN_LOG_LEVEL=sketchlab.tf_logging._default_log_level())
    assert done.returncode == 0, done.stderr
    assert "OP_REQUIRES failed" in done.stderr and "/nowhere/photo.png" in done.stderr  # a WARNING line


@pytest.mark.parametrize("level, noise_shown", [(None, False), ("0", True)], ids=["default", "asked for everything"])
def test_what_tensorflow_writes_as_it_crashes_while_loading_still_gets_out(tmp_path, level, noise_shown):
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text(CRASHING_TENSORFLOW)
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), *filter(None, [os.environ.get("PYTHONPATH")])])}
    if level is not None:
        env["TF_CPP_MIN_LOG_LEVEL"] = level
    done = _python("import sketchlab, tensorflow", **env)
    assert done.returncode != 0 and "compiled to use AVX instructions" in done.stderr
    assert ("absl::InitializeLog" in done.stderr) == noise_shown and ("oneDNN" in done.stderr) == noise_shown
