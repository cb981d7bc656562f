"""The notebooks run top to bottom on data/samples without an error (their assert cells pass)."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = ["quickstart", "careers_and_succession", "networks_and_centrality"]


def test_the_notebooks_are_the_generated_ones():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, built in (("quickstart", module.QUICKSTART), ("careers_and_succession", module.CAREERS),
                        ("networks_and_centrality", module.NETWORKS)):
        stored = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        assert [c.source for c in stored.cells] == [c.source for c in built.cells], \
            f"{name}.ipynb is stale: run .venv/bin/python notebooks/make_notebooks.py"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    asserts = [c for c in nb.cells if c.cell_type == "code" and "assert" in c.source]
    assert len(asserts) >= 3
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
