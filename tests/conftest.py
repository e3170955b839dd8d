"""Shared fixtures: a small fake CUFS mirror, and the full toy database."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import make_mirror


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    return make_mirror(tmp_path / "cufs")


@pytest.fixture(scope="session")
def toy_dir(tmp_path_factory) -> Path:
    """The full toy database, made once per test session."""
    from sketchlab.toy import make_toy_data

    return make_toy_data(tmp_path_factory.mktemp("toy") / "toy")
