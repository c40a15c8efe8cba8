"""Reading the cells of one data sheet once its structure is checked: input cells parsed
(:func:`~analysis.workbooks.parsing.parse_input`), locked cells and formulas compared with the template,
the consistency of each financial line, and the formula cells with the values a spreadsheet cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from analysis.domain import CLS
from analysis.formatting import format_eur
from analysis.money import ZERO
from analysis.workbooks.errors import ProblemLog
from analysis.workbooks.grid import Grid, coordinate
from analysis.workbooks.layout import (
    MONEY_KINDS,
    SHEET_FINANCE,
    Column,
    Sheet,
    expected_content,
    is_formula_cell,
    is_input_cell,
)
from analysis.workbooks.parsing import CellContent, CellError, parse_input, show_expected
from analysis.workbooks.structure import RowAlignment, norm_text
from analysis.xlsx import column_letter

#: Inputs involved in the consistency checks of a financial line.
CROSS_CHECKED = ("paid", "executed_etat", "carry_over_etat")


@dataclass(frozen=True)
class FormulaCell:
    """A formula cell: the library's recomputed value and the value a spreadsheet program cached."""

    sheet: str
    cell: str
    key: str
    field: str
    column: Column
    recomputed: object
    cached: object


@dataclass(frozen=True)
class SheetValues:
    """What one data sheet holds once read.

    ``values``: (row index, field) -> value, for every cell of the template's lines, sub-totals and
    total (locked figures, parsed inputs, values recomputed by the library); ``raw``: (row index, field)
    -> the content of each input cell as typed; ``formulas``: the formula cells (empty when rows moved).
    """

    sheet: Sheet
    values: dict
    raw: dict
    formulas: tuple


# --------------------------------------------------------------------------------------------------
# Input and locked cells
# --------------------------------------------------------------------------------------------------


def read_cells(grid: Grid, sheet: Sheet, alignment: RowAlignment, log: ProblemLog) -> tuple[dict, dict, set]:
    """Parse the input cells and compare the locked ones with the template.

    Returns the parsed inputs and the raw inputs (the content of each input cell as typed), both keyed
    by (row index, field), and the keys of the inputs that could not be parsed. Formulas are compared
    only when no row has moved.
    """
    inputs, raw, failed = {}, {}, set()
    for index, r in alignment.mapping.items():
        row = sheet.rows[index]
        for j, column in enumerate(sheet.columns, start=1):
            cell, where = grid.cell(r, j), coordinate(r, j)
            if is_input_cell(row, column):
                raw[(index, column.field)] = cell.content
                try:
                    inputs[(index, column.field)] = parse_input(column.kind, cell, row.values.get("unit"), column.choices)
                except CellError as exc:
                    failed.add((index, column.field))
                    log.add(sheet.name, where, cell.content, str(exc))
                except (InvalidOperation, ArithmeticError, ValueError):
                    failed.add((index, column.field))
                    log.add(sheet.name, where, cell.content, "valeur illisible")
            elif alignment.intact or not is_formula_cell(row, column):
                # formulas follow moved rows: the structural problem is already reported
                _check_locked(sheet, index, column, cell, where, log)
    return inputs, raw, failed


def _check_locked(sheet: Sheet, index: int, column: Column, cell: CellContent, where: str, log: ProblemLog) -> None:
    expected = expected_content(sheet, index, column)
    value = cell.content
    if not is_formula_cell(sheet.rows[index], column):
        if not _same_value(value, expected, column):
            log.add(sheet.name, where, value, f"cellule verrouillée modifiée : « {show_expected(expected, column)} » attendu")
        return
    if cell.formula is None:
        log.add(sheet.name, where, value,
                f"formule remplacée par une valeur : ne pas modifier les cellules calculées (formule attendue : {expected})")
    elif cell.array or _norm_formula(cell.formula) != _norm_formula(expected):
        log.add(sheet.name, where, value, f"formule modifiée (formule attendue : {expected})")


def _norm_formula(text: str) -> str:
    return re.sub(r"[\s$]", "", text).upper()


def _same_value(actual, expected, column: Column) -> bool:
    """Whether a locked (non-formula) cell still holds the template's value."""
    if expected is None:
        return actual is None or (isinstance(actual, str) and actual.strip() == "")
    if isinstance(expected, str):
        return isinstance(actual, str) and norm_text(actual) == norm_text(expected)
    if isinstance(actual, bool) or not isinstance(actual, (int, float, Decimal)) or actual != actual:
        return False
    if isinstance(actual, float) and actual in (float("inf"), float("-inf")):
        return False
    tolerance = Decimal("0.005") if column.kind in MONEY_KINDS else Decimal("0.000000001")
    return abs(Decimal(repr(actual) if isinstance(actual, float) else actual) - Decimal(str(expected))) <= tolerance


# --------------------------------------------------------------------------------------------------
# Consistency of the financial lines
# --------------------------------------------------------------------------------------------------


def cross_checks(sheet: Sheet, values: dict, rows: set, log: ProblemLog, convention: str = CLS.code) -> None:
    """Consistency of a line's amounts (skipped for lines whose amounts could not be read).

    State executed above the credits paid is refused for the CLS only: its yearly credits are paid in full
    (art. 3); France Travail pays a 60 % advance and settles the balance on the final report (art. 6).
    """
    if sheet.name != SHEET_FINANCE:
        return
    fields = {c.field for c in sheet.columns}
    for index, row in enumerate(sheet.rows):
        if row.kind != "line" or index not in rows:
            continue
        unconsumed = values.get((index, "unconsumed_etat"))
        paid = values.get((index, "paid"))
        executed = values.get((index, "executed_etat"))
        if unconsumed is not None and unconsumed < 0 and convention == CLS.code:
            log.add(sheet.name, sheet.cell(index, "executed_etat"), executed,
                    f"le montant État réalisé dépasse les crédits État versés ({sheet.cell(index, 'paid')} : "
                    f"{format_eur(paid or ZERO)}) : les crédits non consommés seraient négatifs")
        if "carry_over_etat" in fields:
            carry = values.get((index, "carry_over_etat"))
            available = unconsumed if unconsumed is not None and unconsumed > 0 else ZERO
            if carry is not None and carry > available:
                log.add(sheet.name, sheet.cell(index, "carry_over_etat"), carry,
                        f"le report part État dépasse les crédits État non consommés "
                        f"({sheet.cell(index, 'unconsumed_etat')} : {format_eur(available)})")


# --------------------------------------------------------------------------------------------------
# Formula cells
# --------------------------------------------------------------------------------------------------


def formula_cells(grid: Grid, sheet: Sheet, values: dict) -> tuple:
    """Every formula cell of the sheet with its recomputed value and the value a spreadsheet cached."""
    cells = []
    for index, row in enumerate(sheet.rows):
        r = sheet.row_number(index)
        for j, column in enumerate(sheet.columns, start=1):
            if is_formula_cell(row, column):
                cached = grid.cell(r, j).value
                cells.append(FormulaCell(sheet.name, f"{column_letter(j)}{r}", row.key, column.field, column,
                                         values.get((index, column.field)), cached))
    return tuple(cells)
