"""Issue 14: one evaluation, one answer. ``make report`` on an analyst's folder of filled workbooks (not the
example) runs every page on those workbooks, shows one France Travail balance, one CLS exposed total and one
under-review total everywhere they appear (every HTML page, both packs, the comparison workbook), saves every
figure it shows, and writes nothing outside ``--out``.

The run happens in a copy of the repository's files (as a fresh clone has them), so that a file written under
``data/`` by any page is seen.
"""

import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import nbformat
import openpyxl
import pytest

import analysis
from analysis import display
from analysis.domain import ROOT
from analysis.example import scenario_entries
from analysis.workbooks import SHEET_FINANCE, export_template

#: (convention, year, action, factor): executed State amounts changed from the example's, so that a page that
#: read the example instead of these workbooks would show other figures.
CHANGES = [("cls", 2024, "1.1", Decimal("0.5")), ("ft", 2024, "2.3", Decimal("0.8"))]


def analyst_folder(contract, folder: Path) -> Path:
    """CLS 2024, CLS 2025 and France Travail 2024 workbooks filled as an analyst would (not fictitious)."""
    folder.mkdir(parents=True, exist_ok=True)
    for convention, year in (("cls", 2024), ("cls", 2025), ("ft", 2024)):
        entries = scenario_entries(contract, convention, year).copy()
        for c, y, action, factor in CHANGES:
            if (c, y) == (convention, year):
                hit = (entries["sheet"] == SHEET_FINANCE) & (entries["key"] == action) & (entries["field"] == "executed_etat")
                entries.loc[hit, "value"] = [(v * factor).quantize(Decimal("0.01")) for v in entries.loc[hit, "value"]]
        export_template(contract, convention, year, folder / f"bilan_{convention}_{year}.xlsx", prefill=entries)
    return folder


def tracked_copy(target: Path) -> Path:
    """The repository's files as a fresh clone has them (tracked and new, not ignored), copied to ``target``."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def files_under(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` (bytecode caches aside) with its modification time."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def run(contract, tmp_path_factory):
    clone = tracked_copy(tmp_path_factory.mktemp("clone"))
    folder = analyst_folder(contract, tmp_path_factory.mktemp("dossier") / "bilans")
    out = tmp_path_factory.mktemp("sortie")
    before = files_under(clone)
    env = {"PYTHONPATH": str(clone / "src"), "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "analysis", "report", "--execution", str(folder), "--out", str(out)],
                          cwd=clone, capture_output=True, text=True, timeout=1200, check=False, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return {"clone": clone, "folder": folder, "out": out, "done": done, "before": before}


def page_text(path: Path) -> str:
    """What a reader sees of an HTML page: its text, without markup, scripts nor styles."""
    import html

    body = path.read_text(encoding="utf-8")
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))  # no-break spaces kept


def workbook_numbers(path: Path) -> set[Decimal]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return {Decimal(repr(c)).quantize(Decimal("0.01")) for ws in wb for row in ws.iter_rows(values_only=True)
            for c in row if isinstance(c, (int, float)) and not isinstance(c, bool)}


@pytest.fixture(scope="module")
def expected(contract, run):
    """What ``analysis.assess`` says, called as the README shows, on the analyst's folder."""
    execution = analysis.load_executions(contract, run["folder"])
    assessment = analysis.assess(contract, execution)
    total = assessment.settlement[assessment.settlement["row_type"] == "total"].iloc[0]
    period = assessment.position_over(2024, 2025)  # each euro once over the period (H45)
    return {"balance": total["balance_due"], "exposed": sum(period["amount_at_risk"], Decimal("0.00")),
            "review": sum(period["amount_under_review"], Decimal("0.00")), "assessment": assessment}


def test_every_page_reads_the_analysts_workbooks_and_says_so(run):
    pages = sorted(run["out"].glob("[0-9][0-9]_*.html"))
    assert [p.stem[:2] for p in pages] == ["00", "01", "02", "03", "04", "05", "06"]
    for page in pages:
        text = page_text(page)
        assert "« bilan_cls_2024.xlsx » (CLS 2024)" in text and "« bilan_ft_2024.xlsx » (France Travail 2024)" in text, page
        assert "FICTIFS" not in text and "execution_FICTIVE" not in text, page


def test_one_france_travail_balance_and_one_cls_exposure_everywhere(run, expected):
    out = run["out"]
    balance, exposed, review = (display.eur(expected[k]) for k in ("balance", "exposed", "review"))
    example = display.eur(Decimal("783024.08"))  # the example's balance: these workbooks differ from it
    assert expected["balance"] > 0 and balance != example and expected["exposed"] > 0 and expected["review"] > 0
    for stem in ("03_consommation_et_risques", "04_scenarios", "06_bilan_final_france_travail"):
        text = page_text(out / f"{stem}.html")
        assert balance in text and example not in text, stem
    for stem in ("03_consommation_et_risques", "04_scenarios", "05_bilan_mi_parcours"):
        text = page_text(out / f"{stem}.html")
        assert exposed in text and review in text, stem
    assert expected["balance"] in workbook_numbers(out / "bilan_final_ft_2024.xlsx")
    comparison = workbook_numbers(out / "comparaison_scenario.xlsx")
    assert {expected["balance"], expected["exposed"], expected["review"]} <= comparison
    assert {expected["exposed"], expected["review"]} <= workbook_numbers(out / "bilan_mi_parcours_cls_2024-2025.xlsx")


def test_every_figure_shown_is_saved_as_png_and_svg(run):
    out = run["out"]
    saved = {p.stem for p in (out / "figures").glob("*.png")}
    assert saved == {p.stem for p in (out / "figures").glob("*.svg")}
    shown = 0
    for page in sorted(out.glob("[0-9][0-9]_*.html")):  # the pages the run wrote (07 is skipped: no national set)
        html = page.read_text(encoding="utf-8")
        shown += html.count('src="data:image/png;base64,')
    assert shown > 0 and len(saved) >= shown, (shown, sorted(saved))


def test_nothing_is_written_outside_the_output_folder(run):
    """Not under data/ nor anywhere else in the repository: every file of the clone is as it was."""
    assert files_under(run["clone"]) == run["before"]


def test_html_pages_are_for_readers(run):
    for page in sorted(run["out"].glob("[0-9][0-9]_*.html")):
        html = page.read_text(encoding="utf-8")
        assert 'class="jp-CodeMirrorEditor' not in html and "import analysis" not in page_text(page), page  # no code cell
        assert not re.search(r"<th>\s*0\s*</th>", html), page  # no pandas row numbers
        if page.stem[:2] in ("02", "03", "04"):  # 01 and the packs' findings cite the checks' identifiers
            assert not re.search(r"\b(cls-[LNF]|ft-[FP])-", page_text(page)), page  # indicators named by their label


def test_the_notebooks_have_a_parameters_cell():
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        tags = [c.metadata.get("tags", []) for c in nb.cells]
        assert any("parameters" in t for t in tags), path.name


def sheet_rows(path: Path, sheet: str, first_header: str) -> list[dict]:
    """The rows of a pack's sheet as dicts keyed by its header row (found by its first header)."""
    rows = list(openpyxl.load_workbook(path, data_only=True)[sheet].iter_rows(values_only=True))
    top = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    return [dict(zip(rows[top], r)) for r in rows[top + 1:] if any(v is not None for v in r)]


def test_the_cls_pack_on_an_analysts_workbooks_is_sendable(run, expected):
    """Issue 15, on workbooks that are not the example: carry-overs shown in the 2025 table, the unreported action
    blank, the 50 % rule with two decimals, period totals counting each euro once, status counts adding up to the
    45 distinct indicators every year."""
    pack = run["out"] / "bilan_mi_parcours_cls_2024-2025.xlsx"
    annex = {r["Fiche action N°"]: r for r in sheet_rows(pack, "Annexe 11 - 2025", "Axes de la contractualisation")}
    assert annex["3.3"]["Report reçu de 2024 - Part État"] == 205950.0
    assert annex["3.4"]["A — Montant État réalisé au 31/12/2025"] is None  # not reported: blank, never 0
    assert annex["3.4"]["B — Crédits État disponibles non consommés en 2025"] is None
    assert "3.4" in annex["TOTAUX FINANCIERS"]["Intitulé de l'action"]
    finance = sheet_rows(pack, "Bilan financier", "Axe")
    verdicts = {r["Règle des 50 % (article 2.2)"] for r in finance}
    assert {"conforme", "non conforme (article 2.2, lignes 348-350)"} <= verdicts
    ws = openpyxl.load_workbook(pack)["Bilan financier"]
    header = next(r for r in ws.iter_rows() if r[0].value == "Axe")
    share = next(c for c in header if c.value == "Part du Département dans le réalisé")
    assert ws.cell(row=share.row + 1, column=share.column).number_format == "0.00 %"
    assert {r["Année"] for r in finance if r["Action"] == "3.4"} >= {"Cumul 2024 (2025 non renseigné)"}
    period = expected["assessment"].position_over(2024, 2025).set_index("action")
    cumul = next(r for r in finance if r["Action"] == "3.3" and str(r["Année"]).startswith("Cumul"))
    assert Decimal(repr(cumul["Montant à apprécier par l'État"])).quantize(Decimal("0.01")) == \
        period.at["3.3", "amount_under_review"] <= period.at["3.3", "unconsumed_state"]
    synthesis = sheet_rows(pack, "Synthèse", "Rubrique")
    for label in ("2024", "2025", "2024-2025"):
        counts = [r["Nombre"] for r in synthesis if r["Rubrique"] == f"Indicateurs {label}"]
        assert sum(counts) == 45, label  # 30 local and 15 national indicators, each counted once
