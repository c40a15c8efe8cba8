"""Build the report: execute every notebook with its parameters, write its HTML, print the packs to PDF.

``python -m analysis report [--execution PATH ...] [--out DIR] [--only NOTEBOOK ...]`` (``make report
EXECUTION=... OUT=...``; also ``python -m analysis.report``):

- the inputs are checked **before** any notebook runs: a workbook the strict reader rejects stops the run
  with the reader's French error and exit code 2, never a traceback;
- each notebook's ``parameters`` cell (tagged as papermill does) is followed by an injected cell
  (tagged ``injected-parameters``) that sets ``execution`` (the paths given) and ``sortie`` (the output
  folder): every page reads the same workbooks and writes only under ``--out``;
- progress per notebook (name, step, elapsed time), then a summary of every file written: the HTML of each
  notebook, the packs (``bilan_mi_parcours_cls_2024-2025.xlsx``, ``bilan_final_ft_2024.xlsx``), their figures
  (PNG and SVG), their printed reports (``<pack>.html``) and, where Debian's ``chromium`` is installed, a PDF
  of each pack printed from that report (otherwise a French line says how to get it);
- the kernel runs over IPC (no transport warning), the HTML carries no date: two runs on the same inputs
  give the same bytes; the HTML pages are for readers: code cells are left out (the notebooks keep them).

``--inplace`` stores the fresh outputs back into the notebooks (how maintainers refresh what strict nbval
compares); it runs on the embedded example only. Every file is written atomically
(:func:`analysis.xlsx.write_atomic`).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from analysis.domain import NOTEBOOKS_DIR, PACK_FILES, PROCESSED_DIR, ROOT
from analysis.formatting import format_number
from analysis.pack.printed import CHROMIUM_FLAGS, chromium, fixed_pdf_dates, print_pdf  # noqa: F401 (the report's API)

NOTEBOOKS = NOTEBOOKS_DIR
PROCESSED = PROCESSED_DIR
#: The notebooks that produce a pack, and the pack's PDF: printed from the pack's report page written next to the
#: workbook (same name, ``.html``), not from the notebook's page.
PACK_NOTEBOOKS = {
    "05_bilan_mi_parcours": Path(PACK_FILES["cls"].format(first=2024, last=2025)).with_suffix(".pdf").name,
    "06_bilan_final_france_travail": Path(PACK_FILES["ft"].format(year=2024)).with_suffix(".pdf").name,
}
NO_CHROMIUM = ("PDF non produit : Chromium est introuvable. Pour l'obtenir, installer le paquet Debian « chromium » "
               "(apt-get install chromium) puis relancer make report, ou ouvrir {html} dans un navigateur et "
               "l'imprimer en PDF (paysage).")


def shown(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def seconds(value: float) -> str:
    return f"{format_number(value, 1)} s"


# --------------------------------------------------------------------------------------------------
# Notebooks: parameters, execution, HTML
# --------------------------------------------------------------------------------------------------


def inject_parameters(nb, parameters: dict) -> bool:
    """Insert after the cell tagged ``parameters`` a cell tagged ``injected-parameters`` that sets
    ``parameters`` (as papermill does); False when the notebook has no such cell (nothing injected)."""
    import nbformat

    if not parameters:
        return True
    index = next((i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if index is None:
        return False
    source = "# Paramètres injectés\n" + "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    cell["id"] = "injected-parameters"  # fixed: the HTML stays the same from one run to the next
    nb.cells.insert(index + 1, cell)
    return True


def has_parameters_cell(path: Path) -> bool:
    """Whether the notebook has a cell tagged ``parameters``."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells)


def execute_notebook(path: Path, parameters: dict | None = None, timeout: int = 600):
    """Execute one notebook in its own folder with the current interpreter's kernel (over IPC, so the kernel
    prints no transport warning), ``parameters`` injected after its ``parameters`` cell; returns it."""
    import nbformat
    from jupyter_client import KernelManager
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    inject_parameters(nb, parameters or {})
    with tempfile.TemporaryDirectory(prefix="analysis-kernel-") as folder:
        km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(folder, "kernel"))
        client = NotebookClient(nb, km=km, timeout=timeout, record_timing=False,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        finally:
            if km.has_kernel:  # a kernel manager given to nbclient is not shut down by it
                km.shutdown_kernel(now=True)
    return nb


#: Print style of a pack's page (Chromium prints it to PDF): A4 landscape, small type, tables wrapped.
PRINT_STYLE = ("<style>@page { size: A4 landscape; margin: 12mm; } @media print { body { font-size: 9pt; } "
               ".jp-RenderedHTMLCommon table { font-size: 7.5pt; table-layout: auto; } "
               ".jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { white-space: normal; } }</style>")
_WIDGET_IDS = (re.compile(r'"model_id": "([0-9a-f]{32})"'), re.compile(r'"([0-9a-f]{32})": \{"model_name"'))
_OUTPUT_IDS = re.compile(r'id="([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"')


def stable_ids(html: str) -> str:
    """The random ids a page gets at each run (widget models, widget output areas) replaced by ids numbered
    in order of appearance, so that two runs give the same bytes."""
    models = dict.fromkeys(m for pattern in _WIDGET_IDS for m in pattern.findall(html))
    outputs = dict.fromkeys(_OUTPUT_IDS.findall(html))
    for n, old in enumerate(sorted(models, key=html.index), start=1):
        html = html.replace(old, f"{n:032x}")
    for n, old in enumerate(sorted(outputs, key=html.index), start=1):
        html = html.replace(old, f"00000000-0000-4000-8000-{n:012x}")
    return html


def html_bytes(nb, without_code: bool = False) -> bytes:
    """The notebook as an HTML page (code cells left out for a pack); no date, no random id in it."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=without_code, exclude_input_prompt=without_code,
                            exclude_output_prompt=without_code)
    body, _ = exporter.from_notebook_node(nb)
    if without_code:  # a pack: printed landscape, its tables never cut at the right margin
        body = body.replace("</head>", f"{PRINT_STYLE}</head>", 1)
    return stable_ids(body).encode("utf-8")


def write_html(nb, target: Path, without_code: bool = False) -> Path:
    """Write ``nb`` as an HTML page (atomically)."""
    from analysis.xlsx import write_atomic

    return write_atomic(target, html_bytes(nb, without_code))


def write_notebook(nb, path: Path) -> Path:
    """Store ``nb`` (with its outputs) in ``path`` as ``nbformat.write`` would, but atomically."""
    import nbformat

    from analysis.xlsx import write_atomic

    text = nbformat.writes(nb)
    return write_atomic(path, (text if text.endswith("\n") else text + "\n").encode("utf-8"))


# --------------------------------------------------------------------------------------------------
# PDF: each pack's printed report (its own page, :mod:`analysis.pack.printed`) through headless Chromium
# --------------------------------------------------------------------------------------------------


def print_pack(stem: str, out: Path, position: str, start: float) -> list[Path]:
    """Print the report page the pack's notebook wrote next to its workbook (``<pack>.html``) to ``<pack>.pdf``;
    without Chromium, or without that page, say so (in French) and print nothing."""
    pdf = out / PACK_NOTEBOOKS[stem]
    page = pdf.with_suffix(".html")
    browser = chromium()
    if browser is None:
        print(f"{position} {stem} : " + NO_CHROMIUM.format(html=shown(page)), flush=True)
        return []
    if not page.is_file():
        print(f"{position} {stem} : PDF non produit : le notebook n'a pas écrit le rapport imprimable {page.name}", flush=True)
        return []
    print_pdf(page, pdf, browser)
    print(f"{position} {stem} : PDF imprimé ({seconds(time.monotonic() - start)})", flush=True)
    return [pdf]


# --------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------


def notebook_paths(only: list[str] | None = None) -> list[Path]:
    """The numbered notebooks, or those named in ``only`` (a path, a file name, a stem or its number)."""
    every = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not only:
        return every
    chosen = []
    for name in only:
        path = Path(name)
        if path.suffix == ".ipynb" and path.is_file():
            chosen.append(path.resolve())
            continue
        hits = [p for p in every if p.stem == path.stem or p.stem.startswith(f"{name}_") or p.name == name]
        if len(hits) != 1:
            known = ", ".join(p.stem for p in every)
            raise ValueError(f"notebook « {name} » introuvable (notebooks : {known})")
        chosen.append(hits[0])
    return chosen


#: What each notebook needs among the workbooks read: (convention, years) pairs, all required; the reason said
#: when one is missing. 00 and 01 read the contract first and run on any workbooks.
NOTEBOOK_NEEDS = {
    "02_cibles_et_resultats": ((("cls", None), ("ft", (2024,))), "les indicateurs des deux conventions"),
    "03_consommation_et_risques": ((("cls", None), ("ft", (2024,))), "les crédits des deux conventions"),
    "04_scenarios": ((("cls", None), ("ft", (2024,))), "les scénarios des deux conventions"),
    "05_bilan_mi_parcours": ((("cls", (2024, 2025)),), "le bilan à mi-parcours du CLS"),
    "06_bilan_final_france_travail": ((("ft", (2024,)),), "le bilan final France Travail 2024"),
}
_NEEDED_LABELS = {("cls", None): "du CLS", ("ft", (2024,)): "France Travail 2024", ("cls", (2024, 2025)): "du CLS pour 2024 "
                  "ou 2025"}


def check_inputs(execution: list[str] | None) -> dict:
    """Read the inputs once before any notebook runs (raises the reader's French error); returns the notebooks
    that cannot run on them, with the reason (e.g. no France Travail 2024 workbook): they are skipped, and said."""
    from analysis.pack.run import load_inputs

    w = load_inputs(execution or None).execution.workbooks
    have = {(str(c), int(y)) for c, y in zip(w["convention"], w["year"])}
    skipped = {}
    for name, (needs, what) in NOTEBOOK_NEEDS.items():
        missing = [n for n in needs if not any(c == n[0] and (n[1] is None or y in n[1]) for c, y in have)]
        if missing:
            labels = " ni ".join(f"bilan d'exécution {_NEEDED_LABELS[n]}" for n in missing)
            skipped[name] = f"aucun {labels} dans les classeurs fournis (cette page porte sur {what})"
    return skipped


class NotebookFailed(RuntimeError):
    """A notebook stopped on an error; the message (French) names the notebook and the error."""


def _files(folder: Path) -> dict:
    if not folder.is_dir():
        return {}
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")}


def run_notebook(path: Path, out: Path, parameters: dict, inplace: bool, position: str) -> list[Path]:
    """Execute one notebook, write its HTML (and its PDF for a pack); print the steps with their time."""
    from nbclient.exceptions import CellExecutionError

    start = time.monotonic()
    print(f"{position} {path.stem} : exécution …", flush=True)
    injectable = bool(parameters) and has_parameters_cell(path)
    if parameters and not injectable:
        print(f"{position} {path.stem} : pas de cellule « parameters » : exécuté sur l'exemple embarqué", flush=True)
    try:
        nb = execute_notebook(path, parameters) if injectable else execute_notebook(path)
    except CellExecutionError as exc:
        raise NotebookFailed(f"le notebook {path.stem} s'est arrêté sur une erreur ({exc.ename} : {exc.evalue})") from None
    written = [write_notebook(nb, path)] if inplace else []
    pack = path.stem in PACK_NOTEBOOKS
    html = write_html(nb, out / f"{path.stem}.html", without_code=True)
    written.append(html)
    print(f"{position} {path.stem} : HTML écrit ({seconds(time.monotonic() - start)})", flush=True)
    if pack:
        written += print_pack(path.stem, out, position, start)
    return written


def build(notebooks: list[Path], out_dir: Path = PROCESSED, inplace: bool = False, execution: list[str] | None = None,
          skipped: dict | None = None) -> list[Path]:
    """Run ``notebooks`` with the parameters (``execution`` paths, ``out_dir`` folder), except those of
    ``skipped`` (name -> reason, said); returns every file written under ``out_dir`` (HTML, packs, figures,
    PDF) and the notebooks stored with ``inplace``."""
    out = Path(out_dir).resolve()
    parameters = {}
    if execution:
        parameters["execution"] = [str(Path(p).resolve()) for p in execution]
    if out != PROCESSED.resolve():
        parameters["sortie"] = str(out)
    before = _files(out)
    written = []
    for i, path in enumerate(notebooks, start=1):
        if path.stem in (skipped or {}):
            print(f"[{i}/{len(notebooks)}] {path.stem} : non exécuté, {skipped[path.stem]}", flush=True)
            continue
        written += run_notebook(path, out, parameters, inplace, f"[{i}/{len(notebooks)}]")
    after = _files(out)
    changed = [p for p, m in after.items() if before.get(p) != m]
    return sorted(set(written) | set(changed))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis report",
                                     description="Exécute les notebooks avec leurs paramètres et écrit le rapport : "
                                                 "pages HTML, bilans Excel, figures et PDF.")
    parser.add_argument("notebooks", nargs="*", help="notebooks à exécuter (chemins ; défaut : tous)")
    parser.add_argument("--execution", nargs="+", metavar="CHEMIN",
                        help="dossiers ou classeurs de bilans d'exécution (défaut : l'exemple fictif embarqué)")
    parser.add_argument("--out", type=Path, default=PROCESSED, metavar="DOSSIER",
                        help=f"dossier de sortie (défaut : {shown(PROCESSED)})")
    parser.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="n'exécuter que ces notebooks (ex. 05 06)")
    parser.add_argument("--inplace", action="store_true",
                        help="enregistre aussi les sorties dans les notebooks (exemple embarqué seulement)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.inplace and (args.execution or Path(args.out).resolve() != PROCESSED.resolve()):
            raise ValueError("--inplace ne s'utilise qu'avec l'exemple embarqué et la sortie par défaut")
        paths = notebook_paths([*args.notebooks, *(args.only or [])])
        skipped = check_inputs(args.execution)
    except (ValueError, FileNotFoundError, OSError) as exc:  # WorkbookError is a ValueError: the reader's message
        print(f"Rapport non produit, aucun notebook exécuté.\n{exc}", file=sys.stderr)
        return 2
    start = time.monotonic()
    try:
        written = build(paths, Path(args.out), inplace=args.inplace, execution=args.execution, skipped=skipped)
    except NotebookFailed as exc:
        print(f"Rapport incomplet : {exc}.", file=sys.stderr)
        return 1
    print(f"Rapport écrit dans {shown(args.out)}/ : {len(paths)} notebook(s) en {seconds(time.monotonic() - start)}, "
          f"{len(written)} fichier(s) :")
    for path in written:
        print(f"  - {shown(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
