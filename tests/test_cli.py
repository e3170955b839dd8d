"""The command line: demo and data commands, exit codes."""

from __future__ import annotations

from fakes import run_cli


def test_demo_writes_the_report_and_says_where(toy_dir, tmp_path):
    out = tmp_path / "report"
    result = run_cli("demo", "--data", str(toy_dir), "--out", str(out), "--profile", "quick")
    assert result.returncode == 0, result.stderr
    first, *_, last = result.stdout.strip().splitlines()
    assert first.startswith("sketchlab ") and "profile quick" in first and "TOY" in first
    assert str(out) in last
    assert sorted(p.name for p in out.iterdir()) == ["augmentation.png", "pairs.png", "summary.md"]
    summary = (out / "summary.md").read_text()
    assert "| train | 88 |" in summary and "| test | 100 |" in summary and "images/s" in summary
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # no staging leftovers
    assert "oneDNN" not in result.stderr and "cuInit" not in result.stderr


def test_toy_command_makes_a_database_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "toy"
    assert run_cli("data", "toy", "--out", str(out), "--seed", "3").returncode == 0
    inspect = run_cli("data", "inspect", str(out))
    assert inspect.returncode == 0 and "188 pairs: 88 train / 100 test" in inspect.stdout
    again = run_cli("data", "toy", "--out", str(out))
    assert again.returncode == 2 and str(out) in again.stderr


def test_bad_profile_is_named(toy_dir, tmp_path):
    result = run_cli("demo", "--data", str(toy_dir), "--out", str(tmp_path / "r"), env={"SKETCHLAB_PROFILE": "huge"})
    assert result.returncode == 2 and "SKETCHLAB_PROFILE" in result.stderr


def test_missing_data_folder_is_named(tmp_path):
    result = run_cli("demo", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "r"))
    assert result.returncode == 2 and "nowhere" in result.stderr
