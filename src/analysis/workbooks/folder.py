"""Loading every execution workbook of a folder at once (by default the fictitious examples)."""

from __future__ import annotations

from pathlib import Path

from analysis.domain import EXAMPLES_DIR
from analysis.loading import load_contract
from analysis.workbooks.errors import WorkbookError
from analysis.workbooks.frames import Execution
from analysis.workbooks.reader import read_execution


def load_execution(contract=None, path=None) -> Execution:
    """Load execution workbooks: by default the fictitious examples of ``data/examples``.

    ``contract`` defaults to :func:`analysis.load_contract`'s. ``path`` may be one workbook or a folder
    (every ``*.xlsx`` in it, in name order). The result stacks all workbooks;
    ``workbooks['fictitious']`` says whether the figures are fictitious. If any workbook is rejected,
    :class:`~analysis.workbooks.WorkbookError` lists the problems of every rejected workbook and nothing
    is loaded.
    """
    contract = contract if contract is not None else load_contract()
    path = Path(path) if path is not None else EXAMPLES_DIR
    if not path.exists():
        raise FileNotFoundError(f"classeur ou dossier introuvable : {path}")
    files = sorted(path.glob("*.xlsx")) if path.is_dir() else [path]
    if not files:
        raise FileNotFoundError(f"aucun classeur .xlsx dans {path}")
    executions, problems = [], []
    for file in files:
        try:
            executions.append(read_execution(file, contract))
        except WorkbookError as exc:
            problems.extend(exc.problems)
    if problems:
        raise WorkbookError(problems)
    return Execution.concat(executions)
