"""Build the report: execute every notebook and write it as HTML under ``data/processed/``.

Run with ``python -m analysis.report`` (``make report``). ``--inplace`` also stores the fresh
outputs back into the notebooks (how maintainers refresh what strict nbval compares).

Every file is written atomically (:func:`analysis.xlsx.write_atomic`: a temporary file in the same
folder, then a rename): a failed write leaves the previous notebook or page as it was.
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
    """Write ``nb`` as an HTML page (atomically)."""
    from nbconvert import HTMLExporter

    from analysis.xlsx import write_atomic

    body, _ = HTMLExporter().from_notebook_node(nb)
    return write_atomic(target, body.encode("utf-8"))


def write_notebook(nb, path: Path) -> Path:
    """Store ``nb`` (with its outputs) in ``path`` as ``nbformat.write`` would, but atomically."""
    import nbformat

    from analysis.xlsx import write_atomic

    text = nbformat.writes(nb)
    return write_atomic(path, (text if text.endswith("\n") else text + "\n").encode("utf-8"))


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def build(notebooks: list[Path], out_dir: Path = PROCESSED, inplace: bool = False) -> list[Path]:
    written = []
    for path in notebooks:
        print(f"Exécution de {_shown(path)} …", flush=True)
        nb = execute_notebook(path)
        if inplace:
            write_notebook(nb, path)
        written.append(write_html(nb, out_dir / f"{path.stem}.html"))
        print(f"  -> {_shown(written[-1])}", flush=True)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Exécute les notebooks et écrit le rapport HTML.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks à exécuter (défaut : tous)")
    parser.add_argument("--inplace", action="store_true", help="enregistre aussi les sorties dans les notebooks")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    build(paths, inplace=args.inplace)
    print(f"Rapport écrit dans {_shown(PROCESSED)}/ ({len(paths)} notebooks).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
