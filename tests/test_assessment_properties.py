"""Properties of ``analysis.assess`` (issue 9, « Done when »), checked with hypothesis on generated cases:

- raising an action's executed amount never raises its flag severity nor its amount at risk;
- 0 <= amount_at_risk + amount_under_review <= unconsumed_state;
- per-axis sums of the planned State credits equal the contract's totals;
- on the France Travail settlement total, advance + balance_due - refund_due == due, never both.
"""

from decimal import Decimal

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import assess
from analysis.assessment.consumption import consumption_frame, severity
from analysis.assessment.ledger import LEDGER_COLUMNS
from analysis.assessment.parameters import resolve_parameters
from analysis.assessment.settlement import settlement_frame
from analysis.domain import BUDGET_COLUMNS
from analysis.workbooks import Execution

CENT = Decimal("0.01")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
READINGS = st.fixed_dictionaries({
    "threshold": st.sampled_from([0.5, 0.65]),
    "tolerance": st.sampled_from([0.1, 0.15, 0.3]),
    "exposure_basis": st.sampled_from(["ecart_trajectoire", "non_consomme"]),
    "end_of_contract_claim": st.sampled_from(["non_consomme", "ecart_trajectoire"]),
})


def cents(low: int, high: int):
    return st.integers(low, high).map(lambda n: Decimal(n) * CENT)


def row(year, paid, carried, executed, justified, declared) -> pd.DataFrame:
    values = {**dict.fromkeys(LEDGER_COLUMNS), "convention": "cls", "axis": "3", "action": "3.3", "year": year,
              "planned_contract": paid, "paid_state": paid, "carried_in_state": carried, "executed_state": executed,
              "justification": "Motif" if justified else None, "declared_rate": declared}
    return pd.DataFrame([values], columns=LEDGER_COLUMNS).astype({c: object for c in LEDGER_COLUMNS[4:12]})


def consumed(params, year, paid, carried, executed, justified, declared) -> dict:
    frame = row(year, paid, carried, executed, justified, declared)
    return consumption_frame(frame, {}, params).iloc[0].to_dict()


case = st.tuples(
    st.sampled_from([2024, 2025, 2027]), cents(0, 10**8), cents(0, 10**7), st.floats(0, 1), st.floats(0, 1),
    st.booleans(), st.one_of(st.none(), st.floats(0.05, 1.0)),
)


@SETTINGS
@given(case, READINGS)
def test_more_spending_never_raises_the_flag_nor_the_amount_at_risk(draw, readings):
    year, paid, carried, low, high, justified, declared = draw
    params = resolve_parameters(**readings)
    available = paid + carried
    less, more = sorted((low, high))
    before = consumed(params, year, paid, carried, (available * Decimal(repr(less))).quantize(CENT), justified, declared)
    after = consumed(params, year, paid, carried, (available * Decimal(repr(more))).quantize(CENT), justified, declared)
    if before["flag"] != "non_renseigne" and after["flag"] != "non_renseigne":
        assert severity(after["flag"]) <= severity(before["flag"])
    assert after["amount_at_risk"] <= before["amount_at_risk"]
    assert after["amount_at_risk"] + after["amount_under_review"] <= before["amount_at_risk"] + before["amount_under_review"]


@SETTINGS
@given(case, READINGS)
def test_exposure_stays_within_the_unconsumed_credits(draw, readings):
    year, paid, carried, share, _, justified, declared = draw
    params = resolve_parameters(**readings)
    executed = ((paid + carried) * Decimal(repr(share))).quantize(CENT)
    out = consumed(params, year, paid, carried, executed, justified, declared)
    assert 0 <= out["amount_at_risk"] + out["amount_under_review"] <= out["unconsumed_state"]
    assert out["amount_at_risk"] == 0 or out["amount_under_review"] == 0
    assert (out["risk_kind"] == "remboursement") == (year == 2027 and out["amount_at_risk"] > 0)


def execution_of(amounts, years) -> Execution:
    rows = [{**dict.fromkeys(BUDGET_COLUMNS), "convention": c, "action": a, "year": y, "funder": f, "phase": "executed",
             "table": "execution_workbook", "row_type": "line", "quantity": q, "amount_eur": v}
            for c, a, y, f, q, v in amounts]
    return Execution(
        budget=pd.DataFrame(rows, columns=BUDGET_COLUMNS),
        indicator_values=pd.DataFrame(columns=["indicator_id", "year", "measure", "value", "value_text", "source",
                                               "source_line", "notes"]),
        justifications=pd.DataFrame(columns=["convention", "action", "year", "gap_reason", "justification", "ramp_up_rate",
                                             "source"]),
        warnings=pd.DataFrame(), formulas=pd.DataFrame(),
        workbooks=pd.DataFrame({"file": [f"{c}{y}" for c, y in years], "convention": [c for c, _ in years],
                                "year": [y for _, y in years], "fictitious": False}),
    )


@SLOW
@given(st.lists(st.floats(0, 1), min_size=22, max_size=22), st.booleans())
def test_per_axis_sums_equal_the_contract_totals(contract, shares, paid_recorded):
    planned = contract.planned_budget("cls")
    state = planned[planned["funder"] == "etat"].groupby(["action", "year"])["amount_eur"].sum()
    amounts = []
    for ((action, year), amount), share in zip(state[state.index.get_level_values("year") <= 2025].items(), shares):
        amounts.append(("cls", action, int(year), "etat", "executed", (amount * Decimal(repr(share))).quantize(CENT)))
        if paid_recorded:
            amounts.append(("cls", action, int(year), "etat", "paid", amount))
    c = assess(contract, execution_of(amounts, [("cls", 2024), ("cls", 2025)])).consumption
    sums = c.groupby(["year", "axis"])["planned_state"].sum()
    text = contract.text_amounts
    printed = text[(text["document"] == "cls_convention") & (text["scope"] == "axis") & text["amount_eur"].notna()
                   & (text["article"] == "2.2")]
    for axis, amount in zip(printed["axis"], printed["amount_eur"]):  # art. 2.2, l. 337-344
        assert sums[(2024, axis)] == amount
    fiche = planned[planned["funder"] == "etat"].groupby(["year", "axis"])["amount_eur"].sum()
    for year in (2024, 2025):
        for axis in ("1", "3", "4"):
            assert sums[(year, axis)] == fiche[(year, axis)]
        assert c.loc[c["year"] == year, "planned_state"].sum() == Decimal("3342548")  # l. 308-310


volet_spending = st.tuples(cents(0, 3 * 10**7), cents(0, 3 * 10**7), cents(0, 10**7))


@SETTINGS
@given(st.lists(volet_spending, min_size=6, max_size=6), st.one_of(st.none(), cents(0, 5 * 10**8)),
       st.sampled_from(["moitie_cout", "cout_moins_cofinancements"]))
def test_settlement_total_balances_the_advance(contract, spending, advance, reading):
    actions = [("2.1", "1"), ("2.2", "2"), ("2.3", "2"), ("2.5", "2"), ("2.6", "2"), ("2.7", "2")]
    rows = [{**dict.fromkeys(LEDGER_COLUMNS), "convention": "ft", "axis": v, "action": a, "year": 2024,
             "planned_contract": Decimal(1), "executed_state": s, "executed_departement": d, "executed_autre": o}
            for (a, v), (s, d, o) in zip(actions, spending)]
    ledger = pd.DataFrame(rows, columns=LEDGER_COLUMNS).astype({c: object for c in LEDGER_COLUMNS[4:12]})
    frame = settlement_frame(contract, ledger, resolve_parameters(ft_state_share=reading), advance=advance)
    total = frame[frame["row_type"] == "total"].iloc[0]
    for due, balance, refund in (("due", "balance_due", "refund_due"),
                                 ("due_alternative", "balance_due_alternative", "refund_due_alternative")):
        assert total["advance"] + total[balance] - total[refund] == total[due]
        assert total[balance] == 0 or total[refund] == 0
        assert total[balance] >= 0 and total[refund] >= 0
    volets = frame[frame["row_type"] == "volet"]
    assert (volets["due"] <= volets["ceiling"]).all() and (volets["due"] <= volets["eligible_executed"]).all()
    assert sum(volets["advance_share"], Decimal(0)) == total["advance"]
