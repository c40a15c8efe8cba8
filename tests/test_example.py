"""The fictitious example execution: it exists, says it is fictitious, regenerates byte-identically,
loads cleanly and tells a varied, realistic story."""

import subprocess
import sys
from decimal import Decimal

import openpyxl
import pytest

from analysis.domain import EXAMPLES_DIR
from analysis.example import SCENARIOS, example_path, scenario_entries, write_examples
from analysis.workbooks import SHEET_AMENDMENT, SHEET_FINANCE, SHEET_INDICATORS, load_execution

REGENERATE = "régénérer les exemples : python -m analysis.example"


def test_example_files_exist_and_their_names_say_fictitious():
    files = sorted(p.name for p in EXAMPLES_DIR.glob("*.xlsx"))
    assert files == sorted(example_path(c, y).name for c, y in SCENARIOS)
    assert all("FICTIVE" in name for name in files)


def test_regeneration_is_byte_identical(contract, tmp_path):
    for path in write_examples(contract, tmp_path):
        assert path.read_bytes() == (EXAMPLES_DIR / path.name).read_bytes(), f"{path.name} a changé : {REGENERATE}"


def test_command_line_regenerates_the_same_files(tmp_path):
    run = subprocess.run([sys.executable, "-m", "analysis.example", "--outdir", str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    written = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    assert written == sorted(p.name for p in EXAMPLES_DIR.glob("*.xlsx"))
    for name in written:
        assert (tmp_path / name).read_bytes() == (EXAMPLES_DIR / name).read_bytes(), REGENERATE


def test_scenario_is_deterministic(contract):
    a = scenario_entries(contract, "cls", 2025)
    b = scenario_entries(contract, "cls", 2025)
    assert a.equals(b) and len(a) > 50


def test_every_sheet_says_the_figures_are_fictitious():
    for convention, year in SCENARIOS:
        wb = openpyxl.load_workbook(example_path(convention, year))
        readme = " ".join(str(v) for row in wb["Lisez-moi"].iter_rows(values_only=True) for v in row if v)
        assert "DONNÉES FICTIVES" in readme and "aucun chiffre d'exécution de ce classeur n'est réel" in readme
        for name in (SHEET_FINANCE, SHEET_INDICATORS, SHEET_AMENDMENT):
            assert "DONNÉES FICTIVES" in wb[name]["A3"].value
        if convention == "ft":
            assert "Bilan final de la convention France Travail 2024" in readme


def test_examples_load_cleanly_by_default(execution):
    assert list(execution.workbooks["file"]) == sorted(p.name for p in EXAMPLES_DIR.glob("*.xlsx"))
    assert execution.workbooks["fictitious"].all()
    assert execution.warnings.empty
    b = execution.budget
    assert set(b["convention"]) == {"cls", "ft"}
    assert set(b.loc[b["phase"] == "executed", "year"]) == {2024, 2025, 2026}  # 2026: CLS carry-over from 2025
    assert set(b["phase"]) == {"executed", "adjusted"}
    assert all(isinstance(v, Decimal) for v in b["amount_eur"])
    assert b["source"].str.contains("FICTIVE").all()
    assert (execution.indicator_values["measure"] == "result").all()


def execution_rates(contract, execution):
    """Executed total / planned total, per (convention, year, action)."""
    b = execution.budget
    done = b[(b["row_type"] == "line") & (b["quantity"] == "executed_total")]
    rates = {}
    for convention in ("cls", "ft"):
        planned = contract.planned_budget(convention).groupby(["year", "action"])["amount_eur"].sum()
        for _, row in done[done["convention"] == convention].iterrows():
            rates[(convention, int(row["year"]), row["action"])] = row["amount_eur"] / planned[(row["year"], row["action"])]
    return rates


def test_scenario_is_varied_and_realistic(contract, execution):
    rates = execution_rates(contract, execution)
    cls_2024 = {a: r for (c, y, a), r in rates.items() if (c, y) == ("cls", 2024)}
    assert len(cls_2024) == 11
    near = [a for a, r in cls_2024.items() if Decimal("0.9") <= r <= 1]
    assert len(near) >= 5  # most actions near plan
    j = execution.justifications
    justified = set(j.loc[(j["convention"] == "cls") & (j["year"] == 2024) & j["justification"].notna(), "action"])
    under = {a for a, r in cls_2024.items() if r < Decimal("0.85")}
    assert under - justified, "au moins une sous-consommation sans justification"
    assert under & justified, "au moins une sous-consommation justifiée"
    ramp = j[j["ramp_up_rate"].notna()]
    assert len(ramp) >= 1
    action, rate = ramp.iloc[0]["action"], ramp.iloc[0]["ramp_up_rate"]
    assert abs(float(rates[("cls", 2024, action)]) - rate) < 0.1  # executes along its planned ramp-up
    # indicators: results around their targets, a few left blank
    values = contract.indicator_values
    targets = values[(values["measure"] == "target") & (values["year"] == 2024)].set_index("indicator_id")["value"]
    results = execution.indicator_values[execution.indicator_values["year"] == 2024]
    filled = results[results["value"].notna()]
    ratio = (filled.set_index("indicator_id")["value"] / targets).dropna()
    assert len(ratio) > 30 and 0.8 < ratio.median() < 1.1
    blanks = results[results["value"].isna()]
    assert 1 <= len(blanks) <= 6 and blanks["notes"].str.contains("non disponible").all()
    # France Travail: one year only (the convention ended on 31/12/2024)
    assert {y for (c, y, _) in rates if c == "ft"} == {2024}


def test_france_travail_example_is_a_final_report_with_the_advance_paid(contract, execution):
    b = execution.budget
    paid = b[(b["convention"] == "ft") & (b["quantity"] == "paid") & (b["row_type"] == "line") & (b["action"] != "2.4")]
    assert sum(paid["amount_eur"], Decimal(0)) == Decimal("2556535.20")  # the 60 % advance of art. 6
    executed = b[(b["convention"] == "ft") & (b["quantity"] == "executed") & (b["funder"] == "etat") & (b["row_type"] == "line")]
    assert sum(executed["amount_eur"], Decimal(0)) > Decimal("2556535.20")  # spending above the advance: a balance
    notified = b[(b["convention"] == "ft") & (b["phase"] == "adjusted")]
    assert notified.empty  # no avenant after the end of the convention


def test_cls_example_has_avenants_that_differ_and_carry_overs(contract, execution):
    b = execution.budget
    notified = b[(b["convention"] == "cls") & (b["phase"] == "adjusted") & (b["row_type"] == "line") & (b["year"] == 2025)]
    planned = contract.planned_budget("cls")
    state = planned[(planned["funder"] == "etat") & (planned["year"] == 2025)].groupby("action")["amount_eur"].sum()
    differ = {a for a, v in zip(notified["action"], notified["amount_eur"]) if v != state[a]}
    assert differ == {"1.1", "3.2", "3.3"}
    carry = b[(b["quantity"] == "carry_over") & (b["funder"] == "etat") & (b["year"] == 2025) & (b["row_type"] == "line")]
    assert {a for a, v in zip(carry["action"], carry["amount_eur"]) if v > 0} == {"3.1", "3.3"}


def test_load_execution_reads_one_file(contract):
    one = load_execution(contract, example_path("ft", 2024))
    assert list(one.workbooks["file"]) == ["execution_FICTIVE_ft_2024.xlsx"]
    with pytest.raises(FileNotFoundError):
        load_execution(contract, EXAMPLES_DIR / "vide")
