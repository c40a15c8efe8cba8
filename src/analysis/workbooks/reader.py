"""Reading a filled workbook: the file checked and opened once, then structure checks, cell parsing and
recomputation, then the frames.

The steps live in their own modules: :mod:`~analysis.workbooks.archive` (the file's kind, the zip
archive's bounds, the workbook's own parts), :mod:`~analysis.workbooks.grid` (each sheet read once, in
streaming, keeping the table's range), :mod:`~analysis.workbooks.structure` (sheets, metadata, headers,
merged cells, row alignment), :mod:`~analysis.workbooks.cells` (input cells parsed, locked cells and
formulas compared, consistency of the amounts) and :mod:`~analysis.workbooks.frames` (the pure function
that builds the :class:`Execution` frames). This module runs them in order and rejects the workbook if
any problem was found.

:func:`read_inputs` reads a template the same way, within the same bounds, but only for what an analyst
typed in its input cells (as typed, unchecked): what :func:`~analysis.workbooks.writer.fill_template` keeps
when it writes the template again.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from analysis.workbooks.archive import Book, open_book
from analysis.workbooks.cells import CROSS_CHECKED, SheetValues, cross_checks, formula_cells, read_cells
from analysis.workbooks.errors import ProblemLog, WorkbookError
from analysis.workbooks.expenses import check_expenses
from analysis.workbooks.frames import WORKBOOK_TABLE, Execution, build_execution
from analysis.workbooks.grid import Grid, coordinate, read_grid
from analysis.workbooks.layout import (
    HEADER_ROW,
    REQUIRED_SHEETS,
    SHEET_EXPENSES,
    SHEET_LISTS,
    SHEET_META,
    SHEET_README,
    Column,
    Sheet,
    compute_sheet,
    is_formula_cell,
    is_input_cell,
)
from analysis.workbooks.parsing import CellContent, Damaged, plain_number
from analysis.workbooks.structure import (
    RowAlignment,
    WorkbookMeta,
    align_rows,
    check_headers,
    check_merged,
    read_meta,
    sheet_window,
)
from analysis.xlsx import unwritable

__all__ = ["CROSS_CHECKED", "WORKBOOK_TABLE", "Execution", "read_execution", "read_inputs"]


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

    def read(book: Book):
        meta = read_meta(book, contract, convention, year, log)
        return meta, _read_sheets(book, meta, contract, log)

    meta, sheets = _guarded(path, log, read)
    return build_execution(path.name, meta, sheets, contract)


def _guarded(path: Path, log: ProblemLog, read: Callable[[Book], object]):
    """``read(book)`` on the workbook opened and checked; any problem logged rejects it (WorkbookError), and
    an unexpected error is reported in French, never as a traceback."""
    try:
        with open_book(path, log) as book:
            result = read(book)
    except WorkbookError:
        raise
    except Exception as exc:  # never a traceback for a bad file: the unexpected is named and reported  # noqa: BLE001
        log.fatal(None, None, None, f"lecture impossible, erreur inattendue ({type(exc).__name__}) : "
                                    "signaler ce fichier aux mainteneurs du programme")
    if log:
        log.reject()
    return result


def _read_sheets(book: Book, meta: WorkbookMeta, contract, log: ProblemLog) -> dict[str, SheetValues]:
    sheets = {}
    for sheet in meta.template.data_sheets:
        if sheet.name not in book.sheetnames and sheet.name not in REQUIRED_SHEETS:
            log.add(sheet.name, None, None, "feuille absente : supprimée ou renommée (repartir d'un modèle à jour)")
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
    if sheet.name == SHEET_EXPENSES:
        actions = contract.actions[contract.actions["convention"] == convention]
        check_expenses(sheet, values, failed, log, {str(a): str(v) for a, v in zip(actions["action"], actions["axis"])})
    formulas = formula_cells(grid, sheet, values) if alignment.intact else ()
    return SheetValues(sheet, values, raw, formulas)


# --------------------------------------------------------------------------------------------------
# What an analyst typed, to write the template again (fill_template)
# --------------------------------------------------------------------------------------------------


def read_inputs(path, contract) -> tuple[WorkbookMeta, str | None, list[tuple]]:
    """The template's metadata, its notice (red line of each sheet, None when none) and what an analyst typed
    in its input cells: (sheet, key, field, value as typed) entries, unchecked (:func:`read_execution` checks
    them). The file is opened, bounded and checked as by :func:`read_execution`; it is rejected
    (:class:`WorkbookError`) when writing the template again would lose or carry something: a formula that
    is not one of the template's own (in an input cell above all), a sheet, row, column or content added,
    moved or removed, a text no spreadsheet can hold."""
    path = Path(path)
    log = ProblemLog(path.name)

    def read(book: Book):
        meta = read_meta(book, contract, None, None, log)
        _check_added_sheets(book, meta, log)
        notice, entries = None, []
        for sheet in meta.template.data_sheets:
            if sheet.name not in book.sheetnames:
                if sheet.name not in REQUIRED_SHEETS:
                    log.add(sheet.name, None, None, "feuille absente : supprimée ou renommée (repartir d'un modèle à jour)")
                continue
            grid = read_grid(book, sheet.name, sheet_window(sheet), log)
            notice = notice if notice is not None else _notice(grid)
            check_merged(grid, sheet, log)
            if check_headers(grid, sheet, log):
                alignment = align_rows(grid, sheet, contract, meta.template.convention, log)
                entries += _typed_inputs(grid, sheet, alignment, log)
        return meta, notice, entries

    return _guarded(path, log, read)


def _check_added_sheets(book: Book, meta: WorkbookMeta, log: ProblemLog) -> None:
    known = {SHEET_README, SHEET_META, SHEET_LISTS, *(s.name for s in meta.template.data_sheets)}
    for name in book.sheetnames:
        if name not in known:
            log.add(name, None, None, "feuille ajoutée au modèle : le classeur est réécrit à partir du modèle et elle "
                                      "serait perdue ; la supprimer (ou copier son contenu dans un autre classeur)")


def _notice(grid: Grid) -> str | None:
    """The red notice of a data sheet (row 3, above the instructions' row), when it holds plain text."""
    cell = grid.cell(HEADER_ROW - 1, 1)
    return cell.value if cell.formula is None and isinstance(cell.value, str) and cell.value.strip() else None


def _typed_inputs(grid: Grid, sheet: Sheet, alignment: RowAlignment, log: ProblemLog) -> list[tuple]:
    """(sheet, key, field, value) of each input cell holding something; a formula anywhere but in the
    template's own formula cells, and a value that cannot be written again, are problems."""
    index_of = {r: index for index, r in alignment.mapping.items()}
    entries = []
    for (r, c), cell in sorted(grid.cells.items()):
        index = index_of.get(r)
        row = sheet.rows[index] if index is not None else None
        column = sheet.columns[c - 1] if row is not None and c <= len(sheet.columns) else None
        where = coordinate(r, c)
        if column is None or not is_input_cell(row, column):
            if cell.formula is not None and (column is None or not is_formula_cell(row, column)):
                log.add(sheet.name, where, cell.formula, "formule hors des cellules calculées du modèle : le classeur "
                                                         "réécrit ne garde que les formules du modèle ; l'effacer")
            continue
        value = _as_typed(cell, column, sheet.name, where, log)
        if value is not None:
            entries.append((sheet.name, row.key, column.field, value))
    return entries


def _as_typed(cell: CellContent, column: Column, sheet: str, where: str, log: ProblemLog):
    """An input cell's content as it must be written again for the same reading (None when blank or refused)."""
    value = cell.value
    if cell.formula is not None:
        what = "formule matricielle" if cell.array else "formule"
        log.add(sheet, where, cell.formula, f"{what} dans une cellule de saisie : le classeur réécrit ne garde que les "
                                            "formules du modèle ; saisir une valeur (coller en valeurs)")
        return None
    if isinstance(value, Damaged):
        log.add(sheet, where, value.text, value.reason)
        return None
    if isinstance(value, str):
        reason = unwritable(value)
        if reason is not None:
            log.add(sheet, where, value, reason)
            return None
        return value if value.strip() else None
    if cell.percent and column.kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{plain_number(Decimal(repr(value)) * 100)} %"  # 0.85 shown as 85 % reads the same as « 85 % » (H34)
    return value
