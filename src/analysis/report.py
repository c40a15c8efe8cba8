"""Build the report: execute every notebook and write it as HTML under ``data/processed/``.

Run with ``python -m analysis.report`` (``make report``). ``--inplace`` also stores the fresh
outputs back into the notebooks (how maintainers refresh what strict nbval compares).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
PROCESSED = ROOT / "data" / "processed"


def execute_notebook(path: Path, timeout: int = 600):
    """Execute one notebook in its own folder with the current interpreter's kernel; return it."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return nb


def write_html(nb, target: Path) -> Path:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nb)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    return target


def build(notebooks: list[Path], out_dir: Path = PROCESSED, inplace: bool = False) -> list[Path]:
    import nbformat

    written = []
    for path in notebooks:
        print(f"Exécution de {path.relative_to(ROOT)} …", flush=True)
        nb = execute_notebook(path)
        if inplace:
            nbformat.write(nb, path)
        written.append(write_html(nb, out_dir / f"{path.stem}.html"))
        print(f"  -> {written[-1].relative_to(ROOT)}", flush=True)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Exécute les notebooks et écrit le rapport HTML.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks à exécuter (défaut : tous)")
    parser.add_argument("--inplace", action="store_true", help="enregistre aussi les sorties dans les notebooks")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    build(paths, inplace=args.inplace)
    print(f"Rapport écrit dans {PROCESSED.relative_to(ROOT)}/ ({len(paths)} notebooks).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
