"""The template's layout: which cell of which sheet holds what, and the formulas that derive values.

The layout is built from the contract for one convention and one year (:func:`build_template`), by
the same code for writing (:mod:`analysis.workbooks.writer`) and for reading
(:mod:`analysis.workbooks.reader`), so the two can never drift apart. :func:`evaluate` and
:func:`compute_sheet` are the Python twins of the spreadsheet formulas.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from analysis.assumptions import default
from analysis.domain import (
    CLS,
    CONVENTION_LABELS,
    CONVENTIONS,
    EXPENSE_CATEGORY_LABELS,
    EXPENSES_SHEET,
    FT,
    FT_EXPENSE_TYPE_LABELS,
    grouping_label,
)
from analysis.money import ZERO
from analysis.xlsx import column_letter

#: Identifier and version of the template, written in the hidden sheet and checked on reading.
TEMPLATE_ID = "analysis.execution"
TEMPLATE_VERSION = "1"

SHEET_README = "Lisez-moi"
SHEET_FINANCE = "Exécution financière"
SHEET_INDICATORS = "Indicateurs"
SHEET_AMENDMENT = "Avenant"
SHEET_META = "_modele"
#: France Travail only: the expense statement of the final report (« État des dépenses », annexe 3 of the
#: convention, l. 9766-9951), one numbered line per expense.
SHEET_EXPENSES = EXPENSES_SHEET
#: Hidden sheet of the France Travail template holding the choice lists too long for a validation formula.
SHEET_LISTS = "_listes"
#: Numbered lines of the expense statement (H40).
EXPENSE_LINES = int(default("ft_expense_lines"))
REQUIRED_SHEETS = [SHEET_README, SHEET_FINANCE, SHEET_INDICATORS, SHEET_AMENDMENT, SHEET_META]

#: Rows 1-3 of each data sheet hold a title, instructions and an optional notice; headers are on row 4.
HEADER_ROW = 4

#: Choices offered in the « Motif de l'écart » column (data-validation list; checked on reading).
GAP_REASONS = [
    "Montée en charge progressive",
    "Démarrage tardif de l'action",
    "Difficultés de recrutement",
    "Fréquentation inférieure aux prévisions",
    "Dépenses reportées sur l'exercice suivant",
    "Autre motif (préciser)",
]

INPUT_KINDS = {"money", "number", "rate", "text", "choice", "date"}
FORMULA_KINDS = {"calc_money", "calc_rate"}
SUMMED_KINDS = {"ref_money", "money", "calc_money"}
MONEY_KINDS = {"ref_money", "money", "calc_money"}



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
    #: Accepted values of a 'choice' column (empty: the gap reasons, :data:`GAP_REASONS`).
    choices: tuple = ()

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
        return column_letter(self.index_of(field) + 1)

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
        names = [SHEET_FINANCE, SHEET_INDICATORS, SHEET_AMENDMENT, SHEET_EXPENSES]
        return [self.sheets[name] for name in names if name in self.sheets]


def _finance_columns(convention: str, year: int) -> tuple:
    nxt = year + 1
    columns = [
        Column("axis", grouping_label(convention), "label", width=7),
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
    if convention == CLS.code:
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
        Column("axis", grouping_label(convention), "label", width=7),
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


def _expense_columns(actions: list[str]) -> tuple:
    """The columns of the expense statement: the printed model's (nature, unit, number of units, unit cost,
    date or period, object, amount) per volet and type, plus the fiche action and the art. 4.2 category."""
    return (
        Column("line", "N° de ligne", "key", width=7),
        Column("expense_type", "Volet et type de dépense (modèle de l'annexe 3)", "choice", width=40,
               choices=tuple(FT_EXPENSE_TYPE_LABELS.values())),
        Column("action", "Fiche action N°", "choice", width=9, choices=tuple(actions)),
        Column("nature", "Nature de la dépense", "text", width=32),
        Column("category", "Catégorie de dépense (article 4.2)", "choice", width=36,
               choices=tuple(EXPENSE_CATEGORY_LABELS.values())),
        Column("unit", "Unité (si pertinent)", "text", width=12),
        Column("units", "Nombre d'unités", "number", width=10),
        Column("unit_cost", "Coût unitaire", "money", width=14),
        Column("start", "Date ou début de période", "date", width=12),
        Column("end", "Fin de période (si période)", "date", width=12),
        Column("purpose", "Objet de la dépense", "text", width=40),
        Column("amount", "Montant", "money", width=15),
    )


def _expense_rows() -> tuple:
    return tuple(Row("line", str(n), None, None, {"line": str(n)}) for n in range(1, EXPENSE_LINES + 1))


def clean(value):
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
    value = clean(value)
    if value is None:
        return None
    value = float(value)
    return int(value) if value.is_integer() else value


def planned_years(contract, convention: str) -> list[int]:
    """Years for which the contract plans amounts for ``convention`` (the years a template exists for)."""
    planned = contract.planned_budget(convention)
    return sorted(int(y) for y in planned["year"].dropna().unique())


def exercise_year(year) -> int:
    """A year given as a whole number (2024, ``numpy.int64(2024)``, 2024.0, ``'2024'``); a French ValueError for
    anything else (2024.5, True, '2024 bis', NaN): ``int()`` would quietly make 2024 out of 2024.5."""
    if isinstance(year, str) and year.strip().isascii() and year.strip().isdigit() and len(year.strip()) <= 4:
        return int(year.strip())
    if not isinstance(year, (bool, str)):
        try:
            return operator.index(year)
        except TypeError:
            pass
        try:
            if isinstance(year, (float, Decimal)) and year == year and abs(year) < 10_000 and year == int(year):
                return int(year)
        except ArithmeticError:  # a signalling NaN
            pass
    raise ValueError(f"année invalide « {str(year)[:40]} » : un exercice est une année entière (ex. 2024)")


def _check_target(contract, convention: str, year) -> int:
    if not isinstance(convention, str) or convention not in CONVENTION_LABELS:
        raise ValueError(f"convention inconnue « {str(convention)[:40]} » (attendu : {', '.join(CONVENTION_LABELS)})")
    years = planned_years(contract, convention)
    year = exercise_year(year)
    if year not in years:
        listed = ", ".join(str(y) for y in years)
        raise ValueError(
            f"aucun budget prévu en {year} pour la convention « {convention} » (années prévues : {listed})"
        )
    return year


def _action_rows(contract, convention: str, values_of) -> tuple:
    """Action rows grouped by axis, each group followed by its sub-total, then the total row."""
    actions = contract.actions[contract.actions["convention"] == convention]
    word = CONVENTIONS[convention].grouping
    rows, subtotals = [], []
    for axis, group in actions.groupby("axis", sort=True, observed=True):
        first = len(rows)
        axis_label = clean(group["axis_label"].iloc[0])
        for action, title in zip(group["action"], group["title"]):
            values = {"axis": str(axis), "action": str(action), "title": clean(title) or "(intitulé non imprimé)"}
            values.update(values_of(str(action)))
            rows.append(Row("line", str(action), str(axis), str(action), values))
        key = f"Sous-total {word} {axis}"
        rows.append(Row("subtotal", key, str(axis), None, {"axis": str(axis), "action": key, "title": axis_label},
                        tuple(range(first, len(rows)))))
        subtotals.append(len(rows) - 1)
    label = "Total " + ("du contrat" if convention == CLS.code else "de la convention")
    rows.append(Row("total", "Total", None, None, {"axis": None, "action": "Total", "title": label}, tuple(subtotals)))
    return tuple(rows)


def _baselines_and_targets(values: pd.DataFrame, ids: set, year: int) -> tuple[dict, dict]:
    """Each indicator's latest baseline and its first target for ``year`` (one pass over the values)."""
    baselines: dict[str, tuple] = {}
    targets: dict[str, object] = {}
    columns = (values["indicator_id"], values["measure"], values["year"], values["value"])
    for order, (ident, measure, yr, value) in enumerate(zip(*columns)):
        if ident not in ids:
            continue
        known = not pd.isna(yr)
        if measure == "baseline":
            key = (known, int(yr) if known else 0, order)  # latest year last, a missing year first
            if ident not in baselines or key >= baselines[ident][0]:
                baselines[ident] = (key, value)
        elif measure == "target" and known and int(yr) == year and ident not in targets:
            targets[ident] = value
    return {k: v for k, (_, v) in baselines.items()}, targets


def _indicator_rows(contract, convention: str, year: int) -> tuple:
    """One row per indicator of the convention, with its latest baseline and its target for ``year``."""
    ind = contract.indicators[contract.indicators["convention"] == convention]
    baselines, targets = _baselines_and_targets(contract.indicator_values, set(ind["indicator_id"]), year)
    rows = []
    for ident, action, label, unit in zip(ind["indicator_id"], ind["action"], ind["label"], ind["unit"]):
        rows.append(Row("line", str(ident), None, clean(action), {
            "indicator_id": str(ident),
            "action": clean(action),
            "label": clean(label),
            "unit": clean(unit),
            "baseline": _number(baselines[ident]) if ident in baselines else None,
            "target": _number(targets[ident]) if ident in targets else None,
        }))
    return tuple(rows)


def build_template(contract, convention: str, year: int) -> Template:
    """The layout of the ``convention`` template for ``year`` (ValueError, in French, if none is planned)."""
    year = _check_target(contract, convention, year)
    planned = contract.planned_budget(convention)
    amounts: dict[tuple, Decimal] = {}
    for action, yr, funder, value in zip(planned["action"], planned["year"], planned["funder"], planned["amount_eur"]):
        key = (str(action), int(yr), str(funder))
        amounts[key] = amounts.get(key, ZERO) + value

    def amount(action, yr, funder):
        return amounts.get((str(action), int(yr), funder))

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
    indicators = Sheet(SHEET_INDICATORS, f"{label} — résultats des indicateurs {year}", "indicator_id",
                       _indicator_columns(year), _indicator_rows(contract, convention, year))
    sheets = {SHEET_FINANCE: finance, SHEET_INDICATORS: indicators, SHEET_AMENDMENT: amendment}
    if convention == FT.code:
        actions = [str(a) for a in contract.actions.loc[contract.actions["convention"] == FT.code, "action"]]
        sheets[SHEET_EXPENSES] = Sheet(SHEET_EXPENSES, f"{label} — état des dépenses {year} (bilan final, annexe 3)",
                                       "line", _expense_columns(actions), _expense_rows())
    return Template(convention, year, sheets)


def formula(sheet: Sheet, index: int, column: Column) -> str:
    """The spreadsheet formula of a formula cell (see :func:`is_formula_cell`)."""
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


def is_input_cell(row: Row, column: Column) -> bool:
    """Whether the cell of ``row`` and ``column`` is an input (unlocked) cell."""
    return row.kind == "line" and column.is_input


def is_formula_cell(row: Row, column: Column) -> bool:
    """Whether the cell holds one of the template's formulas (derived column, sub-total or total)."""
    return column.is_formula or (row.kind != "line" and column.kind in SUMMED_KINDS)


def cell_role(row: Row, column: Column) -> str:
    """'input' (unlocked), 'formula' (locked formula) or 'locked' (locked value)."""
    if is_input_cell(row, column):
        return "input"
    return "formula" if is_formula_cell(row, column) else "locked"


def expected_content(sheet: Sheet, index: int, column: Column):
    """What a locked cell must contain (a value, a formula string, or None); inputs are not locked."""
    row = sheet.rows[index]
    if is_formula_cell(row, column):
        return formula(sheet, index, column)
    if is_input_cell(row, column):
        raise ValueError("input cells have no expected content")
    return row.values.get(column.field)


def evaluate(op: tuple, vals: dict):
    """Python twin of the formulas written by :func:`formula` (same blank semantics)."""
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


def compute_sheet(sheet: Sheet, inputs: dict) -> dict:
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
                vals[column.field] = evaluate(column.op, vals)
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
                    vals[column.field] = evaluate(column.op, vals)
                else:
                    vals[column.field] = row.values.get(column.field)
            values.update({(index, f): v for f, v in vals.items()})
    return values


def template_layout(contract, convention: str, year: int) -> pd.DataFrame:
    """Every cell of the template's data sheets: sheet, cell, row_type, key, field, header, kind, role.

    ``role`` is 'input' (unlocked), 'formula' (locked formula) or 'locked' (locked value).
    Use it to fill a template programmatically (see :func:`fill_template`) or to locate a cell.
    """
    template = build_template(contract, convention, year)
    records = []
    for sheet in template.data_sheets:
        for index, row in enumerate(sheet.rows):
            for column in sheet.columns:
                records.append({
                    "sheet": sheet.name, "cell": sheet.cell(index, column.field), "row_type": row.kind,
                    "key": row.key, "field": column.field, "header": column.header, "kind": column.kind,
                    "role": cell_role(row, column),
                })
    return pd.DataFrame(records).astype("str")
