"""The notebooks run top to bottom on the shared data, and are committed without outputs.

Each notebook is executed with nbclient on a ``python3`` kernel that runs in *this* interpreter
(the venv the tests run in, where the project and ipykernel are installed): a kernelspec pointing
at ``sys.executable`` is put first on ``JUPYTER_PATH``, so no other ``python3`` kernel on the
machine is picked up. A failing cell fails the test.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.conftest import PROJECT_ROOT, shared_path

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def python3_kernel(tmp_path_factory, monkeypatch_module):
    """A ``python3`` kernelspec that starts ipykernel in the interpreter running the tests."""
    pytest.importorskip("ipykernel", reason="ipykernel is not installed: pip install '.[test]'")
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (tests)",
                "language": "python",
            }
        )
    )
    monkeypatch_module.setenv("JUPYTER_PATH", str(root))
    return "python3"


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def execute(nb: nbformat.NotebookNode, kernel: str, cwd: Path) -> nbformat.NotebookNode:
    """Run every cell in order in ``cwd``; raise CellExecutionError at the first failing cell."""
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(cwd)}},
    )
    return client.execute()


def test_there_are_three_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert len(names) >= 3, names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    for i, cell in enumerate(code):
        assert cell.get("outputs") == [], f"code cell {i} has outputs: strip them"
        assert cell.get("execution_count") is None, f"code cell {i} has an execution count"
    assert "widgets" not in nb.metadata, "notebook metadata holds widget state"


@pytest.mark.shared
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom(path, python3_kernel):
    # every notebook reads the extracts and the reference files
    shared_path("osm", "hengelo.osm.pbf")
    shared_path("osm", "spijkenisse.osm.pbf")
    shared_path("osm", "liechtenstein.osm.pbf")
    shared_path("geo", "pc4.geojson")
    shared_path("reference", "trips.csv")
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    done = execute(nb, python3_kernel, path.parent)
    seconds = time.perf_counter() - start
    code = [c for c in done.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "not every cell ran"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    # each tells its story with real output: text, tables and at least one figure
    kinds = {k for c in code for o in c.outputs for k in o.get("data", {})}
    assert "image/png" in kinds, "no figure was drawn"
    assert seconds < 240, f"{path.name} took {seconds:.0f} s: keep notebooks fast for CI"


def test_a_failing_cell_fails(python3_kernel, tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_code_cell("raise ValueError('this cell fails')"),
            nbformat.v4.new_code_cell("y = 2"),
        ]
    )
    with pytest.raises(CellExecutionError, match="this cell fails"):
        execute(nb, python3_kernel, tmp_path)
    assert nb.cells[2].get("execution_count") is None  # nothing after the failure ran


def test_kernel_runs_in_this_interpreter(python3_kernel, tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import sys, os; print(sys.executable); print(os.getcwd())")]
    )
    execute(nb, python3_kernel, tmp_path)
    printed = nb.cells[0].outputs[0]["text"].splitlines()
    assert Path(printed[0]).resolve() == Path(sys.executable).resolve()
    assert Path(printed[1]).resolve() == tmp_path.resolve()
