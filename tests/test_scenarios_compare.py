"""Results side by side (issue 11): totals, the flags and statuses that changed, the France Travail settlement,
the French tables and their xlsx export."""

from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

import analysis
from analysis import display
from analysis.scenarios import Decision, ExecutedOverride, Scenario, ScenarioRunner, compare

D = Decimal


@pytest.fixture(scope="module")
def runner(contract, execution):
    return ScenarioRunner(contract, execution)


@pytest.fixture(scope="module")
def assessed(contract, execution):
    return analysis.assess(contract, execution)


@pytest.fixture(scope="module")
def scenario_result(runner):
    return runner.run(Scenario(
        name="Rejet 3.3, FT 2.3 à 90 %", near_band=0.9, reduction_share=0.5,
        executed=(ExecutedOverride("ft", "2.3", 2024, rate=0.9),), decisions=(Decision("3.3", 2024, "rejetee"),)))


def test_totals_per_axis_year_and_contract_are_the_sums_of_the_assessment(assessed, scenario_result):
    comparison = compare(assessed, scenario_result)
    assert comparison.names == ("Base", "Rejet 3.3, FT 2.3 à 90 %")
    for name, result in zip(comparison.names, (assessed, scenario_result)):
        cls = result.consumption[result.consumption["convention"] == "cls"]
        assert comparison.total(name) == sum(cls["amount_at_risk"], D(0))
        under_review_2024 = sum(cls.loc[cls["year"] == 2024, "amount_under_review"], D(0))
        assert comparison.total(name, "amount_under_review", 2024) == under_review_2024
        e = comparison.exposure[(comparison.exposure["scenario"] == name) & comparison.exposure["year"].notna()]
        per_axis = e[e["axis"].notna()].groupby("year")["amount_at_risk"].sum()
        totals = e[e["axis"].isna()].set_index("year")["amount_at_risk"]
        assert (per_axis == totals).all()
    assert comparison.total("Base") == D("337847.60")
    assert comparison.total("Rejet 3.3, FT 2.3 à 90 %") == D("337847.60") + D("205950.00")
    e = comparison.exposure
    reduction = e[(e["scenario"] == comparison.names[1]) & e["axis"].isna() & e["year"].isna()]["reduction_estimate"].iloc[0]
    assert reduction == (D("337847.60") + D("205950.00")) / 2  # share 0.5 of the n+1 exposure


def test_only_what_changed_is_listed(assessed, scenario_result):
    comparison = compare(assessed, scenario_result)
    flags = comparison.flags
    assert set(zip(flags["action"], flags["year"])) == {("3.3", 2024)}
    assert list(flags["flag"]) == ["justification_a_apprecier", "sous_consommation_manifeste"]
    statuses = comparison.statuses
    assert len(statuses) > 0 and len(statuses) % 2 == 0
    for _, pair in statuses.groupby(["indicator_id", "year"]):
        base, other = pair["status"].tolist()
        assert base == "proche" and other == "en_retard"  # near band moved from 85 % to 90 %
        assert 0.85 <= pair["attainment"].iloc[0] < 0.9
    settlement = comparison.settlement.set_index("scenario")
    # the statement's ineligible spending is deducted (art. 4.2, H41): the same balance as the France Travail pack
    assert settlement.at["Base", "balance_due"] == D("783024.08")
    due_change = settlement.iloc[1]["due"] - settlement.iloc[0]["due"]
    executed_change = D("0.9") * D("1650000.00") - D("1158960.00")
    assert due_change == executed_change / 2
    assert settlement.iloc[1]["advance"] + settlement.iloc[1]["balance_due"] - settlement.iloc[1]["refund_due"] == \
        settlement.iloc[1]["due"]


def test_identical_results_change_nothing_and_names_are_unique(runner, assessed):
    comparison = compare(assessed, runner.run(), ("Base", runner.run()))
    assert comparison.names == ("Base", "Base (2)", "Base (3)")
    assert comparison.flags.empty and comparison.statuses.empty
    assert comparison.exposure.groupby(["year", "axis"], dropna=False)["amount_at_risk"].nunique().eq(1).all()
    with pytest.raises(TypeError, match="évaluation"):
        compare(assessed, "pas un résultat")
    with pytest.raises(ValueError, match="rien à comparer"):
        compare()


def test_french_tables_have_no_codes_and_no_missing_markers(assessed, scenario_result):
    comparison = compare(assessed, scenario_result)
    for shown in (display.scenario_exposure(comparison), display.scenario_flags(comparison),
                  display.scenario_settlement(comparison), display.scenario_statuses(comparison),
                  display.scenario_description(comparison), display.scenario_consumption(scenario_result, "cls", 2024)):
        cells = shown.astype(str)
        assert not cells.isin(["nan", "NaN", "None", "<NA>", "NaT"]).any().any()
        assert not cells.isin(["sous_consommation_manifeste", "justification_a_apprecier", "proche", "cls"]).any().any()
    flags = display.scenario_flags(comparison)
    assert list(flags.columns[:3]) == ["Action", "Année", "Constat — Base"]
    assert flags.iloc[0]["Montant exposé — Rejet 3.3, FT 2.3 à 90 %"] == "205\u00a0950,00\u00a0€"
    exposure = display.scenario_exposure(comparison, years=[2024])
    assert list(exposure["Année"]) == ["2024"] * 4 + ["Toutes années"] * 4
    assert exposure.iloc[-1]["Écart du montant exposé — Rejet 3.3, FT 2.3 à 90 %"] == "205\u00a0950,00\u00a0€"
    described = display.scenario_description(comparison)
    assert "Justification jugée non opérante par l'État" in set(described["Valeur"])


def test_projected_years_are_marked(runner, assessed):
    projected = runner.run(Scenario(name="Rythme actuel", projection=True))
    comparison = compare(assessed, projected)
    years = display.scenario_exposure(comparison)["Année"]
    assert "2027 (projection)" in set(years) and "2025 (projection)" not in set(years)
    assert comparison.flags.empty  # the projected years exist only in one result: nothing to compare there
    both = compare(projected, runner.run(Scenario(name="Plus lent", projection=True, projection_rates=(("1.1", 0.5),))))
    assert {y for y in both.flags["year"]} == {2026, 2027} and set(both.flags["action"]) == {"1.1"}


def test_xlsx_export_is_french_numeric_and_byte_identical(tmp_path, assessed, scenario_result):
    comparison = compare(assessed, scenario_result)
    first = display.export_scenario_comparison(comparison, tmp_path / "comparaison.xlsx")
    again = display.export_scenario_comparison(comparison, tmp_path / "encore.xlsx")
    assert first.read_bytes() == again.read_bytes()
    wb = openpyxl.load_workbook(first)
    assert wb.sheetnames == ["Scénarios", "Montants exposés", "Constats modifiés", "Solde France Travail",
                             "Indicateurs modifiés"]
    ws = wb["Montants exposés"]
    header = [c.value for c in ws[1]]
    column = header.index("Montant exposé — Base") + 1
    values = [ws.cell(row=r, column=column).value for r in range(2, ws.max_row + 1)]
    assert all(isinstance(v, (int, float)) for v in values)
    assert values[-1] == pytest.approx(337847.60)
    assert "€" in ws.cell(row=2, column=column).number_format
    frame = pd.read_excel(first, sheet_name="Constats modifiés", engine="openpyxl")
    assert list(frame["Action"].astype(str)) == ["3.3"]
