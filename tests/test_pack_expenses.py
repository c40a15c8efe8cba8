"""The France Travail « État des dépenses » sheet: written, read back strictly, eligibility line by line."""

import datetime
from decimal import Decimal

import pandas as pd
import pytest

import analysis
from analysis.assessment.eligibility import INELIGIBLE_COLUMNS, expense_eligibility, ineligible_of, statement_eligibility
from analysis.domain import EXPENSE_CATEGORY_LABELS, EXPENSES_SHEET, FT_EXPENSE_TYPE_LABELS
from analysis.workbooks import WorkbookError, export_template, fill_template, read_execution, template_layout

S = EXPENSES_SHEET
STAFF = EXPENSE_CATEGORY_LABELS["personnel"]
MISSION = EXPENSE_CATEGORY_LABELS["frais_mission"]
V2 = FT_EXPENSE_TYPE_LABELS["v2_accompagnement"]
V1 = FT_EXPENSE_TYPE_LABELS["v1_developpement_si"]


def entries(rows):
    return pd.DataFrame(rows, columns=["sheet", "key", "field", "value"])


def line(n, **values):
    return [(S, str(n), field, value) for field, value in values.items()]


@pytest.fixture(scope="module")
def blank(contract, tmp_path_factory):
    return export_template(contract, "ft", 2024, tmp_path_factory.mktemp("ft") / "modele_ft_2024.xlsx")


def read_filled(contract, blank, tmp_path, rows):
    out = fill_template(blank, contract, entries(rows), out=tmp_path / "rempli.xlsx")
    return read_execution(out, contract)


GOOD = [
    *line(1, expense_type=V2, action="2.3", nature="Rémunération CIP", category=STAFF, unit="ETP", units=3,
          unit_cost=Decimal("43210.99"), start=datetime.date(2024, 1, 1), end="31/12/2024", purpose="Accompagnement",
          amount="129 632,97 €"),
    *line(2, expense_type=V2, action="2.6", nature="Déplacements", category=MISSION, start="2024-06-03", amount=4321),
    *line(3, expense_type=V2, action="2.3", nature="Structure", category=EXPENSE_CATEGORY_LABELS["accompagnement"],
          start=datetime.date(2024, 11, 1), end=datetime.date(2025, 1, 30), amount=Decimal("9100.00")),
]


def test_only_the_france_travail_template_has_the_expense_sheet(contract):
    assert S in set(template_layout(contract, "ft", 2024)["sheet"])
    assert S not in set(template_layout(contract, "cls", 2024)["sheet"])


def test_expense_lines_are_read_back_with_codes_and_exact_amounts(contract, blank, tmp_path):
    e = read_filled(contract, blank, tmp_path, GOOD)
    x = e.expenses.set_index("line")
    assert list(x.index) == [1, 2, 3]
    assert x.loc[1, "amount_eur"] == Decimal("129632.97") and x.loc[1, "unit_cost"] == Decimal("43210.99")
    assert (x.loc[1, "volet"], x.loc[1, "expense_type"], x.loc[1, "category"]) == ("2", "v2_accompagnement", "personnel")
    assert x.loc[1, "end"] == datetime.date(2024, 12, 31) and x.loc[2, "start"] == datetime.date(2024, 6, 3)
    assert "cellule" in x.loc[2, "source"]
    # the statement's totals differ from the (empty) finance sheet: a note per fiche action, nothing dropped
    assert sorted(r for r in e.warnings["reason"] if "2.3" in r or "2.6" in r)


def test_eligibility_line_by_line(contract, blank, tmp_path):
    e = read_filled(contract, blank, tmp_path, GOOD)
    lines = expense_eligibility(e.expenses, "prorata").set_index("line")
    assert lines.loc[1, "ineligible_eur"] == 0 and lines.loc[1, "eligibility"] == "eligible"
    assert lines.loc[2, "eligible_eur"] == 0 and lines.loc[2, "reason"] == "art_4_2"
    # 1/11/2024-30/1/2025: 91 days, 61 in 2024 -> 9 100 x 61 / 91 = 6 100 eligible (H41)
    assert (lines.loc[3, "days"], lines.loc[3, "days_in_period"]) == (91, 61)
    assert lines.loc[3, "eligible_eur"] == Decimal("6100.00") and lines.loc[3, "reason"] == "hors_periode"
    assert expense_eligibility(e.expenses, "exclue").set_index("line").loc[3, "eligible_eur"] == 0
    assert expense_eligibility(e.expenses, "incluse").set_index("line").loc[3, "ineligible_eur"] == 0
    frame = ineligible_of(statement_eligibility(e, "prorata"))
    assert sorted(zip(frame["action"], frame["amount_eur"], frame["reason"])) == [
        ("2.3", Decimal("3000.00"), "hors_periode"), ("2.6", Decimal("4321.00"), "art_4_2")]


def test_a_line_dated_outside_2024_is_not_eligible(contract, blank, tmp_path):
    rows = line(1, expense_type=V2, action="2.5", nature="Loyer", category=STAFF, start="15/01/2025", amount=500)
    lines = expense_eligibility(read_filled(contract, blank, tmp_path, rows).expenses, "prorata")
    assert lines["eligible_eur"].iloc[0] == 0 and lines["reason"].iloc[0] == "hors_periode"


def test_assess_deducts_the_statement_s_ineligible_spending_by_default(contract, execution):
    """Issue 14: ``analysis.assess(contract, execution)`` is complete: the eligibility of the expense statement is
    applied without the caller building anything; ``ineligible=`` only replaces it for a what-if."""
    assessed = analysis.assess(contract, execution)
    nothing = analysis.assess(contract, execution, ineligible=pd.DataFrame(columns=INELIGIBLE_COLUMNS))
    volet2 = lambda a: a.settlement[a.settlement["volet"] == "2"].iloc[0]  # noqa: E731
    lines = assessed.expenses
    excluded = sum(lines.loc[lines["volet"] == "2", "ineligible_eur"], Decimal("0"))
    assert excluded > 0 and len(lines) == len(execution.expenses)
    assert volet2(nothing)["eligible_executed"] - volet2(assessed)["eligible_executed"] == excluded
    assert volet2(assessed)["due"] < volet2(nothing)["due"]
    assert volet2(assessed)["ineligible"] == excluded
    # the straddling reading (H41) is a parameter of the assessment, like every other rule
    exclue = analysis.assess(contract, execution, straddling="exclue")
    assert sum(exclue.expenses["ineligible_eur"], Decimal("0")) > sum(lines["ineligible_eur"], Decimal("0"))


@pytest.mark.parametrize("rows, cell, reason", [
    (line(4, expense_type=V2, action="2.3", amount=10), "D8", "« Nature de la dépense » manquant"),
    (line(4, expense_type=V1, action="2.3", nature="x", category=STAFF, start="01/02/2024", amount=10), "C8",
     "relève du volet 2, pas du volet 1"),
    (line(4, expense_type=V2, action="2.3", nature="x", category=STAFF, start="01/02/2024", units=3, unit_cost=10,
          amount=31), "L8", "nombre d'unités × coût unitaire"),
    (line(4, start="31/02/2024"), "I8", "date impossible"),
    (line(4, start="1er mars"), "I8", "date attendue"),
    (line(4, category="Frais divers"), "E8", "hors de la liste"),
    (line(4, action="9.9"), "C8", "hors de la liste"),
    (line(4, expense_type=V2, action="2.3", nature="x", category=STAFF, start="01/03/2024", end="01/02/2024", amount=1),
     "J8", "fin de période antérieure au début"),
    (line(4, amount="=1+1"), "L8", "formule"),
    (line(4, amount=-5), "L8", "montant négatif"),
])
def test_a_bad_expense_line_rejects_the_workbook_naming_its_cell(contract, blank, tmp_path, rows, cell, reason):
    with pytest.raises(WorkbookError) as caught:
        read_filled(contract, blank, tmp_path, rows)
    problems = [p for p in caught.value.problems if p.sheet == S]
    assert any(p.cell == cell and reason in p.reason for p in problems), [str(p) for p in problems]


def test_the_example_statement_matches_the_finance_sheet(execution):
    """The fictitious statement breaks each action's executed total into lines: no note, 2.4 (FIPE) left out."""
    ft = execution.expenses
    assert len(ft) and "2.4" not in set(ft["action"])
    assert not execution.warnings["sheet"].eq(S).any()
    b = execution.budget
    b = b[(b["convention"] == "ft") & (b["row_type"] == "line") & (b["quantity"] == "executed")]
    for action, group in ft.groupby("action"):
        assert sum(group["amount_eur"], Decimal("0")) == sum(b.loc[b["action"] == action, "amount_eur"], Decimal("0"))
    assert set(expense_eligibility(ft, "prorata")["reason"].dropna()) == {"art_4_2", "hors_periode"}
