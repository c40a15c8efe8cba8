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

The output folder is checked before any notebook runs (a file, a folder that cannot be written: French
error, exit code 2). The run writes into a folder of its own beside ``--out`` (the notebooks receive it as
``sortie``), then moves every file into ``--out`` at the end, each previous file set aside and put back if a
move fails: an interrupted or failed run leaves the previous results whole. A write failure is a French
error naming the file (exit code 1); Ctrl+C stops the run with « interrompu » (exit code 130), never a
traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from analysis.domain import CLS, FT, NOTEBOOKS_DIR, PACK_FILES, PROCESSED_DIR, ROOT
from analysis.formatting import format_number
from analysis.pack.printed import CHROMIUM_FLAGS, chromium, fixed_pdf_dates, print_pdf  # noqa: F401 (the report's API)

NOTEBOOKS = NOTEBOOKS_DIR
PROCESSED = PROCESSED_DIR
#: The notebooks that produce a pack, and the pack's PDF: printed from the pack's report page written next to the
#: workbook (same name, ``.html``), not from the notebook's page.
PACK_NOTEBOOKS = {
    "05_bilan_mi_parcours": Path(PACK_FILES[CLS.code].format(first=2024, last=2025)).with_suffix(".pdf").name,
    "06_bilan_final_france_travail": Path(PACK_FILES[FT.code].format(year=2024)).with_suffix(".pdf").name,
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


def without_injected(nb):
    """``nb`` without the cell of injected parameters: what ``--inplace`` stores (the run's folder is not kept)."""
    import copy

    stored = copy.deepcopy(nb)
    stored.cells = [c for c in stored.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    count = 0
    for cell in stored.cells:  # the execution counts follow on, as if the cell had never been there
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for output in cell.outputs:
                if "execution_count" in output:
                    output["execution_count"] = count
    return stored


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
    "02_cibles_et_resultats": (((CLS.code, None), (FT.code, (2024,))), "les indicateurs des deux conventions"),
    "03_consommation_et_risques": (((CLS.code, None), (FT.code, (2024,))), "les crédits des deux conventions"),
    "04_scenarios": (((CLS.code, None), (FT.code, (2024,))), "les scénarios des deux conventions"),
    "05_bilan_mi_parcours": (((CLS.code, (2024, 2025)),), "le bilan à mi-parcours du CLS"),
    "06_bilan_final_france_travail": (((FT.code, (2024,)),), "le bilan final France Travail 2024"),
}
_NEEDED_LABELS = {(CLS.code, None): "du CLS", (FT.code, (2024,)): "France Travail 2024",
                  (CLS.code, (2024, 2025)): "du CLS pour 2024 ou 2025"}


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


#: The national view (issue 17) reads the national set that ``make national`` writes, not one département's workbooks.
NATIONAL_NOTEBOOK = "07_vue_nationale"


def national_skip(execution: list[str] | None) -> dict:
    """The national view skipped, with its reason, when the report runs on one département's workbooks or when the
    national set has not been written (``make national``)."""
    from analysis.domain import NATIONAL_DIR

    if execution:
        return {NATIONAL_NOTEBOOK: "la vue nationale lit le jeu national (make national), pas les classeurs d'un département"}
    if not (NATIONAL_DIR / "contracts").is_dir():
        return {NATIONAL_NOTEBOOK: "jeu national absent (le produire avec make national)"}
    return {}


class NotebookFailed(RuntimeError):
    """A notebook stopped on an error; the message (French) names the notebook and the error."""


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
    written = [write_notebook(without_injected(nb), path)] if inplace else []
    pack = path.stem in PACK_NOTEBOOKS
    html = write_html(nb, out / f"{path.stem}.html", without_code=True)
    written.append(html)
    print(f"{position} {path.stem} : HTML écrit ({seconds(time.monotonic() - start)})", flush=True)
    if pack:
        written += print_pack(path.stem, out, position, start)
    return written


def build(notebooks: list[Path], out_dir: Path = PROCESSED, inplace: bool = False, execution: list[str] | None = None,
          skipped: dict | None = None) -> list[Path]:
    """Run ``notebooks`` with the parameters (``execution`` paths, the run's own output folder), except those of
    ``skipped`` (name -> reason, said); returns every file written under ``out_dir`` (HTML, packs, figures,
    PDF) and the notebooks stored with ``inplace``. The files reach ``out_dir`` only once every notebook has
    run (:func:`staged_run`)."""
    out = Path(out_dir).resolve()

    def run(staging: Path) -> list[Path]:
        parameters = {}
        if execution:
            parameters["execution"] = [str(Path(p).resolve()) for p in execution]
        parameters["sortie"] = str(staging)  # a stored notebook never keeps it (without_injected)
        written = []
        for i, path in enumerate(notebooks, start=1):
            if path.stem in (skipped or {}):
                print(f"[{i}/{len(notebooks)}] {path.stem} : non exécuté, {skipped[path.stem]}", flush=True)
                continue
            with _ctrl_c_stops_the_run():
                written += run_notebook(path, staging, parameters, inplace, f"[{i}/{len(notebooks)}]")
        return written

    return staged_run(out, run)


# --------------------------------------------------------------------------------------------------
# The output folder: checked before any notebook runs, written through a folder of the run's own
# --------------------------------------------------------------------------------------------------


class OutputError(ValueError):
    """The output folder cannot be used (a file, a folder that cannot be written); the message is French."""


class ReportWriteError(OSError):
    """A file of the report could not be moved into place; the message (``strerror``) is French. ``kept``: the
    run's folder, kept because it holds previous files that could not be put back (None otherwise)."""

    kept: Path | None = None


#: Set when Ctrl+C was pressed during the run (a library may swallow the KeyboardInterrupt it raises).
_INTERRUPTED = threading.Event()
#: Written into ``--out`` when its files could not all be put back after a failed move (see :func:`staged_run`).
INCOMPLETE = "RAPPORT_INCOMPLET.txt"


def _os_reason(exc: OSError) -> str:
    reasons = {errno.EACCES: "accès refusé", errno.EPERM: "accès refusé", errno.EROFS: "dossier en lecture seule",
               errno.ENOSPC: "disque plein", errno.EDQUOT: "quota disque dépassé", errno.ENOTDIR: "un fichier barre le chemin",
               errno.EISDIR: "c'est un dossier"}
    return reasons.get(exc.errno, exc.strerror or type(exc).__name__)


def check_output(out: Path) -> Path:
    """``out`` (resolved) once it is known to be a folder, or a folder to create, where the run can write its
    own folder and then its files; OutputError (French) otherwise. Nothing is left behind by the check."""
    out = Path(out).resolve()
    try:
        return _check_output(out)
    except OSError as exc:  # a folder on the way that cannot even be looked at
        raise OutputError(f"dossier de sortie {shown(out)} inaccessible ({_os_reason(exc)}) ; choisir un autre dossier "
                          "avec --out") from None


def _check_output(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise OutputError(f"dossier de sortie {shown(out)} : c'est un fichier, pas un dossier ; donner un dossier "
                          "(créé s'il n'existe pas)")
    ancestor = next((a for a in out.parents if a.exists()), out)
    if not ancestor.is_dir():
        raise OutputError(f"dossier de sortie {shown(out)} impossible : {shown(ancestor)} est un fichier, pas un dossier")
    for folder in dict.fromkeys([ancestor, *([out] if out.exists() else [])]):
        try:
            handle, probe = tempfile.mkstemp(prefix=".analysis-essai-", dir=folder)
            os.close(handle)
            os.unlink(probe)
        except OSError as exc:
            raise OutputError(f"dossier de sortie {shown(out)} : impossible d'écrire dans {shown(folder)} "
                              f"({_os_reason(exc)}) ; choisir un autre dossier avec --out") from None
    return out


def staging_folder(out: Path) -> Path:
    """The run's own folder: beside ``out`` (inside it when ``out`` is a mount point, so that files move by
    renaming), with the same name each time (the pages a run writes never depend on a random name)."""
    out = Path(out).resolve()
    if out.is_dir() and out.stat().st_dev != out.parent.stat().st_dev:
        return out / ".rapport-en-cours"
    return out.parent / f".{out.name}.rapport-en-cours"


def staged_run(out: Path, run) -> list[Path]:
    """``run(folder)`` writes into ``folder/nouveau`` (beside ``out``); then every file is moved into ``out``
    (:func:`_commit`). Whatever stops the run (an error, Ctrl+C), ``out`` keeps its previous files and the
    run's folder is removed. Returns the files moved into ``out`` and those ``run`` wrote elsewhere."""
    root = staging_folder(out)
    shutil.rmtree(root, ignore_errors=True)  # left by a run killed outright
    new = root / "nouveau"
    new.mkdir(parents=True)
    keep = False
    try:
        elsewhere = [p for p in run(new) if not Path(p).resolve().is_relative_to(root)]
        if _INTERRUPTED.is_set():
            raise KeyboardInterrupt
        return sorted(set(elsewhere) | set(_commit(new, out, root / "ancien")))
    except ReportWriteError as exc:
        keep = exc.kept is not None  # previous files of ``out`` that could not be put back are kept there
        raise
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def _ctrl_c_stops_the_run():
    """While a notebook runs, nbclient takes Ctrl+C over (its handler shuts the kernel down and the run goes
    on, up to a successful end): inside the block, no event loop may take SIGINT, so that Ctrl+C raises
    KeyboardInterrupt in the run, and :func:`execute_notebook` shuts its kernel down on the way out."""
    import asyncio

    loop_class = asyncio.SelectorEventLoop
    original = loop_class.add_signal_handler

    def add_signal_handler(loop, sig, callback, *args):
        if sig == signal.SIGINT:
            raise RuntimeError("Ctrl+C reste à la commande")  # nbclient then goes on without a handler
        return original(loop, sig, callback, *args)

    loop_class.add_signal_handler = add_signal_handler
    try:
        yield
    finally:
        loop_class.add_signal_handler = original


@contextlib.contextmanager
def _ctrl_c_held():
    """Ctrl+C is held (remembered, not raised) inside the block; the block yields the list of presses."""
    pressed: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield pressed
        return
    def hold(*_):
        _INTERRUPTED.set()
        pressed.append(True)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)


def _commit(new: Path, out: Path, aside: Path) -> list[Path]:
    """Move every file of ``new`` to the same place under ``out``, the previous file set aside in ``aside``
    first; if a move fails, every file moved is put back and ReportWriteError names the file. Ctrl+C waits
    for the end of the moves (a few renames), then stops the run."""
    moved: list[tuple[Path, Path | None]] = []
    with _ctrl_c_held() as pressed:
        for source in sorted(p for p in new.rglob("*") if p.is_file()):
            relative = source.relative_to(new)
            target, previous = out / relative, None
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists() or target.is_symlink():
                    previous = aside / relative
                    previous.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(target, previous)
                moved.append((target, previous))
                os.replace(source, target)
            except OSError as exc:
                _undo(moved, out, aside, exc)
        (out / INCOMPLETE).unlink(missing_ok=True)
    if pressed:
        raise KeyboardInterrupt(f"Ctrl+C reçu pendant la mise en place des résultats, menée à son terme : {shown(out)} "
                                "contient les résultats complets de cette exécution")
    return [target for target, _ in moved]


def _undo(moved: list, out: Path, aside: Path, exc: OSError) -> None:
    """Put back the previous files after a failed move; raise ReportWriteError naming the file."""
    failed = []
    for target, previous in reversed(moved):
        try:
            if previous is not None:
                os.replace(previous, target)
            else:
                target.unlink(missing_ok=True)
        except OSError:
            failed.append(target)
    what = f"{exc.filename} ({_os_reason(exc)})" if exc.filename else _os_reason(exc)
    if not failed:
        raise ReportWriteError(exc.errno, f"mise en place des résultats impossible : {what} ; rien n'a été modifié "
                                          f"dans {shown(out)}, les résultats précédents sont intacts") from None
    with contextlib.suppress(OSError):
        (out / INCOMPLETE).write_text(f"Exécution incomplète : les fichiers précédents sont dans {aside}.\n", encoding="utf-8")
    error = ReportWriteError(exc.errno, f"mise en place des résultats impossible : {what} ; {shown(out)} est incomplet "
                                        f"(voir {INCOMPLETE}), les fichiers précédents sont gardés dans {aside}")
    error.kept = aside
    raise error from None


@contextlib.contextmanager
def ctrl_c_handled():
    """For a whole command: the first Ctrl+C sets :data:`_INTERRUPTED` and raises KeyboardInterrupt in the main
    thread; later presses are ignored while the run stops. The operating system may hand the signal to any
    thread, and the main thread may be waiting in C code that only a signal of its own interrupts (a kernel's
    reply): a watcher thread hands every Ctrl+C on to the main thread until it has been seen there."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _INTERRUPTED.clear()
    previous = signal.signal(signal.SIGINT, _record_ctrl_c)
    read, write = os.pipe()
    os.set_blocking(write, False)
    wakeup = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    watcher = threading.Thread(target=_hand_on_ctrl_c, args=(read, threading.main_thread().ident), daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(wakeup)
        os.close(write)  # the watcher reads the end of the pipe and stops
        watcher.join(2)
        os.close(read)
        signal.signal(signal.SIGINT, previous)


def _hand_on_ctrl_c(read: int, main: int) -> None:
    while data := os.read(read, 64):
        if signal.SIGINT in data:
            time.sleep(0.05)  # the main thread may be about to see it
            if not _INTERRUPTED.is_set():
                signal.pthread_kill(main, signal.SIGINT)


def _record_ctrl_c(signum, frame):
    if _INTERRUPTED.is_set():
        return  # the run is already stopping
    _INTERRUPTED.set()
    _cancel_pending_tasks()
    raise KeyboardInterrupt


def _cancel_pending_tasks() -> None:
    """When Ctrl+C lands while nbclient's event loop runs a notebook, the loop's other tasks are cancelled: the
    loop runs again when the kernel is shut down, and a pending task would wait there for the cell's reply
    (up to the cell's timeout). Their outcome is collected so that nothing is printed about them later."""
    import asyncio

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    current = asyncio.current_task(loop)
    for task in asyncio.all_tasks(loop):
        task.add_done_callback(_collect)
        if task is not current:
            task.cancel()


def _collect(task) -> None:
    if not task.cancelled():
        task.exception()


def _interrupted(exc: KeyboardInterrupt, out: Path) -> int:
    _forget_kernel_cleanups()
    detail = str(exc) or f"rien n'a été modifié dans {shown(out)}, les résultats précédents sont intacts"
    print(f"\nRapport interrompu (Ctrl+C) : {detail}.", file=sys.stderr)
    return 130


def _forget_kernel_cleanups() -> None:
    """A notebook stopped by Ctrl+C leaves nbclient's clean-up registered for the interpreter's exit, where it
    would print a traceback; the kernel is already shut down (:func:`execute_notebook`)."""
    import atexit
    import gc

    client_class = getattr(sys.modules.get("nbclient.client"), "NotebookClient", None)
    if client_class is None:
        return
    for obj in gc.get_objects():
        if isinstance(obj, client_class):
            atexit.unregister(obj._cleanup_kernel)


def _write_failed(exc: OSError, out: Path) -> int:
    if isinstance(exc, ReportWriteError):
        detail = exc.strerror
    else:
        where = f"{exc.filename} " if exc.filename else ""
        detail = (f"écriture impossible {where}({_os_reason(exc)}) ; rien n'a été modifié dans {shown(out)}, les "
                  "résultats précédents sont intacts")
    print(f"Rapport non produit : {detail}.", file=sys.stderr)
    return 1


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
        with ctrl_c_handled():
            return _run(args)
    except BaseException as exc:  # after Ctrl+C, a library may raise its own error in place of KeyboardInterrupt
        if isinstance(exc, KeyboardInterrupt) or _INTERRUPTED.is_set():
            return _interrupted(exc if isinstance(exc, KeyboardInterrupt) else KeyboardInterrupt(), Path(args.out))
        raise


def _run(args) -> int:
    try:
        if args.inplace and (args.execution or Path(args.out).resolve() != PROCESSED.resolve()):
            raise ValueError("--inplace ne s'utilise qu'avec l'exemple embarqué et la sortie par défaut")
        check_output(args.out)
        paths = notebook_paths([*args.notebooks, *(args.only or [])])
        skipped = {**check_inputs(args.execution), **national_skip(args.execution)}
    except (ValueError, FileNotFoundError, OSError) as exc:  # WorkbookError is a ValueError: the reader's message
        print(f"Rapport non produit, aucun notebook exécuté.\n{exc}", file=sys.stderr)
        return 2
    start = time.monotonic()
    try:
        written = build(paths, Path(args.out), inplace=args.inplace, execution=args.execution, skipped=skipped)
    except (NotebookFailed, OSError) as exc:
        if _INTERRUPTED.is_set():  # the failure is the interruption's doing
            raise KeyboardInterrupt from None
        if isinstance(exc, OSError):
            return _write_failed(exc, Path(args.out))
        print(f"Rapport incomplet : {exc} ; rien n'a été modifié dans {shown(args.out)}, les résultats précédents sont "
              "intacts.", file=sys.stderr)
        return 1
    print(f"Rapport écrit dans {shown(args.out)}/ : {len(paths)} notebook(s) en {seconds(time.monotonic() - start)}, "
          f"{len(written)} fichier(s) :")
    for path in written:
        print(f"  - {shown(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
