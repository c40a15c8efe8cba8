"""Each rule of ``analysis.assess`` on hand-made cases (issue 9, item 2), with its source line and assumption.

Cases are built by hand: a small execution (:func:`make_execution`) read by the real contract, or a one-row
ledger (:func:`ledger_row`) for the consumption rules alone.
"""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from analysis import assess
from analysis.assessment.consumption import classify, consumption_frame, shortfall
from analysis.assessment.expected import active_share, end_date, expected_rates, start_date, weighted_share
from analysis.assessment.ledger import LEDGER_COLUMNS, build_ledger, contract_state
from analysis.assessment.parameters import resolve_parameters
from analysis.assessment.settlement import settle, settlement_frame, volet_due
from analysis.domain import BUDGET_COLUMNS
from analysis.workbooks import Execution

D = Decimal
PARAMS = resolve_parameters()


def make_execution(amounts, years, justifications=(), results=(), fictitious=False) -> Execution:
    """An execution by hand: ``amounts`` are (convention, action, year, funder, quantity, amount[, phase]);
    ``years`` the (convention, year) of the workbooks; ``justifications`` (convention, action, year,
    reason, text, ramp-up); ``results`` (indicator_id, year, value)."""
    rows = []
    for convention, action, year, funder, quantity, amount, *phase in amounts:
        rows.append({**dict.fromkeys(BUDGET_COLUMNS), "convention": convention, "action": action, "year": year,
                     "funder": funder, "phase": phase[0] if phase else "executed", "table": "execution_workbook",
                     "row_type": "line", "quantity": quantity, "amount_eur": D(amount), "source": "cas de test"})
    j = pd.DataFrame(list(justifications),
                     columns=["convention", "action", "year", "gap_reason", "justification", "ramp_up_rate"])
    iv = pd.DataFrame([{"indicator_id": i, "year": y, "measure": "result", "value": v, "value_text": str(v)}
                       for i, y, v in results],
                      columns=["indicator_id", "year", "measure", "value", "value_text", "source", "source_line", "notes"])
    workbooks = pd.DataFrame({"file": [f"{c}_{y}.xlsx" for c, y in years], "convention": [c for c, _ in years],
                              "year": [y for _, y in years], "template_version": "1", "fictitious": fictitious,
                              "calculated": False})
    return Execution(budget=pd.DataFrame(rows, columns=BUDGET_COLUMNS), indicator_values=iv,
                     justifications=j.assign(source="cas de test"), warnings=pd.DataFrame(), formulas=pd.DataFrame(),
                     workbooks=workbooks)


def ledger_row(**values) -> pd.DataFrame:
    """A one-row ledger: CLS action 1.1 in 2024 unless told otherwise; amounts as Decimals."""
    row = {**dict.fromkeys(LEDGER_COLUMNS), "convention": "cls", "axis": "1", "action": "1.1", "year": 2024}
    row.update({k: D(v) if isinstance(v, (int, str)) and k not in ("convention", "axis", "action", "year", "gap_reason",
                                                                    "justification") else v for k, v in values.items()})
    return pd.DataFrame([row], columns=LEDGER_COLUMNS).astype({c: object for c in LEDGER_COLUMNS[4:12]})


def one(frame: pd.DataFrame, expected=None, params=PARAMS) -> dict:
    """The consumption row of a one-row ledger, with the trajectory ``expected`` ((rate, source), default 100 %)."""
    row = frame.iloc[0]
    trajectory = {(row["convention"], row["action"], int(row["year"])): expected} if expected else {}
    return consumption_frame(frame, trajectory, params).iloc[0].to_dict()


# ----------------------------------------------------------------------------------------------
# CLS flags and exposure (art. 2.2, l. 331-335; H15, H16, H21)
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("rate", "expected", "justified", "flag"),
    [
        (0.95, 1.0, False, "conforme"),
        (0.85, 1.0, False, "conforme"),  # exactly 1 - tolerance (H16)
        (0.8499, 1.0, False, "a_surveiller"),
        (0.65, 1.0, False, "a_surveiller"),  # exactly the threshold (H15)
        (0.6499, 1.0, False, "sous_consommation_manifeste"),
        (0.6499, 1.0, True, "justification_a_apprecier"),
        (0.499, 0.5, False, "conforme"),  # 49,9 % against a 50 % ramp-up: along the trajectory
        (0.60, 0.7131, False, "a_surveiller"),
        (0.0, 0.0, False, "conforme"),  # nothing expected
        (float("nan"), 1.0, True, "non_renseigne"),
    ],
)
def test_flag_bands(rate, expected, justified, flag):
    assert classify(rate, expected, justified, 0.65, 0.15) == flag


def test_thresholds_are_parameters():
    assert classify(0.6, 1.0, False, 0.5, 0.15) == "a_surveiller"
    assert classify(0.8, 1.0, False, 0.65, 0.25) == "conforme"


def test_cls_2024_manifest_without_justification_is_at_risk_up_to_the_shortfall():
    row = one(ledger_row(planned_contract=100000, paid_state=100000, executed_state=40000), (0.9, "dates_fiches"))
    assert row["planned_state_source"] == "contrat" and row["available_state"] == D("100000.00")
    assert row["unconsumed_state"] == D("60000")
    assert row["flag"] == "sous_consommation_manifeste" and row["risk_kind"] == "reduction_n1"
    # « une partie des crédits peut être réduite » : the shortfall below the trajectory, not the whole unconsumed
    assert row["amount_at_risk"] == D("50000.00") and row["amount_under_review"] == 0
    unconsumed = resolve_parameters(exposure_basis="non_consomme")
    row = one(ledger_row(planned_contract=100000, paid_state=100000, executed_state=40000), (0.9, "dates_fiches"), unconsumed)
    assert row["amount_at_risk"] == D("60000")


def test_cls_2024_justified_goes_under_review():
    frame = ledger_row(planned_contract=100000, paid_state=100000, executed_state=40000, gap_reason="Difficultés de recrutement")
    row = one(frame)
    assert row["flag"] == "justification_a_apprecier" and row["justification"] == "Difficultés de recrutement"
    assert row["amount_at_risk"] == 0 and row["amount_under_review"] == D("60000.00") and row["risk_kind"] == "reduction_n1"


def test_cls_to_watch_and_missing_carry_no_exposure():
    row = one(ledger_row(planned_contract=100000, paid_state=100000, executed_state=75000))
    assert row["flag"] == "a_surveiller" and row["amount_at_risk"] == 0 and row["risk_kind"] is None
    row = one(ledger_row(planned_contract=100000, paid_state=100000))
    assert row["flag"] == "non_renseigne" and row["unconsumed_state"] is None and pd.isna(row["rate"])
    assert row["amount_at_risk"] == 0 and row["amount_under_review"] == 0


def test_shortfall_is_capped_by_the_unconsumed_credits():
    assert shortfall(1.0, D("100.00"), D("30.00"), D("20.00")) == D("20.00")
    assert shortfall(0.5, D("100.00"), D("60.00"), D("40.00")) == 0


def test_declared_trajectory_overrides_the_fiches_and_can_be_ignored():
    frame = ledger_row(planned_contract=150000, paid_state=150000, executed_state=74805, declared_rate=0.5)
    row = one(frame, (1.0, "contrat"))
    assert (row["expected_rate"], row["expected_rate_source"], row["flag"]) == (0.5, "declaree", "conforme")
    row = one(frame, (1.0, "contrat"), resolve_parameters(declared_trajectory_overrides=False))
    assert (row["expected_rate"], row["expected_rate_source"], row["flag"]) == (1.0, "contrat", "sous_consommation_manifeste")


# ----------------------------------------------------------------------------------------------
# Planned, available, rate: avenant and carry-over (art. 2.2 l. 300-318; Annexe 3 2025 I = F + H; H20)
# ----------------------------------------------------------------------------------------------

def test_2025_with_an_avenant_and_a_carry_over(contract):
    execution = make_execution(
        [("cls", "3.3", 2024, "etat", "paid", "500000"), ("cls", "3.3", 2024, "etat", "executed", "378100"),
         ("cls", "3.3", 2025, "etat", "carry_over", "121900"),
         ("cls", "3.3", 2025, "etat", "notified", "425000", "adjusted"),
         ("cls", "3.3", 2025, "etat", "executed", "326600")],  # 2025 payment not recorded
        [("cls", 2024), ("cls", 2025)],
    )
    c = assess(contract, execution).consumption
    row = c[(c["action"] == "3.3") & (c["year"] == 2025)].iloc[0]
    assert row["planned_state"] == D("425000") and row["planned_state_source"] == "avenant"
    assert row["notified_state"] == D("425000") and row["carried_in_state"] == D("121900")
    assert row["available_state"] == D("546900")  # I = F + H
    assert row["rate"] == pytest.approx(326600 / 546900)
    assert row["unconsumed_state"] == D("220300")
    first = c[(c["action"] == "3.3") & (c["year"] == 2024)].iloc[0]
    assert first["carried_out_state"] == D("121900") and first["planned_state_source"] == "contrat"
    # every other CLS action: the contract's forecast, marked as such
    others = c[(c["action"] != "3.3") & (c["year"] == 2025)]
    assert (others["planned_state_source"] == "contrat").all() and (others["flag"] == "non_renseigne").all()


def test_available_counts_the_credits_paid_when_recorded_else_notified(contract):
    # the case: 425 000 € notified, 500 000 € reported paid, 75 195 € carried in
    frame = ledger_row(action="3.3", axis="3", year=2025, planned_contract=500000, notified_state=425000,
                       paid_state=500000, carried_in_state=75195, executed_state=400000)
    assert one(frame)["available_state"] == D("575195")
    assert one(frame, params=resolve_parameters(cls_available_basis="notifie"))["available_state"] == D("500195")


# ----------------------------------------------------------------------------------------------
# End of the CLS: no carry-over beyond 2027, claim for undue sums (art. 5, l. 476-492; H22)
# ----------------------------------------------------------------------------------------------

def test_2027_every_unconsumed_euro_is_exposed_to_a_claim(contract):
    row = one(ledger_row(year=2027, planned_contract=618000, paid_state=618000, executed_state=600000))
    assert row["flag"] == "conforme" and row["risk_kind"] == "remboursement"
    assert row["amount_at_risk"] == D("18000") and row["amount_under_review"] == 0
    justified = one(ledger_row(year=2027, planned_contract=100000, paid_state=100000, executed_state=10000, justification="x"))
    assert justified["amount_at_risk"] == D("90000") and justified["amount_under_review"] == 0
    gap_only = resolve_parameters(end_of_contract_claim="ecart_trajectoire")
    frame = ledger_row(year=2027, planned_contract=618000, paid_state=618000, executed_state=600000)
    row = one(frame, (0.9, "declaree"), gap_only)
    assert row["amount_at_risk"] == 0 and row["risk_kind"] is None


def test_end_of_contract_position(contract):
    execution = make_execution(
        [("cls", "1.1", 2027, "etat", "paid", "618000"), ("cls", "1.1", 2027, "etat", "executed", "600000"),
         ("cls", "1.1", 2028, "etat", "carry_over", "18000")],
        [("cls", 2027)],
    )
    end = assess(contract, execution).end_of_contract
    row = end[end["action"] == "1.1"].iloc[0]
    assert row["final"] and row["last_year"] == 2027 and row["amount_at_risk"] == D("18000")
    assert row["carried_out_state"] == D("18000") and row["risk_kind"] == "remboursement"
    assert row["planned_state"] == D("618000") * 4
    total = end[end["row_type"] == "total"].iloc[0]
    assert total["planned_state"] == sum(end.loc[end["row_type"] == "action", "planned_state"], D(0))
    assert not total["final"]  # other actions did not report 2027


# ----------------------------------------------------------------------------------------------
# France Travail: no flag, settlement on the total (art. 4.1, 6; H24), FIPE out (H05)
# ----------------------------------------------------------------------------------------------

def ft_ledger(rows) -> pd.DataFrame:
    """FT 2024 ledger rows: (action, volet, planned, State, Département, other) executed."""
    frame = pd.concat([ledger_row(convention="ft", action=a, axis=v, planned_contract=p, executed_state=s,
                                  executed_departement=d, executed_autre=o) for a, v, p, s, d, o in rows], ignore_index=True)
    return frame.astype({c: object for c in LEDGER_COLUMNS[4:12]})


def test_ft_rows_have_no_flag_and_no_exposure():
    row = one(ft_ledger([("2.6", "2", 598000, 100000, 100000, None)]))
    assert row["flag"] is None and row["amount_at_risk"] == 0 and row["risk_kind"] is None
    assert row["available_state"] == D("598000")  # the amount allocated, not the advance (H23)


def test_ft_settlement_with_a_balance(contract):
    frame = settlement_frame(contract, ft_ledger([
        ("2.1", "1", 135000, 130000, 10000, None),  # volet 1 forfait: min(140 000, 135 000)
        ("2.3", "2", 1650000, 1600000, 1600000, None),
        ("2.5", "2", 807000, 800000, 700000, 100000),
    ]), PARAMS)
    volets = frame[frame["row_type"] == "volet"].set_index("volet")
    assert volets.loc["1", "due"] == D("135000") and volets.loc["1", "eligible_executed"] == D("140000")
    assert volets.loc["2", "eligible_executed"] == D("4800000") and volets.loc["2", "due"] == D("2400000.00")
    assert volets.loc["2", "due_alternative"] == D("2400000")  # cost less co-financing: 4,8 M - 2,4 M
    total = frame[frame["row_type"] == "total"].iloc[0]
    assert total["advance"] == D("2556535.20") and total["due"] == D("2535000.00")
    assert total["balance_due"] == 0 and total["refund_due"] == D("21535.20")
    assert sum(volets["advance_share"]) == total["advance"] and volets.loc["1", "advance_share"] == D("81000.00")


def test_ft_settlement_balance_and_ceilings(contract):
    frame = settlement_frame(contract, ft_ledger([
        ("2.1", "1", 135000, 200000, None, None),
        ("2.3", "2", 1650000, 5000000, 5000000, None),
    ]), PARAMS)
    total = frame[frame["row_type"] == "total"].iloc[0]
    assert total["due"] == D("135000") + D("4125892")  # each volet capped by its ceiling, never pooled
    assert total["balance_due"] == D("4260892") - D("2556535.20") and total["refund_due"] == 0
    assert total["advance"] + total["balance_due"] - total["refund_due"] == total["due"]


def test_ft_ineligible_spending_and_advance_override(contract):
    rows = ft_ledger([("2.3", "2", 1650000, 1000000, 1000000, None)])
    ineligible = pd.DataFrame({"action": ["2.3", "2.3"], "amount_eur": [D("50000"), D("10000")],
                               "reason": ["art_4_2", "hors_periode"]})
    frame = settlement_frame(contract, rows, PARAMS, ineligible=ineligible, advance=D("1000000"))
    volet = frame[(frame["row_type"] == "volet") & (frame["volet"] == "2")].iloc[0]
    assert volet["ineligible"] == D("60000") and volet["eligible_executed"] == D("1940000") and volet["due"] == D("970000.00")
    assert volet["due_alternative"] == D("940000")
    total = frame[frame["row_type"] == "total"].iloc[0]
    assert total["advance"] == D("1000000.00") and total["refund_due"] == D("30000.00")
    with pytest.raises(ValueError, match="motif « frais » inconnu"):
        settlement_frame(contract, rows, PARAMS, ineligible=ineligible.assign(reason="frais"))
    with pytest.raises(ValueError, match="action France Travail inconnue"):
        settlement_frame(contract, rows, PARAMS, ineligible=ineligible.assign(action="9.9"))


def test_volet_due_readings_and_settle():
    assert volet_due("2", D("100"), D("30"), D("1000"), D("0.5"), "moitie_cout") == (D("50.00"), D("50.00"))
    assert volet_due("2", D("100"), D("30"), D("1000"), D("0.5"), "cout_moins_cofinancements") == (D("70"), D("70"))
    assert volet_due("1", D("200000"), D("0"), D("135000"), D("0.5"), "moitie_cout") == (D("200000"), D("135000"))
    assert settle(D("10"), D("4")) == (D("6"), D("0.00")) and settle(D("4"), D("10")) == (D("0.00"), D("6"))


def test_fipe_money_is_outside_the_convention(contract):
    planned, outside = contract_state(contract, PARAMS)
    assert ("ft", "2.4") in outside and ("ft", "2.4", 2024) not in planned
    assert planned[("ft", "2.2", 2024)] == D("709746")  # 692 672 + 17 074 ERBM
    assert planned[("cls", "1.5", 2024)] == D("295000")  # 220 000 + 75 000 ERBM (H04)
    execution = make_execution([("ft", "2.4", 2024, "etat", "executed", "300000")], [("ft", 2024)])
    assert "2.4" not in set(build_ledger(contract, execution, PARAMS)["action"])
    with_fipe = resolve_parameters(ft_state_excludes_fipe=False)
    assert "2.4" in set(build_ledger(contract, execution, with_fipe)["action"])


def test_ft_cofinancing_both_readings_on_planned_amounts(contract):
    execution = make_execution([("ft", "2.5", 2024, "etat", "executed", "807000"),
                                ("ft", "2.5", 2024, "departement", "executed", "715000"),
                                ("ft", "2.5", 2024, "autre", "executed", "100000")], [("ft", 2024)])
    co = assess(contract, execution).cofinancing.set_index(["basis", "reading"])
    assert co.loc[("prevu", "sans_fse"), "share"] == pytest.approx(4025892 / 8251784)  # 48,79 %
    assert not co.loc[("prevu", "sans_fse"), "holds"] and co.loc[("prevu", "avec_fse"), "holds"]
    assert co.loc[("prevu", "avec_fse"), "cofinancing"] == D("4125892")
    assert co.loc[("realise", "avec_fse"), "valorised"] == D("100000") and co.loc[("realise", "avec_fse"), "holds"]


# ----------------------------------------------------------------------------------------------
# Expected rate (H17, H18, H03)
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "reading", "expected"),
    [
        ("2024-01-01", "debut", date(2024, 1, 1)),
        ("2024-02", "debut", date(2024, 2, 1)),
        ("2024", "debut", date(2024, 1, 1)),
        ("2024", "milieu", date(2024, 7, 1)),
        ("2ème trimestre 2024", "debut", date(2024, 4, 1)),
        ("signature de la convention", "debut", date(2024, 4, 15)),
        ("dès la signature de la contractualisation", "milieu", date(2024, 4, 15)),
        (None, "debut", date(2024, 1, 1)),
    ],
)
def test_start_dates(text, reading, expected):
    assert start_date(text, date(2024, 1, 1), date(2024, 4, 15), reading) == expected


def test_unreadable_start_is_refused():
    with pytest.raises(ValueError, match="date de démarrage illisible"):
        start_date("bientôt", date(2024, 1, 1), date(2024, 4, 15))


def test_months_active_weighted_by_normalised_amounts():
    signature = date(2024, 4, 15)
    assert active_share(signature, date(2027, 12, 31), 2024) == Fraction(261, 366)
    assert active_share(signature, date(2027, 12, 31), 2025) == 1
    assert end_date(date(2024, 4, 15), 12, date(2024, 12, 31)) == date(2024, 12, 31)
    assert end_date(date(2024, 2, 1), 12, date(2027, 12, 31)) == date(2025, 1, 31)
    # fiche 1.3: 40 000 € from the signature, 53 500 € from the start of 2024 (they do not add up to 93 560 €)
    subs = [(signature, date(2027, 12, 31), D("40000")), (date(2024, 1, 1), date(2027, 12, 31), D("53500"))]
    assert weighted_share(subs, 2024) == (40000 * Fraction(261, 366) + 53500) / 93500


def test_expected_rates_of_the_contract(contract):
    rates = expected_rates(contract, PARAMS).set_index(["convention", "action", "year"])
    assert rates.loc[("cls", "1.4", 2024), "expected_rate"] == round(261 / 366, 4)
    assert rates.loc[("cls", "1.4", 2024), "expected_rate_source"] == "dates_fiches"
    assert tuple(rates.loc[("cls", "1.4", 2025)]) == (1.0, "contrat")
    assert tuple(rates.loc[("cls", "1.1", 2024)]) == (1.0, "contrat")
    assert rates.loc[("ft", "2.3", 2024), "expected_rate_source"] == "dates_fiches"  # « 2ème trimestre 2024 »
    flat = expected_rates(contract, resolve_parameters(expected_rate_method="contrat"))
    assert (flat["expected_rate"] == 1.0).all() and (flat["expected_rate_source"] == "contrat").all()
    later = expected_rates(contract, resolve_parameters(signature_date=date(2024, 7, 1)))
    later = later.set_index(["convention", "action", "year"])
    assert later.loc[("cls", "1.4", 2024), "expected_rate"] == round(184 / 366, 4)


# ----------------------------------------------------------------------------------------------
# Parameters (register H15-H29)
# ----------------------------------------------------------------------------------------------

def test_parameters_default_from_the_register_and_are_checked():
    from analysis.assumptions import default

    assert PARAMS.threshold == default("manifest_threshold") == 0.65
    assert PARAMS.tolerance == default("consumption_tolerance") == 0.15
    assert PARAMS.twin_pairs[0] == ("cls-L-3.4-1", "cls-F-3.4-1")
    with pytest.raises(ValueError, match="aucune place pour « à surveiller »"):
        resolve_parameters(threshold=0.9, tolerance=0.2)
    with pytest.raises(ValueError, match="ft_state_share"):
        resolve_parameters(ft_state_share="tout")
    with pytest.raises(ValueError, match="une part entre 0 et 1"):
        resolve_parameters(near_band=1.5)
    with pytest.raises(TypeError, match="inconnu"):
        resolve_parameters(seuil=0.5)


def test_overrides_reach_the_frames(contract, execution):
    base = assess(contract, execution)
    strict = assess(contract, execution, threshold=0.8, tolerance=0.05)
    assert strict.parameters["threshold"] == 0.8 and base.parameters["threshold"] == 0.65
    assert (strict.consumption["amount_at_risk"].sum() + strict.consumption["amount_under_review"].sum()
            > base.consumption["amount_at_risk"].sum() + base.consumption["amount_under_review"].sum())
