"""Loading every execution workbook of a folder at once (by default the fictitious examples).

What a folder may hold besides workbooks, and what happens to it:

- a spreadsheet program's lock file (``~$bilan.xlsx`` from Excel, ``.~lock.bilan.xlsx#`` from
  LibreOffice, ``._bilan.xlsx`` from macOS) is ignored, with a note;
- a workbook in another format (``.xlsm``, ``.xls``, ``.xlsb``, ``.ods``, ``.csv``…) is not read, with a
  note naming it;
- an entry named ``*.xlsx`` that is not a regular file (a folder, a named pipe, a broken symbolic link) is
  not read, with a note saying what it is (a named pipe is never opened, so never waited on);
- any other file or folder (a README, a PDF, a sub-folder) is not a workbook and is left alone, silently.

Each note is a :class:`~analysis.workbooks.errors.WorkbookWarning` (a Python warning, in French) and a
row of ``Execution.warnings`` (``sheet``, ``cell`` and ``value`` empty). Extensions are matched whatever
their case (``.XLSX`` is read). Two workbooks for the same convention and year are refused, naming both
files: loading both would count their credits twice.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import pandas as pd

from analysis.domain import CONVENTION_LABELS, EXAMPLES_DIR
from analysis.loading import load_contract
from analysis.workbooks.archive import lock_file, not_a_file, unsupported_format
from analysis.workbooks.errors import WorkbookError, WorkbookProblem, WorkbookWarning
from analysis.workbooks.frames import WARNING_COLUMNS, Execution
from analysis.workbooks.reader import read_execution


def _folder_files(folder: Path) -> tuple[list[Path], list[WorkbookProblem]]:
    """The workbooks of a folder (in name order), and a note for each file that is skipped."""
    files, notes = [], []
    for path in sorted(folder.iterdir()):
        name = path.name
        if lock_file(name):
            notes.append(WorkbookProblem(name, None, None, None, "fichier de verrouillage d'un tableur ignoré (un "
                                         "classeur du dossier est peut-être ouvert : l'enregistrer et le fermer)"))
        elif path.suffix.lower() == ".xlsx":
            reason = not_a_file(path)
            if reason is None:
                files.append(path)
            else:
                notes.append(WorkbookProblem(name, None, None, None, f"non lu : {reason}"))
        elif unsupported_format(name) is not None and not_a_file(path) is None:
            notes.append(WorkbookProblem(name, None, None, None, f"{unsupported_format(name)} non lu : format non pris "
                                         "en charge, enregistrer le classeur au format .xlsx pour qu'il soit lu"))
    return files, notes


def _duplicates(workbooks: pd.DataFrame) -> list[WorkbookProblem]:
    """A problem for each workbook whose convention and year an earlier workbook already has."""
    seen: dict[tuple, str] = {}
    problems = []
    for _, row in workbooks.iterrows():
        key = (str(row["convention"]), int(row["year"]))
        if key in seen:
            label = CONVENTION_LABELS.get(key[0], key[0])
            problems.append(WorkbookProblem(row["file"], None, None, None,
                                            f"même convention et même exercice ({label}, {key[1]}) que « {seen[key]} » : "
                                            f"les deux classeurs « {seen[key]} » et « {row['file']} » sont refusés (leurs "
                                            "crédits seraient comptés deux fois) ; n'en garder qu'un dans le dossier"))
        else:
            seen[key] = row["file"]
    return problems


def _with_notes(execution: Execution, notes: list[WorkbookProblem]) -> Execution:
    if not notes:
        return execution
    rows = pd.DataFrame([{c: getattr(n, c) for c in WARNING_COLUMNS} for n in notes], columns=WARNING_COLUMNS)
    return replace(execution, warnings=pd.concat([rows.astype("str"), execution.warnings], ignore_index=True))


def load_execution(contract=None, path=None) -> Execution:
    """Load execution workbooks: by default the fictitious examples of ``data/examples``.

    ``contract`` defaults to :func:`analysis.load_contract`'s. ``path`` may be one workbook or a folder
    (every ``.xlsx`` in it, whatever the case of the extension, in name order; lock files and other
    formats are skipped with a note, see the module docstring). The result stacks all workbooks;
    ``workbooks['fictitious']`` says whether the figures are fictitious. If any workbook is rejected, or
    two are for the same convention and year, :class:`~analysis.workbooks.WorkbookError` lists the
    problems of every rejected workbook and nothing is loaded.
    """
    contract = contract if contract is not None else load_contract()
    path = Path(path) if path is not None else EXAMPLES_DIR
    if not path.exists():
        raise FileNotFoundError(f"classeur ou dossier introuvable : {path}")
    files, notes = _folder_files(path) if path.is_dir() else ([path], [])
    for note in notes:
        warnings.warn(WorkbookWarning(str(note)), stacklevel=2)
    if not files:
        skipped = f" ({len(notes)} fichier(s) ignoré(s) : {', '.join(n.file for n in notes)})" if notes else ""
        raise FileNotFoundError(f"aucun classeur .xlsx dans {path}{skipped}")
    executions, problems, omitted = [], [], 0
    for file in files:
        try:
            executions.append(read_execution(file, contract))
        except WorkbookError as exc:
            problems.extend(exc.problems)
            omitted += exc.omitted
    if executions:
        problems.extend(_duplicates(pd.concat([e.workbooks for e in executions], ignore_index=True)))
    if problems or omitted:
        raise WorkbookError(problems, omitted)
    return _with_notes(Execution.concat(executions), notes)


def load_executions(contract=None, paths=None) -> Execution:
    """The workbooks of several folders or files at once (``paths``; None or empty: the fictitious example).

    Every path is read; if any workbook is rejected, or two workbooks of different paths are for the same
    convention and year, one :class:`~analysis.workbooks.WorkbookError` lists the problems of all of them
    and nothing is loaded. A missing path raises ``FileNotFoundError`` (French message). The skipped files'
    notes are kept in ``execution.warnings`` (and not repeated as Python warnings).
    """
    contract = contract if contract is not None else load_contract()
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths or ())
    if not paths:
        return load_execution(contract)
    executions, problems, omitted = [], [], 0
    for path in paths:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", WorkbookWarning)  # kept in execution.warnings
                executions.append(load_execution(contract, path))
        except WorkbookError as exc:
            problems += exc.problems
            omitted += exc.omitted
    if problems or omitted:
        raise WorkbookError(problems, omitted)
    every = Execution.concat(executions)
    problems = _duplicates(every.workbooks)
    if problems:
        raise WorkbookError(problems)
    return every
