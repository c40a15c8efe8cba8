"""Issue 17: the national view. The reference table, the FICTITIOUS national set (deterministic, calibrated, varied),
the roll-up (national totals are the exact sums of the contracts' own results), and the cache (a changed byte is
read again, a removed workbook forgets its entry)."""

import dataclasses
import shutil
from collections import Counter
from decimal import Decimal

import pandas as pd
import pytest

import analysis
from analysis import national_display
from analysis.domain import NATIONAL_ENVELOPES
from analysis.rollup.folder import national_from_folder
from analysis.rollup.reference import load_departements
from analysis.rollup.store import read_tables, write_tables
from analysis.synthetic import CLS_YEARS, FT_YEAR, cls_state_of, derive_contract, national_plan, state_total, write_national_set
from analysis.workbooks.frames import EXECUTION_FIELDS

ZERO = Decimal("0.00")


def total(values) -> Decimal:
    return sum((v for v in values if v is not None and v == v), ZERO)


# --------------------------------------------------------------------------------------------------
# The reference table and the plan of the national set
# --------------------------------------------------------------------------------------------------


def test_the_reference_table_has_the_101_departements_on_distinct_tiles():
    d = load_departements()
    assert len(d) == 101 and d["code"].is_unique
    overseas = {"971", "972", "973", "974", "976"}
    assert set(d.loc[d["grid_y"] == 15, "code"]) == overseas and (d.loc[~d["code"].isin(overseas), "grid_y"] < 15).all()
    assert not d[["grid_x", "grid_y"]].duplicated().any()
    assert d["region_code"].nunique() == 18 and Counter(d["region"])["Occitanie"] == 13
    assert {"2A", "2B"} <= set(d["code"]) and d.loc[d["code"] == "62", "nom"].item() == "Pas-de-Calais"


@pytest.fixture(scope="module")
def plan(contract):
    return national_plan(contract)


def test_the_plan_is_deterministic_varied_and_calibrated_on_the_national_envelopes(contract, plan):
    assert national_plan(contract) == plan and len(plan) == 101
    assert Counter(p.layout for p in plan) == {"axes_1_3_4": 51, "axes_1_2_3": 25, "quatre_axes": 25}
    assert sum(p.combined for p in plan) == 6 and sum(bool(p.dropped) for p in plan) == 30 and sum(p.added for p in plan) == 20
    assert sum(p.departement_share < 1 for p in plan) == 15 and sum(p.ft_underspent for p in plan) == 5
    assert Counter(len(p.workbooks) for p in plan) == {5: 79, 4: 14, 3: 5, 0: 3}
    real = next(p for p in plan if p.real)
    assert real.code == "62" and real.workbooks == (("cls", 2024), ("cls", 2025), ("ft", 2024))
    cls = total(p.cls_factor * cls_state_of(contract, p) for p in plan)
    ft = total(p.ft_factor * state_total(contract, "ft") for p in plan)
    for value, envelope in ((cls, NATIONAL_ENVELOPES[("cls", 2024)]), (ft, NATIONAL_ENVELOPES[("ft", 2024)])):
        assert abs(value - envelope) / envelope < Decimal("0.005"), (value, envelope)


def _one(plan, **wanted):
    return next(p for p in plan if not p.real and all(getattr(p, k) == v for k, v in wanted.items()))


def test_derived_contracts_round_trip_as_packages_and_keep_their_totals(contract, plan, tmp_path):
    four = _one(plan, layout="quatre_axes")
    renumbered = _one(plan, layout="axes_1_2_3")
    low = dataclasses.replace(_one(plan, departement_share=Decimal("0.80")), dropped=("3.2",), added=True)
    for p in (four, renumbered, low):
        derived = derive_contract(contract, p)
        analysis.write_contract_package(derived, tmp_path / p.code)
        back = analysis.load_contract(tmp_path / p.code)
        assert back.departement == p.code
        assert all("FICTIF" in s or "FICTIVE" in s for s in back.budget["source"])
        checks = analysis.reconcile(back)
        fiche = checks[checks["check_id"].str.startswith("sommes/cls_fiche_budget")]
        assert not fiche.empty and (fiche["status"] == "ok").all(), fiche[fiche["status"] != "ok"]
    actions = {p.code: set(analysis.load_contract(tmp_path / p.code).actions.query("convention == 'cls'")["axis"])
               for p in (four, renumbered)}
    assert actions[four.code] == {"1", "2", "3", "4"} and actions[renumbered.code] == {"1", "2", "3"}
    low_back = analysis.load_contract(tmp_path / low.code)
    shares = analysis.reconcile(low_back)
    assert (shares[shares["check_id"].str.startswith("regles/cls/part_departement")]["status"] == "ecart").any()
    assert "3.2" not in set(low_back.actions["action"][low_back.actions["convention"] == "cls"])
    assert "1.6" in set(low_back.actions["action"])


# --------------------------------------------------------------------------------------------------
# A small national set: the roll-up is the sum of the contracts
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small(plan, tmp_path_factory):
    """Five départements: the Pas-de-Calais, a four-axis contract, a renumbered one, one below 50 % and one without
    any workbook."""
    full = tuple(("cls", y) for y in CLS_YEARS) + (("ft", FT_YEAR),)
    codes = ["62", _one(plan, layout="quatre_axes", workbooks=full).code,
             _one(plan, layout="axes_1_2_3").code, _one(plan, departement_share=Decimal("0.80")).code,
             next(p.code for p in plan if not p.workbooks)]
    folder = tmp_path_factory.mktemp("national")
    write_national_set(folder, codes)
    contracts = analysis.load_contracts(folder / "contracts")
    executions = analysis.load_executions_by_departement(contracts, folder / "executions")
    return {"folder": folder, "codes": codes, "contracts": contracts, "executions": executions,
            "view": analysis.national(contracts, executions, "2024-2027")}


def test_national_totals_are_the_exact_sums_of_each_contracts_results(small):
    view, contracts, executions = small["view"], small["contracts"], small["executions"]
    assert set(view.departements["departement"]) == set(small["codes"])
    sums = {k: ZERO for k in ("at_risk", "review", "executed", "available", "due", "balance", "planned")}
    for code, contract in contracts.items():
        row = view.departements.set_index("departement").loc[code]
        state = contract.convention_budget("cls")
        planned = total(state.loc[(state["funder"] == "etat") & state["year"].between(2024, 2027), "amount_eur"])
        assert row["cls_contract_state"] == planned
        sums["planned"] += planned
        if code not in executions:
            assert row["reporting_status"] == "aucun_bilan" and row["cls_executed_state"] is None
            continue
        assessment = analysis.assess(contract, executions[code])
        period = assessment.position_over(2024, 2027)
        mine = {"at_risk": total(period["amount_at_risk"]), "review": total(period["amount_under_review"]),
                "executed": total(period["executed_state"]), "available": total(period["available_state"])}
        assert (row["cls_amount_at_risk"], row["cls_amount_under_review"], row["cls_executed_state"]) == (
            mine["at_risk"], mine["review"], mine["executed"])
        settlement = assessment.settlement[assessment.settlement["row_type"] == "total"]
        mine["due"] = total(settlement["due"])
        mine["balance"] = total(settlement["balance_due"])
        for k, v in mine.items():
            sums[k] += v
    nation = view.nation.iloc[0]
    assert (nation["cls_amount_at_risk"], nation["cls_amount_under_review"], nation["cls_executed_state"],
            nation["cls_available_state"], nation["ft_due"], nation["ft_balance_due"], nation["cls_contract_state"]) == (
        sums["at_risk"], sums["review"], sums["executed"], sums["available"], sums["due"], sums["balance"], sums["planned"])
    assert all(isinstance(nation[c], Decimal) for c in ("cls_amount_at_risk", "ft_due", "cls_contract_state"))
    regions = view.regions
    assert total(regions["cls_amount_at_risk"]) == nation["cls_amount_at_risk"]
    assert regions["departements"].sum() == len(small["codes"])
    assert nation["cls_rate"] == pytest.approx(float(sums["executed"] / sums["available"]))


def test_missing_workbooks_and_the_50_percent_rule_are_listed(small, plan):
    view = small["view"]
    d = view.departements.set_index("departement")
    missing = view.missing
    assert set(missing.loc[missing["departement"] == "62", "year"]) == {2026, 2027}
    nothing = small["codes"][-1]
    assert d.loc[nothing, "reporting_status"] == "aucun_bilan" and (missing["departement"] == nothing).sum() == 5
    low = small["codes"][3]
    assert d.loc[low, "cls_below_minimum"] and d.loc[low, "cls_signed_share"] == pytest.approx(0.8 / 1.8)
    assert not d.loc["62", "cls_below_minimum"]
    assert view.fictitious and set(view.envelopes["convention"]) == {"cls", "ft", "total"}
    national = view.indicators[view.indicators["convention"] == "cls"]
    assert set(national["indicator_id"]) <= {f"cls-N-{i:02d}" for i in range(1, 16)} and (national["rollup"] == "somme").all()


def test_the_folder_view_equals_the_view_in_memory(small, tmp_path):
    folder = national_from_folder(small["folder"], "2024-2027", cache=tmp_path / "cache", workers=1, reconcile=False)
    for name in ("departements", "regions", "nation", "envelopes", "indicators", "statuses", "missing"):
        pd.testing.assert_frame_equal(getattr(folder, name), getattr(small["view"], name), check_exact=True)


def test_tables_charts_and_the_national_workbook(small, tmp_path):
    import openpyxl

    from analysis.charts import national as cartes

    view = small["view"]
    assert "FICTIVES" in national_display.inputs_note(view) and "France Travail 2024" in national_display.nation_summary(view)
    for frame in (national_display.departements_table(view), national_display.regions_table(view),
                  national_display.envelopes_table(view), national_display.missing_table(view)):
        assert not frame.empty and not frame.isna().any().any()
    for fig in (cartes.plot_tile_map(view, "cls_amount_at_risk", "Montant exposé"), cartes.plot_envelopes(view),
                cartes.plot_tile_map(view, "reporting_status", "Bilans", kind="status"), cartes.plot_regions(view)):
        assert "DONNÉES FICTIVES" in fig._suptitle.get_text()
    path = national_display.export_national(view, tmp_path / "vue_nationale.xlsx")
    wb = openpyxl.load_workbook(path)
    assert {"Régions et France", "Départements", "Enveloppes 2024", "Bilans manquants"} <= set(wb.sheetnames)
    assert "DONNÉES FICTIVES" in wb["Départements"]["A2"].value


# --------------------------------------------------------------------------------------------------
# The cache: tidy tables read back equal; a changed byte is read again; a removed file forgets its entry
# --------------------------------------------------------------------------------------------------


def test_cached_tables_read_back_equal(contract, execution, tmp_path):
    assessment = analysis.assess(contract, execution)
    tables = {**{n: getattr(execution, n) for n in EXECUTION_FIELDS}, "position": assessment.position_over(2024, 2025),
              "consumption": assessment.consumption, "settlement": assessment.settlement}
    write_tables(tmp_path / "t.json", tables, "cle")
    back = read_tables(tmp_path / "t.json", "cle")
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame.reset_index(drop=True), back[name], check_exact=True)
    assert read_tables(tmp_path / "t.json", "autre cle") is None and read_tables(tmp_path / "absent.json", "cle") is None
    again = analysis.assess(contract, analysis.Execution(**{n: back[n] for n in EXECUTION_FIELDS}))
    pd.testing.assert_frame_equal(again.consumption, assessment.consumption)


def test_one_changed_byte_is_read_again_and_a_removed_workbook_forgets_its_entry(small, tmp_path):
    folder = tmp_path / "national"
    shutil.copytree(small["folder"], folder, ignore=shutil.ignore_patterns("cache"))
    code = small["codes"][1]
    cold = national_from_folder(folder, workers=1)
    assert cold.loading["assessed"] == 5 and cold.loading["workbooks_read"] == cold.loading["workbooks"]
    warm = national_from_folder(folder, workers=1)
    assert warm.loading["assessed"] == 0 and warm.loading["workbooks_read"] == 0
    entries = folder / "cache" / "workbooks" / code
    before = {p.name for p in entries.glob("*.json")}
    workbook = sorted((folder / "executions" / code).glob("*.xlsx"))[0]
    data = bytearray(workbook.read_bytes())
    data[10] ^= 1  # the time of the archive's first entry: other bytes, the same workbook
    workbook.write_bytes(bytes(data))
    changed = national_from_folder(folder, workers=1)
    assert changed.loading["assessed"] == 1 and changed.loading["workbooks_read"] == 1
    assert changed.loading["workbooks_cached"] == len(before) - 1
    after = {p.name for p in entries.glob("*.json")}
    assert len(after) == len(before) and len(after - before) == 1
    pd.testing.assert_frame_equal(changed.departements, warm.departements)
    workbook.unlink()
    removed = national_from_folder(folder, workers=1)
    assert removed.loading["assessed"] == 1 and len(list(entries.glob("*.json"))) == len(before) - 1
    assert len(removed.missing) == len(warm.missing) + 1
