"""The display layer: every table a person reads is in French, without raw codes or pandas artefacts.

Each display function is run on the real data (the contract, its reconciliation, and the fictitious
execution example) and every cell and header of the result is inspected.
"""

import re
from decimal import Decimal

import pandas as pd
import pytest

import analysis
from analysis import display, domain, summaries
from analysis.reconciliation import findings

#: Every code of the vocabulary: none may be shown as is.
RAW_CODES = (
    set(domain.CONVENTION_CODES) | {"deliberation"} | set(domain.FUNDERS) | set(domain.PHASES) | set(domain.ROW_TYPES)
    | set(domain.QUANTITY_LABELS) | set(domain.MEASURES) | set(domain.INDICATOR_FAMILY_LABELS) | set(domain.CHECK_FAMILIES)
    | set(domain.CHECK_STATUSES) | set(domain.SEVERITIES) | set(domain.ASSESSMENT_FLAGS) | set(domain.DIRECTION_LABELS)
    | set(domain.TABLE_LABELS)
)
ARTEFACTS = {"nan", "NaN", "<NA>", "None", "NaT", "True", "False"}
FLOAT_INTEGER = re.compile(r"^-?\d+\.0$")
MONEY = re.compile(r"^-?\d{1,3}(\u00a0\d{3})*,\d{2}\u00a0€$")
PERCENT = re.compile(r"^-?\d{1,3}(\u00a0\d{3})*(,\d)? %$")
MONEY_HEADERS = {display.HEADERS[c] for c in display.MONEY}
PERCENT_HEADERS = {display.HEADERS[c] for c in display.PERCENT} | {"Année 2024", "Année 2025"}


@pytest.fixture(scope="module")
def checks(contract, execution):
    return analysis.reconcile(contract, execution)


def assert_readable(table: pd.DataFrame, money_headers=MONEY_HEADERS, percent_headers=PERCENT_HEADERS):
    """No raw code, no pandas artefact, French headers, French money and percentages."""
    assert len(table) > 0
    for name in table.columns:
        assert isinstance(name, str) and name not in display.HEADERS and "_" not in name, f"en-tête non traduit : {name!r}"
    for name in table.columns:
        for cell in table[name]:
            assert isinstance(cell, str), f"{name} : cellule non écrite {cell!r}"
            assert cell not in RAW_CODES, f"{name} : code brut {cell!r}"
            assert cell not in ARTEFACTS and not FLOAT_INTEGER.match(cell), f"{name} : artefact {cell!r}"
            if name in money_headers and cell:
                assert MONEY.match(cell), f"{name} : montant mal écrit {cell!r}"
            if name in percent_headers and cell:
                assert PERCENT.match(cell), f"{name} : pourcentage mal écrit {cell!r}"


# ---------------------------------------------------------------------------------------------
# Contract summaries (notebook 00)
# ---------------------------------------------------------------------------------------------

def test_overview(contract):
    table = display.overview(summaries.contract_overview(contract))
    assert_readable(table)
    assert table["Convention"].tolist() == ["CLS", "France Travail"]
    assert table["Part État prévue"].iloc[0] == "13\u00a0029\u00a0932,00\u00a0€"


@pytest.mark.parametrize(
    ("convention", "grouping", "title"), [("cls", "Axe", "Intitulé de l'axe"), ("ft", "Volet", "Intitulé du volet")]
)
def test_actions_are_grouped_by_axis_or_volet(contract, convention, grouping, title):
    table = display.actions(summaries.actions_by_axis(contract, convention))
    assert_readable(table)
    assert list(table.columns) == [grouping, title, "Action", "Intitulé"]


@pytest.mark.parametrize(("convention", "grouping"), [("cls", "Axe"), ("ft", "Volet")])
def test_budget_by_axis_or_volet_and_year(contract, convention, grouping):
    table = display.budget(summaries.budget_by_axis_year(contract, convention))
    assert_readable(table)
    assert list(table.columns[:2]) == [grouping, "Année"] and "État" in table.columns and table.columns[-1] == "Total"


def test_indicator_tables(contract):
    assert_readable(display.table(summaries.indicator_overview(contract)))
    targets = display.indicator_targets(summaries.indicator_targets(contract, "1.1"))
    assert_readable(targets)
    assert list(targets.columns[:2]) == ["Libellé", "Situation de départ 2023"]  # named by its label, not its code
    first = summaries.indicator_targets(contract, "1.1")["label"].iloc[0]
    assert targets.set_index("Libellé").loc[first, "Cible 2024"] == "600"


def test_every_column_of_the_contract_tables(contract):
    for name in ("actions", "budget", "sub_actions", "indicators", "indicator_values"):
        frame = getattr(contract, name)
        known = [c for c in frame.columns if c in display.HEADERS]
        assert_readable(display.table(frame, known))
    # the budget has a header for every column
    assert_readable(display.table(contract.budget))


def test_execution_workbooks(execution):
    table = display.table(execution.workbooks[["file", "convention", "year", "fictitious"]])
    assert_readable(table)
    assert set(table["Données fictives"]) == {"oui"}


# ---------------------------------------------------------------------------------------------
# Reconciliation (notebooks 01 and 02)
# ---------------------------------------------------------------------------------------------

def test_checks(checks):
    table = display.checks(checks)
    assert_readable(table)
    assert len(table) == len(checks)
    assert "Axe / volet" in table.columns  # both conventions
    assert set(table["Statut"]) == set(domain.CHECK_STATUS_LABELS.values())


def test_findings_largest_first(checks):
    columns = ["check_id", "status", "expected", "computed", "gap_eur", "gap_units", "explication"]
    table = display.checks(findings(checks), columns)
    assert_readable(table)
    gaps = dict(zip(table["Contrôle"], table["Écart (€)"]))
    assert gaps["croisement/ft/2.4/plan_vs_fiche_cout_total"] == "452\u00a0718,00\u00a0€"
    assert "4" in set(table["Écart (unités)"])  # a duration gap in months, not '4.0'


def test_one_convention_checks_name_their_grouping(checks):
    ft = display.checks(checks[checks["convention"] == "ft"])
    assert "Volet" in ft.columns and "Axe / volet" not in ft.columns


def test_check_counts(checks):
    table = display.check_counts(checks)
    assert_readable(table, money_headers=set())
    assert list(table.columns) == ["Famille", "Concordant", "Écart", "Non vérifiable", "Total"]
    total = table.set_index("Famille").loc["Total", "Total"]
    assert total == display.count(len(checks))
    assert table["Famille"].iloc[-2] == "Bilans d'exécution"


def test_describe(checks):
    row = checks.set_index("check_id").loc["sommes/sous_actions/1.3"]
    text = display.describe(row)
    assert "Imprimé : 93\u00a0560,00\u00a0€" in text and "écart : -60,00\u00a0€" in text


def test_export_has_labels_and_numbers(checks, tmp_path):
    from openpyxl import load_workbook

    path = display.export_reconciliation(checks, tmp_path / "rapprochement.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Écarts", "Tous les contrôles", "Synthèse"]
    for ws in wb.worksheets:
        header = [c.value for c in ws[1]]
        assert not set(header) & set(display.HEADERS)
        values = [c.value for row in ws.iter_rows(min_row=2) for c in row]
        assert not {v for v in values if isinstance(v, str)} & (RAW_CODES | ARTEFACTS)
    ws = wb["Tous les contrôles"]
    header = [c.value for c in ws[1]]
    gaps = [row[header.index("Écart (€)")].value for row in ws.iter_rows(min_row=2)]
    assert all(g is None or isinstance(g, (int, float)) for g in gaps) and any(g for g in gaps)
    agreeing_sums = int(((checks["family"] == "sommes") & (checks["status"] == "ok")).sum())
    assert [c.value for c in wb["Synthèse"][2]][:2] == ["Sommes et totaux", agreeing_sums]


# ---------------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------------
# Single values and the rules of the layer
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [(4.0, "4"), (12.5, "12,5"), (1250, "1\u00a0250"), (0.25, "0,25"), (None, ""), (float("nan"), ""), (pd.NA, "")],
)
def test_number(value, expected):
    assert display.number(value) == expected


def test_money_and_percent():
    assert display.eur(Decimal("1234567")) == "1\u00a0234\u00a0567,00\u00a0€"
    assert display.eur(pd.NA) == display.eur(None) == ""
    assert display.percent(0.7733) == "77,3 %" and display.percent(float("nan")) == ""


def test_a_column_without_french_header_is_refused():
    with pytest.raises(KeyError, match="en-tête français"):
        display.table(pd.DataFrame({"mystery_code": [1]}))


def test_numbers_can_stay_numbers_for_a_spreadsheet(checks):
    table = display.checks(checks.head(3), numbers=False)
    assert table["Montant imprimé"].tolist() == checks["expected"].head(3).tolist()
    assert table["Statut"].tolist() == ["Concordant"] * 3
