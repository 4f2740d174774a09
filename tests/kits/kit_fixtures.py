"""Fixtures for the kits suite: a workspace with one resource of each role (git subdirectories), and
helpers to write a scikit-learn bundled dataset into it as data.csv + target.csv (no downloads)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import dws, run


@pytest.fixture
def kws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    dws(root, "init", "--hostname", "testhost", "--create-resources", "all")
    return root


def write_dataset(directory: Path, bunch: Any, header: bool = True, compress: bool = False) -> None:
    """data.csv (with the feature names as header), target.csv and DESCR.rst, as the kit reads them."""
    import gzip

    directory.mkdir(parents=True, exist_ok=True)
    lines = [",".join(bunch.feature_names)] if header else []
    lines += [",".join(repr(float(v)) for v in row) for row in bunch.data]
    text = "\n".join(lines) + "\n"
    if compress:
        with gzip.open(directory / "data.csv.gz", "wt") as f:
            f.write(text)
    else:
        (directory / "data.csv").write_text(text)
    (directory / "target.csv").write_text("".join(f"{t}\n" for t in bunch.target))
    (directory / "DESCR.rst").write_text(bunch.DESCR[:200])


def commit_all(root: Path, message: str) -> None:
    run(root, "git", "add", "-A")
    run(root, "git", "commit", "-q", "-m", message)
