"""Consumption rates and under-consumption flags on the fictitious example and on synthetic cases."""

from decimal import Decimal

import pandas as pd
import pytest

from analysis.consumption import attainment_by_action, flag_under_consumption, indicator_progress, state_consumption


def test_consumption_of_the_example(contract, execution):
    table = state_consumption(contract, execution)
    assert set(zip(table["convention"], table["year"])) == {("cls", 2024), ("cls", 2025), ("ft", 2024)}
    row = table[(table["action"] == "1.1") & (table["year"] == 2024)].iloc[0]
    assert row["planned"] == Decimal("618000.00") and row["paid"] == Decimal("618000.00")
    assert row["unconsumed"] == row["paid"] - row["executed"]
    assert row["rate"] == pytest.approx(float(row["executed"] / row["paid"]))


def test_flags_of_the_example_follow_the_scenario(contract, execution):
    flags = flag_under_consumption(state_consumption(contract, execution))
    risky = flags[flags["flag"] == "risque_reduction"]
    at_risk = set(zip(risky["action"], risky["year"]))
    # this module applies one CLS-style rule (H01 on executed / paid) to both contracts: it flags the silent
    # under-consumers (CLS 3.2 in 2024, 1.2 in 2025) but also 1.4 and 1.5, whose fiches start at the signature
    # (a ramp-up it ignores), and none of France Travail, whose credits paid are the 60 % advance (issue 9:
    # analysis.assess applies each contract's own rules)
    assert at_risk == {("1.2", 2025), ("1.4", 2024), ("1.5", 2024), ("3.2", 2024)}
    assert set(flags.loc[flags["flag"] == "justifiee", "action"]) >= {"3.3", "4.1"}


@pytest.mark.parametrize(
    ("rate", "ramp", "justification", "expected"),
    [
        (0.95, None, None, "conforme"),
        (0.90, None, None, "conforme"),
        (0.89, None, None, "risque_reduction"),
        (0.55, 0.5, None, "montee_en_charge"),
        (0.45, 0.5, None, "risque_reduction"),
        (0.45, 0.5, "Recrutements tardifs", "justifiee"),
        (0.45, None, "   ", "risque_reduction"),
        (float("nan"), None, None, None),
    ],
)
def test_flag_rules(rate, ramp, justification, expected):
    frame = pd.DataFrame({"rate": [rate], "ramp_up_rate": [ramp], "justification": [justification]})
    flag = flag_under_consumption(frame)["flag"].iloc[0]
    assert (None if pd.isna(flag) else flag) == expected


def test_threshold_is_a_parameter():
    frame = pd.DataFrame({"rate": [0.85], "ramp_up_rate": [None], "justification": [None]})
    assert flag_under_consumption(frame, threshold=0.8)["flag"].iloc[0] == "conforme"
    assert flag_under_consumption(frame, threshold=0.9)["flag"].iloc[0] == "risque_reduction"


def test_indicator_progress_joins_targets_and_results(contract, execution):
    progress = indicator_progress(contract, execution)
    row = progress[(progress["indicator_id"] == "cls-L-1.1-1") & (progress["year"] == 2024)].iloc[0]
    assert row["target"] == 600
    assert pd.isna(row["result"]) or row["attainment"] == pytest.approx(row["result"] / 600)
    assert progress["result"].notna().sum() > 50


def test_defaults_come_from_the_assumptions_register(monkeypatch):
    from analysis import assumptions

    frame = pd.DataFrame({"rate": [0.85], "ramp_up_rate": [None], "justification": ["Recrutements tardifs"]})
    assert assumptions.default("under_consumption_threshold") == 0.9  # H01
    assert flag_under_consumption(frame)["flag"].iloc[0] == "justifiee"
    register = {**{a.name: a.value for a in assumptions.assumptions()}, "under_consumption_threshold": 0.8}
    monkeypatch.setattr(assumptions, "default", register.__getitem__)
    assert flag_under_consumption(frame)["flag"].iloc[0] == "conforme"


def test_justifications_can_be_refused():
    frame = pd.DataFrame({"rate": [0.45], "ramp_up_rate": [None], "justification": ["Recrutements tardifs"]})
    assert flag_under_consumption(frame)["flag"].iloc[0] == "justifiee"  # H14: any justification is accepted
    assert flag_under_consumption(frame, accept_justification=False)["flag"].iloc[0] == "risque_reduction"


def test_rate_basis_is_a_parameter(contract, execution):
    paid = state_consumption(contract, execution)
    planned = state_consumption(contract, execution, basis="planned")
    row = planned[(planned["action"] == "2.4") & (planned["year"] == 2024)].iloc[0]
    assert row["rate"] == pytest.approx(float(row["executed"] / row["planned"]))
    assert paid.drop(columns="rate").equals(planned.drop(columns="rate"))
    with pytest.raises(ValueError, match="assiette"):
        state_consumption(contract, execution, basis="notified")


def test_attainment_by_action_is_the_mean_of_the_indicators(contract, execution):
    progress = indicator_progress(contract, execution)
    table = attainment_by_action(progress)
    assert list(table.columns) == ["action", "year", "attainment"]
    filled = progress[(progress["action"] == "1.4") & (progress["year"] == 2024)]["attainment"].dropna().astype(float)
    row = table[(table["action"] == "1.4") & (table["year"] == 2024)].iloc[0]
    assert row["attainment"] == pytest.approx(filled.mean())
    median = attainment_by_action(progress, aggregate="median")
    assert median[(median["action"] == "1.4") & (median["year"] == 2024)]["attainment"].iloc[0] == pytest.approx(filled.median())
