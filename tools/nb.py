"""Tiny helper to write notebooks from (kind, source) pairs (maintainers' tool)."""
from pathlib import Path

import nbformat


def write(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell(src.strip()) if kind == "md" else nbformat.v4.new_code_cell(src.strip())
        for kind, src in cells
    ]
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{number:02d}"  # stable ids: no churn in diffs
    nbformat.write(nb, Path(path))
