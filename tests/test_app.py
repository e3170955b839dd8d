"""The sketch app: started as a user starts it, on the loopback address and a
free port, driven with gradio_client as a page would be, stopped with Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

gradio_client = pytest.importorskip("gradio_client", reason="requirements.txt installs gradio")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_address(process: subprocess.Popen, seconds: float = 180) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("sketch app at "):
            return line.split()[3]
        if not line and process.poll() is not None:
            raise AssertionError(f"the app stopped: {process.stderr.read()}")
    raise AssertionError("the app printed no address")


def test_the_app_sketches_a_photo_explains_bad_input_and_keeps_serving(tmp_path):
    from skimage import data as skdata

    photo = tmp_path / "astronaut.jpg"
    Image.fromarray(skdata.astronaut()).save(photo, quality=95)
    (tmp_path / "notes.jpg").write_text("not a picture")
    Image.fromarray(np.full((300, 400, 3), 180, np.uint8)).save(tmp_path / "wall.png")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    port = _free_port()
    env = {**os.environ, "TMPDIR": str(scratch), "GRADIO_ANALYTICS_ENABLED": "False"}
    process = subprocess.Popen([sys.executable, "-m", "sketchlab", "app", "--port", str(port)], cwd=tmp_path,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    client = None
    try:
        address = _wait_for_address(process)
        assert address.startswith(f"http://127.0.0.1:{port}")
        client = gradio_client.Client(address, verbose=False, download_files=str(tmp_path / "got"))
        model = "shipped model (pix2pix 256, CUFS)"
        aligned, sketch, png = client.predict(gradio_client.handle_file(str(photo)), None, model, api_name="/sketch")
        with Image.open(sketch) as image:
            assert image.size == (200, 250)
        with Image.open(png) as image:
            assert image.size == (200, 250) and image.mode == "L" and Path(png).name == "astronaut_sketch.png"
        with Image.open(aligned) as image:
            assert image.size == (200, 250)
        for bad, message in (("notes.jpg", "not an image"), ("wall.png", "no face found")):
            with pytest.raises(Exception, match=message):
                client.predict(gradio_client.handle_file(str(tmp_path / bad)), None, model, api_name="/sketch")
        with pytest.raises(Exception, match="No photo yet"):
            client.predict(None, None, model, api_name="/sketch")
        again = client.predict(gradio_client.handle_file(str(photo)), None, model, api_name="/sketch")
        assert Path(again[1]).is_file()  # still serving after the errors
        written = [p for p in scratch.rglob("*") if p.is_file()]
        assert written, "uploads and sketches are written into the temporary folder"
    finally:
        if client is not None:
            client.close()  # as a browser tab is closed: its heartbeat stream ends
        process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()  # leave no server behind
            raise
    assert process.returncode == 0, err
    assert "stopping the sketch app" in out
    assert "Traceback" not in err, "a user's bad input is a message in the page, not a traceback in the console"
    assert not [p for p in scratch.rglob("*") if p.is_file()], "the temporary folder is removed at the end"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["astronaut.jpg", "got", "notes.jpg", "tmp", "wall.png"]


def test_the_app_refuses_a_missing_model_before_starting(tmp_path):
    from sketchlab.cli import main

    assert main(["app", "--model", str(tmp_path / "nope.keras")]) == 2
