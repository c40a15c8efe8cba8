"""The execution workbooks of many départements at once (issue 17): one sub-folder per INSEE code.

``load_executions_by_departement(contracts, folder)`` reads ``folder/<code>/`` for each département of
``contracts`` (the mapping :func:`analysis.load_contracts` returns) with
:func:`~analysis.workbooks.folder.load_executions`, against that département's own contract. A
département without a sub-folder, or whose sub-folder holds no workbook, is listed in
:attr:`DepartementExecutions.without`: not an error (its report is not in yet). A sub-folder named by an
unknown code, or by a département whose contract is not loaded, is refused when it holds workbooks (they
would not be read); so is any rejected workbook:
one :class:`~analysis.workbooks.errors.WorkbookError` lists every problem of every département (files
named inside their sub-folder, « 62/bilan_cls_2024.xlsx ») and nothing is loaded.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from analysis.reference import departement_problem
from analysis.workbooks.archive import lock_file
from analysis.workbooks.errors import WorkbookError, WorkbookProblem, WorkbookWarning
from analysis.workbooks.folder import load_executions
from analysis.workbooks.frames import Execution


@dataclass(frozen=True)
class DepartementExecutions:
    """What the workbooks of many départements report.

    ``executions``: INSEE code -> :class:`~analysis.workbooks.frames.Execution`, for each département with
    at least one workbook (in the order of ``contracts``); ``without``: the codes of the départements of
    ``contracts`` without any workbook (listed, not an error).
    """

    executions: dict = field(default_factory=dict)
    without: tuple = ()

    def __getitem__(self, code: str) -> Execution:
        return self.executions[code]

    def __contains__(self, code) -> bool:
        return code in self.executions


def _has_workbook(folder: Path) -> bool:
    return folder.is_dir() and any(p.suffix.lower() == ".xlsx" and not lock_file(p.name) for p in folder.iterdir())


def _stray_folders(folder: Path, codes: set[str]) -> list[WorkbookProblem]:
    """A problem for each sub-folder holding workbooks that is not the code of a département of ``contracts``
    (its workbooks would not be read); one without workbooks is left alone."""
    problems = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if sub.name in codes or not _has_workbook(sub):
            continue
        reason = departement_problem(sub.name)
        reason = (f"sous-dossier refusé : {reason}" if reason is not None else
                  "sous-dossier d'un département dont aucun contrat n'est chargé : ses bilans ne peuvent pas être lus")
        problems.append(WorkbookProblem(sub.name, None, None, None, reason))
    return problems


def _in_folder(code: str, problem: WorkbookProblem) -> WorkbookProblem:
    return WorkbookProblem(f"{code}/{problem.file}", problem.sheet, problem.cell, problem.value, problem.reason)


def load_executions_by_departement(contracts: Mapping, folder) -> DepartementExecutions:
    """The execution workbooks of ``folder/<INSEE code>/`` for each département of ``contracts`` (code ->
    Contract), each read against its own contract (see the module docstring)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"dossier des bilans introuvable : {folder}")
    problems, omitted = _stray_folders(folder, set(contracts)), 0
    executions, without = {}, []
    for code, contract in contracts.items():
        sub = folder / code
        if not _has_workbook(sub):
            without.append(code)
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", WorkbookWarning)  # kept in execution.warnings
                executions[code] = load_executions(contract, [sub])
        except WorkbookError as exc:
            problems += [_in_folder(code, p) for p in exc.problems]
            omitted += exc.omitted
    if problems or omitted:
        raise WorkbookError(problems, omitted)
    return DepartementExecutions(executions, tuple(without))
