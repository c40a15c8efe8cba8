"""The frames of an execution (:class:`Execution`), built from a workbook's parsed values.

:func:`build_execution` is a pure function: it reads no file and reports no problem; it turns what the
reader found (:class:`~analysis.workbooks.structure.WorkbookMeta` and one
:class:`~analysis.workbooks.cells.SheetValues` per data sheet) into tidy frames typed like the
contract's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from analysis.domain import BUDGET_COLUMNS, CONVENTION_LABELS
from analysis.workbooks.cells import FormulaCell, SheetValues
from analysis.workbooks.errors import WorkbookProblem
from analysis.workbooks.expenses import expense_frame, expense_records, statement_warnings
from analysis.workbooks.layout import MONEY_KINDS, SHEET_AMENDMENT, SHEET_EXPENSES, SHEET_FINANCE, SHEET_INDICATORS, Template
from analysis.workbooks.parsing import plain_number, show_expected, show_value
from analysis.workbooks.structure import WorkbookMeta

#: Value of the ``table`` column of every budget row read from a workbook.
WORKBOOK_TABLE = "execution_workbook"

EXECUTION_FIELDS = ["budget", "indicator_values", "justifications", "warnings", "formulas", "workbooks", "expenses"]
WARNING_COLUMNS = ["file", "sheet", "cell", "value", "reason"]
FORMULA_COLUMNS = ["file", "sheet", "cell", "key", "field", "recomputed", "cached", "agrees"]


@dataclass(frozen=True)
class Execution:
    """What execution workbooks report, as tidy DataFrames.

    Attributes
    ----------
    budget : same columns and dtypes as ``Contract.budget``; ``phase`` 'executed' (or 'adjusted' for
        the State amounts notified by amendment for the next year), ``table`` 'execution_workbook',
        ``quantity`` 'paid', 'executed', 'unconsumed', 'executed_total', 'carry_over' or 'notified';
        sub-totals and totals recomputed by the library (``row_type`` 'subtotal' / 'total');
        ``source`` names the file, sheet and cell; ``source_line`` is NA.
    indicator_values : same columns as ``Contract.indicator_values``, ``measure`` 'result'; the
        analyst's comment is in ``notes``.
    justifications : convention, action, year, gap_reason, justification, ramp_up_rate, source.
    warnings : file, sheet, cell, value, reason — formula values cached by the spreadsheet program
        that disagree with the library's recomputation (the recomputed value is kept).
    formulas : every formula cell: file, sheet, cell, key, field, recomputed, cached, agrees.
    workbooks : one row per workbook read: file, convention, year, template_version, fictitious,
        calculated (whether a spreadsheet program had saved formula results).
    expenses : France Travail « État des dépenses », one row per filled line (see
        :data:`~analysis.workbooks.expenses.EXPENSE_COLUMNS`: volet, type and category codes, fiche action,
        nature, unit, units, unit cost, start and end dates, object, ``amount_eur`` as Decimal, source);
        :func:`analysis.assess` checks each line's eligibility (:mod:`analysis.assessment.eligibility`).
    """

    budget: pd.DataFrame
    indicator_values: pd.DataFrame
    justifications: pd.DataFrame
    warnings: pd.DataFrame
    formulas: pd.DataFrame
    workbooks: pd.DataFrame
    expenses: pd.DataFrame = field(default_factory=lambda: expense_frame([]))

    @staticmethod
    def concat(executions: list[Execution]) -> Execution:
        """Stack several executions (e.g. one per workbook) into one."""
        if not executions:
            raise ValueError("aucune exécution à assembler")
        return Execution(**{
            f: pd.concat([getattr(e, f) for e in executions], ignore_index=True) for f in EXECUTION_FIELDS
        })


def build_execution(file: str, meta: WorkbookMeta, sheets: dict[str, SheetValues], contract) -> Execution:
    """The frames of one workbook named ``file``, from its parsed sheets (pure: reads and reports nothing).

    ``contract`` gives the columns and dtypes of the budget and indicator frames.
    """
    template = meta.template

    def source(sheet: str, cell: str) -> str:
        return f"{file}, feuille « {sheet} », cellule {cell}"

    budget = [r for name in (SHEET_FINANCE, SHEET_AMENDMENT) for r in _budget_records(sheets[name], template, source)]
    justifications = _justification_records(sheets[SHEET_FINANCE], template, source)
    indicator_values = _indicator_records(sheets[SHEET_INDICATORS], template, source)
    cells = [f for values in sheets.values() for f in values.formulas]
    calculated = any(f.cached is not None for f in cells)
    formulas = [_formula_record(file, f, calculated) for f in cells]
    warnings = [_warning(file, f) for f, record in zip(cells, formulas) if not record["agrees"]]
    expenses = _expenses(file, sheets, template, contract, source)
    if expenses:
        warnings += statement_warnings(file, _executed_totals(sheets[SHEET_FINANCE]), expenses)
    return Execution(
        budget=_typed_like(budget, contract.budget, BUDGET_COLUMNS, {"table": [WORKBOOK_TABLE]}),
        indicator_values=_typed_like(indicator_values, contract.indicator_values, list(contract.indicator_values.columns)),
        justifications=_justification_frame(justifications),
        warnings=pd.DataFrame([_warning_record(w) for w in warnings], columns=WARNING_COLUMNS).astype("str"),
        formulas=pd.DataFrame(formulas, columns=FORMULA_COLUMNS).astype({"agrees": bool}),
        workbooks=_workbook_frame(file, meta, calculated),
        expenses=expense_frame(expenses),
    )


def _expenses(file: str, sheets: dict[str, SheetValues], template: Template, contract, source: Callable) -> list[dict]:
    """The filled lines of the expense statement (France Travail only)."""
    if SHEET_EXPENSES not in sheets:
        return []
    actions = contract.actions[contract.actions["convention"] == template.convention]
    volet_of = {str(a): str(v) for a, v in zip(actions["action"], actions["axis"])}
    statement = sheets[SHEET_EXPENSES]
    return expense_records(statement.sheet, statement.values, template.convention, template.year, volet_of, source)


def _executed_totals(finance: SheetValues) -> dict:
    """action -> (executed total of the finance sheet, its cell)."""
    sheet = finance.sheet
    return {row.action: (finance.values.get((i, "executed_total")), sheet.cell(i, "executed_total"))
            for i, row in enumerate(sheet.rows) if row.kind == "line"}


# --------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------


def _budget_records(sheet_values: SheetValues, template: Template, source: Callable) -> list[dict]:
    """One budget row per amount of a column with a ``quantity`` (sub-totals only where a line has one)."""
    sheet, values = sheet_values.sheet, sheet_values.values
    records = []
    for index, row in enumerate(sheet.rows):
        for column in sheet.columns:
            if column.quantity is None:
                continue
            amount = values.get((index, column.field))
            if row.kind == "line" and amount is None:
                continue
            if row.kind != "line":
                members = row.members if row.kind == "subtotal" else [m for s in row.members for m in sheet.rows[s].members]
                if all(values.get((m, column.field)) is None for m in members):
                    continue
            records.append({
                "convention": template.convention, "action": row.action, "axis": row.axis,
                "year": template.year + column.year_offset, "funder": column.funder, "funder_detail": None,
                "phase": column.phase, "table": WORKBOOK_TABLE, "row_type": row.kind, "column_label": column.label,
                "quantity": column.quantity, "amount_eur": amount,
                "source": source(sheet.name, sheet.cell(index, column.field)), "source_line": None,
                "notes": values.get((index, "comment")) if row.kind == "line" else None,
            })
    return records


def _justification_records(sheet_values: SheetValues, template: Template, source: Callable) -> list[dict]:
    """One record per financial line with a ramp-up rate, a gap reason or a justification."""
    sheet, values = sheet_values.sheet, sheet_values.values
    records = []
    for index, row in enumerate(sheet.rows):
        if row.kind != "line":
            continue
        ramp = values.get((index, "ramp_up"))
        reason = values.get((index, "gap_reason"))
        text = values.get((index, "justification"))
        if ramp is None and reason is None and text is None:
            continue
        records.append({
            "convention": template.convention, "action": row.action, "year": template.year, "gap_reason": reason,
            "justification": text, "ramp_up_rate": ramp,
            "source": source(sheet.name, f"{sheet.cell(index, 'ramp_up')}:{sheet.cell(index, 'justification')}"),
        })
    return records


def _indicator_records(sheet_values: SheetValues, template: Template, source: Callable) -> list[dict]:
    """One result per indicator with a result or a comment; ``value_text`` is the result as typed."""
    sheet, values = sheet_values.sheet, sheet_values.values
    records = []
    for index, row in enumerate(sheet.rows):
        result = values.get((index, "result"))
        comment = values.get((index, "comment"))
        if result is None and comment is None:
            continue
        raw = sheet_values.raw.get((index, "result"))
        text = raw.strip() if isinstance(raw, str) else (None if result is None else plain_number(result))
        records.append({
            "indicator_id": row.key, "year": template.year, "measure": "result", "value": result, "value_text": text,
            "source": source(sheet.name, sheet.cell(index, "result")), "source_line": None, "notes": comment,
        })
    return records


def _cached_agrees(cached, recomputed, column) -> bool:
    """Whether the value a spreadsheet program cached for a formula equals the library's (to the cent)."""
    if recomputed is None:
        return cached is None or (isinstance(cached, str) and cached == "")
    if isinstance(cached, bool) or not isinstance(cached, (int, float, Decimal)):
        return False
    if column.kind in MONEY_KINDS:
        return abs(Decimal(repr(cached) if isinstance(cached, float) else cached) - recomputed) < Decimal("0.005")
    return abs(float(cached) - float(recomputed)) <= 1e-9 * max(1.0, abs(float(recomputed)))


def _formula_record(file: str, f: FormulaCell, calculated: bool) -> dict:
    """A formula cell; ``agrees`` is True when no spreadsheet program computed the workbook."""
    agrees = _cached_agrees(f.cached, f.recomputed, f.column) if calculated else True
    return {"file": file, "sheet": f.sheet, "cell": f.cell, "key": f.key, "field": f.field,
            "recomputed": f.recomputed, "cached": f.cached, "agrees": agrees}


def _warning(file: str, f: FormulaCell) -> WorkbookProblem:
    return WorkbookProblem(file, f.sheet, f.cell, show_value(f.cached),
                           "valeur enregistrée par le tableur différente de la valeur recalculée "
                           f"(« {show_expected(f.recomputed, f.column)} ») : la valeur recalculée est retenue")


def _warning_record(w: WorkbookProblem) -> dict:
    return {"file": w.file, "sheet": w.sheet, "cell": w.cell, "value": w.value, "reason": w.reason}


# --------------------------------------------------------------------------------------------------
# Typed frames
# --------------------------------------------------------------------------------------------------


def _typed_like(records: list[dict], like: pd.DataFrame, columns: list[str], extra_categories=None) -> pd.DataFrame:
    """A DataFrame with the same columns and dtypes as ``like`` (categories kept, NA for missing)."""
    out = {}
    for col in columns:
        values = [r.get(col) for r in records]
        dtype = like[col].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            extra = [c for c in (extra_categories or {}).get(col, []) if c not in dtype.categories]
            out[col] = pd.Categorical(values, categories=list(dtype.categories) + extra)
        elif str(dtype) in ("Int64", "Float64"):
            out[col] = pd.array(values, dtype=str(dtype))
        elif col == "amount_eur":
            out[col] = pd.Series(values, dtype=object)
        else:
            out[col] = pd.array(values, dtype="str")
    return pd.DataFrame(out, columns=columns)


def _justification_frame(records: list[dict]) -> pd.DataFrame:
    def column(name, dtype):
        return pd.array([j[name] for j in records], dtype=dtype)

    return pd.DataFrame({
        "convention": pd.Categorical([j["convention"] for j in records], categories=list(CONVENTION_LABELS)),
        "action": column("action", "str"),
        "year": column("year", "Int64"),
        "gap_reason": column("gap_reason", "str"),
        "justification": column("justification", "str"),
        "ramp_up_rate": column("ramp_up_rate", "Float64"),
        "source": column("source", "str"),
    })


def _workbook_frame(file: str, meta: WorkbookMeta, calculated: bool) -> pd.DataFrame:
    return pd.DataFrame({
        "file": pd.array([file], dtype="str"),
        "convention": pd.Categorical([meta.template.convention], categories=list(CONVENTION_LABELS)),
        "year": pd.array([meta.template.year], dtype="Int64"),
        "template_version": pd.array([meta.version], dtype="str"),
        "fictitious": [bool(meta.fictitious)],
        "calculated": [bool(calculated)],
    })
