"""The demo report: every method trained and kept, the page, and the folder it may replace."""

from __future__ import annotations

import dataclasses

import pytest

from sketchlab import cli, comparison, config, methods, report, session
from sketchlab.data import DataError, load_cufs
from sketchlab.models import load_generator
from sketchlab.report import REPORT_MARKER


def test_demo_trains_every_method_and_writes_the_html_report(few_toy_dir, tmp_path, monkeypatch, capsys):
    """The demo's whole path, in a profile shrunk to seconds (32x32, one or
    two epochs), over a previous report; CI runs the real quick-profile demo
    as its first step."""
    tiny = dataclasses.replace(config.PROFILES["quick"], image_size=32, epochs=2, filters=8, max_filters=32,
                               pix2pix_epochs=1, cyclegan_epochs=1)
    monkeypatch.setitem(config.PROFILES, "quick", tiny)
    monkeypatch.setattr("sketchlab.evaluation.PROGRESS_PAIRS", 4)
    out = tmp_path / "report"
    out.mkdir()
    (out / REPORT_MARKER).write_text("an earlier demo's")
    (out / "old.png").write_text("an earlier demo's figure")
    assert cli.main(["demo", "--data", str(few_toy_dir), "--out", str(out), "--profile", "quick"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("sketchlab ") and "profile quick (32x32" in lines[0] and "TOY" in lines[0]
    stages = [line for line in lines if line.startswith("[") and ": done in " in line]
    assert [s.split("]")[0] for s in stages] == [f"[{k}/8" for k in range(1, 9)]
    # no silent minutes: Keras' line per epoch, and the scoring a chunk of pairs at a time
    assert "Epoch 2/2" in lines and "scoring CycleGAN: 8/8 pairs" in "\n".join(lines)
    assert any(line.startswith("scoring grey photo: 4/8 pairs") and "s left" in line for line in lines)
    assert str(out / "report.html") in lines[-3]
    assert str(out / "runs") in lines[-2] and lines[-1].strip() == report.sketch_command(out)
    assert sorted(p.name for p in out.iterdir()) == [
        REPORT_MARKER, "augmentation.png", "comparison.png", "losses.png", "new_photos.png", "pairs.png",
        "report.html", "runs", "sketch_to_photo.png"]  # the earlier report replaced whole
    assert "sketchlab" in (out / REPORT_MARKER).read_text()
    page = (out / "report.html").read_text()
    assert "<td>train</td><td>24</td>" in page and "<td>test</td><td>8</td>" in page and "images/s" in page
    for label in ("grey photo", "encoder-decoder", "U-Net", "pix2pix", "CycleGAN"):
        assert f"<tr><td>{label}</td>" in page
    assert page.count("<b>") == 7  # one best value per metric column
    for name in ("pairs", "augmentation", "comparison", "losses", "new_photos", "sketch_to_photo"):
        assert f'src="{name}.png"' in page
    assert "Sharpness: the mean gradient magnitude" in page and "Rank-1: the share of test faces" in page
    assert report.sketch_command(out) in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no staging leftovers

    # the trained generators are kept, and the page's next command works
    runs = out / "runs"
    assert sorted(p.name for p in runs.iterdir()) == sorted(methods.names(translating=True))
    assert all((runs / name / "generator.keras").is_file() for name in methods.names(translating=True))
    assert not list(runs.glob("*/checkpoint*"))  # the demo never resumes: no dead weight
    assert load_generator(runs / "cyclegan" / "s2i.keras", direction="s2i").input_shape == (None, 32, 32, 1)
    photo = load_cufs(few_toy_dir).split("test")[0].photo
    sketches = tmp_path / "sketches"
    assert cli.main(["sketch", str(runs / "pix2pix"), str(photo), "--out", str(sketches), "--no-align"]) == 0
    assert [p.name for p in sketches.iterdir()] == [f"{photo.stem}.png"]


def test_an_interrupted_demo_keeps_the_previous_report(few_toy_dir, tmp_path, monkeypatch):
    out = tmp_path / "report"
    out.mkdir()
    (out / REPORT_MARKER).write_text("")
    (out / "report.html").write_text("the previous report")

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(comparison, "train_method", fail)
    with pytest.raises(KeyboardInterrupt):
        cli.main(["demo", "--data", str(few_toy_dir), "--out", str(out), "--profile", "quick"])
    assert (out / "report.html").read_text() == "the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


@pytest.mark.parametrize("taken, message", [
    ("folder", "not empty, and not marked as a demo report (no .sketchlab-report in it); the demo replaces its "
               "--out folder whole. Choose a new --out, or empty that folder."),
    ("file", "is a file, not a folder. Choose another --out for the report (a new folder)."),
])
def test_demo_refuses_someone_elses_folder_or_file_before_any_work(taken, message, few_toy_dir, tmp_path,
                                                                  monkeypatch, capsys):
    """``--out data`` or ``--out runs`` must not delete the datasets or the
    runs, and must say so at once, not after minutes of training."""
    out = tmp_path / "data"
    mine = out / "notes.txt" if taken == "folder" else out
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_text("mine")
    called = []
    monkeypatch.setattr(session, "start", lambda *a, **k: called.append("session"))
    monkeypatch.setattr(comparison, "train_method", lambda *a, **k: called.append("training"))
    assert cli.main(["demo", "--data", str(few_toy_dir), "--out", str(out), "--profile", "quick"]) == 2
    assert capsys.readouterr().err == f"error: {out}: {message}\n"
    assert mine.read_text() == "mine" and called == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_write_report_checks_its_folder_too(tmp_path):
    (tmp_path / "dataset.csv").write_text("mine")
    with pytest.raises(DataError, match="not marked as a demo report"):
        report.write_report(session=None, out=tmp_path)  # refused before the session is used
    assert report.check_out_folder(tmp_path / "new") == tmp_path / "new"
    (tmp_path / "empty").mkdir()
    assert report.check_out_folder(tmp_path / "empty") == tmp_path / "empty"


SCORES = {"grey photo": {"fsim": 0.75, "ssim": 0.50, "psnr": 11.0, "l1": 0.24, "rank1": 0.9, "sharpness": 0.62,
                         "paper_noise": 0.81},
          "U-Net": {"fsim": 0.70, "ssim": 0.63, "psnr": 15.7, "l1": 0.09, "rank1": 0.6, "sharpness": 0.42,
                    "paper_noise": 0.95}}


def test_the_table_notes_define_the_ratios_and_say_why_the_grey_photo_wins():
    notes = report.table_notes(SCORES, toy=True)
    assert notes[0].startswith("Rank-1: the share of test faces whose sketch is nearer")
    assert notes[1].startswith("Sharpness: the mean gradient magnitude") and "1.0 is as sharp as the artist" in notes[1]
    assert notes[2].startswith("Paper noise: the fine texture") and "1.0 is as clean as the artist's paper" in notes[2]
    why = notes[3]
    assert why.startswith("The grey photo, which is no model at all, is best in FSIM, rank-1, sharpness, paper noise: ")
    assert "which FSIM rewards" in why and "what rank-1 counts" in why and "sharpness counts edges" in why
    assert "paper noise counts texture there" in why  # the lowest wins: a smooth photo backdrop
    assert "SSIM" not in why and "L1" not in why
    assert "On the toy faces" in why
    assert "toy" not in " ".join(report.table_notes(SCORES, toy=False))


def test_no_word_on_the_grey_photo_when_it_wins_nothing():
    beaten = {**SCORES, "pix2pix": {"fsim": 0.8, "ssim": 0.7, "psnr": 16.0, "l1": 0.08, "rank1": 1.0,
                                    "sharpness": 0.9, "paper_noise": 0.7}}
    notes = report.table_notes(beaten, toy=True)
    assert len(notes) == 3 and "grey photo" not in " ".join(notes)


def test_a_report_written_before_reports_were_marked_may_be_replaced(tmp_path):
    from sketchlab.report import check_out_folder

    old = tmp_path / "demo"
    old.mkdir()
    for name in ("report.html", "pairs.png", "comparison.png"):
        (old / name).write_text("an earlier report")
    assert check_out_folder(old) == old
    (old / "notes.txt").write_text("mine")  # anything else makes it someone's folder
    with pytest.raises(DataError, match="not empty"):
        check_out_folder(old)
