"""The France Travail expense statement (« État des dépenses », annexe 3 of the convention, l. 9766-9951):
its lines checked on reading, and its frame.

The printed model lists, per volet and type of expense, the nature of each expense, its unit, number of
units, unit cost, date or period, object and amount. The template adds the fiche action each expense
belongs to (the model lacks it) and its category against art. 4.2 (l. 5901-5927). Whether each line is
eligible to State funding is a rule of the convention, applied by the assessment
(:mod:`analysis.assessment.eligibility`), not by the reader.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.domain import EXPENSE_CATEGORIES, FT_EXPENSE_TYPES
from analysis.formatting import format_eur
from analysis.money import CENT, ZERO, cents
from analysis.workbooks.errors import ProblemLog, WorkbookProblem
from analysis.workbooks.layout import SHEET_EXPENSES, SHEET_FINANCE, Sheet

#: Columns of ``Execution.expenses``, one row per filled line of the statement.
EXPENSE_COLUMNS = [
    "convention", "year", "line", "volet", "expense_type", "action", "nature", "category", "unit", "units", "unit_cost",
    "start", "end", "purpose", "amount_eur", "source",
]
#: Inputs a started line must hold.
REQUIRED = ("expense_type", "action", "nature", "category", "start", "amount")
_TYPE_OF_LABEL = {text: code for code, (_, text) in FT_EXPENSE_TYPES.items()}
_CATEGORY_OF_LABEL = {text: code for code, (_, text) in EXPENSE_CATEGORIES.items()}
INPUT_FIELDS = ("expense_type", "action", "nature", "category", "unit", "units", "unit_cost", "start", "end", "purpose",
                "amount")


# --------------------------------------------------------------------------------------------------
# Checks on reading (each problem names its cell)
# --------------------------------------------------------------------------------------------------


def _header(sheet: Sheet, field: str) -> str:
    return sheet.columns[sheet.index_of(field)].header


def check_expenses(sheet: Sheet, values: dict, failed: set, log: ProblemLog, volet_of: dict) -> None:
    """Each started line of the statement: complete, its fiche action in its volet, its dates in order, its
    amount equal to units x unit cost when both are given. ``volet_of``: action -> volet (the contract's)."""
    for index, row in enumerate(sheet.rows):
        got = {f: values.get((index, f)) for f in INPUT_FIELDS}
        if all(v is None for v in got.values()) or any((index, f) in failed for f in INPUT_FIELDS):
            continue
        for field in REQUIRED:
            if got[field] is None:
                log.add(sheet.name, sheet.cell(index, field), None,
                        f"ligne {row.key} commencée mais incomplète : « {_header(sheet, field)} » manquant")
        kind = _TYPE_OF_LABEL.get(got["expense_type"])
        if kind and got["action"] and volet_of.get(got["action"]) != FT_EXPENSE_TYPES[kind][0]:
            log.add(sheet.name, sheet.cell(index, "action"), got["action"],
                    f"la fiche action {got['action']} relève du volet {volet_of.get(got['action'])}, pas du volet "
                    f"{FT_EXPENSE_TYPES[kind][0]} choisi en {sheet.cell(index, 'expense_type')}")
        if got["start"] and got["end"] and got["end"] < got["start"]:
            log.add(sheet.name, sheet.cell(index, "end"), got["end"],
                    f"fin de période antérieure au début ({sheet.cell(index, 'start')})")
        _check_product(sheet, index, got, log)


def _check_product(sheet: Sheet, index: int, got: dict, log: ProblemLog) -> None:
    units, cost, amount = got["units"], got["unit_cost"], got["amount"]
    if units is None or cost is None or amount is None:
        return
    product = cents(Decimal(repr(units)) * cost)
    tolerance = CENT * max(1, int(abs(units)) + 1) / 2  # a unit cost rounded to the cent, times the units
    if abs(product - amount) > tolerance:
        log.add(sheet.name, sheet.cell(index, "amount"), amount,
                f"montant différent du nombre d'unités × coût unitaire ({sheet.cell(index, 'units')} × "
                f"{sheet.cell(index, 'unit_cost')} = {format_eur(product)})")


def statement_warnings(file: str, finance: dict, expenses: list[dict]) -> list[WorkbookProblem]:
    """A note per fiche action whose statement total differs from its executed total on the finance sheet
    (``finance``: action -> (executed total, cell)); the statement is kept, the note says where to look."""
    totals: dict[str, Decimal] = {}
    for record in expenses:
        totals[record["action"]] = totals.get(record["action"], ZERO) + record["amount_eur"]
    notes = []
    for action, total in sorted(totals.items()):
        executed, cell = finance.get(action, (None, None))
        if executed != total:
            shown = "vide" if executed is None else format_eur(executed)
            notes.append(WorkbookProblem(file, SHEET_EXPENSES, None, format_eur(total),
                                         f"total des dépenses de la fiche action {action} différent du montant total "
                                         f"réalisé de la feuille « {SHEET_FINANCE} » ({cell} : {shown})"))
    return notes


# --------------------------------------------------------------------------------------------------
# Frame
# --------------------------------------------------------------------------------------------------


def expense_records(sheet: Sheet, values: dict, convention: str, year: int, volet_of: dict, source) -> list[dict]:
    """One record per filled line (codes for the type and the category; ``source`` names the cells)."""
    records = []
    for index, row in enumerate(sheet.rows):
        got = {f: values.get((index, f)) for f in INPUT_FIELDS}
        if all(v is None for v in got.values()):
            continue
        records.append({
            "convention": convention, "year": year, "line": int(row.key), "volet": volet_of.get(got["action"]),
            "expense_type": _TYPE_OF_LABEL.get(got["expense_type"]), "action": got["action"], "nature": got["nature"],
            "category": _CATEGORY_OF_LABEL.get(got["category"]), "unit": got["unit"], "units": got["units"],
            "unit_cost": got["unit_cost"], "start": got["start"], "end": got["end"], "purpose": got["purpose"],
            "amount_eur": got["amount"],
            "source": source(sheet.name, f"{sheet.cell(index, 'expense_type')}:{sheet.cell(index, 'amount')}"),
        })
    return records


def expense_frame(records: list[dict]) -> pd.DataFrame:
    """The expense statement as a frame (:data:`EXPENSE_COLUMNS`); amounts are exact Decimals."""
    frame = pd.DataFrame(records, columns=EXPENSE_COLUMNS)
    return frame.astype({"line": "Int64", "year": "Int64", "units": "Float64", "unit_cost": object, "amount_eur": object,
                         "start": object, "end": object})
