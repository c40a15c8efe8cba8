"""Issue 15: period figures never count a euro twice (available = own credits + carry-over at the period's
start; exposed + under review ≤ unconsumed over the period); a year not reported is never a figure."""

from decimal import Decimal

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.assessment.period import period_position

D = Decimal


def consumption(rows) -> pd.DataFrame:
    """A CLS consumption frame: (action, year, own credits, carried in, executed, at risk, under review)."""
    records = []
    for action, year, own, carried, executed, at_risk, review in rows:
        records.append({"convention": "cls", "axis": action.split(".")[0], "action": action, "year": year,
                        "carried_in_state": carried, "available_state": own + (carried or D(0)),
                        "executed_state": executed, "amount_at_risk": at_risk, "amount_under_review": review,
                        "executed_departement": None})
    return pd.DataFrame(records)


def test_a_carry_over_is_counted_once_and_caps_what_is_at_stake():
    # action 3.3: 2024 leaves 205 950 unconsumed, under review, carried into 2025 (I = F + H), where it is under
    # review again with the 2025 credits left: the period holds 282 152,50 unconsumed, not 488 102,50
    frame = consumption([
        ("3.3", 2024, D("400000.00"), None, D("194050.00"), D("0.00"), D("205950.00")),
        ("3.3", 2025, D("400000.00"), D("205950.00"), D("323797.50"), D("0.00"), D("282152.50")),
    ])
    row = period_position(frame, 2024, 2025).iloc[0]
    assert row["available_state"] == D("800000.00") and row["executed_state"] == D("517847.50")
    assert row["unconsumed_state"] == D("282152.50")
    assert row["amount_under_review_years"] == D("488102.50") and row["amount_under_review"] == D("282152.50")
    assert row["complete"] and row["reported_years"] == (2024, 2025)
    summed = period_position(frame, 2024, 2025, cap="somme_des_annees").iloc[0]
    assert summed["amount_under_review"] == D("488102.50")  # the other reading of H45


def test_a_year_not_reported_is_never_a_figure():
    frame = consumption([
        ("3.4", 2024, D("200000.00"), None, D("96800.00"), D("0.00"), D("0.00")),
        ("3.4", 2025, D("200000.00"), None, None, D("0.00"), D("0.00")),
    ])
    row = period_position(frame, 2024, 2025).iloc[0]
    assert not row["complete"] and row["missing_years"] == (2025,) and row["reported_years"] == (2024,)
    assert row["available_state"] == D("200000.00") and row["executed_state"] == D("96800.00")
    assert abs(row["rate"] - 0.484) < 1e-9  # over the reported year only, and said so (missing_years)
    nothing = period_position(frame, 2025, 2025).iloc[0]
    assert nothing["available_state"] is None and nothing["executed_state"] is None and nothing["rate"] != nothing["rate"]


cents = st.integers(0, 10_000_000).map(lambda n: D(n) / 100)


@st.composite
def executions(draw):
    """Random multi-year executions of one action with carry-overs: each year's credits, execution, carry-out
    (at most its unconsumed credits), and amounts at stake (at most its unconsumed credits)."""
    years = draw(st.integers(1, 4))
    rows, carried = [], None
    for year in range(2024, 2024 + years):
        own = draw(cents)
        available = own + (carried or D(0))
        executed = min(draw(cents), available)
        unconsumed = available - executed
        at_risk = min(draw(cents), unconsumed)
        review = min(draw(cents), unconsumed - at_risk)
        reported = draw(st.booleans()) or year == 2024
        rows.append(("1.1", year, own, carried, executed if reported else None, at_risk, review))
        carried = min(draw(cents), unconsumed) if year < 2027 else None
    return rows


@settings(max_examples=200, deadline=None)
@given(executions())
def test_period_figures_never_count_a_euro_twice(rows):
    frame = consumption(rows)
    last = max(r[1] for r in rows)
    row = period_position(frame, 2024, last).iloc[0]
    reported = [r for r in rows if r[4] is not None]
    # available = own credits of the reported years + the carry-overs received from outside the reported years
    years = [r[1] for r in reported]
    outside = sum((r[3] or D(0)) for r in reported if r[1] - 1 not in years)
    assert row["available_state"] == sum(r[2] for r in reported) + outside
    assert row["executed_state"] == sum(r[4] for r in reported)
    assert row["unconsumed_state"] == max(row["available_state"] - row["executed_state"], D(0))
    assert row["amount_at_risk"] + row["amount_under_review"] <= row["unconsumed_state"]
    assert row["amount_at_risk"] <= row["amount_at_risk_years"] and row["amount_under_review"] <= row["amount_under_review_years"]
    # a single year: the period is the year, nothing capped
    one = period_position(frame, 2024, 2024).iloc[0]
    assert one["amount_at_risk"] == rows[0][5] and one["amount_under_review"] == rows[0][6]
