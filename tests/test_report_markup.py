"""Issue 16: nothing from a file is markup. File names, cell text and justifications that hold HTML, script or
Markdown reach every page and every printed report as the same characters, never as markup."""

import re
import shutil
import subprocess
import sys

import pytest

from analysis.domain import ROOT
from analysis.example import scenario_entries
from analysis.workbooks import SHEET_FINANCE, export_template

#: A workbook's name (a valid one: it is read) and a file that is not a workbook (it is named as not read).
HOSTILE_NAME = """<img src=x onerror="document.body.innerHTML='PWNED'"> *bilan* [x](y).xlsx"""
SKIPPED_NAME = """<svg onload="document.title='PWNED'"> `code`.xls"""
#: What the Département typed as its justification of action 3.3 in 2024.
HOSTILE_TEXT = """<script>document.body.innerHTML='PWNED'</script> **gras** [lien](javascript:alert(1)) <b>fort</b>"""


@pytest.fixture(scope="module")
def run(contract, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dossier")
    for convention, year in (("cls", 2024), ("cls", 2025), ("ft", 2024)):
        entries = scenario_entries(contract, convention, year).copy()
        hit = (entries["sheet"] == SHEET_FINANCE) & (entries["key"] == "3.3") & (entries["field"] == "justification")
        if (convention, year) == ("cls", 2024):
            entries.loc[hit, "value"] = HOSTILE_TEXT
        name = HOSTILE_NAME if (convention, year) == ("cls", 2024) else f"bilan_{convention}_{year}.xlsx"
        export_template(contract, convention, year, folder / name, prefill=entries)
    (folder / SKIPPED_NAME).write_bytes(b"not a workbook")
    out = tmp_path_factory.mktemp("sortie")
    done = subprocess.run([sys.executable, "-m", "analysis", "report", "--execution", str(folder), "--out", str(out),
                           "--only", "00", "03", "05"], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return out


def visible_text(html: str) -> str:
    import html as html_module

    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html)))


def test_names_and_justifications_are_text_in_every_page(run):
    for stem in ("00_prise_en_main", "03_consommation_et_risques", "05_bilan_mi_parcours"):
        html = (run / f"{stem}.html").read_text(encoding="utf-8")
        assert '<img src=x onerror' not in html and "<script>document" not in html and "<svg onload" not in html, stem
        assert "<b>fort</b>" not in html, stem
        text = visible_text(html)
        assert HOSTILE_NAME in text and SKIPPED_NAME in text, stem  # the names, as typed, shown as text
    text = visible_text((run / "03_consommation_et_risques.html").read_text(encoding="utf-8"))
    assert HOSTILE_TEXT in text  # the justification, as typed (the consumption table)


@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("chromium") is None,
                    reason="Chromium ou pdftotext absent")
def test_the_printed_report_shows_them_as_text(run):
    pdf = run / "bilan_mi_parcours_cls_2024-2025.pdf"
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = "".join(text.split())
    assert "".join(HOSTILE_TEXT.split()) in squeezed  # printed as typed, in the financial report
    assert squeezed.count("PWNED") >= 1 and "Rapportd'exécution" in squeezed  # the page was not replaced by a script
