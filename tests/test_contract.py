"""The transcribed contracts load as tidy, typed frames with the counts printed in the document."""

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd

import analysis
from analysis.loading import DEFAULT_DATA_DIR

RAW = DEFAULT_DATA_DIR


def test_counts_match_the_document(contract):
    actions = contract.actions
    assert actions.groupby("convention", observed=True).size().to_dict() == {"cls": 11, "ft": 8}
    assert sorted(actions.loc[actions["convention"] == "cls", "action"]) == [
        "1.1", "1.2", "1.3", "1.4", "1.5", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2"
    ]
    assert sorted(actions.loc[actions["convention"] == "ft", "action"]) == [f"2.{i}" for i in range(1, 9)]
    ind = contract.indicators
    assert (ind["table"] == "cls_annexe1").sum() == 30
    assert (ind["table"] == "cls_annexe10").sum() == 15
    # every CLS action has at least one local indicator and one fiche budget table
    assert set(ind.loc[ind["table"] == "cls_annexe1", "action"]) == set(actions.loc[actions["convention"] == "cls", "action"])
    fiche = contract.budget[contract.budget["table"] == "cls_fiche_budget"]
    assert fiche["action"].nunique() == 11


def test_local_indicators_have_baseline_four_targets_and_empty_results(contract):
    values = contract.indicator_values.merge(contract.indicators[["indicator_id", "table"]], on="indicator_id")
    local = values[values["table"] == "cls_annexe1"]
    per = local.groupby(["indicator_id", "measure"], observed=True).size().unstack()
    assert (per["baseline"] == 1).all() and (per["target"] == 4).all() and (per["result"] == 4).all()
    results = local[local["measure"] == "result"]
    assert results["value"].isna().all() and sorted(results["year"].unique()) == [2024, 2025, 2026, 2027]


def test_budget_is_tidy_and_typed(contract):
    b = contract.budget
    assert list(b.columns[:8]) == ["convention", "action", "axis", "year", "funder", "funder_detail", "phase", "table"]
    assert isinstance(b["convention"].dtype, pd.CategoricalDtype)
    assert list(b["funder"].cat.categories) == ["etat", "departement", "autre"]
    assert list(b["phase"].cat.categories) == ["approved", "adjusted", "executed"]
    assert (b["phase"] == "approved").all()
    assert str(b["year"].dtype) == "Int64" and str(b["source_line"].dtype) == "Int64"
    assert all(isinstance(v, Decimal) for v in b["amount_eur"])
    # printed totals are kept and distinguishable from the lines
    assert set(b["row_type"].unique()) == {"line", "subtotal", "total"}
    assert b.loc[b["quantity"] == "total", "funder"].isna().all()


def test_money_is_exact_to_the_cent(contract):
    amounts = contract.budget["amount_eur"]
    assert all(v == v.quantize(Decimal("0.01")) for v in amounts)
    # Decimal sums have no float drift: 0.10 + 0.20 is exactly 0.30
    assert sum([Decimal("0.10"), Decimal("0.20")]) == Decimal("0.30")
    total = amounts.sum()
    assert isinstance(total, Decimal) and total == sum(amounts, Decimal(0))
    advance = contract.text_amounts.loc[contract.text_amounts["scope"] == "advance", "amount_eur"].iloc[0]
    assert advance == Decimal("2556535.20")


def test_budget_lines_exclude_printed_totals(contract):
    lines = contract.budget_lines()
    assert (lines["row_type"] == "line").all() and lines["funder"].notna().all()
    assert not lines["quantity"].isin(["total", "budget", "funder_budget", "executed_total"]).any()
    # Annexe 3, 2025: the State budget column I (= F + H) is derived, so it is not a part
    a3 = lines[(lines["table"] == "cls_a3_prev_2025") & (lines["action"] == "1.1")]
    assert {"A", "C", "H", "J"} <= set(a3["column_label"])
    assert not {"I", "K", "M"} & set(a3["column_label"])


def test_every_row_has_provenance(contract):
    for name in ("actions", "budget", "sub_actions", "indicators", "indicator_values", "text_amounts", "financing_plan"):
        frame = getattr(contract, name)
        assert frame["source"].notna().all(), name
        assert (frame["source_line"] >= 1).all(), name


def test_action_codes_belong_to_their_convention(contract):
    convention_of = dict(zip(contract.actions["action"], contract.actions["convention"].astype(str)))
    for name in ("budget", "sub_actions", "indicators"):
        frame = getattr(contract, name)
        with_action = frame[frame["action"].notna()]
        mismatched = with_action[with_action["action"].map(convention_of) != with_action["convention"].astype(str)]
        assert mismatched.empty, (name, mismatched[["convention", "action"]])


def test_load_from_another_folder(tmp_path, contract):
    copy = tmp_path / "raw"
    shutil.copytree(RAW, copy)
    other = analysis.load_contract(copy)
    assert other.source_dir == copy
    pd.testing.assert_frame_equal(other.budget, contract.budget)


def test_frictionless_validates_the_data_package():
    frictionless = shutil.which("frictionless", path=str(Path(sys.executable).parent))
    assert frictionless, "frictionless CLI not installed in the environment"
    result = subprocess.run([frictionless, "validate", str(RAW / "datapackage.json")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
