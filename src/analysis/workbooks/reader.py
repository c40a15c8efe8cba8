"""Reading a filled workbook: the file checked and opened once, then structure checks, cell parsing and
recomputation, then the frames.

The steps live in their own modules: :mod:`~analysis.workbooks.archive` (the file's kind, the zip
archive's bounds, the workbook's own parts), :mod:`~analysis.workbooks.grid` (each sheet read once, in
streaming, keeping the table's range), :mod:`~analysis.workbooks.structure` (sheets, metadata, headers,
merged cells, row alignment), :mod:`~analysis.workbooks.cells` (input cells parsed, locked cells and
formulas compared, consistency of the amounts) and :mod:`~analysis.workbooks.frames` (the pure function
that builds the :class:`Execution` frames). This module runs them in order and rejects the workbook if
any problem was found.
"""

from __future__ import annotations

from pathlib import Path

from analysis.workbooks.archive import Book, open_book
from analysis.workbooks.cells import CROSS_CHECKED, SheetValues, cross_checks, formula_cells, read_cells
from analysis.workbooks.errors import ProblemLog, WorkbookError
from analysis.workbooks.frames import WORKBOOK_TABLE, Execution, build_execution
from analysis.workbooks.grid import Grid, read_grid
from analysis.workbooks.layout import Sheet, compute_sheet
from analysis.workbooks.structure import (
    WorkbookMeta,
    align_rows,
    check_headers,
    check_merged,
    read_meta,
    sheet_window,
)

__all__ = ["CROSS_CHECKED", "WORKBOOK_TABLE", "Execution", "read_execution"]


def read_execution(path, contract, convention: str | None = None, year: int | None = None) -> Execution:
    """Load a filled execution workbook into tidy frames (see :class:`Execution`).

    ``convention`` and ``year``, when given, must match the workbook (recorded in its hidden sheet):
    a workbook for another contract or year is rejected. Raises :class:`WorkbookError` listing the
    problems (sheet, cell, value, reason, in French; the first 200, then how many more); nothing is
    loaded in that case. The file is opened once and each sheet read once, within bounds (see
    :mod:`analysis.workbooks.archive`).
    """
    path = Path(path)
    log = ProblemLog(path.name)
    try:
        with open_book(path, log) as book:
            meta = read_meta(book, contract, convention, year, log)
            sheets = _read_sheets(book, meta, contract, log)
    except WorkbookError:
        raise
    except Exception as exc:  # never a traceback for a bad file: the unexpected is named and reported  # noqa: BLE001
        log.fatal(None, None, None, f"lecture impossible, erreur inattendue ({type(exc).__name__}) : "
                                    "signaler ce fichier aux mainteneurs du programme")
    if log:
        log.reject()
    return build_execution(path.name, meta, sheets, contract)


def _read_sheets(book: Book, meta: WorkbookMeta, contract, log: ProblemLog) -> dict[str, SheetValues]:
    sheets = {}
    for sheet in meta.template.data_sheets:
        if sheet.name in book.sheetnames:
            grid = read_grid(book, sheet.name, sheet_window(sheet), log)
            values = _read_sheet(grid, sheet, contract, meta.template.convention, log)
            if values is not None:
                sheets[sheet.name] = values
    return sheets


def _read_sheet(grid: Grid, sheet: Sheet, contract, convention: str, log: ProblemLog) -> SheetValues | None:
    """Check and read one data sheet; None when its columns cannot be located."""
    check_merged(grid, sheet, log)
    if not check_headers(grid, sheet, log):
        return None
    alignment = align_rows(grid, sheet, contract, convention, log)
    inputs, raw, failed = read_cells(grid, sheet, alignment, log)
    values = compute_sheet(sheet, inputs)
    readable = {i for i in alignment.mapping if not any((i, f) in failed for f in CROSS_CHECKED)}
    cross_checks(sheet, values, readable, log, convention)
    formulas = formula_cells(grid, sheet, values) if alignment.intact else ()
    return SheetValues(sheet, values, raw, formulas)
