"""A real spreadsheet engine: LibreOffice recalculates filled templates headless; every formula result
must equal the library's own computation to the cent, and the reader must accept the saved file.

Skipped only where LibreOffice (``soffice``) is absent; CI installs ``libreoffice-calc-nogui``.
"""

import shutil
import subprocess
from decimal import Decimal

import numpy as np
import openpyxl
import pandas as pd
import pytest

import analysis
from analysis.example import scenario_entries
from analysis.workbooks import (
    GAP_REASONS,
    SHEET_FINANCE,
    SHEET_META,
    export_template,
    read_execution,
    template_layout,
)

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) absent")

# Force LibreOffice to recalculate every formula on load (by default it keeps cached values).
RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculate(files, outdir, workdir):
    """Open ``files`` in headless LibreOffice with a throw-away profile and save them as .xlsx in ``outdir``."""
    profile = workdir / "profil-libreoffice"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE, encoding="utf-8")
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "xlsx",
               "--outdir", str(outdir), *map(str, files)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=180)
    shutil.rmtree(profile, ignore_errors=True)
    outputs = [outdir / f.name for f in files]
    # soffice exits 0 even when it failed: check that every output exists and is not empty
    missing = [o.name for o in outputs if not o.is_file() or o.stat().st_size == 0]
    assert not missing, f"LibreOffice n'a pas produit {missing} (code {run.returncode}) : {run.stdout} {run.stderr}"
    return outputs


def random_entries(contract, convention, year, seed):
    """Every input cell of the financial and amendment sheets filled (some left blank), consistent amounts."""
    rng = np.random.default_rng(seed)
    layout = template_layout(contract, convention, year)
    inputs = layout[layout["role"] == "input"]
    rows = []
    money = lambda low, high: Decimal(int(rng.integers(low * 100, high * 100))).scaleb(-2)  # noqa: E731
    for key in sorted(set(inputs.loc[inputs["sheet"] == SHEET_FINANCE, "key"])):
        if rng.random() < 0.15:
            continue  # a blank line
        paid = money(10_000, 2_000_000)
        executed = (paid * Decimal(str(round(rng.uniform(0.3, 1.0), 4)))).quantize(Decimal("0.01"))
        values = {"paid": paid, "executed_etat": executed}
        if rng.random() < 0.8:
            values["executed_departement"] = money(0, 2_000_000)
        if rng.random() < 0.4:
            values["executed_autre"] = money(0, 300_000)
        if convention == "cls":
            values["carry_over_etat"] = ((paid - executed) * Decimal("0.5")).quantize(Decimal("0.01"))
            values["carry_over_departement"] = money(0, 50_000)
        if rng.random() < 0.3:
            values["ramp_up"] = round(float(rng.uniform(0.2, 1.0)), 3)
            values["gap_reason"] = GAP_REASONS[int(rng.integers(len(GAP_REASONS)))]
        rows += [("Exécution financière", key, f, v) for f, v in values.items()]
        if rng.random() < 0.7:
            rows.append(("Avenant", key, "notified", money(0, 2_000_000)))
    for key in sorted(set(inputs.loc[inputs["sheet"] == "Indicateurs", "key"])):
        if rng.random() < 0.8:
            rows.append(("Indicateurs", key, "result", int(rng.integers(0, 20_000))))
    return pd.DataFrame(rows, columns=["sheet", "key", "field", "value"])


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """Filled workbooks (originals) and the same files recalculated and saved by LibreOffice."""
    contract = analysis.load_contract()
    work = tmp_path_factory.mktemp("libreoffice")
    (work / "in").mkdir()
    (work / "out").mkdir()
    originals = [
        export_template(contract, "cls", 2024, work / "in" / "exemple_cls_2024.xlsx",
                        prefill=scenario_entries(contract, "cls", 2024)),
        export_template(contract, "cls", 2025, work / "in" / "aleatoire_cls_2025.xlsx",
                        prefill=random_entries(contract, "cls", 2025, 1)),
        export_template(contract, "ft", 2024, work / "in" / "aleatoire_ft_2024.xlsx",
                        prefill=random_entries(contract, "ft", 2024, 2)),
        export_template(contract, "ft", 2025, work / "in" / "exemple_ft_2025.xlsx",
                        prefill=scenario_entries(contract, "ft", 2025)),
    ]
    # amounts typed as French text: the reader accepts them, the spreadsheet's formulas do not count them
    text = pd.DataFrame([("Exécution financière", "1.1", "paid", "618 000,00 €"),
                         ("Exécution financière", "1.1", "executed_etat", Decimal("500000"))],
                        columns=["sheet", "key", "field", "value"])
    originals.append(export_template(contract, "cls", 2024, work / "in" / "texte_cls_2024.xlsx", prefill=text))
    outputs = recalculate(originals, work / "out", work)
    return contract, dict(zip([o.name for o in originals], zip(originals, outputs)))


def compare_to_the_cent(original, recalculated_path):
    """Every formula cell of LibreOffice's file against the library's computation; returns the count."""
    values = openpyxl.load_workbook(recalculated_path, data_only=True)
    compared = 0
    for _, f in original.formulas.iterrows():
        got = values[f["sheet"]][f["cell"]].value
        want = f["recomputed"]
        where = f"{recalculated_path.name} {f['sheet']}!{f['cell']} ({f['field']}, {f['key']})"
        if want is None:
            assert got in (None, ""), f"{where}: LibreOffice {got!r}, bibliothèque vide"
        elif isinstance(want, Decimal):
            assert isinstance(got, (int, float)) and not isinstance(got, bool), f"{where}: {got!r}"
            assert abs(Decimal(repr(got)) - want) < Decimal("0.005"), f"{where}: LibreOffice {got!r}, bibliothèque {want}"
        else:
            assert got == pytest.approx(want, rel=1e-12, abs=1e-12), f"{where}: LibreOffice {got!r}, bibliothèque {want}"
        compared += 1
    return compared


RECALCULATED = ["exemple_cls_2024.xlsx", "aleatoire_cls_2025.xlsx", "aleatoire_ft_2024.xlsx", "exemple_ft_2025.xlsx"]


@pytest.mark.parametrize("name", RECALCULATED)
def test_libreoffice_formula_results_equal_the_library_to_the_cent(recalculated, name):
    contract, files = recalculated
    original_path, lo_path = files[name]
    original = read_execution(original_path, contract)
    assert not original.workbooks["calculated"].iloc[0]  # openpyxl writes no cached results
    assert compare_to_the_cent(original, lo_path) == len(original.formulas) > 50
    # the reader accepts LibreOffice's file, finds every cached value in agreement, and loads the same figures
    again = read_execution(lo_path, contract)
    assert again.workbooks["calculated"].iloc[0]
    assert again.warnings.empty, again.warnings.to_string()
    assert again.formulas["agrees"].all()
    for frame in ("budget", "indicator_values", "justifications"):
        pd.testing.assert_frame_equal(getattr(original, frame), getattr(again, frame), obj=frame)


def test_libreoffice_keeps_protection_hidden_metadata_and_validations(recalculated):
    _, files = recalculated
    wb = openpyxl.load_workbook(files["exemple_cls_2024.xlsx"][1])
    assert wb[SHEET_META].sheet_state == "hidden"
    ws = wb[SHEET_FINANCE]
    assert ws.protection.sheet
    assert ws["H5"].protection.locked is False and ws["J5"].protection.locked is True
    assert ws.data_validations.dataValidation


def test_french_text_amounts_are_recomputed_and_the_spreadsheet_disagreement_reported(recalculated):
    contract, files = recalculated
    original_path, lo_path = files["texte_cls_2024.xlsx"]
    execution = read_execution(lo_path, contract)
    budget = execution.budget
    line = budget[(budget["action"] == "1.1") & (budget["row_type"] == "line")].set_index("quantity")
    assert line.loc["paid", "amount_eur"] == Decimal("618000.00")
    assert line.loc["unconsumed", "amount_eur"] == Decimal("118000.00")
    # LibreOffice does not count the text « 618 000,00 € »: its B column and sub-totals differ, and the reader says so
    assert {"J5", "H10", "H19"} <= set(execution.warnings["cell"])
    assert execution.warnings["reason"].str.contains("la valeur recalculée est retenue").all()
