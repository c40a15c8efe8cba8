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
#: The layers, ground floor first (README, « Organisation »): a module imports only modules of its own layer or
#: of the layers below. ``analysis`` (lazy exports) and ``analysis.__main__`` sit on top of everything.
LAYERS = [
    ("analysis.domain",),
    ("analysis.formatting",),
    ("analysis.reference",),
    ("analysis.assumptions",),
    ("analysis.money",),
    ("analysis.xlsx",),
    ("analysis.validation",),
    ("analysis.loading", "analysis.package"),
    ("analysis.workbooks",),
    ("analysis.assessment",),
    ("analysis.reconciliation",),
    ("analysis.rollup",),
    ("analysis.scenarios.model", "analysis.scenarios.engine", "analysis.scenarios.files", "analysis.scenarios.compare"),
    ("analysis.summaries",),
    ("analysis.display", "analysis.national_display"),
    ("analysis.charts",),
    ("analysis.scenarios.ui",),
    ("analysis.pack",),
    ("analysis.report",),
    ("analysis.example", "analysis.synthetic"),
]
TOP = {"analysis", "analysis.__main__", "analysis.scenarios"}


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


def layer(module: str) -> int | None:
    """The rank of ``module`` in :data:`LAYERS` (longest matching prefix); None for the top modules."""
    if module in TOP:
        return None
    best = None
    for rank, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > best[1]):
                best = (rank, len(name))
    assert best is not None, f"{module} n'a pas de couche : l'ajouter à LAYERS (et au README)"
    return best[0]


def _imported(node) -> list[str]:
    """The library modules an import names (``from analysis import display`` names ``analysis.display``)."""
    if isinstance(node, ast.ImportFrom) and node.module == "analysis":
        return [f"analysis.{alias.name}" for alias in node.names]
    return [m for m in _imported_modules(node) if m == "analysis" or m.startswith("analysis.")]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
    """Every import, at module level or inside a function, points to the module's layer or one below."""
    here = _module_name(path)
    rank = layer(here)
    if rank is None:
        return
    up = sorted({m for node in _imports(ast.parse(path.read_text(encoding="utf-8"))) for m in _imported(node)
                 if layer(m) is not None and layer(m) > rank})
    assert not up, f"{here} importe des modules de couches supérieures : {', '.join(up)}"


def test_the_layer_test_sees_an_upward_import():
    """The check itself: an import of the display layer from the assessment layer, even inside a function."""
    tree = ast.parse("def f():\n    from analysis import display\n    import analysis.charts.base\n")
    seen = {m for node in _imports(tree) for m in _imported(node)}
    assert seen == {"analysis.display", "analysis.charts.base"}
    assert all(layer(m) > layer("analysis.assessment.ledger") for m in seen)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_contract_models_are_named_in_the_vocabulary_only(path):
    """Issue 17: no "cls" / "ft" literal outside the vocabulary, where the two contract models are defined
    (``analysis.domain.CLS``, ``analysis.domain.FT``); the rest of the library names a model by its object."""
    import io
    import tokenize

    if _module_name(path) == "analysis.domain":
        return
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    codes = ('"cls"', "'cls'", '"ft"', "'ft'")
    found = [f"ligne {t.start[0]}" for t in tokens if t.type == tokenize.STRING and t.string in codes]
    assert not found, f"codes de contrat écrits en toutes lettres : {', '.join(found)}"
