"""``analysis.assess`` on the fictitious example (issue 9, item 3), its display, and the twin-indicator check."""

import dataclasses
from decimal import Decimal

import pandas as pd
import pytest

import analysis
from analysis import display, domain
from analysis.reconciliation import reconcile


@pytest.fixture(scope="module")
def assessed(contract, execution):
    return analysis.assess(contract, execution)


def test_every_flag_level_appears_on_the_example(assessed):
    c = assessed.consumption
    cls = c[c["convention"] == "cls"]
    assert set(cls["flag"]) == set(domain.ASSESSMENT_FLAGS)
    assert c.loc[c["convention"] == "ft", "flag"].isna().all()  # no n+1 reduction in France Travail
    at_risk = cls[cls["amount_at_risk"] > 0]
    assert set(at_risk["flag"]) == {"sous_consommation_manifeste"} and set(at_risk["risk_kind"]) == {"reduction_n1"}
    review = cls[cls["amount_under_review"] > 0]
    assert set(review["flag"]) == {"justification_a_apprecier"} and review["justification"].notna().all()


def test_example_tells_the_contracts_story(assessed):
    c = assessed.consumption.set_index(["convention", "action", "year"])
    assert set(assessed.consumption["year"]) == {2024, 2025}
    assert set(assessed.consumption.loc[assessed.consumption["convention"] == "ft", "year"]) == {2024}
    assert ("ft", "2.4", 2024) not in c.index  # FIPE money, outside the convention (H05)
    # avenant amounts that differ from the contract, and carry-overs from 2024
    avenants = c.xs(2025, level="year").loc["cls"]
    assert (avenants["planned_state_source"] == "avenant").all()
    changed = {a for a, r in avenants.iterrows() if r["planned_state"] != c.loc[("cls", a, 2024), "planned_state"]}
    assert changed == {"1.1", "3.2", "3.3"}
    carried = avenants[avenants["carried_in_state"] > 0]
    assert set(carried.index) == {"3.1", "3.3"}
    for action in carried.index:
        assert carried.loc[action, "carried_in_state"] == c.loc[("cls", action, 2024), "carried_out_state"]
        paid, carried_in = carried.loc[action, "paid_state"], carried.loc[action, "carried_in_state"]
        assert carried.loc[action, "available_state"] == paid + carried_in
    # one action below its ex-ante ramp-up but within the tolerance, one above it
    below, above = c.loc[("cls", "1.4", 2024)], c.loc[("cls", "1.5", 2024)]
    assert below["expected_rate_source"] == above["expected_rate_source"] == "dates_fiches"
    assert below["rate"] < below["expected_rate"] and below["flag"] == "conforme"
    assert above["expected_rate"] < above["rate"] < 1 and above["flag"] == "conforme"
    assert c.loc[("cls", "3.1", 2024), "expected_rate_source"] == "declaree"


def test_ft_settlement_shows_a_balance_with_its_reasoning(assessed):
    s = assessed.settlement
    assert list(s["row_type"]) == ["volet", "volet", "total"]
    total = s[s["row_type"] == "total"].iloc[0]
    assert total["advance"] == Decimal("2556535.20")
    assert (total["balance_due"] > 0) != (total["refund_due"] > 0)
    assert total["advance"] + total["balance_due"] - total["refund_due"] == total["due"]
    text = display.settlement_summary(s)
    assert "Avance versée à la signature : 2\u00a0556\u00a0535,20\u00a0€" in text
    assert ("Solde à verser par l'État" in text) or ("Trop-perçu à rembourser" in text)
    assert "autre lecture" in text


def test_assessment_says_it_is_fictitious_and_keeps_its_parameters(assessed):
    assert assessed.fictitious
    p = assessed.parameters
    assert p["threshold"] == 0.65 and p["ft_state_share"] == "moitie_cout"
    assert p["cls_departement_min_share"] == Decimal("0.5") and p["ft_advance"] == Decimal("2556535.20")


def test_co_financing_is_reported_for_information(assessed):
    c = assessed.consumption
    reported = c[c["executed_departement"].notna()]
    assert reported["departement_share"].between(0, 1).all()
    assert c.loc[c["executed_departement"].isna(), "departement_share"].isna().all()  # never a made-up 0
    row = reported[(reported["action"] == "3.2") & (reported["year"] == 2025)].iloc[0]
    assert row["departement_share"] == pytest.approx(float(row["executed_departement"] / (row["executed_departement"]
                                                                                         + row["executed_state"])))
    co = assessed.cofinancing
    assert list(zip(co["basis"], co["reading"])) == [("prevu", "sans_fse"), ("prevu", "avec_fse"),
                                                     ("realise", "sans_fse"), ("realise", "avec_fse")]


def test_end_of_contract_is_provisional_until_2027(assessed):
    end = assessed.end_of_contract
    assert not end["final"].any() and (end["amount_at_risk"] == 0).all()
    assert set(end.loc[end["row_type"] == "action", "last_year"]) == {2025}


@pytest.mark.parametrize("name", ["assessment_consumption", "settlement", "end_of_contract", "cofinancing", "achievement"])
def test_display_is_french_without_codes_nor_nan(assessed, name):
    frame = {"assessment_consumption": assessed.consumption, "settlement": assessed.settlement,
             "end_of_contract": assessed.end_of_contract, "cofinancing": assessed.cofinancing,
             "achievement": assessed.achievement}[name]
    shown = getattr(display, name)(frame)
    cells = shown.astype(str)
    assert not cells.isin(["nan", "NaN", "None", "<NA>", "NaT", "inf"]).any().any()
    codes = set(domain.ASSESSMENT_FLAGS) | set(domain.RISK_KINDS) | set(domain.ACHIEVEMENT_STATUSES) | set(domain.TIME_BASES)
    codes |= set(domain.EXPECTED_RATE_SOURCES) | set(domain.FT_STATE_SHARE_READINGS) | {"volet", "total", "avec_fse", "prevu"}
    assert not cells.isin(codes).any().any()
    assert all(h[0].isupper() for h in shown.columns)


def test_display_formats(assessed):
    shown = display.assessment_consumption(assessed.consumption)
    row = shown[(shown["Action"] == "3.2") & (shown["Année"] == "2024")].iloc[0]
    assert row["Constat"] == "Sous-consommation manifeste sans justification"
    assert row["Montant exposé"].endswith("\u00a0€") and row["Taux de consommation"].endswith(" %")
    ft = shown[shown["Convention"] == "France Travail"]
    assert (ft["Constat"] == domain.FLAG_NOT_APPLICABLE_LABEL).all()
    assert display.end_of_contract(assessed.end_of_contract).columns[1] == "Axe"
    raw = display.settlement(assessed.settlement, numbers=False)
    assert isinstance(raw["Dû par l'État"].iloc[-1], Decimal)


def test_twin_indicators_report_the_same_result(contract, execution):
    checks = reconcile(contract, execution)
    twins = checks[checks["check_id"].str.startswith("execution/indicateurs/")]
    assert len(twins) >= 15 and set(twins["status"]) <= {"ok", "non_verifiable"}
    assert (twins["status"] == "ok").sum() >= 15
    iv = execution.indicator_values.copy()
    mask = (iv["indicator_id"] == "cls-N-14") & (iv["year"] == 2025)
    assert mask.sum() == 1
    iv["value"] = iv["value"].astype("Float64")
    iv.loc[mask, "value"] = iv.loc[mask, "value"] + 1
    altered = reconcile(contract, dataclasses.replace(execution, indicator_values=iv))
    row = altered[altered["check_id"] == "execution/indicateurs/cls-N-14/2025"].iloc[0]
    assert row["status"] == "ecart" and row["gap_units"] == -1


def test_assess_is_exported_lazily():
    assert analysis.assess is analysis.assessment.assess and "assess" in analysis.__all__
    assert isinstance(analysis.Assessment.__doc__, str) and pd.api.types.is_list_like(analysis.assessment.CONSUMPTION_COLUMNS)
