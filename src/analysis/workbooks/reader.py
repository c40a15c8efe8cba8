"""Reading a filled workbook: structure checks, cell parsing and recomputation, then the frames.

The three steps live in their own modules: :mod:`~analysis.workbooks.structure` (file, sheets,
metadata, headers, merged cells, row alignment), :mod:`~analysis.workbooks.cells` (input cells parsed,
locked cells and formulas compared, consistency of the amounts) and
:mod:`~analysis.workbooks.frames` (the pure function that builds the :class:`Execution` frames).
This module runs them in order and rejects the workbook if any problem was found.
"""

from __future__ import annotations

from pathlib import Path

from analysis.workbooks.cells import CROSS_CHECKED, SheetValues, cross_checks, formula_cells, read_cells
from analysis.workbooks.errors import ProblemLog
from analysis.workbooks.frames import WORKBOOK_TABLE, Execution, build_execution
from analysis.workbooks.layout import Sheet, compute_sheet
from analysis.workbooks.structure import align_rows, check_headers, check_merged, open_workbook, read_meta

__all__ = ["CROSS_CHECKED", "WORKBOOK_TABLE", "Execution", "read_execution"]


def read_execution(path, contract, convention: str | None = None, year: int | None = None) -> Execution:
    """Load a filled execution workbook into tidy frames (see :class:`Execution`).

    ``convention`` and ``year``, when given, must match the workbook (recorded in its hidden sheet):
    a workbook for another contract or year is rejected. Raises :class:`WorkbookError` listing every
    problem (sheet, cell, value, reason, in French); nothing is loaded in that case.
    """
    path = Path(path)
    log = ProblemLog(path.name)
    wb, cached = open_workbook(path, log)
    meta = read_meta(wb, contract, convention, year, log)
    sheets = {}
    for sheet in meta.template.data_sheets:
        if sheet.name in wb.sheetnames:
            values = _read_sheet(wb[sheet.name], cached[sheet.name], sheet, contract, meta.template.convention, log)
            if values is not None:
                sheets[sheet.name] = values
    if log:
        log.reject()
    return build_execution(path.name, meta, sheets, contract)


def _read_sheet(ws, cached_ws, sheet: Sheet, contract, convention: str, log: ProblemLog) -> SheetValues | None:
    """Check and read one data sheet; None when its columns cannot be located."""
    check_merged(ws, sheet, log)
    if not check_headers(ws, sheet, log):
        return None
    alignment = align_rows(ws, sheet, contract, convention, log)
    inputs, raw, failed = read_cells(ws, sheet, alignment, log)
    values = compute_sheet(sheet, inputs)
    readable = {i for i in alignment.mapping if not any((i, f) in failed for f in CROSS_CHECKED)}
    cross_checks(sheet, values, readable, log, convention)
    formulas = formula_cells(cached_ws, sheet, values) if alignment.intact else ()
    return SheetValues(sheet, values, raw, formulas)
