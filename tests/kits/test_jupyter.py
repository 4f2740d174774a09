"""Jupyter kit: a real notebook executed headless by nbclient with a real ipykernel (as papermill and
`jupyter nbconvert --execute` do), in a workspace; every magic must put its output into the executed
notebook. The notebook's path reaches the kernel through DWS_NOTEBOOK_PATH."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import dws_json
from kit_fixtures import commit_all, kws

__all__ = ["kws"]

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

RUN = '''\
from git_dws.kits.jupyter import NotebookLineageBuilder
builder = (NotebookLineageBuilder("../results", run_description="notebook run")
           .with_parameters({{"alpha": {alpha}}}).with_input_path("../source-data"))
with builder.eval() as lineage:
    lineage.write_results({{"accuracy": {accuracy}, "mse": {mse}}})
'''

CELLS = [
    "%load_ext git_dws.kits.jupyter",
    "%dws_info",
    RUN.format(alpha=0.1, accuracy=0.91, mse=0.01223),
    "%dws_snapshot -t nb1 -m 'first run'",
    RUN.format(alpha=0.2, accuracy=0.93, mse=0.013044),
    "%dws_results",
    "%dws_snapshot -t nb2",
    "%dws_history",
    "%dws_history --plot mse",
    "%dws_lineage_table --snapshot nb2",
    "%dws_lineage_graph --snapshot nb2",
    "%dws_results --snapshot nb1",
]


def execute(path: Path, cells: list[str], cwd: Path) -> Any:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, path)
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    client.execute()
    nbformat.write(nb, path)
    return nb


def outputs(cell: Any, mime: str) -> str:
    return "\n".join(o["data"][mime] for o in cell["outputs"] if "data" in o and mime in o["data"])


def test_magics_in_an_executed_notebook(kws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = kws
    (ws / "source-data" / "data.csv").write_text("x,y\n1,2\n")
    commit_all(ws, "data")
    nb_path = ws / "code" / "train.ipynb"
    monkeypatch.setenv("DWS_NOTEBOOK_PATH", str(nb_path))  # the kernel inherits the environment
    nb = execute(nb_path, CELLS, ws / "code")
    cells = nb["cells"]
    errors = [o for c in cells for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, errors
    info = outputs(cells[1], "text/plain")
    assert f"Workspace ws at {ws}" in info and f"Notebook: {nb_path} (from DWS_NOTEBOOK_PATH)" in info
    assert "<table" in outputs(cells[1], "text/html") and "source-data" in info
    assert "Took snapshot" in outputs(cells[3], "text/plain") and "tagged 'nb1'" in outputs(cells[3], "text/plain")
    assert "notebook run" in outputs(cells[5], "text/plain") and "0.013044" in outputs(cells[5], "text/plain")
    history = outputs(cells[7], "text/plain")
    assert "accuracy" in history and "params.alpha" in history and "0.01223" in history and "0.013044" in history
    assert "<svg" in outputs(cells[8], "text/html") and outputs(cells[8], "text/html").count('class="point"') == 2
    lineage = outputs(cells[9], "text/plain")
    assert "results" in lineage and "train at" in lineage  # the step is named after the notebook
    graph = outputs(cells[10], "text/html")
    assert "<svg" in graph and ">train</text>" in graph
    assert "first run" not in outputs(cells[11], "text/plain") and "0.01223" in outputs(cells[11], "text/plain")
    # the workspace agrees: two snapshots with the notebook's metrics, the notebook is the step's code
    hist = dws_json(ws, "report", "history")
    assert [h["metrics"]["mse"] for h in hist if h["tags"]] == [0.013044, 0.01223]
    rec = next(r for r in dws_json(ws, "report", "lineage", "--snapshot", "nb1")["lineage"]
               if r["resource"] == "results")["record"]
    assert rec["step_name"] == "train" and [c["resource_name"] for c in rec["code_resources"]] == ["code"]
    if os.environ.get("KEEP_NOTEBOOK_DIR"):  # set by a developer to read the executed notebook
        import shutil

        shutil.copy(nb_path, Path(os.environ["KEEP_NOTEBOOK_DIR"]) / "executed.ipynb")


def test_disabled_magics_and_errors(kws: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.setenv("DWS_MAGIC_DISABLE", "1")
    nb = execute(outside / "off.ipynb", ["%load_ext git_dws.kits.jupyter", "%dws_info", "%dws_history"], outside)
    assert all(not c["outputs"] for c in nb["cells"]), "disabled magics show nothing and do not fail"
    monkeypatch.delenv("DWS_MAGIC_DISABLE")
    with pytest.raises(nbclient.exceptions.CellExecutionError) as e:
        execute(outside / "on.ipynb", ["%load_ext git_dws.kits.jupyter", "%dws_info"], outside)
    message = str(e.value)
    assert "UsageError: not a git repository" in message and "Traceback" not in message  # one line, no trace


def test_notebook_path_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from git_dws.kits import jupyter

    monkeypatch.chdir(tmp_path)
    assert jupyter.notebook_path() == (None, "unknown (set DWS_NOTEBOOK_PATH)")
    (tmp_path / "a.ipynb").write_text("{}")
    assert jupyter.notebook_path() == (str(tmp_path / "a.ipynb"), "the only notebook in the working directory")
    (tmp_path / "b.ipynb").write_text("{}")
    monkeypatch.setenv("JPY_SESSION_NAME", "some/dir/b.ipynb")  # relative to the server root: found here
    assert jupyter.notebook_path() == (str(tmp_path / "b.ipynb"), "JPY_SESSION_NAME")
    monkeypatch.setenv("DWS_NOTEBOOK_PATH", "a.ipynb")
    assert jupyter.notebook_path() == (str(tmp_path / "a.ipynb"), "DWS_NOTEBOOK_PATH")
    assert jupyter.get_step_name_for_notebook() == "a"
