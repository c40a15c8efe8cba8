"""Execution workbooks: the Excel template analysts fill in, and the strict reader that loads it back.

``export_template(contract, convention, year, path)`` writes a French ``.xlsx`` pre-filled with what the
contract planned for that year, with four visible sheets (« Lisez-moi », « Exécution financière »,
« Indicateurs », « Avenant ») and a hidden sheet « _modele » that records the template, its version, the
convention and the year. Input cells are unlocked (yellow); everything else is locked (sheet protection
*without password*: it prevents mistakes, it is not a security measure). Derived columns and sub-totals
are formulas; amounts carry the euro format ``# ##0,00 €``.

``read_execution(path, contract)`` loads a filled workbook into the contract's tidy frames (see
:class:`Execution`). It never trusts the values a spreadsheet program cached for formulas: it recomputes
every derived column and sub-total itself and reports disagreements as warnings. Any bad input rejects
the whole workbook with :class:`WorkbookError`, which lists every problem at once, in French, with
sheet, cell, value and reason; nothing is loaded in that case.

The layout (which cell holds what) is computed once by the same code for writing and for reading, so
the two can never drift apart: see :func:`template_layout`.
"""

from __future__ import annotations

import datetime
import difflib
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from analysis.formatting import format_eur, format_number
from analysis.loading import BUDGET_COLUMNS
from analysis.summaries import CONVENTION_LABELS, planned_budget

__all__ = [
    "Execution",
    "execution_entries",
    "planned_years",
    "WorkbookError",
    "WorkbookProblem",
    "export_template",
    "fill_template",
    "read_execution",
    "template_layout",
    "GAP_REASONS",
    "TEMPLATE_VERSION",
]

#: Identifier and version of the template, written in the hidden sheet and checked on reading.
TEMPLATE_ID = "analysis.execution"
TEMPLATE_VERSION = "1"

SHEET_README = "Lisez-moi"
SHEET_FINANCE = "Exécution financière"
SHEET_INDICATORS = "Indicateurs"
SHEET_AMENDMENT = "Avenant"
SHEET_META = "_modele"
REQUIRED_SHEETS = [SHEET_README, SHEET_FINANCE, SHEET_INDICATORS, SHEET_AMENDMENT, SHEET_META]

#: Value of the ``table`` column of every budget row read from a workbook.
WORKBOOK_TABLE = "execution_workbook"

#: Rows 1-3 of each data sheet hold a title, instructions and an optional notice; headers are on row 4.
HEADER_ROW = 4

MONEY_FORMAT = '#,##0.00 "€"'
RATE_FORMAT = "0.0 %"
NUMBER_FORMAT = "General"
TEXT_FORMAT = "@"

#: Choices offered in the « Motif de l'écart » column (data-validation list; checked on reading).
GAP_REASONS = [
    "Montée en charge progressive",
    "Démarrage tardif de l'action",
    "Difficultés de recrutement",
    "Fréquentation inférieure aux prévisions",
    "Dépenses reportées sur l'exercice suivant",
    "Autre motif (préciser)",
]

#: Fixed timestamp written in the document properties and zip entries: saving is byte-reproducible.
FIXED_TIMESTAMP = datetime.datetime(2024, 4, 15, 0, 0, 0)

INPUT_KINDS = {"money", "number", "rate", "text", "choice"}
FORMULA_KINDS = {"calc_money", "calc_rate"}
SUMMED_KINDS = {"ref_money", "money", "calc_money"}
MONEY_KINDS = {"ref_money", "money", "calc_money"}

#: Inputs involved in the consistency checks of a financial line.
CROSS_CHECKED = ("paid", "executed_etat", "carry_over_etat")

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


# --------------------------------------------------------------------------------------------------
# Problems and errors
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookProblem:
    """One problem (or warning) located in a workbook: file, sheet, cell (``D7`` or ``D7:E7``), value."""

    file: str
    sheet: str | None
    cell: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet is not None:
            where.append(f"feuille « {self.sheet} »")
        if self.cell is not None:
            where.append(f"{'cellules' if ':' in self.cell else 'cellule'} {self.cell}")
        value = f"valeur « {self.value} » : " if self.value not in (None, "") else ""
        return f"{', '.join(where)} : {value}{self.reason}"


class WorkbookError(ValueError):
    """Raised when an execution workbook is rejected; ``.problems`` lists every problem, in French."""

    def __init__(self, problems: list[WorkbookProblem]):
        self.problems = list(problems)
        n = len(self.problems)
        s = "s" if n > 1 else ""
        head = f"Classeur d'exécution refusé : {n} problème{s} trouvé{s} ; rien n'a été chargé."
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


# --------------------------------------------------------------------------------------------------
# Layout: columns, rows, sheets
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a data sheet.

    ``kind``: 'key' (row identifier), 'label' (locked text), 'ref_money' / 'ref_number' (locked
    figures of the contract), 'money' / 'number' / 'rate' / 'text' / 'choice' (inputs), 'calc_money'
    / 'calc_rate' (formulas). ``op`` defines a formula: ('sum', fields), ('diff', a, b) (blank when
    both blank), ('delta', a, b) (blank when ``a`` is blank) or ('ratio', a, b).
    Inputs and derived amounts with a ``quantity`` become budget rows.
    """

    field: str
    header: str
    kind: str
    label: str | None = None
    funder: str | None = None
    quantity: str | None = None
    phase: str = "executed"
    year_offset: int = 0
    op: tuple = ()
    width: float = 16.0

    @property
    def is_input(self) -> bool:
        return self.kind in INPUT_KINDS

    @property
    def is_formula(self) -> bool:
        return self.kind in FORMULA_KINDS


@dataclass(frozen=True)
class Row:
    """One row of a data sheet: an action or indicator ('line'), an axis sub-total or the total."""

    kind: str
    key: str
    axis: str | None
    action: str | None
    values: dict
    members: tuple = ()


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    key_field: str
    columns: tuple
    rows: tuple

    def index_of(self, field: str) -> int:
        for i, column in enumerate(self.columns):
            if column.field == field:
                return i
        raise KeyError(field)

    def letter(self, field: str) -> str:
        return _letter(self.index_of(field) + 1)

    def row_number(self, index: int) -> int:
        return HEADER_ROW + 1 + index

    def cell(self, index: int, field: str) -> str:
        return f"{self.letter(field)}{self.row_number(index)}"

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


@dataclass(frozen=True)
class Template:
    convention: str
    year: int
    sheets: dict

    @property
    def data_sheets(self) -> list[Sheet]:
        return [self.sheets[SHEET_FINANCE], self.sheets[SHEET_INDICATORS], self.sheets[SHEET_AMENDMENT]]


def _letter(n: int) -> str:
    text = ""
    while n:
        n, r = divmod(n - 1, 26)
        text = chr(65 + r) + text
    return text


def _finance_columns(convention: str, year: int) -> tuple:
    nxt = year + 1
    axis = "Axe" if convention == "cls" else "Volet"
    columns = [
        Column("axis", axis, "label", width=7),
        Column("action", "Fiche action N°", "key", width=9),
        Column("title", "Intitulé de l'action", "label", width=42),
        Column("planned_etat", f"État prévu {year} (fiche action)", "ref_money"),
        Column("planned_departement", f"Département prévu {year} (fiche action)", "ref_money"),
        Column("planned_autre", f"Autres financeurs prévus {year} (fiche action)", "ref_money"),
        Column("planned_total", f"Total prévu {year}", "calc_money",
               op=("sum", ("planned_etat", "planned_departement", "planned_autre"))),
        Column("paid", f"Crédits État versés {year}", "money", label=f"Crédits État versés {year}",
               funder="etat", quantity="paid"),
        Column("executed_etat", f"A — Montant État réalisé au 31/12/{year}", "money", label="A",
               funder="etat", quantity="executed"),
        Column("unconsumed_etat", f"B — Crédits État {year} non consommés (versés − A)", "calc_money",
               label="B", funder="etat", quantity="unconsumed", op=("diff", "paid", "executed_etat")),
        Column("executed_departement", f"C — Montant Département réalisé au 31/12/{year}", "money",
               label="C", funder="departement", quantity="executed"),
        Column("executed_autre", f"Autres financeurs réalisé au 31/12/{year}", "money",
               label="Autres financeurs réalisé", funder="autre", quantity="executed"),
        Column("executed_total", "Montant total réalisé (A + C + autres)", "calc_money",
               label="Montant total réalisé (A+C+autres)", quantity="executed_total",
               op=("sum", ("executed_etat", "executed_departement", "executed_autre"))),
        Column("execution_rate", "Taux de réalisation (réalisé / prévu)", "calc_rate", width=12,
               op=("ratio", "executed_total", "planned_total")),
    ]
    if convention == "cls":
        columns += [
            Column("carry_over_etat", f"Report {nxt} part État", "money", label=f"Report {nxt} part État",
                   funder="etat", quantity="carry_over", year_offset=1),
            Column("carry_over_departement", f"Report {nxt} part Département", "money",
                   label=f"Report {nxt} part CD", funder="departement", quantity="carry_over", year_offset=1),
        ]
    columns += [
        Column("ramp_up", f"Taux de montée en charge prévu {year}", "rate", width=12),
        Column("gap_reason", "Motif de l'écart", "choice", width=28),
        Column("justification", "Justification de l'écart au prévu", "text", width=50),
    ]
    return tuple(columns)


def _amendment_columns(convention: str, year: int) -> tuple:
    nxt = year + 1
    return (
        Column("axis", "Axe" if convention == "cls" else "Volet", "label", width=7),
        Column("action", "Fiche action N°", "key", width=9),
        Column("title", "Intitulé de l'action", "label", width=42),
        Column("planned_next_etat", f"État prévu {nxt} (fiche action)", "ref_money"),
        Column("notified", f"Montant État notifié pour {nxt} (avenant)", "money",
               label=f"Montant État notifié {nxt} (avenant)", funder="etat", quantity="notified",
               phase="adjusted", year_offset=1),
        Column("notified_gap", "Écart notifié − prévu", "calc_money",
               op=("delta", "notified", "planned_next_etat")),
        Column("comment", "Référence de l'avenant, observations", "text", width=50),
    )


def _indicator_columns(year: int) -> tuple:
    return (
        Column("indicator_id", "Identifiant", "key", width=13),
        Column("action", "Action", "label", width=8),
        Column("label", "Libellé de l'indicateur", "label", width=60),
        Column("unit", "Unité", "label", width=9),
        Column("baseline", "Situation de départ (31/12/2023)", "ref_number", width=13),
        Column("target", f"Cible {year}", "ref_number", width=12),
        Column("result", f"Résultat {year}", "number", width=12),
        Column("attainment", "Taux d'atteinte (résultat / cible)", "calc_rate", width=12,
               op=("ratio", "result", "target")),
        Column("comment", "Commentaire", "text", width=50),
    )


def _clean(value):
    """pandas missing values (NA, NaN) -> None; everything else unchanged."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _number(value):
    """A contract figure for a cell: int when integral, else float; None when missing."""
    value = _clean(value)
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def planned_years(contract, convention: str) -> list[int]:
    """Years for which the contract plans amounts for ``convention`` (the years a template exists for)."""
    planned = planned_budget(contract, convention)
    return sorted(int(y) for y in planned["year"].dropna().unique())


def _check_target(contract, convention: str, year) -> int:
    if convention not in CONVENTION_LABELS:
        raise ValueError(f"convention inconnue « {convention} » (attendu : {', '.join(CONVENTION_LABELS)})")
    years = planned_years(contract, convention)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValueError(f"année invalide « {year} »") from None
    if year not in years:
        listed = ", ".join(str(y) for y in years)
        raise ValueError(
            f"aucun budget prévu en {year} pour la convention « {convention} » (années prévues : {listed})"
        )
    return year


def _action_rows(contract, convention: str, values_of) -> tuple:
    """Action rows grouped by axis, each group followed by its sub-total, then the total row."""
    actions = contract.actions[contract.actions["convention"] == convention]
    word = "axe" if convention == "cls" else "volet"
    rows, subtotals = [], []
    for axis, group in actions.groupby("axis", sort=True, observed=True):
        first = len(rows)
        axis_label = _clean(group["axis_label"].iloc[0])
        for action, title in zip(group["action"], group["title"]):
            values = {"axis": str(axis), "action": str(action), "title": _clean(title) or "(intitulé non imprimé)"}
            values.update(values_of(str(action)))
            rows.append(Row("line", str(action), str(axis), str(action), values))
        key = f"Sous-total {word} {axis}"
        rows.append(Row("subtotal", key, str(axis), None, {"axis": str(axis), "action": key, "title": axis_label},
                        tuple(range(first, len(rows)))))
        subtotals.append(len(rows) - 1)
    label = "Total " + ("du contrat" if convention == "cls" else "de la convention")
    rows.append(Row("total", "Total", None, None, {"axis": None, "action": "Total", "title": label}, tuple(subtotals)))
    return tuple(rows)


def _build_template(contract, convention: str, year: int) -> Template:
    year = _check_target(contract, convention, year)
    planned = planned_budget(contract, convention)

    def amount(action, yr, funder):
        part = planned[(planned["action"] == action) & (planned["year"] == yr) & (planned["funder"] == funder)]
        return sum(part["amount_eur"], ZERO) if len(part) else None

    label = CONVENTION_LABELS[convention]
    finance = Sheet(
        SHEET_FINANCE,
        f"{label} — exécution financière {year}",
        "action",
        _finance_columns(convention, year),
        _action_rows(contract, convention, lambda a: {
            "planned_etat": amount(a, year, "etat"),
            "planned_departement": amount(a, year, "departement"),
            "planned_autre": amount(a, year, "autre"),
        }),
    )
    amendment = Sheet(
        SHEET_AMENDMENT,
        f"{label} — avenant : montants État notifiés pour {year + 1}",
        "action",
        _amendment_columns(convention, year),
        _action_rows(contract, convention, lambda a: {"planned_next_etat": amount(a, year + 1, "etat")}),
    )
    ind = contract.indicators[contract.indicators["convention"] == convention]
    values = contract.indicator_values
    rows = []
    for _, indicator in ind.iterrows():
        own = values[values["indicator_id"] == indicator["indicator_id"]]
        baseline = own[own["measure"] == "baseline"].sort_values("year")["value"]
        target = own[(own["measure"] == "target") & (own["year"] == year)]["value"]
        rows.append(Row("line", str(indicator["indicator_id"]), None, _clean(indicator["action"]), {
            "indicator_id": str(indicator["indicator_id"]),
            "action": _clean(indicator["action"]),
            "label": _clean(indicator["label"]),
            "unit": _clean(indicator["unit"]),
            "baseline": _number(baseline.iloc[-1]) if len(baseline) else None,
            "target": _number(target.iloc[0]) if len(target) else None,
        }))
    indicators = Sheet(SHEET_INDICATORS, f"{label} — résultats des indicateurs {year}", "indicator_id",
                       _indicator_columns(year), tuple(rows))
    return Template(convention, year, {SHEET_FINANCE: finance, SHEET_INDICATORS: indicators, SHEET_AMENDMENT: amendment})


def _formula(sheet: Sheet, index: int, column: Column) -> str:
    row = sheet.rows[index]
    if row.kind != "line" and column.kind in SUMMED_KINDS:
        letter = sheet.letter(column.field)
        if row.kind == "subtotal":
            first, last = row.members[0], row.members[-1]
            return f"=SUM({letter}{sheet.row_number(first)}:{letter}{sheet.row_number(last)})"
        return "=SUM(" + ",".join(f"{letter}{sheet.row_number(m)}" for m in row.members) + ")"
    op = column.op
    ref = lambda field: sheet.cell(index, field)  # noqa: E731
    if op[0] == "sum":
        refs = ",".join(ref(f) for f in op[1])
        return f'=IF(COUNT({refs})=0,"",SUM({refs}))'
    if op[0] == "diff":
        a, b = ref(op[1]), ref(op[2])
        return f'=IF(COUNT({a},{b})=0,"",{a}-{b})'
    if op[0] == "delta":
        a, b = ref(op[1]), ref(op[2])
        return f'=IF(COUNT({a})=0,"",{a}-{b})'
    if op[0] == "ratio":
        a, b = ref(op[1]), ref(op[2])
        return f'=IF(OR(COUNT({a})=0,N({b})=0),"",{a}/{b})'
    raise ValueError(f"unknown formula {op!r}")


def _expected(sheet: Sheet, index: int, column: Column):
    """What a locked cell must contain (a value, a formula string, or None); inputs are not locked."""
    row = sheet.rows[index]
    if column.is_formula or (row.kind != "line" and column.kind in SUMMED_KINDS):
        return _formula(sheet, index, column)
    if row.kind == "line" and column.is_input:
        raise ValueError("input cells have no expected content")
    return row.values.get(column.field)


def _is_input(row: Row, column: Column) -> bool:
    return row.kind == "line" and column.is_input


def _evaluate(op: tuple, vals: dict):
    """Python twin of the formulas written by :func:`_formula` (same blank semantics)."""
    if op[0] == "sum":
        present = [vals.get(f) for f in op[1] if vals.get(f) is not None]
        return sum(present, ZERO) if present else None
    if op[0] == "diff":
        a, b = vals.get(op[1]), vals.get(op[2])
        if a is None and b is None:
            return None
        return (a if a is not None else ZERO) - (b if b is not None else ZERO)
    if op[0] == "delta":
        a, b = vals.get(op[1]), vals.get(op[2])
        if a is None:
            return None
        return a - (b if b is not None else ZERO)
    if op[0] == "ratio":
        a, b = vals.get(op[1]), vals.get(op[2])
        if a is None or b is None or b == 0:
            return None
        return float(a) / float(b)
    raise ValueError(f"unknown formula {op!r}")


def _compute_sheet(sheet: Sheet, inputs: dict) -> dict:
    """Every value of the sheet (locked figures, inputs, derived), keyed by (row index, field)."""
    values = {}
    for index, row in enumerate(sheet.rows):
        if row.kind != "line":
            continue
        vals = {}
        for column in sheet.columns:
            if column.is_input:
                vals[column.field] = inputs.get((index, column.field))
            elif column.is_formula:
                vals[column.field] = _evaluate(column.op, vals)
            else:
                vals[column.field] = row.values.get(column.field)
        values.update({(index, f): v for f, v in vals.items()})
    for kind in ("subtotal", "total"):
        for index, row in enumerate(sheet.rows):
            if row.kind != kind:
                continue
            vals = {}
            for column in sheet.columns:
                if column.kind in SUMMED_KINDS:
                    parts = [values.get((m, column.field)) for m in row.members]
                    vals[column.field] = sum((p for p in parts if p is not None), ZERO)
                elif column.is_formula:
                    vals[column.field] = _evaluate(column.op, vals)
                else:
                    vals[column.field] = row.values.get(column.field)
            values.update({(index, f): v for f, v in vals.items()})
    return values


def template_layout(contract, convention: str, year: int) -> pd.DataFrame:
    """Every cell of the template's data sheets: sheet, cell, row_type, key, field, header, kind, role.

    ``role`` is 'input' (unlocked), 'formula' (locked formula) or 'locked' (locked value).
    Use it to fill a template programmatically (see :func:`fill_template`) or to locate a cell.
    """
    template = _build_template(contract, convention, year)
    records = []
    for sheet in template.data_sheets:
        for index, row in enumerate(sheet.rows):
            for column in sheet.columns:
                if _is_input(row, column):
                    role = "input"
                elif column.is_formula or (row.kind != "line" and column.kind in SUMMED_KINDS):
                    role = "formula"
                else:
                    role = "locked"
                records.append({
                    "sheet": sheet.name, "cell": sheet.cell(index, column.field), "row_type": row.kind,
                    "key": row.key, "field": column.field, "header": column.header, "kind": column.kind,
                    "role": role,
                })
    return pd.DataFrame(records).astype("str")


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="A6A6A6")
    return {
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "header_fill": PatternFill("solid", fgColor="1F3864"),
        "header_font": Font(bold=True, color="FFFFFF"),
        "input_fill": PatternFill("solid", fgColor="FFF2CC"),
        "locked_fill": PatternFill("solid", fgColor="F2F2F2"),
        "formula_fill": PatternFill("solid", fgColor="E2EFDA"),
        "total_fill": PatternFill("solid", fgColor="D9D9D9"),
        "bold": Font(bold=True),
        "title_font": Font(bold=True, size=14, color="1F3864"),
        "notice_font": Font(bold=True, size=12, color="C00000"),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "header_align": Alignment(wrap_text=True, vertical="center", horizontal="center"),
    }


def _validations(sheet: Sheet):
    from openpyxl.worksheet.datavalidation import DataValidation

    money = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                           showErrorMessage=True, showInputMessage=True, errorTitle="Montant invalide",
                           error="Saisir un montant en euros, positif ou nul, au centime près (ex. 618000 ou 618000,50).",
                           promptTitle="Montant en euros", prompt="Montant positif ou nul, au centime près. Laisser vide si inconnu.")
    number = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, showInputMessage=True, errorTitle="Valeur invalide",
                            error="Saisir un nombre positif ou nul.", promptTitle="Résultat",
                            prompt="Nombre positif ou nul, dans l'unité de l'indicateur. Laisser vide si inconnu.")
    rate = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True,
                          showErrorMessage=True, showInputMessage=True, errorTitle="Taux invalide",
                          error="Saisir un taux entre 0 % et 100 % (ex. 50 %).", promptTitle="Taux",
                          prompt="Part du budget annuel que l'action doit atteindre cette année (ex. 50 %).")
    text = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="2000", allow_blank=True,
                          showErrorMessage=True, errorTitle="Texte trop long", error="2 000 caractères au plus.")
    choice = DataValidation(type="list", formula1='"' + ",".join(GAP_REASONS) + '"', allow_blank=True,
                            showErrorMessage=True, showInputMessage=True, errorTitle="Motif invalide",
                            error="Choisir un motif dans la liste.", promptTitle="Motif de l'écart",
                            prompt="Choisir dans la liste ; préciser dans la colonne Justification.")
    return {"money": money, "number": number, "rate": rate, "text": text, "choice": choice}


def _protect(ws) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # analysts may resize columns and rows
    ws.protection.formatRows = False


def _write_title(ws, styles, title: str, instructions: str, notice: str | None) -> None:
    ws.cell(1, 1, title).font = styles["title_font"]
    ws.cell(2, 1, instructions).font = styles["bold"]
    if notice:
        ws.cell(3, 1, notice).font = styles["notice_font"]


def _write_data_sheet(wb, sheet: Sheet, styles, instructions: str, notice: str | None):
    from openpyxl.styles import Protection

    ws = wb.create_sheet(sheet.name)
    _write_title(ws, styles, sheet.title, instructions, notice)
    validations = _validations(sheet)
    unlocked = Protection(locked=False)
    for j, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(HEADER_ROW, j, column.header)
        cell.font, cell.fill, cell.alignment, cell.border = (
            styles["header_font"], styles["header_fill"], styles["header_align"], styles["border"])
        ws.column_dimensions[_letter(j)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = 62
    for index, row in enumerate(sheet.rows):
        r = sheet.row_number(index)
        for j, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(r, j)
            cell.border = styles["border"]
            if _is_input(row, column):
                cell.protection = unlocked
                cell.fill = styles["input_fill"]
                validations[column.kind].add(cell.coordinate)
                if column.kind in ("text", "choice"):
                    cell.alignment = styles["wrap"]
            else:
                value = _expected(sheet, index, column)
                cell.value = value
                is_formula = isinstance(value, str) and value.startswith("=")
                cell.fill = styles["formula_fill"] if is_formula else styles["locked_fill"]
                if row.kind != "line":
                    cell.fill = styles["total_fill"]
                    cell.font = styles["bold"]
                if column.kind in ("key", "label"):
                    cell.alignment = styles["wrap"]
            if column.kind in MONEY_KINDS:
                cell.number_format = MONEY_FORMAT
            elif column.kind in ("rate", "calc_rate"):
                cell.number_format = RATE_FORMAT
            elif column.kind in ("key", "label", "text", "choice"):
                cell.number_format = TEXT_FORMAT
            else:
                cell.number_format = NUMBER_FORMAT
    for dv in validations.values():
        if dv.sqref.ranges:
            ws.add_data_validation(dv)
    ws.freeze_panes = f"D{HEADER_ROW + 1}"  # headers and the three identifying columns stay visible
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _protect(ws)
    return ws


def _readme_lines(template: Template, notice: str | None) -> list[tuple]:
    c, y = template.convention, template.year
    label = CONVENTION_LABELS[c]
    carry = f", les montants à reporter sur {y + 1} (parts État et Département)" if c == "cls" else ""
    lines = [
        ("title", f"Bilan d'exécution {y} — {label}"),
    ]
    if notice:
        lines.append(("notice", notice))
    lines += [
        ("pair", "Convention", label),
        ("pair", "Code de la convention", c),
        ("pair", "Exercice", y),
        ("pair", "Version du modèle", TEMPLATE_VERSION),
        ("blank",),
        ("head", "Ce qu'il faut remplir (cellules jaunes)"),
        ("text", f"« {SHEET_FINANCE} » : pour chaque action, les crédits État versés en {y}, les montants "
                 f"réalisés au 31/12/{y} (part État A, part Département C, autres financeurs){carry} ; le taux "
                 "de montée en charge prévu si l'action démarre progressivement ; en cas d'écart au prévu, le "
                 "motif (liste) et une justification."),
        ("text", f"« {SHEET_INDICATORS} » : le résultat {y} de chaque indicateur et un commentaire. La situation "
                 "de départ et la cible du contrat sont rappelées et verrouillées."),
        ("text", f"« {SHEET_AMENDMENT} » : le montant État notifié pour {y + 1} par avenant, action par action, "
                 "et la référence de l'avenant."),
        ("blank",),
        ("head", "Unités et saisie"),
        ("text", "Montants en euros, au centime près, positifs ou nuls. « 618000 », « 618000,5 » ou "
                 "« 618 000,50 € » sont acceptés."),
        ("text", "Taux en pourcentage : « 50 % » (ou 0,5). Résultats d'indicateurs dans l'unité indiquée."),
        ("text", "Laisser vide ce qui n'est pas connu : une cellule vide n'est pas un zéro. Saisir 0 pour un "
                 "montant nul."),
        ("text", "Cellules jaunes : saisie. Cellules grises : rappel du contrat, verrouillées. Cellules vertes : "
                 "calculées par formule (B = versés − A ; total réalisé ; taux ; sous-totaux)."),
        ("blank",),
        ("head", "Contrôles à la relecture"),
        ("text", "Le classeur est relu par le programme (analysis.read_execution). Les colonnes calculées et "
                 "les sous-totaux sont recalculés par le programme : les valeurs affichées par le tableur ne "
                 "sont jamais reprises telles quelles, et un écart éventuel est signalé."),
        ("text", "Le classeur est refusé, avec la liste complète des problèmes (feuille, cellule, valeur, "
                 "raison), en cas de : texte dans une cellule de nombre, montant ou résultat négatif, code "
                 "d'action ou d'indicateur inconnu, ligne en double, cellule verrouillée ou formule modifiée, "
                 "feuille manquante ou renommée, en-tête modifié ou décalé, cellules fusionnées, montant État "
                 "réalisé supérieur aux crédits versés, report supérieur aux crédits non consommés, classeur "
                 "d'une autre année ou d'une autre convention."),
        ("text", "Un classeur refusé n'est pas chargé du tout : corriger les cellules citées et le renvoyer."),
        ("blank",),
        ("head", "À ne pas faire"),
        ("text", "Insérer, supprimer ou déplacer des lignes, des colonnes ou des feuilles ; fusionner des "
                 "cellules ; modifier les formules ou les cellules grises ; coller des formules dans les "
                 "cellules jaunes (coller des valeurs)."),
        ("text", "La protection des feuilles et du classeur n'a pas de mot de passe : elle évite les erreurs "
                 "de manipulation, elle ne protège pas les données."),
    ]
    return lines


def _write_readme(wb, template: Template, styles, notice: str | None) -> None:
    ws = wb.create_sheet(SHEET_README, 0)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 110
    r = 1
    for line in _readme_lines(template, notice):
        kind = line[0]
        if kind == "title":
            ws.cell(r, 1, line[1]).font = styles["title_font"]
        elif kind == "notice":
            cell = ws.cell(r, 1, line[1])
            cell.font = styles["notice_font"]
        elif kind == "pair":
            ws.cell(r, 1, line[1]).font = styles["bold"]
            ws.cell(r, 2, line[2]).alignment = styles["wrap"]
        elif kind == "head":
            ws.cell(r, 1, line[1]).font = styles["bold"]
        elif kind == "text":
            ws.cell(r, 2, line[1]).alignment = styles["wrap"]
            ws.row_dimensions[r].height = 15 * max(1, -(-len(line[1]) // 120))
        r += 1
    _protect(ws)


def _write_meta(wb, template: Template, fictitious: bool) -> None:
    ws = wb.create_sheet(SHEET_META)
    rows = [
        ("cle", "valeur"),
        ("modele", TEMPLATE_ID),
        ("version", TEMPLATE_VERSION),
        ("convention", template.convention),
        ("annee", template.year),
        ("fictif", "oui" if fictitious else "non"),
    ]
    for r, (key, value) in enumerate(rows, start=1):
        ws.cell(r, 1, key)
        ws.cell(r, 2, value)
    ws.sheet_state = "hidden"
    _protect(ws)


def _save(wb, path: Path) -> Path:
    """Save byte-reproducibly: fixed document dates, fixed zip timestamps, sorted entries."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.creator = "analysis"
    wb.properties.lastModifiedBy = "analysis"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(name), compresslevel=9)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return path


def export_template(contract, convention: str, year: int, path, prefill=None, *, notice: str | None = None,
                    fictitious: bool = False) -> Path:
    """Write the execution template of ``convention`` ('cls' or 'ft') for ``year`` to ``path`` (.xlsx).

    ``prefill`` optionally fills input cells: an :class:`Execution` (e.g. a workbook read earlier) or
    a DataFrame of entries with columns ``sheet``, ``key`` (action code or indicator id), ``field``
    (see :func:`template_layout`) and ``value`` (a number, a Decimal, or text as an analyst would type
    it). ``notice`` is printed in red on every sheet (e.g. to say the figures are fictitious);
    ``fictitious`` is recorded in the hidden sheet. Returns the path written.
    """
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    template = _build_template(contract, convention, year)
    styles = _styles()
    wb = Workbook()
    wb.remove(wb.active)
    _write_readme(wb, template, styles, notice)
    instructions = ("Saisir dans les cellules jaunes (montants en euros, au centime près). Cellules grises : "
                    "verrouillées ; cellules vertes : calculées. Voir « Lisez-moi ».")
    for sheet in template.data_sheets:
        _write_data_sheet(wb, sheet, styles, instructions, notice)
    _write_meta(wb, template, fictitious)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    if prefill is not None:
        entries = prefill if isinstance(prefill, pd.DataFrame) else execution_entries(prefill, contract, convention, template.year)
        _write_entries(wb, template, entries)
    return _save(wb, Path(path))


def _write_entries(wb, template: Template, entries: pd.DataFrame) -> None:
    missing = {"sheet", "key", "field", "value"} - set(entries.columns)
    if missing:
        raise ValueError("entrées de remplissage : colonnes manquantes " + ", ".join(sorted(missing)))
    for sheet_name, key, field, value in zip(entries["sheet"], entries["key"], entries["field"], entries["value"]):
        if sheet_name not in template.sheets:
            raise ValueError(f"entrée de remplissage : feuille inconnue « {sheet_name} »")
        sheet = template.sheets[sheet_name]
        index = next((i for i, row in enumerate(sheet.rows) if row.key == key and row.kind == "line"), None)
        if index is None:
            raise ValueError(f"entrée de remplissage : ligne « {key} » absente de la feuille « {sheet_name} »")
        try:
            column = sheet.columns[sheet.index_of(field)]
        except KeyError:
            raise ValueError(f"entrée de remplissage : colonne « {field} » absente de la feuille « {sheet_name} »") from None
        if not column.is_input:
            raise ValueError(f"entrée de remplissage : « {field} » n'est pas une colonne de saisie")
        value = _clean(value) if not isinstance(value, str) else value
        wb[sheet_name][sheet.cell(index, field)].value = value


def fill_template(path, contract, entries: pd.DataFrame, out=None) -> Path:
    """Write ``entries`` (sheet, key, field, value) into the input cells of an exported template.

    The values are written as given (numbers, Decimals or text), exactly as an analyst typing them
    would; nothing is checked here (:func:`read_execution` does). Saves to ``out`` (default: in place).
    """
    from openpyxl import load_workbook

    path = Path(path)
    wb = load_workbook(path)
    meta = {row[0]: row[1] for row in wb[SHEET_META].iter_rows(values_only=True) if row and row[0]}
    template = _build_template(contract, str(meta["convention"]), int(meta["annee"]))
    _write_entries(wb, template, entries)
    return _save(wb, Path(out) if out is not None else path)


_FINANCE_FIELDS = {
    ("paid", "etat"): "paid",
    ("executed", "etat"): "executed_etat",
    ("executed", "departement"): "executed_departement",
    ("executed", "autre"): "executed_autre",
    ("carry_over", "etat"): "carry_over_etat",
    ("carry_over", "departement"): "carry_over_departement",
}


def execution_entries(execution, contract, convention: str, year: int) -> pd.DataFrame:
    """The fill entries (sheet, key, field, value) that reproduce ``execution`` in a ``year`` template."""
    template = _build_template(contract, convention, year)
    finance_fields = {c.field for c in template.sheets[SHEET_FINANCE].columns}
    records = []
    b = execution.budget
    b = b[(b["convention"] == convention) & (b["row_type"] == "line") & b["action"].notna()]
    for _, row in b.iterrows():
        quantity, funder, yr = row["quantity"], _clean(row["funder"]), int(row["year"])
        if quantity == "notified" and row["phase"] == "adjusted" and yr == year + 1:
            records.append((SHEET_AMENDMENT, row["action"], "notified", row["amount_eur"]))
            if _clean(row["notes"]) is not None:
                records.append((SHEET_AMENDMENT, row["action"], "comment", row["notes"]))
            continue
        field = _FINANCE_FIELDS.get((quantity, funder))
        offset = 1 if quantity == "carry_over" else 0
        if row["phase"] == "executed" and field in finance_fields and yr == year + offset:
            records.append((SHEET_FINANCE, row["action"], field, row["amount_eur"]))
    ids = set(contract.indicators.loc[contract.indicators["convention"] == convention, "indicator_id"])
    iv = execution.indicator_values
    iv = iv[(iv["measure"] == "result") & (iv["year"] == year) & iv["indicator_id"].isin(ids)]
    for _, row in iv.iterrows():
        if _clean(row["value"]) is not None:
            records.append((SHEET_INDICATORS, row["indicator_id"], "result", float(row["value"])))
        if _clean(row["notes"]) is not None:
            records.append((SHEET_INDICATORS, row["indicator_id"], "comment", row["notes"]))
    j = execution.justifications
    j = j[(j["convention"] == convention) & (j["year"] == year)]
    for _, row in j.iterrows():
        for field, column in (("ramp_up", "ramp_up_rate"), ("gap_reason", "gap_reason"), ("justification", "justification")):
            value = _clean(row[column])
            if value is not None:
                records.append((SHEET_FINANCE, row["action"], field, float(value) if field == "ramp_up" else value))
    return pd.DataFrame(records, columns=["sheet", "key", "field", "value"])


# --------------------------------------------------------------------------------------------------
# Parsing cell values (numbers may be typed as French text)
# --------------------------------------------------------------------------------------------------

_SPACE = "[ \u00a0\u202f\u2009]"
_FRENCH = re.compile(r"^\d{1,3}(?: \d{3})+(?:,\d+)?$|^\d+(?:,\d+)?$")
_DOT_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_DOT_DECIMAL = re.compile(r"^\d+\.\d+$|^\d{1,3}(?: \d{3})+\.\d+$")
_AMBIGUOUS = re.compile(r"^\d{1,3}\.\d{3}$")


class _Bad(Exception):
    """A cell value that cannot be accepted; the message is the French reason."""


def _parse_text_number(text: str, *, allow_percent: bool, allow_euro: bool) -> tuple[Decimal, bool]:
    """'618 000,00 €' -> (Decimal('618000.00'), False); '12,5 %' -> (Decimal('12.5'), True)."""
    s = re.sub(_SPACE + "+", " ", text.strip())
    percent = euro = False
    if s.endswith("%"):
        percent, s = True, s[:-1].strip()
    if s.endswith("€"):
        euro, s = True, s[:-1].strip()
    elif s.upper().endswith("EUR"):
        euro, s = True, s[:-3].strip()
    negative = False
    if s[:1] in ("-", "\u2212"):
        negative, s = True, s[1:].strip()
    elif s[:1] == "+":
        s = s[1:].strip()
    if _FRENCH.match(s):
        number = s.replace(" ", "").replace(",", ".")
    elif _DOT_THOUSANDS.match(s) and not _AMBIGUOUS.match(s):
        number = s.replace(".", "").replace(",", ".")
    elif _AMBIGUOUS.match(s):
        raise _Bad("nombre ambigu (point des milliers ou décimal ?) : écrire « 1 234 » ou « 1,234 »")
    elif _DOT_DECIMAL.match(s):
        number = s.replace(" ", "")
    else:
        raise _Bad("nombre attendu (ex. 618 000,00)")
    if percent and not allow_percent:
        raise _Bad("pourcentage inattendu : un montant en euros est attendu")
    if euro and not allow_euro:
        raise _Bad("montant en euros inattendu : un nombre sans unité est attendu")
    value = Decimal(number)
    return (-value if negative else value), percent


def _raw_number(value, *, allow_percent: bool, allow_euro: bool) -> tuple[Decimal | None, bool]:
    if value is None:
        return None, False
    if isinstance(value, bool):
        raise _Bad("nombre attendu (valeur logique VRAI/FAUX trouvée)")
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time, datetime.timedelta)):
        raise _Bad("nombre attendu (date ou heure trouvée)")
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise _Bad("nombre attendu")
        return (Decimal(repr(value)) if isinstance(value, float) else Decimal(value)), False
    if isinstance(value, str):
        if value.strip() == "":
            return None, False
        if value.startswith("="):
            raise _Bad("formule dans une cellule de saisie : saisir une valeur (coller en valeurs)")
        if value.startswith("#"):
            raise _Bad("nombre attendu (erreur du tableur trouvée)")
        return _parse_text_number(value, allow_percent=allow_percent, allow_euro=allow_euro)
    raise _Bad("nombre attendu")


def _parse_money(value) -> Decimal | None:
    number, _ = _raw_number(value, allow_percent=False, allow_euro=True)
    if number is None:
        return None
    if number < 0:
        raise _Bad("montant négatif interdit")
    rounded = number.quantize(CENT)
    if abs(number - rounded) > Decimal("0.000001"):
        raise _Bad("montant au centime près attendu (deux décimales au plus)")
    return rounded


def _parse_indicator(value) -> float | None:
    number, _ = _raw_number(value, allow_percent=True, allow_euro=False)
    if number is None:
        return None
    if number < 0:
        raise _Bad("valeur négative interdite")
    return float(number)


def _parse_rate(value) -> float | None:
    number, percent = _raw_number(value, allow_percent=True, allow_euro=False)
    if number is None:
        return None
    if percent:
        number = number / 100
    if number < 0 or number > 1:
        raise _Bad("taux attendu entre 0 % et 100 % (ex. 50 % ou 0,5)")
    return float(number)


def _parse_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and value.startswith("="):
        raise _Bad("formule dans une cellule de saisie : saisir du texte")
    if isinstance(value, bool):
        value = "VRAI" if value else "FAUX"
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()
    text = str(value).strip()
    if len(text) > 2000:
        raise _Bad("texte trop long (2 000 caractères au plus)")
    return text or None


def _parse_choice(value) -> str | None:
    text = _parse_text(value)
    if text is None:
        return None
    if text not in GAP_REASONS:
        raise _Bad("motif hors de la liste (choisir : " + " ; ".join(GAP_REASONS) + ")")
    return text


_PARSERS = {"money": _parse_money, "number": _parse_indicator, "rate": _parse_rate, "text": _parse_text,
            "choice": _parse_choice}


def _plain(value) -> str:
    """A number in French without forced decimals: 1234.5 -> '1 234,5'."""
    d = value if isinstance(value, Decimal) else Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    exponent = d.normalize().as_tuple().exponent
    decimals = min(max(0, -exponent), 6) if isinstance(exponent, int) else 0
    return format_number(d, decimals)


def _show(value) -> str | None:
    """How a cell value is quoted in a message."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, (int, float, Decimal)):
        return _plain(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _show_expected(value, column: Column) -> str:
    if value is None:
        return "vide"
    if isinstance(value, str):
        return value
    if column.kind in MONEY_KINDS:
        return format_eur(value)
    return _plain(value)


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


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
    """

    budget: pd.DataFrame
    indicator_values: pd.DataFrame
    justifications: pd.DataFrame
    warnings: pd.DataFrame
    formulas: pd.DataFrame
    workbooks: pd.DataFrame

    @staticmethod
    def concat(executions: list[Execution]) -> Execution:
        """Stack several executions (e.g. one per workbook) into one."""
        if not executions:
            raise ValueError("aucune exécution à assembler")
        fields = ["budget", "indicator_values", "justifications", "warnings", "formulas", "workbooks"]
        return Execution(**{
            f: pd.concat([getattr(e, f) for e in executions], ignore_index=True) for f in fields
        })


def _typed_like(records: list[dict], like: pd.DataFrame, columns: list[str], extra_categories=None) -> pd.DataFrame:
    """A DataFrame with the same columns and dtypes as ``like`` (categories kept, NA for missing)."""
    out = {}
    for col in columns:
        values = [r.get(col) for r in records]
        dtype = like[col].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            categories = list(dtype.categories) + [c for c in (extra_categories or {}).get(col, []) if c not in dtype.categories]
            out[col] = pd.Categorical(values, categories=categories)
        elif str(dtype) == "Int64":
            out[col] = pd.array(values, dtype="Int64")
        elif str(dtype) == "Float64":
            out[col] = pd.array(values, dtype="Float64")
        elif col == "amount_eur":
            out[col] = pd.Series(values, dtype=object)
        else:
            out[col] = pd.array(values, dtype="str")
    return pd.DataFrame(out, columns=columns)


def _norm_text(value) -> str:
    if value is None:
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _norm_formula(text: str) -> str:
    return re.sub(r"[\s$]", "", text).upper()


def _key_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _norm_text(value)


def _same_locked(actual, expected, column: Column) -> bool:
    if isinstance(expected, str) and expected.startswith("="):
        return isinstance(actual, str) and _norm_formula(actual) == _norm_formula(expected)
    if expected is None:
        return actual is None or (isinstance(actual, str) and actual.strip() == "")
    if isinstance(expected, str):
        return isinstance(actual, str) and _norm_text(actual) == _norm_text(expected)
    if isinstance(actual, bool) or not isinstance(actual, (int, float, Decimal)):
        return False
    tolerance = Decimal("0.005") if column.kind in MONEY_KINDS else Decimal("0.000000001")
    return abs(Decimal(repr(actual) if isinstance(actual, float) else actual) - Decimal(str(expected))) <= tolerance


def _cached_agrees(cached, recomputed, column: Column) -> bool:
    if recomputed is None:
        return cached is None or (isinstance(cached, str) and cached == "")
    if isinstance(cached, bool) or not isinstance(cached, (int, float, Decimal)):
        return False
    if column.kind in MONEY_KINDS:
        return abs(Decimal(repr(cached) if isinstance(cached, float) else cached) - recomputed) < Decimal("0.005")
    return abs(float(cached) - float(recomputed)) <= 1e-9 * max(1.0, abs(float(recomputed)))


class _Reader:
    """One pass over one workbook, collecting problems; builds the frames only if there are none."""

    def __init__(self, path: Path, contract, convention, year):
        self.path = Path(path)
        self.file = self.path.name
        self.contract = contract
        self.want_convention = convention
        self.want_year = year
        self.problems: list[WorkbookProblem] = []
        self.warnings: list[WorkbookProblem] = []

    def problem(self, sheet, cell, value, reason) -> None:
        self.problems.append(WorkbookProblem(self.file, sheet, cell, _show(value), reason))

    def fail(self):
        raise WorkbookError(self.problems)

    # -- opening -----------------------------------------------------------------------------------

    def open(self):
        from openpyxl import load_workbook

        if not self.path.is_file():
            self.problem(None, None, None, "fichier introuvable")
            self.fail()
        if self.path.suffix.lower() != ".xlsx":
            self.problem(None, None, None, f"extension « {self.path.suffix} » non prise en charge : enregistrer le classeur au format .xlsx")
            self.fail()
        data = self.path.read_bytes()
        if not data:
            self.problem(None, None, None, "fichier vide (0 octet) : ce n'est pas un classeur")
            self.fail()
        if not zipfile.is_zipfile(io.BytesIO(data)):
            self.problem(None, None, None, "ce fichier n'est pas un classeur Excel .xlsx (format non reconnu, "
                                           "peut-être un autre type de fichier renommé) : l'enregistrer au format .xlsx")
            self.fail()
        try:
            self.wb = load_workbook(io.BytesIO(data), data_only=False)
            self.cached = load_workbook(io.BytesIO(data), data_only=True)
        except Exception as exc:  # openpyxl raises many kinds of errors on broken files
            self.problem(None, None, None, f"classeur .xlsx illisible ou endommagé ({type(exc).__name__}) : "
                                           "l'ouvrir et l'enregistrer à nouveau au format .xlsx")
            self.fail()

    # -- metadata ----------------------------------------------------------------------------------

    def read_meta(self) -> Template:
        names = self.wb.sheetnames
        for name in REQUIRED_SHEETS:
            if name not in names:
                found = ", ".join(f"« {n} »" for n in names if n not in REQUIRED_SHEETS)
                extra = f" (feuilles inattendues : {found})" if found else ""
                what = "feuille masquée des métadonnées du modèle" if name == SHEET_META else "feuille"
                self.problem(name, None, None, f"{what} absente : supprimée ou renommée{extra}")
        convention, year, fictitious = self.want_convention, self.want_year, False
        version = None
        if SHEET_META in names:
            ws = self.wb[SHEET_META]
            meta = {}
            for row in ws.iter_rows(min_row=1, max_col=2):
                if row[0].value is not None:
                    meta[_norm_text(row[0].value)] = (row[1].value, row[1].coordinate)
            def get(key):
                if key not in meta:
                    self.problem(SHEET_META, None, None, f"métadonnée « {key} » absente : le classeur ne provient pas du modèle")
                    return None, None
                return meta[key]
            ident, cell = get("modele")
            if ident is not None and _norm_text(ident) != TEMPLATE_ID:
                self.problem(SHEET_META, cell, ident, "ce classeur n'est pas un modèle d'exécution produit par le projet")
            version, cell = get("version")
            if version is not None and _key_text(version) != TEMPLATE_VERSION:
                self.problem(SHEET_META, cell, _key_text(version),
                             f"version du modèle non prise en charge (attendue : {TEMPLATE_VERSION}) : repartir d'un modèle à jour")
            found_convention, cell = get("convention")
            if found_convention is not None:
                found_convention = _norm_text(found_convention)
                if found_convention not in CONVENTION_LABELS:
                    self.problem(SHEET_META, cell, found_convention, "convention inconnue")
                    found_convention = None
                elif self.want_convention is not None and found_convention != self.want_convention:
                    self.problem(SHEET_META, cell, found_convention,
                                 f"classeur de la convention « {CONVENTION_LABELS[found_convention]} » alors que "
                                 f"« {CONVENTION_LABELS.get(self.want_convention, self.want_convention)} » est attendue")
                convention = found_convention or convention
            found_year, cell = get("annee")
            if found_year is not None:
                try:
                    found_year = int(_key_text(found_year))
                except ValueError:
                    self.problem(SHEET_META, cell, str(found_year), "année du classeur illisible")
                    found_year = None
                if found_year is not None and self.want_year is not None and found_year != int(self.want_year):
                    self.problem(SHEET_META, cell, str(found_year),
                                 f"classeur de l'exercice {found_year} alors que l'exercice {int(self.want_year)} est attendu")
                year = found_year if found_year is not None else year
            flag = meta.get("fictif", (None, None))[0]
            fictitious = _norm_text(flag).lower() == "oui"
        if convention is None or year is None:
            self.problem(SHEET_META, None, None, "convention ou exercice du classeur inconnus : impossible de le contrôler")
            self.fail()
        try:
            template = _build_template(self.contract, convention, year)
        except ValueError as exc:
            self.problem(SHEET_META, None, f"{convention} {year}", str(exc))
            self.fail()
        self.version = TEMPLATE_VERSION if version is None else _key_text(version)
        self.fictitious = fictitious
        return template

    # -- one data sheet ----------------------------------------------------------------------------

    def check_merged(self, ws, sheet: Sheet) -> None:
        for merged in sorted(ws.merged_cells.ranges, key=str):
            if merged.max_row < HEADER_ROW:
                continue
            cols = [sheet.columns[c - 1] for c in range(merged.min_col, merged.max_col + 1) if c <= len(sheet.columns)]
            inputs = [c.header for c in cols if c.is_input]
            where = f" sur des colonnes de saisie ({', '.join(f'« {h} »' for h in inputs)})" if inputs else " dans le tableau"
            self.problem(sheet.name, str(merged), None, f"cellules fusionnées{where} : annuler la fusion")

    def check_headers(self, ws, sheet: Sheet) -> bool:
        """False when the columns are shifted (the data cannot be located)."""
        expected = [_norm_text(h) for h in sheet.headers]
        width = max(len(expected), ws.max_column)

        def row_values(r):
            return [_norm_text(ws.cell(r, c).value) for c in range(1, width + 1)]

        actual = row_values(HEADER_ROW)
        if actual[: len(expected)] == expected and not any(actual[len(expected):]):
            return True
        for r in range(1, HEADER_ROW + 8):
            if r != HEADER_ROW and row_values(r)[: len(expected)] == expected:
                self.problem(sheet.name, f"A{HEADER_ROW}", ws.cell(HEADER_ROW, 1).value,
                             f"en-têtes trouvés ligne {r} au lieu de la ligne {HEADER_ROW} : une ligne a été insérée ou "
                             "supprimée au-dessus du tableau")
                return False
        first = next(i for i in range(width) if (actual[i] if i < len(actual) else "") != (expected[i] if i < len(expected) else ""))
        cell = f"{_letter(first + 1)}{HEADER_ROW}"
        if first < len(expected):
            rest = expected[first:]
            if actual[first + 1: first + 1 + len(rest)] == rest:
                self.problem(sheet.name, cell, ws.cell(HEADER_ROW, first + 1).value,
                             f"colonne insérée : les en-têtes sont décalés d'une colonne vers la droite à partir de "
                             f"{cell} (« {sheet.headers[first]} » attendu ici)")
                return False
            if actual[first: first + len(rest) - 1] == rest[1:]:
                self.problem(sheet.name, cell, ws.cell(HEADER_ROW, first + 1).value,
                             f"colonne « {sheet.headers[first]} » supprimée : les en-têtes suivants sont décalés vers la gauche")
                return False
        for i in range(width):
            found = actual[i] if i < len(actual) else ""
            want = expected[i] if i < len(expected) else ""
            if found != want:
                cell = f"{_letter(i + 1)}{HEADER_ROW}"
                if i >= len(expected):
                    self.problem(sheet.name, cell, ws.cell(HEADER_ROW, i + 1).value, "colonne inattendue à droite du tableau")
                else:
                    self.problem(sheet.name, cell, ws.cell(HEADER_ROW, i + 1).value,
                                 f"en-tête modifié ou renommé : « {sheet.headers[i]} » attendu")
        return True

    def align_rows(self, ws, sheet: Sheet) -> tuple[dict, bool]:
        """Map expected row index -> actual row number by the key column; report structural problems."""
        key_col = sheet.index_of(sheet.key_field) + 1
        ncols = len(sheet.columns)
        last = HEADER_ROW
        for r, values in enumerate(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True), start=HEADER_ROW + 1):
            if any(v is not None and not (isinstance(v, str) and v.strip() == "") for v in values):
                last = r
        actual_rows = list(range(HEADER_ROW + 1, last + 1))
        actual = [_key_text(ws.cell(r, key_col).value) for r in actual_rows]
        expected = [row.key for row in sheet.rows]
        known = set(expected)
        key_letter = _letter(key_col)
        # a key seen twice: the later row is the copy
        first_seen: dict[str, int] = {}
        kept_rows, kept = [], []
        for r, k in zip(actual_rows, actual):
            if k and k in first_seen:
                self.problem(sheet.name, f"{key_letter}{r}", k,
                             f"ligne en double : « {k} » figure déjà en {key_letter}{first_seen[k]} "
                             "(ne pas copier ni insérer de lignes)")
                continue
            if k:
                first_seen[k] = r
            kept_rows.append(r)
            kept.append(k)
        actual_rows, actual = kept_rows, kept
        if sheet.key_field == "action":
            what = "action"
            known_elsewhere = set(self.contract.actions["action"])
        else:
            what = "indicateur"
            known_elsewhere = set(self.contract.indicators["indicator_id"])
        conv_label = CONVENTION_LABELS[self.template.convention]

        def row_has_content(r):
            return any(ws.cell(r, c).value not in (None, "") for c in range(1, ncols + 1))

        def classify(r, k, wanted):
            cell = f"{key_letter}{r}"
            if k == "":
                if wanted is not None:
                    self.problem(sheet.name, cell, None, f"code effacé : « {wanted} » attendu (ligne vidée ou supprimée ?)")
                elif row_has_content(r):
                    self.problem(sheet.name, cell, None, "ligne ajoutée dans ou sous le tableau : ne pas insérer de lignes")
                return
            if k not in known:
                if k in known_elsewhere:
                    reason = f"{what} inconnu{'e' if what == 'action' else ''} pour la convention « {conv_label} » (code d'une autre convention)"
                else:
                    reason = f"{what} inconnu{'e' if what == 'action' else ''} pour la convention « {conv_label} »"
                self.problem(sheet.name, cell, k, reason)
            elif wanted is not None:
                self.problem(sheet.name, cell, k, f"ligne déplacée ou code modifié : « {wanted} » attendu ici")
            else:
                self.problem(sheet.name, cell, k, "ligne déplacée : ne pas insérer ni déplacer de lignes")

        mapping: dict[int, int] = {}
        matcher = difflib.SequenceMatcher(a=expected, b=actual, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for k in range(i2 - i1):
                    mapping[i1 + k] = actual_rows[j1 + k]
                continue
            if tag in ("replace", "insert"):
                for offset, j in enumerate(range(j1, j2)):
                    wanted = expected[i1 + offset] if tag == "replace" and i1 + offset < i2 else None
                    classify(actual_rows[j], actual[j], wanted)
            if tag in ("replace", "delete"):
                surplus = range(i1 + (j2 - j1), i2) if tag == "replace" else range(i1, i2)
                for i in surplus:
                    where = actual_rows[j1] if j1 < len(actual_rows) else sheet.row_number(i)
                    if expected[i] not in first_seen:
                        self.problem(sheet.name, f"{key_letter}{where}", None,
                                     f"ligne « {expected[i]} » supprimée ou déplacée : elle est absente du tableau")
        # content to the right of the table
        for row in ws.iter_rows(min_row=HEADER_ROW + 1, min_col=ncols + 1):
            for cell in row:
                if cell.value is not None and not (isinstance(cell.value, str) and cell.value.strip() == ""):
                    self.problem(sheet.name, cell.coordinate, cell.value, "contenu hors du tableau : à supprimer")
        # formulas refer to fixed rows: they can be checked only if no row has moved
        intact = all(r == sheet.row_number(i) for i, r in mapping.items())
        return mapping, intact

    def read_sheet(self, sheet: Sheet):
        ws = self.wb[sheet.name]
        cached_ws = self.cached[sheet.name]
        self.check_merged(ws, sheet)
        if not self.check_headers(ws, sheet):
            return None
        mapping, intact = self.align_rows(ws, sheet)
        inputs = {}
        failed = set()
        for index, r in mapping.items():
            row = sheet.rows[index]
            for j, column in enumerate(sheet.columns, start=1):
                cell = ws.cell(r, j)
                value = cell.value
                if _is_input(row, column):
                    try:
                        inputs[(index, column.field)] = _PARSERS[column.kind](value)
                    except _Bad as exc:
                        failed.add((index, column.field))
                        self.problem(sheet.name, cell.coordinate, value, str(exc))
                    except (InvalidOperation, ValueError):
                        failed.add((index, column.field))
                        self.problem(sheet.name, cell.coordinate, value, "valeur illisible")
                    continue
                expected = _expected(sheet, index, column)
                is_formula = isinstance(expected, str) and expected.startswith("=")
                if is_formula and not intact:
                    continue  # formulas follow moved rows; the structural problem is already reported
                if not _same_locked(value, expected, column):
                    if is_formula and not (isinstance(value, str) and value.startswith("=")):
                        reason = f"formule remplacée par une valeur : ne pas modifier les cellules calculées (formule attendue : {expected})"
                    elif is_formula:
                        reason = f"formule modifiée (formule attendue : {expected})"
                    else:
                        reason = f"cellule verrouillée modifiée : « {_show_expected(expected, column)} » attendu"
                    self.problem(sheet.name, cell.coordinate, value, reason)
        values = _compute_sheet(sheet, inputs)
        self.cross_checks(sheet, values, {i for i in mapping if not any((i, f) in failed for f in CROSS_CHECKED)})
        formulas = []
        if intact:
            for index, row in enumerate(sheet.rows):
                r = sheet.row_number(index)
                for j, column in enumerate(sheet.columns, start=1):
                    if row.kind == "line" and not column.is_formula:
                        continue
                    if row.kind != "line" and not (column.is_formula or column.kind in SUMMED_KINDS):
                        continue
                    cached = cached_ws.cell(r, j).value
                    formulas.append({
                        "sheet": sheet.name, "cell": f"{_letter(j)}{r}", "key": row.key, "field": column.field,
                        "column": column, "recomputed": values.get((index, column.field)), "cached": cached,
                    })
        return {"sheet": sheet, "values": values, "inputs": inputs, "formulas": formulas}

    def cross_checks(self, sheet: Sheet, values: dict, rows: set) -> None:
        """Consistency of a line's amounts (skipped for lines whose amounts could not be read)."""
        if sheet.name != SHEET_FINANCE:
            return
        fields = {c.field for c in sheet.columns}
        for index, row in enumerate(sheet.rows):
            if row.kind != "line" or index not in rows:
                continue
            unconsumed = values.get((index, "unconsumed_etat"))
            paid = values.get((index, "paid"))
            executed = values.get((index, "executed_etat"))
            if unconsumed is not None and unconsumed < 0:
                self.problem(sheet.name, sheet.cell(index, "executed_etat"), executed,
                             f"le montant État réalisé dépasse les crédits État versés ({sheet.cell(index, 'paid')} : "
                             f"{format_eur(paid or ZERO)}) : les crédits non consommés seraient négatifs")
            if "carry_over_etat" in fields:
                carry = values.get((index, "carry_over_etat"))
                available = unconsumed if unconsumed is not None and unconsumed > 0 else ZERO
                if carry is not None and carry > available:
                    self.problem(sheet.name, sheet.cell(index, "carry_over_etat"), carry,
                                 f"le report part État dépasse les crédits État non consommés "
                                 f"({sheet.cell(index, 'unconsumed_etat')} : {format_eur(available)})")

    # -- frames ------------------------------------------------------------------------------------

    def source(self, sheet: str, cell: str) -> str:
        return f"{self.file}, feuille « {sheet} », cellule {cell}"

    def frames(self, results: dict) -> Execution:
        template = self.template
        conv, year = template.convention, template.year
        budget, indicator_values, justifications, formulas = [], [], [], []
        calculated = any(f["cached"] is not None for res in results.values() for f in res["formulas"])
        for name in (SHEET_FINANCE, SHEET_AMENDMENT):
            sheet, values = results[name]["sheet"], results[name]["values"]
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
                    budget.append({
                        "convention": conv, "action": row.action, "axis": row.axis, "year": year + column.year_offset,
                        "funder": column.funder, "funder_detail": None, "phase": column.phase, "table": WORKBOOK_TABLE,
                        "row_type": row.kind, "column_label": column.label, "quantity": column.quantity,
                        "amount_eur": amount, "source": self.source(sheet.name, sheet.cell(index, column.field)),
                        "source_line": None, "notes": values.get((index, "comment")) if row.kind == "line" else None,
                    })
            if name == SHEET_FINANCE:
                for index, row in enumerate(sheet.rows):
                    if row.kind != "line":
                        continue
                    ramp = values.get((index, "ramp_up"))
                    reason = values.get((index, "gap_reason"))
                    text = values.get((index, "justification"))
                    if ramp is None and reason is None and text is None:
                        continue
                    justifications.append({
                        "convention": conv, "action": row.action, "year": year, "gap_reason": reason,
                        "justification": text, "ramp_up_rate": ramp,
                        "source": self.source(sheet.name, f"{sheet.cell(index, 'ramp_up')}:{sheet.cell(index, 'justification')}"),
                    })
        sheet, values = results[SHEET_INDICATORS]["sheet"], results[SHEET_INDICATORS]["values"]
        for index, row in enumerate(sheet.rows):
            result = values.get((index, "result"))
            comment = values.get((index, "comment"))
            if result is None and comment is None:
                continue
            cell = sheet.cell(index, "result")
            raw = self.wb[sheet.name][cell].value
            text = raw.strip() if isinstance(raw, str) else (None if result is None else _plain(result))
            indicator_values.append({
                "indicator_id": row.key, "year": year, "measure": "result", "value": result, "value_text": text,
                "source": self.source(sheet.name, cell), "source_line": None, "notes": comment,
            })
        for res in results.values():
            for f in res["formulas"]:
                agrees = _cached_agrees(f["cached"], f["recomputed"], f["column"]) if calculated else True
                formulas.append({
                    "file": self.file, "sheet": f["sheet"], "cell": f["cell"], "key": f["key"], "field": f["field"],
                    "recomputed": f["recomputed"], "cached": f["cached"], "agrees": agrees,
                })
                if not agrees:
                    shown = f["column"]
                    self.warnings.append(WorkbookProblem(
                        self.file, f["sheet"], f["cell"], _show(f["cached"]),
                        "valeur enregistrée par le tableur différente de la valeur recalculée "
                        f"(« {_show_expected(f['recomputed'], shown)} ») : la valeur recalculée est retenue"))
        c = self.contract
        budget_frame = _typed_like(budget, c.budget, BUDGET_COLUMNS, {"table": [WORKBOOK_TABLE]})
        iv_frame = _typed_like(indicator_values, c.indicator_values, list(c.indicator_values.columns))
        just_frame = pd.DataFrame({
            "convention": pd.Categorical([j["convention"] for j in justifications], categories=list(CONVENTION_LABELS)),
            "action": pd.array([j["action"] for j in justifications], dtype="str"),
            "year": pd.array([j["year"] for j in justifications], dtype="Int64"),
            "gap_reason": pd.array([j["gap_reason"] for j in justifications], dtype="str"),
            "justification": pd.array([j["justification"] for j in justifications], dtype="str"),
            "ramp_up_rate": pd.array([j["ramp_up_rate"] for j in justifications], dtype="Float64"),
            "source": pd.array([j["source"] for j in justifications], dtype="str"),
        })
        warn_frame = pd.DataFrame(
            [{"file": w.file, "sheet": w.sheet, "cell": w.cell, "value": w.value, "reason": w.reason} for w in self.warnings],
            columns=["file", "sheet", "cell", "value", "reason"],
        ).astype("str")
        formula_frame = pd.DataFrame(formulas, columns=["file", "sheet", "cell", "key", "field", "recomputed", "cached", "agrees"])
        formula_frame["agrees"] = formula_frame["agrees"].astype(bool)
        workbooks = pd.DataFrame({
            "file": pd.array([self.file], dtype="str"),
            "convention": pd.Categorical([conv], categories=list(CONVENTION_LABELS)),
            "year": pd.array([year], dtype="Int64"),
            "template_version": pd.array([self.version], dtype="str"),
            "fictitious": [bool(self.fictitious)],
            "calculated": [bool(calculated)],
        })
        return Execution(budget_frame, iv_frame, just_frame, warn_frame, formula_frame, workbooks)

    def run(self) -> Execution:
        self.open()
        self.template = self.read_meta()
        results = {}
        for sheet in self.template.data_sheets:
            if sheet.name in self.wb.sheetnames:
                result = self.read_sheet(sheet)
                if result is not None:
                    results[sheet.name] = result
        if self.problems:
            self.fail()
        return self.frames(results)


def read_execution(path, contract, convention: str | None = None, year: int | None = None) -> Execution:
    """Load a filled execution workbook into tidy frames (see :class:`Execution`).

    ``convention`` and ``year``, when given, must match the workbook (recorded in its hidden sheet):
    a workbook for another contract or year is rejected. Raises :class:`WorkbookError` listing every
    problem (sheet, cell, value, reason, in French); nothing is loaded in that case.
    """
    return _Reader(Path(path), contract, convention, year).run()
