"""Targets against results for every indicator (issue 9): direction, target equal to baseline, missing
results, time basis, status bands (H25, H26) and capped attainment (H27), on hand-made cases."""

import math

import pandas as pd
import pytest

from analysis import assess
from analysis.assessment.achievement import attainment, over_period, progress, status, time_bases
from analysis.assessment.parameters import resolve_parameters
from analysis.domain import ACHIEVEMENT_STATUSES, TIME_BASES

PARAMS = resolve_parameters()


def test_lower_is_better_reads_target_over_result():
    assert attainment(80, 100, "down", 1.0) == (1.25, 1.0)  # 80 where at most 100 was aimed: attained
    raw, capped = attainment(125, 100, "down", 1.0)
    assert raw == capped == 0.8
    assert status(capped, 0.85, 0.65) == "en_retard"
    assert progress(80, 120, 100, "flux_annuel") == 2.0  # from 120 down to 80 for a target of 100
    assert attainment(0, 100, "down", 1.0)[1] == 1.0


def test_target_equal_to_baseline():
    # keeping the 2023 level (ft-F-2.3-2: 1 500 then 1 500): no way to cover, attainment still defined
    assert math.isnan(progress(1600, 1500, 1500, "flux_annuel"))
    assert attainment(1600, 1500, "up", 1.0) == (1600 / 1500, 1.0)
    assert status(attainment(1400, 1500, "up", 1.0)[1], 0.85, 0.65) == "proche"


def test_missing_result_is_never_zero():
    raw, capped = attainment(None, 100, "up", 1.0)
    assert math.isnan(raw) and math.isnan(capped)
    assert status(capped, 0.85, 0.65) == "non_renseigne"
    assert math.isnan(progress(None, 10, 100, "flux_annuel"))
    assert status(attainment(50, None, "up", 1.0)[1], 0.85, 0.65) == "non_renseigne"  # no target either


def test_target_zero_met():
    assert attainment(3, 0, "up", 1.0) == (pytest.approx(float("nan"), nan_ok=True), 1.0)


@pytest.mark.parametrize(("value", "expected"), [(1.0, "atteint"), (0.85, "proche"), (0.8499, "en_retard"),
                                                 (0.65, "en_retard"), (0.6499, "critique"), (0.0, "critique")])
def test_status_bands(value, expected):
    assert status(value, 0.85, 0.65) == expected


def test_status_bands_and_cap_are_parameters(contract, execution):
    a = assess(contract, execution, near_band=0.95, late_band=0.9, attainment_cap=1.5)
    base = assess(contract, execution)
    assert (a.achievement["attainment"].max() > 1.0) and base.achievement["attainment"].max() == 1.0
    assert (a.achievement["status"] == "critique").sum() > (base.achievement["status"] == "critique").sum()
    with pytest.raises(ValueError):
        assess(contract, execution, near_band=0.5, late_band=0.6)


def test_time_basis_is_data_on_each_indicator(contract):
    bases = time_bases(contract.indicators, "flux_annuel")
    assert bases["cls-L-4.1-2"] == "stock_31_12"  # « au 31 décembre de chaque année »
    assert bases["cls-N-08"] == "stock_31_12"  # ETP: a level
    assert bases["cls-L-1.1-1"] == "flux_annuel"
    assert set(bases.values()) <= set(TIME_BASES)
    overridden = time_bases(contract.indicators, "flux_annuel", {"cls-L-3.1-1": "cumul_depuis_2024"})
    assert overridden["cls-L-3.1-1"] == "cumul_depuis_2024"
    with pytest.raises(ValueError, match="inconnue"):
        time_bases(contract.indicators, "flux_annuel", {"cls-L-3.1-1": "mensuel"})
    with pytest.raises(ValueError, match="indicateur inconnu"):
        time_bases(contract.indicators, "flux_annuel", {"x": "stock_31_12"})


def _yearly(basis: str, results, targets, baseline=10.0, direction="up") -> pd.DataFrame:
    rows = [{"convention": "cls", "action": "3.1", "indicator_id": "x", "label": "test", "family": "local", "unit": "nombre",
             "direction": direction, "time_basis": basis, "year": 2024 + i, "baseline": baseline, "target": t, "result": r,
             "attainment_raw": None, "attainment": None, "progress_from_baseline": None, "status": None}
            for i, (r, t) in enumerate(zip(results, targets))]
    return pd.DataFrame(rows)


def test_cumulative_indicator_reads_its_last_year_and_starts_from_zero():
    # deliverables cumulated since 2024: 1 then 3 against 2 then 3
    row = over_period(_yearly("cumul_depuis_2024", [1, 3], [2, 3]), 2024, 2025, PARAMS).iloc[0]
    assert (row["result"], row["target"], row["status"]) == (3.0, 3.0, "atteint")
    assert row["progress_from_baseline"] == 1.0  # from 0, not from the 2023 baseline
    assert progress(3, 10, 3, "cumul_depuis_2024") == 1.0


def test_flow_sums_its_years_and_a_missing_year_leaves_the_period_unknown():
    row = over_period(_yearly("flux_annuel", [100, 80], [100, 100]), 2024, 2025, PARAMS).iloc[0]
    assert (row["result"], row["target"], row["attainment"]) == (180.0, 200.0, 0.9)
    assert row["status"] == "proche"
    gap = over_period(_yearly("flux_annuel", [100, None], [100, 100]), 2024, 2025, PARAMS).iloc[0]
    assert pd.isna(gap["result"]) and gap["status"] == "non_renseigne"
    stock = over_period(_yearly("stock_31_12", [20, 25], [22, 24]), 2024, 2025, PARAMS).iloc[0]
    assert (stock["result"], stock["target"], stock["status"]) == (25.0, 24.0, "atteint")


def test_every_indicator_of_both_conventions(contract, execution):
    assessment = assess(contract, execution)
    a, shares = assessment.achievement, assessment.indicator_shares
    # each indicator counted once (issue 15, item 4): the CLS's 30 local and 15 national, France Travail's 10;
    # the 12 fiche indicators that repeat one of them, or share a national one, are apart, never counted twice
    assert a["indicator_id"].nunique() == 55 and shares["indicator_id"].nunique() == 12
    assert a["indicator_id"].nunique() + shares["indicator_id"].nunique() == len(contract.indicators) == 67
    assert not set(a["indicator_id"]) & set(shares["indicator_id"])
    assert set(a["status"]) <= set(ACHIEVEMENT_STATUSES)
    national = a[a["family"] == "national"]
    assert national["action"].isna().any()  # national indicators without an action are there
    assert set(a.loc[a["convention"] == "ft", "year"]) == {2024, 2025}  # 2025: fiche 2.4 prints a target
    missing = a[a["result"].isna()]
    assert (missing["status"] == "non_renseigne").all() and missing["attainment"].isna().all()
    filled = a[a["result"].notna() & a["target"].notna()]
    assert (filled["attainment"] <= 1.0).all() and (filled["attainment_raw"] > 1.0).any()
    row = a[(a["indicator_id"] == "cls-L-1.1-1") & (a["year"] == 2024)].iloc[0]
    assert (row["baseline"], row["target"]) == (300.0, 600.0)
    assert row["progress_from_baseline"] == pytest.approx((row["result"] - 300) / 300)
    mid = assess(contract, execution).achievement_over(2024, 2025)
    # the 45 CLS indicators, and fiche 2.4's (printed for 2024 and 2025); France Travail ends in 2024
    assert set(mid["year"]) == {2025} and len(mid) == 46
    assert set(mid.loc[mid["convention"] == "ft", "indicator_id"]) == {"ft-F-2.4-1"}
