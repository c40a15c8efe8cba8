"""``python -m analysis report``: an analyst's own workbooks give the same packs, with their figures in the
right cells; a malformed workbook stops the run before any notebook with the reader's French error."""

import datetime
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest

from analysis import report
from analysis.domain import EXPENSE_CATEGORY_LABELS, EXPENSES_SHEET, FT_EXPENSE_TYPE_LABELS, ROOT
from analysis.pack import FICTITIOUS_NOTICE
from analysis.workbooks import SHEET_AMENDMENT, SHEET_FINANCE, SHEET_INDICATORS, export_template, fill_template

F, A, IND, S = SHEET_FINANCE, SHEET_AMENDMENT, SHEET_INDICATORS, EXPENSES_SHEET

#: Distinctive figures typed in the analyst's workbooks, and where each must land in the packs.
CLS_2024 = [(F, "3.2", "paid", Decimal("160000.00")), (F, "3.2", "executed_etat", Decimal("123456.78")),
            (F, "3.2", "executed_departement", Decimal("98765.43")), (F, "3.2", "carry_over_etat", Decimal("1111.11")),
            (F, "1.1", "paid", Decimal("618000.00")), (F, "1.1", "executed_etat", Decimal("600000.01")),
            (A, "1.1", "notified", Decimal("654321.09")), (IND, "cls-N-09", "result", 777)]
CLS_2025 = [(F, "3.2", "paid", Decimal("150000.00")), (F, "3.2", "executed_etat", Decimal("111111.11")),
            (IND, "cls-N-09", "result", 888)]
FT_2024 = [(F, "2.3", "paid", Decimal("990000.00")), (F, "2.3", "executed_etat", Decimal("129632.97")),
           (S, "1", "expense_type", FT_EXPENSE_TYPE_LABELS["v2_accompagnement"]), (S, "1", "action", "2.3"),
           (S, "1", "nature", "Rémunération CIP distinctive"), (S, "1", "category", EXPENSE_CATEGORY_LABELS["personnel"]),
           (S, "1", "units", 3), (S, "1", "unit_cost", Decimal("43210.99")), (S, "1", "start", datetime.date(2024, 1, 1)),
           (S, "1", "end", datetime.date(2024, 12, 31)), (S, "1", "amount", Decimal("129632.97")),
           (S, "2", "expense_type", FT_EXPENSE_TYPE_LABELS["v2_freins_sociaux"]), (S, "2", "action", "2.6"),
           (S, "2", "nature", "Déplacements distinctifs"), (S, "2", "category", EXPENSE_CATEGORY_LABELS["frais_mission"]),
           (S, "2", "start", datetime.date(2024, 5, 2)), (S, "2", "amount", Decimal("4321.00"))]


def fill(contract, folder: Path, convention: str, year: int, rows) -> Path:
    blank = export_template(contract, convention, year, folder / f"modele_{convention}_{year}.xlsx")
    frame = pd.DataFrame(rows, columns=["sheet", "key", "field", "value"])
    path = fill_template(blank, contract, frame, out=folder / f"bilan_{convention}_{year}.xlsx")
    blank.unlink()
    return path


def run_report(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "analysis", "report", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600, check=False)


def value_at(path: Path, sheet: str, header: str, key_header: str, key) -> object:
    """The cell of column ``header`` on the row whose ``key_header`` column holds ``key``, found by reading
    the sheet as a person would (header row located by its text)."""
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if header in r and key_header in r)
    col, key_col = rows[top].index(header), rows[top].index(key_header)
    hits = [r for r in rows[top + 1:] if r[key_col] is not None and str(r[key_col]) == str(key)]
    assert len(hits) == 1, (sheet, key, len(hits))
    return hits[0][col]


@pytest.fixture(scope="module")
def packs(contract, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dossier")
    fill(contract, folder, "cls", 2024, CLS_2024)
    fill(contract, folder, "cls", 2025, CLS_2025)
    fill(contract, folder, "ft", 2024, FT_2024)
    out = tmp_path_factory.mktemp("sortie")
    done = run_report("--execution", folder, "--out", out, "--only", "05", "06")
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done


def test_the_analysts_figures_land_in_the_right_cells_of_the_cls_pack(packs):
    out, _ = packs
    cls = out / "bilan_mi_parcours_cls_2024-2025.xlsx"
    key = "Fiche action N°"
    assert value_at(cls, "Annexe 11 - 2024", "A — Montant État réalisé au 31/12/2024", key, "3.2") == 123456.78
    assert value_at(cls, "Annexe 11 - 2024", "C — Montant CD réalisé au 31/12/2024", key, "3.2") == 98765.43
    assert value_at(cls, "Annexe 11 - 2024", "B — Crédits État 2024 non consommés en 2024", key, "3.2") == 36543.22
    assert value_at(cls, "Annexe 11 - 2024", "Montant total réalisé au 31/12/2024 (A+C)", key, "3.2") == 222222.21
    assert value_at(cls, "Annexe 11 - 2025", "A — Montant État réalisé au 31/12/2025", key, "3.2") == 111111.11
    assert value_at(cls, "Tableau A-M 2025", "H — Participation État notifiée pour la convention 2025", key, "1.1") == 654321.09
    assert value_at(cls, "Tableau A-M 2025", "F — Montant à reporter en 2025 - Part État", key, "3.2") == 1111.11
    assert value_at(cls, "Tableau A-M 2025", "A — Crédits État versés en 2024", key, "3.2") == 160000.00
    matrix = "Annexe 10 - matrice"
    assert value_at(cls, matrix, "Résultat atteint en 2024", "Identifiant", "cls-N-09") == 777
    assert value_at(cls, matrix, "Résultat atteint en 2025", "Identifiant", "cls-N-09") == 888
    report_rows = list(openpyxl.load_workbook(cls)["Bilan financier"].iter_rows(values_only=True))
    header = next(r for r in report_rows if r and "Année" in r)
    cumul = [dict(zip(header, r)) for r in report_rows if r[1] == "3.2" and r[3] == "Cumul 2024-2025"]
    assert [c["Montant État réalisé"] for c in cumul] == [234567.89]  # 123 456,78 + 111 111,11


def test_the_analysts_figures_land_in_the_right_cells_of_the_ft_pack(packs):
    out, _ = packs
    ft = out / "bilan_final_ft_2024.xlsx"
    assert value_at(ft, "État des dépenses", "Montant", "Nature de la dépense", "Rémunération CIP distinctive") == 129632.97
    assert value_at(ft, "État des dépenses", "Coût unitaire", "Nature de la dépense", "Rémunération CIP distinctive") == 43210.99
    assert value_at(ft, "Éligibilité ligne à ligne", "Montant non éligible", "N° de ligne", 2) == 4321.00
    assert value_at(ft, "Dépenses éligibles", "Non éligible : article 4.2", "Fiche action", "2.6") == 4321.00
    assert value_at(ft, "Dépenses éligibles", "Coût éligible", "Fiche action", "2.3") == 129632.97


def test_the_run_writes_every_file_and_says_so(packs):
    out, done = packs
    for name in ("bilan_mi_parcours_cls_2024-2025.xlsx", "bilan_final_ft_2024.xlsx", "bilan_mi_parcours_cls_2024-2025.html",
                 "bilan_final_ft_2024.html", "05_bilan_mi_parcours.html",
                 "06_bilan_final_france_travail.html", "figures/cls_execution_par_action_2024-2025.png",
                 "figures/cls_execution_par_action_2024-2025.svg", "figures/ft_eligibilite_des_depenses_2024.svg"):
        assert (out / name).is_file(), name
        assert name.split("/")[-1] in done.stdout
    assert "[1/2] 05_bilan_mi_parcours : exécution" in done.stdout and "HTML écrit (" in done.stdout
    assert "WARNING" not in done.stderr and "Traceback" not in done.stderr
    if report.chromium():  # printed from the pack's own report page, not from the notebook's
        assert (out / "bilan_final_ft_2024.pdf").read_bytes().startswith(b"%PDF")
        assert "bilan_final_ft_2024.pdf" in done.stdout and "PDF imprimé" in done.stdout
    # the analyst's workbooks are not fictitious: no notice; the notebook names what it read
    ws = openpyxl.load_workbook(out / "bilan_final_ft_2024.xlsx")["Synthèse"]
    assert FICTITIOUS_NOTICE not in [c.value for c in ws["A"]]
    assert "bilan_ft_2024.xlsx" in (out / "06_bilan_final_france_travail.html").read_text(encoding="utf-8")


def test_a_malformed_workbook_stops_the_run_before_any_notebook(contract, tmp_path):
    folder = tmp_path / "dossier"
    folder.mkdir()
    fill(contract, folder, "cls", 2024, [(F, "3.2", "executed_etat", "beaucoup")])
    out = tmp_path / "sortie"
    done = run_report("--execution", folder, "--out", out)
    assert done.returncode == 2
    assert "Classeur d'exécution refusé" in done.stderr and "aucun notebook exécuté" in done.stderr
    assert "bilan_cls_2024.xlsx, feuille « Exécution financière », cellule I" in done.stderr
    assert "nombre attendu" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_a_missing_folder_and_a_bad_option_are_said_in_french(tmp_path):
    done = run_report("--execution", tmp_path / "absent", "--out", tmp_path / "sortie")
    assert done.returncode == 2 and "introuvable" in done.stderr and "Traceback" not in done.stderr
    done = run_report("--only", "99")
    assert done.returncode == 2 and "notebook « 99 » introuvable" in done.stderr
    assert subprocess.run([sys.executable, "-m", "analysis"], capture_output=True, text=True, check=False).returncode == 2


def test_parameters_are_injected_after_the_parameters_cell():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os"),
                                         nbformat.v4.new_code_cell("sortie = None", metadata={"tags": ["parameters"]}),
                                         nbformat.v4.new_code_cell("print(sortie)")])
    assert report.inject_parameters(nb, {"sortie": "/tmp/x", "execution": ["a b"]})
    cell = nb.cells[2]
    assert cell.metadata["tags"] == ["injected-parameters"] and cell.id == "injected-parameters"
    assert cell.source.splitlines()[1:] == ["sortie = '/tmp/x'", "execution = ['a b']"]
    bare = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    assert not report.inject_parameters(bare, {"sortie": "/tmp/x"}) and len(bare.cells) == 1


def _tiny(folder: Path) -> Path:
    """A small notebook named like the CLS pack notebook, with a parameters cell."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("texte = 'défaut'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print(texte)")])
    path = folder / "05_bilan_mi_parcours.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_notebook_runs_with_its_parameters_and_its_html_is_the_same_twice(tmp_path):
    path = _tiny(tmp_path)
    first = report.execute_notebook(path, {"texte": "injecté"})
    second = report.execute_notebook(path, {"texte": "injecté"})
    assert report.has_parameters_cell(path) and first.cells[-1].outputs[0]["text"] == "injecté\n"
    assert report.html_bytes(first, True) == report.html_bytes(second, True)


def test_without_chromium_the_run_says_how_to_get_the_pdf(tmp_path, monkeypatch, capsys):
    path = _tiny(tmp_path)
    monkeypatch.setattr(report, "chromium", lambda: None)
    written = report.run_notebook(path, tmp_path / "sortie", {}, False, "[1/1]")
    assert [p.name for p in written] == ["05_bilan_mi_parcours.html"]
    said = capsys.readouterr().out
    assert "PDF non produit : Chromium est introuvable" in said and "apt-get install chromium" in said


@pytest.mark.skipif(report.chromium() is None, reason="Chromium absent")
def test_with_chromium_the_packs_report_page_is_printed_to_pdf(tmp_path, capsys):
    """The PDF is the pack's report page (written by the pack run next to the workbook), not the notebook's page."""
    out = tmp_path / "sortie"
    out.mkdir()
    (out / "bilan_mi_parcours_cls_2024-2025.html").write_text(
        '<!DOCTYPE html><html lang="fr"><meta charset="utf-8"><p>Rapport imprimable</p></html>', encoding="utf-8")
    written = report.run_notebook(_tiny(tmp_path), out, {}, False, "[1/1]")
    pdf = out / "bilan_mi_parcours_cls_2024-2025.pdf"
    assert pdf in written and pdf.read_bytes().startswith(b"%PDF")
    assert "PDF imprimé" in capsys.readouterr().out


@pytest.mark.skipif(report.chromium() is None, reason="Chromium absent")
def test_without_the_report_page_no_pdf_is_printed_and_the_run_says_so(tmp_path, capsys):
    written = report.run_notebook(_tiny(tmp_path), tmp_path / "sortie", {}, False, "[1/1]")
    assert [p.name for p in written] == ["05_bilan_mi_parcours.html"]
    assert "PDF non produit : le notebook n'a pas écrit le rapport imprimable bilan_mi_parcours_cls_2024-2025.html" in (
        capsys.readouterr().out)


def test_random_widget_ids_are_numbered_in_order_of_appearance():
    page = ('<div id="24dff357-e139-4222-8e99-a86a5e660138"></div>getElementById("24dff357-e139-4222-8e99-a86a5e660138")'
            '{"model_id": "a1b371f461b5460d93cc80b7eeacb739"} {"state": {"8bcb55457593407984d845ea0e896426": {"model_name": '
            '"LayoutModel", "layout": "IPY_MODEL_8bcb55457593407984d845ea0e896426"}}}')
    stable = report.stable_ids(page)
    assert "24dff357" not in stable and "a1b371f4" not in stable and "8bcb5545" not in stable
    assert stable.count("00000000-0000-4000-8000-000000000001") == 2
    assert f'"model_id": "{1:032x}"' in stable and f"IPY_MODEL_{2:032x}" in stable
    assert report.stable_ids(stable) == stable


def test_a_pack_without_its_workbooks_is_skipped_and_said(contract, tmp_path):
    folder = tmp_path / "dossier"
    folder.mkdir()
    fill(contract, folder, "cls", 2026, [(F, "3.2", "paid", Decimal("2.00")), (F, "3.2", "executed_etat", Decimal("1.00"))])
    skipped = report.check_inputs([str(folder)])
    # a CLS 2026 workbook alone: the pages of both conventions and both packs are skipped, each with its reason
    assert set(skipped) == {"02_cibles_et_resultats", "03_consommation_et_risques", "04_scenarios", "05_bilan_mi_parcours",
                            "06_bilan_final_france_travail"}
    assert "France Travail 2024" in skipped["06_bilan_final_france_travail"]
    assert "France Travail 2024" in skipped["03_consommation_et_risques"] and "CLS pour 2024" in skipped["05_bilan_mi_parcours"]
    assert report.check_inputs(None) == {}


def test_a_failing_notebook_is_said_in_french(tmp_path, capsys):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")])
    path = tmp_path / "09_essai.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(report.NotebookFailed, match="09_essai s'est arrêté sur une erreur .ZeroDivisionError"):
        report.build([path], tmp_path / "sortie")


def test_pdf_dates_are_fixed_without_moving_any_byte():
    page = b"%PDF-1.4\n<</CreationDate (D:20261202040918+00'00')\n/ModDate (D:20261202040918+00'00')>>\nxref"
    fixed = report.fixed_pdf_dates(page)
    assert len(fixed) == len(page) and b"D:20240415000000+00'00'" in fixed and b"2026" not in fixed
