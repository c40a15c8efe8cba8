"""Notebooks as text: every notebook is paired with a percent-format ``.py`` file, and the pair agrees.

The ``.py`` file is the source people edit, lint and review; the ``.ipynb`` keeps the outputs that strict
nbval compares. After editing either side, run ``jupytext --sync notebooks/*.ipynb`` (``make notebooks``).
"""

from pathlib import Path

import jupytext
import pytest
from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
IPYNB = sorted(NOTEBOOKS.glob("*.ipynb"))
TEXT = sorted(NOTEBOOKS.glob("*.py"))


def cells(path: Path) -> list[tuple[str, str]]:
    """The cells of a notebook as (type, source), read with jupytext whatever the format."""
    notebook = jupytext.read(path)
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_the_folder_pairs_notebooks_with_percent_scripts():
    config_file = find_jupytext_configuration_file(str(NOTEBOOKS))
    assert config_file is not None and Path(config_file).parent == NOTEBOOKS
    config = load_jupytext_configuration_file(config_file)
    assert config.formats in ("ipynb,py:percent", ["ipynb,py:percent"])


def test_there_are_notebooks():
    assert len(IPYNB) >= 3


@pytest.mark.parametrize("notebook", IPYNB, ids=lambda p: p.name)
def test_every_notebook_has_its_text_file(notebook):
    assert notebook.with_suffix(".py").exists(), f"{notebook.name} n'a pas de fichier texte apparié (jupytext --sync)"


@pytest.mark.parametrize("script", TEXT, ids=lambda p: p.name)
def test_every_text_file_has_its_notebook(script):
    assert script.with_suffix(".ipynb").exists(), f"{script.name} n'a pas de notebook apparié (jupytext --sync)"
    assert script.read_text(encoding="utf-8").lstrip().startswith("# ---"), f"{script.name} n'est pas au format percent"


@pytest.mark.parametrize("notebook", IPYNB, ids=lambda p: p.name)
def test_pair_is_in_sync(notebook):
    script = notebook.with_suffix(".py")
    if not script.exists():
        pytest.skip("pas de fichier texte (voir test_every_notebook_has_its_text_file)")
    in_notebook, in_script = cells(notebook), cells(script)
    assert [t for t, _ in in_notebook] == [t for t, _ in in_script], f"{notebook.name} : types de cellules différents"
    for number, (a, b) in enumerate(zip(in_notebook, in_script)):
        assert a == b, f"{notebook.name}, cellule {number} : le notebook et {script.name} diffèrent (jupytext --sync)"


@pytest.mark.parametrize("notebook", IPYNB, ids=lambda p: p.name)
def test_notebooks_define_no_function(notebook):
    """Notebooks stay thin: a function belongs in src/analysis/."""
    for kind, source in cells(notebook):
        if kind == "code":
            assert not any(line.lstrip().startswith(("def ", "class ")) for line in source.splitlines()), notebook.name
