"""Scenario runs (issue 11): the base is exactly ``assess``; each override changes what it should and nothing else."""

from decimal import Decimal

import pandas as pd
import pytest

import analysis
from analysis.assessment.consumption import consumption_frame
from analysis.assessment.ledger import LEDGER_COLUMNS
from analysis.scenarios import AvenantChange, Decision, ExecutedOverride, Scenario, ScenarioError, ScenarioRunner, run
from analysis.scenarios.engine import changed_amounts

FRAMES = ["consumption", "settlement", "end_of_contract", "cofinancing", "achievement"]
D = Decimal


@pytest.fixture(scope="module")
def runner(contract, execution):
    return ScenarioRunner(contract, execution)


@pytest.fixture(scope="module")
def base(runner):
    return runner.run()


def row(result, action, year, convention="cls"):
    c = result.consumption
    rows = c[(c["convention"] == convention) & (c["action"] == action) & (c["year"] == year)]
    assert len(rows) == 1
    return rows.iloc[0]


def others(frame, keys):
    """The consumption rows outside ``keys`` ((convention, action, year) triples)."""
    mask = [k not in keys for k in zip(frame["convention"], frame["action"], frame["year"])]
    return frame[mask].reset_index(drop=True)


def values(frame):
    """The cells of ``frame`` as Python objects, every missing value None (dtypes aside: a column of
    missing values may be typed differently when no row holds a value)."""
    return frame.astype(object).where(frame.notna(), None)


def assert_only_rows_change(result, base, keys, *, same=("settlement", "cofinancing", "achievement")):
    pd.testing.assert_frame_equal(values(others(result.consumption, keys)), values(others(base.consumption, keys)))
    for name in same:
        pd.testing.assert_frame_equal(getattr(result, name), getattr(base, name))


# ------------------------------------------------------------------------------------------------
# The base scenario is assess
# ------------------------------------------------------------------------------------------------


def test_base_scenario_gives_exactly_assess(contract, execution):
    expected = analysis.assess(contract, execution)
    result = run(contract, execution, Scenario())
    assert isinstance(result, analysis.Assessment)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(result, name), getattr(expected, name), check_exact=True)
    assert result.parameters == expected.parameters
    assert result.fictitious is expected.fictitious is True
    assert result.projected_years == ()


def test_thresholds_tolerance_and_bands_are_assess_parameters(contract, execution, runner):
    settings = {"threshold": 0.5, "tolerance": 0.1, "near_band": 0.9, "late_band": 0.5}
    expected = analysis.assess(contract, execution, **settings)
    result = runner.run(Scenario(name="Seuils", **settings))
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(result, name), getattr(expected, name), check_exact=True)
    assert result.parameters == expected.parameters


def test_runner_is_reusable_and_does_not_leak_between_runs(runner, base):
    runner.run(Scenario(name="x", executed=(ExecutedOverride("cls", "3.2", 2024, rate=0.95),), projection=True))
    again = runner.run()
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(base, name))
    again.consumption.loc[0, "flag"] = "modifié"
    assert runner.run().consumption.loc[0, "flag"] != "modifié"


# ------------------------------------------------------------------------------------------------
# Executed amounts
# ------------------------------------------------------------------------------------------------


def test_executed_rate_changes_its_action_year_only(runner, base):
    result = runner.run(Scenario(name="3.2", executed=(ExecutedOverride("cls", "3.2", 2024, rate=0.9),)))
    r = row(result, "3.2", 2024)
    assert r["executed_state"] == D("144000.00") and r["unconsumed_state"] == D("16000.00")
    assert r["flag"] == "conforme" and r["amount_at_risk"] == 0 and pd.isna(r["risk_kind"])
    assert row(base, "3.2", 2024)["flag"] == "sous_consommation_manifeste"
    assert_only_rows_change(result, base, {("cls", "3.2", 2024)})
    end, end0 = result.end_of_contract.set_index("action"), base.end_of_contract.set_index("action")
    assert end.at["3.2", "executed_state"] - end0.at["3.2", "executed_state"] == D("144000.00") - D("80960.00")
    pd.testing.assert_frame_equal(end.drop(index=["3.2", None]), end0.drop(index=["3.2", None]))


@pytest.mark.parametrize("key", [("cls", "1.4", 2024), ("cls", "3.3", 2025), ("cls", "4.2", 2025), ("ft", "2.6", 2024)])
def test_a_low_rate_changes_at_most_its_row_and_the_next_years_carry(runner, base, key):
    convention, action, year = key
    result = runner.run(Scenario(name="bas", executed=(ExecutedOverride(convention, action, year, rate=0.3),)))
    r = row(result, action, year, convention)
    assert r["executed_state"] == (D("0.3") * r["available_state"]).quantize(D("0.01"))
    assert 0 <= r["amount_at_risk"] + r["amount_under_review"] <= r["unconsumed_state"]
    changed = {key}
    pd.testing.assert_frame_equal(values(others(result.consumption, changed)), values(others(base.consumption, changed)))


def test_raising_executed_cuts_the_carry_over_and_the_next_years_carry_in(runner, base):
    result = runner.run(Scenario(name="3.1", executed=(ExecutedOverride("cls", "3.1", 2024, rate=1.0),)))
    r24, r25 = row(result, "3.1", 2024), row(result, "3.1", 2025)
    assert row(base, "3.1", 2024)["carried_out_state"] == D("75195.00")
    assert r24["unconsumed_state"] == 0 and r24["carried_out_state"] == 0
    assert r25["carried_in_state"] == 0 and r25["available_state"] == D("150000.00")
    assert r25["rate"] == pytest.approx(137700 / 150000)
    assert_only_rows_change(result, base, {("cls", "3.1", 2024), ("cls", "3.1", 2025)})


def test_executed_amount_on_france_travail_changes_the_settlement(runner, base):
    extra = D("200000.00")
    new = row(base, "2.3", 2024, "ft")["executed_state"] + extra
    result = runner.run(Scenario(name="FT", executed=(ExecutedOverride("ft", "2.3", 2024, amount=new),)))
    assert row(result, "2.3", 2024, "ft")["executed_state"] == new
    total, total0 = (r.settlement[r.settlement["row_type"] == "total"].iloc[0] for r in (result, base))
    assert total["eligible_executed"] - total0["eligible_executed"] == extra
    assert total["due"] - total0["due"] == extra / 2  # volet 2, State share = 50 % of the eligible cost (H24), below its ceiling
    assert total["balance_due"] - total0["balance_due"] == extra / 2
    realised = result.cofinancing[result.cofinancing["basis"] == "realise"]["cost"]
    assert list(realised - base.cofinancing[base.cofinancing["basis"] == "realise"]["cost"]) == [extra, extra]
    assert_only_rows_change(result, base, {("ft", "2.3", 2024)}, same=("achievement", "end_of_contract"))


# ------------------------------------------------------------------------------------------------
# The State's decisions on justifications
# ------------------------------------------------------------------------------------------------


def test_rejected_justification_turns_the_amount_under_review_into_an_amount_at_risk(runner, base):
    before = row(base, "3.3", 2024)
    assert before["flag"] == "justification_a_apprecier" and before["amount_under_review"] == D("205950.00")
    result = runner.run(Scenario(name="rejet", decisions=(Decision("3.3", 2024, "rejetee"),)))
    after = row(result, "3.3", 2024)
    assert after["flag"] == "sous_consommation_manifeste" and after["risk_kind"] == "reduction_n1"
    assert after["amount_at_risk"] == D("205950.00") and after["amount_under_review"] == 0
    assert after["justification"] == before["justification"]
    assert_only_rows_change(result, base, {("cls", "3.3", 2024)}, same=("settlement", "cofinancing", "achievement",
                                                                          "end_of_contract"))


def test_accepted_justification_removes_the_exposure(runner, base):
    result = runner.run(Scenario(name="accord", decisions=(Decision("3.3", 2025, "acceptee"),)))
    after = row(result, "3.3", 2025)
    assert after["flag"] == "justification_acceptee"
    assert after["amount_at_risk"] == 0 and after["amount_under_review"] == 0 and pd.isna(after["risk_kind"])
    assert_only_rows_change(result, base, {("cls", "3.3", 2025)})


def test_a_decision_changes_nothing_where_the_under_consumption_is_not_manifest(runner, base):
    assert row(base, "4.1", 2024)["flag"] == "a_surveiller"
    result = runner.run(Scenario(name="sans effet", decisions=(Decision("4.1", 2024, "rejetee"),)))
    pd.testing.assert_frame_equal(result.consumption, base.consumption)


def test_a_decision_needs_a_justification_in_the_bilans(runner):
    with pytest.raises(ScenarioError, match=r"decisions\[0\].*aucune justification du Département pour l'action 1\.1 en 2024"):
        runner.run(Scenario(name="x", decisions=(Decision("1.1", 2024, "acceptee"),)))
    with pytest.raises(ScenarioError, match="France Travail.*pas de réduction en n\\+1"):
        runner.run(Scenario(name="x", decisions=(Decision("2.3", 2024, "rejetee"),)))


# ------------------------------------------------------------------------------------------------
# Threshold, floor, reduction share
# ------------------------------------------------------------------------------------------------


def test_threshold_moves_only_the_flags_it_crosses(runner, base):
    result = runner.run(Scenario(name="seuil", threshold=0.5))  # H15 is 65 %
    c = base.consumption
    q = c["rate"] / c["expected_rate"]
    crossing = c[(c["convention"] == "cls") & (q >= 0.5) & (q < 0.65)]
    keys = set(zip(crossing["convention"], crossing["action"], crossing["year"]))
    assert {("cls", "3.2", 2024), ("cls", "1.2", 2025), ("cls", "3.3", 2024), ("cls", "3.3", 2025)} == keys
    for _, action, year in keys:
        after = row(result, action, year)
        assert after["flag"] == "a_surveiller" and after["amount_at_risk"] == 0 and after["amount_under_review"] == 0
    assert_only_rows_change(result, base, keys)


def test_materiality_floor_ignores_small_amounts_only(runner, base):
    result = runner.run(Scenario(name="plancher", materiality_floor=D("100000.00")))
    small = row(result, "3.2", 2024)
    assert small["amount_at_risk"] == 0 and pd.isna(small["risk_kind"]) and small["flag"] == "sous_consommation_manifeste"
    assert row(result, "1.2", 2025)["amount_at_risk"] == D("258807.60")
    assert row(result, "3.3", 2024)["amount_under_review"] == D("205950.00")
    assert_only_rows_change(result, base, {("cls", "3.2", 2024)})


def test_reduction_share_alone_changes_no_assessment_frame(runner, base):
    result = runner.run(Scenario(name="moitié", reduction_share=0.5))
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(result, name), getattr(base, name))


# ------------------------------------------------------------------------------------------------
# Avenants
# ------------------------------------------------------------------------------------------------


def test_avenant_percent_on_an_axis_changes_notified_and_paid_credits_of_that_year(runner, base):
    result = runner.run(Scenario(name="axe 3", avenants=(AvenantChange(2025, axis="3", percent=-0.1),)))
    axis3 = {("cls", a, 2025) for a in ("3.1", "3.2", "3.3", "3.4")}
    for _, action, year in axis3:
        before, after = row(base, action, year), row(result, action, year)
        assert after["planned_state"] == (before["planned_state"] * D("0.9")).quantize(D("0.01"))
        assert after["paid_state"] == after["planned_state"]  # paid follows notified (H39)
        assert after["available_state"] == after["planned_state"] + (after["carried_in_state"] or 0)
    assert row(result, "3.3", 2025)["available_state"] == D("382500.00") + D("205950.00")
    assert_only_rows_change(result, base, axis3, same=("settlement", "cofinancing", "achievement"))
    end, end0 = result.end_of_contract.set_index("action"), base.end_of_contract.set_index("action")
    assert end0.at["3.3", "planned_state"] - end.at["3.3", "planned_state"] == D("42500.00")
    assert end.at["1.1", "planned_state"] == end0.at["1.1", "planned_state"]


def test_avenant_amount_on_an_axis_is_shared_in_proportion(runner, base):
    cut = D("-100000.00")
    assert changed_amounts({"4.1": D("333000.00"), "4.2": D("340260.00")},
                           AvenantChange(2026, axis="4", amount=cut)) == {"4.1": D("283539.17"), "4.2": D("289720.83")}
    result = runner.run(Scenario(name="axe 4", avenants=(AvenantChange(2026, axis="4", amount=cut),)))
    pd.testing.assert_frame_equal(result.consumption, base.consumption)  # 2026 has no bilan and no projection
    end, end0 = result.end_of_contract.set_index("action"), base.end_of_contract.set_index("action")
    assert end.at[None, "planned_state"] - end0.at[None, "planned_state"] == cut
    assert end.at["4.1", "planned_state"] - end0.at["4.1", "planned_state"] == D("283539.17") - D("333000.00")


def test_avenant_on_one_action_and_refusals(runner, base):
    result = runner.run(Scenario(name="1.2", avenants=(AvenantChange(2025, action="1.2", amount=D("-99508.00")),)))
    assert row(result, "1.2", 2025)["available_state"] == D("500000.00")
    assert_only_rows_change(result, base, {("cls", "1.2", 2025)})
    with pytest.raises(ScenarioError, match=r"avenants\[0\]\.year.*2024 refusée"):
        runner.run(Scenario(name="x", avenants=(AvenantChange(2024, axis="1", percent=0.1),)))
    with pytest.raises(ScenarioError, match=r"avenants\[1\].*en double"):
        runner.run(Scenario(name="x", avenants=(AvenantChange(2025, axis="1", percent=0.1),
                                                AvenantChange(2025, action="1.2", percent=0.1))))


# ------------------------------------------------------------------------------------------------
# Projection of 2026-2027
# ------------------------------------------------------------------------------------------------


def test_projection_adds_2026_and_2027_and_keeps_the_reported_years(runner, base):
    result = runner.run(Scenario(name="rythme", projection=True))
    assert result.projected_years == (2026, 2027)
    reported = result.consumption[~result.consumption["year"].isin([2026, 2027])].reset_index(drop=True)
    pd.testing.assert_frame_equal(reported, base.consumption)
    assert row(result, "1.2", 2026)["rate"] == pytest.approx(row(base, "1.2", 2025)["rate"], abs=1e-6)
    assert row(result, "3.4", 2026)["rate"] == pytest.approx(row(base, "3.4", 2024)["rate"], abs=1e-6)  # 2025 not reported
    last = row(result, "3.3", 2027)
    assert last["risk_kind"] == "remboursement" and last["amount_at_risk"] == last["unconsumed_state"]
    assert last["carried_out_state"] == 0  # no carry-over beyond 2027 (art. 5)
    total = result.end_of_contract[result.end_of_contract["row_type"] == "total"].iloc[0]
    assert total["final"] and total["amount_at_risk"] > 0


def test_projection_carries_the_unconsumed_and_deducts_the_reduced_share(runner):
    result = runner.run(Scenario(name="réduction", projection=True, reduction_share=0.5))
    y26, y27 = row(result, "1.2", 2026), row(result, "1.2", 2027)
    assert y26["flag"] == "sous_consommation_manifeste" and y26["amount_at_risk"] > 0
    assert y27["carried_in_state"] == y26["unconsumed_state"] == y26["carried_out_state"]  # H37
    assert y27["planned_state"] == D("599508.00") - (y26["amount_at_risk"] / 2).quantize(D("0.01"))  # H38
    assert y27["planned_state_source"] == "avenant"
    assert row(result, "3.1", 2026)["carried_in_state"] == D("12300.00")  # carried by the 2025 bilan


def test_projection_rate_per_action(runner):
    default = runner.run(Scenario(name="rythme", projection=True))
    result = runner.run(Scenario(name="1.2 à 100 %", projection=True, projection_rates=(("1.2", 1.0),)))
    assert row(result, "1.2", 2026)["rate"] == 1.0 and row(result, "1.2", 2026)["flag"] == "conforme"
    assert row(result, "1.1", 2026)["executed_state"] == row(default, "1.1", 2026)["executed_state"]


def test_projected_rows_follow_the_consumption_rules(runner):
    """The projected rows are built directly: they must agree with consumption_frame on the same ledger."""
    result = runner.run(Scenario(name="p", projection=True, threshold=0.7, executed=(ExecutedOverride("cls", "4.1", 2026,
                                                                                                     rate=0.2),)))
    projected = result.consumption[result.consumption["year"].isin([2026, 2027])].reset_index(drop=True)
    ledger = projected.assign(planned_contract=[runner.contract_planned.get(("cls", a, y))
                                                for a, y in zip(projected["action"], projected["year"])],
                              executed_autre=None, declared_rate=float("nan"))[LEDGER_COLUMNS]
    expected = consumption_frame(ledger, runner.expected, runner.parameters(result.scenario))
    pd.testing.assert_frame_equal(values(projected), values(expected))
    assert row(result, "4.1", 2026)["executed_state"] == (D("0.2") * row(result, "4.1", 2026)["available_state"]).quantize(
        D("0.01"))


def test_projected_years_need_the_projection(runner):
    with pytest.raises(ScenarioError, match=r"executed\[0\].*action 1\.2 \(CLS\) en 2026.*ni projection"):
        runner.run(Scenario(name="x", executed=(ExecutedOverride("cls", "1.2", 2026, rate=0.5),)))
    with pytest.raises(ScenarioError, match=r"executed\[0\].*action 2\.4 \(France Travail\)"):
        runner.run(Scenario(name="x", executed=(ExecutedOverride("ft", "2.4", 2024, rate=0.5),)))


@pytest.mark.parametrize("scenario, message", [
    (Scenario(name="x", executed=(ExecutedOverride("cls", "9.9", 2024, rate=0.5),)), r"executed\[0\]\.action.*« 9\.9 » inconnue"),
    (Scenario(name="x", executed=(ExecutedOverride("cls", "1.1", 2031, rate=0.5),)), r"executed\[0\]\.year.*2031 refusée"),
    (Scenario(name="x", executed=(ExecutedOverride("ft", "2.3", 2025, rate=0.5),)), r"2025 refusée \(France Travail : 2024\)"),
    (Scenario(name="x", executed=(ExecutedOverride("cls", "1.1", 2024),)), r"soit un montant.*soit un taux"),
    (Scenario(name="x", executed=(ExecutedOverride("cls", "1.1", 2024, rate=3.0),)), r"rate.*entre 0 et 1\.5"),
    (Scenario(name="x", threshold=0.9), r"seuil de sous-consommation manifeste"),
    (Scenario(name="x", projection_rates=(("2.3", 0.5),)), r"projection_rates\.2\.3.*inconnue \(CLS\)"),
    (Scenario(name=" "), r"champ « name »"),
])
def test_invalid_scenarios_are_refused_in_french(runner, scenario, message):
    with pytest.raises(ValueError, match=message):
        runner.run(scenario)
