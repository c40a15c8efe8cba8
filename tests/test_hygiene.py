"""Size and layering of the library (issue 7): short functions, no borrowed private names, imports point down.

The layers, ground floor first: ``domain`` (vocabulary, paths) and ``assumptions`` (the register) import no
other module of the library; the data and analysis modules never import a display module for facts.
"""

import ast
from pathlib import Path

import pytest

import analysis

PACKAGE = Path(analysis.__file__).parent
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))
MAX_FUNCTION_LINES = 60
#: Modules that show things to people; nothing below them imports them.
DISPLAY_MODULES = {"analysis.display", "analysis.summaries", "analysis.charts"}
#: Modules below the display layer.
LOWER_LAYERS = ("analysis.domain", "analysis.assumptions", "analysis.formatting", "analysis.xlsx", "analysis.validation",
                "analysis.loading", "analysis.reconciliation", "analysis.workbooks", "analysis.consumption")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree) -> list[ast.ImportFrom | ast.Import]:
    return [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]


def _imported_modules(node) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""]
    return [alias.name for alias in node.names]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_over_60_lines(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lignes)"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"fonctions de plus de {MAX_FUNCTION_LINES} lignes : {', '.join(long)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_private_name_imported_from_another_module(path):
    here = _module_name(path)
    borrowed = [
        f"{node.module}.{alias.name}"
        for node in _imports(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis") and node.module != here
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert not borrowed, f"noms privés d'autres modules importés : {', '.join(borrowed)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
    here = _module_name(path)
    imported = [m for node in _imports(ast.parse(path.read_text(encoding="utf-8"))) for m in _imported_modules(node)]
    ours = [m for m in imported if m == "analysis" or m.startswith("analysis.")]
    if here in ("analysis.domain", "analysis.assumptions"):
        allowed = {"analysis.formatting"} if here == "analysis.assumptions" else set()
        assert set(ours) <= allowed, f"{here} ne doit importer aucun autre module de la bibliothèque : {ours}"
    if here.startswith(LOWER_LAYERS):
        shown = {m for m in ours if m in DISPLAY_MODULES or m.startswith(tuple(d + "." for d in DISPLAY_MODULES))}
        assert not shown, f"{here} importe un module d'affichage : {shown}"
