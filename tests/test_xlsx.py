"""The one Excel writer (analysis.xlsx): reproducible bytes, fixed metadata, shared formats, text kept as
text (never a formula), and atomic replacement (a failed write leaves the previous file intact)."""

import os
import re
import time
import zipfile
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

import analysis
from analysis import xlsx
from analysis.example import scenario_entries
from analysis.workbooks import SHEET_FINANCE, export_template, template_layout

DANGEROUS = ["=1+2", ' =HYPERLINK("http://exemple.invalid", "cliquer")', "=SUM(A1:A3)", "+33 1 23", "@moi"]


def table(n=3):
    return pd.DataFrame({
        "Action": [f"1.{i}" for i in range(1, n + 1)],
        "Commentaire": (DANGEROUS * n)[:n],
        "Montant": [Decimal("618000.00"), Decimal("0.05"), None][:n],
        "Taux": [0.5, 1.0, float("nan")][:n],
        "Nombre": pd.array([1, None, 3][:n], dtype="Int64"),
    })


def sheet_xml(path, index=1) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")


def write(path, frame=None):
    sheets = {"Données": table() if frame is None else frame, "Vide": table(0)}
    return xlsx.write_tables(sheets, path, money_columns=["Montant"], percent_columns=["Taux"], widths={"Commentaire": 50})


def test_two_writes_are_byte_identical_and_carry_fixed_metadata(tmp_path):
    first = write(tmp_path / "a.xlsx")
    time.sleep(1.1)  # a clock leaking into the file would now differ by at least a second
    second = write(tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in archive.infolist()} == {(2024, 4, 15, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert re.search(r"<dcterms:modified[^>]*>2024-04-15T00:00:00Z</dcterms:modified>", core), core
    assert re.search(r"<dcterms:created[^>]*>2024-04-15T00:00:00Z</dcterms:created>", core), core
    assert "<dc:creator>analysis</dc:creator>" in core


def test_text_from_data_is_written_as_text_never_as_a_formula(tmp_path):
    frame = pd.DataFrame({"=SUM(B2:B9)": DANGEROUS, "Montant": [Decimal(1)] * len(DANGEROUS)})
    path = write(tmp_path / "t.xlsx", frame)
    xml = sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml
    ws = openpyxl.load_workbook(path)["Données"]
    assert ws["A1"].value == "=SUM(B2:B9)" and ws["A1"].data_type == "s"
    assert [ws.cell(r, 1).value for r in range(2, 2 + len(DANGEROUS))] == DANGEROUS
    assert all(ws.cell(r, 1).data_type == "s" for r in range(2, 2 + len(DANGEROUS)))


def test_plain_openpyxl_would_have_written_a_formula(tmp_path):
    """The hazard the writer guards against is real: openpyxl alone turns '=1+2' into a formula."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=1+2"
    wb.save(tmp_path / "naive.xlsx")
    assert "<f>1+2</f>" in sheet_xml(tmp_path / "naive.xlsx")


def test_money_and_percent_formats_header_style_filter_and_widths(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path / "f.xlsx"))["Données"]
    headers = [c.value for c in ws[1]]
    money, rate, count = (headers.index(h) + 1 for h in ("Montant", "Taux", "Nombre"))
    assert [ws.cell(r, money).number_format for r in (2, 3, 4)] == [xlsx.MONEY_FORMAT] * 3
    assert xlsx.MONEY_FORMAT == '#,##0.00 "€"'
    assert [ws.cell(r, rate).number_format for r in (2, 3, 4)] == [xlsx.PERCENT_FORMAT] * 3
    assert ws.cell(2, count).number_format == "General"
    assert ws.cell(2, money).value == 618000.0 and ws.cell(3, money).value == 0.05
    assert ws.cell(4, money).value is None and ws.cell(4, rate).value is None and ws.cell(3, count).value is None
    assert all(c.font.b and c.font.color.rgb.endswith("FFFFFF") for c in ws[1])
    assert all(c.fill.fgColor.rgb.endswith(xlsx.HEADER_COLOR) for c in ws[1])
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E4"
    assert ws.column_dimensions["B"].width == 50
    assert xlsx.MIN_WIDTH <= ws.column_dimensions["A"].width <= xlsx.MAX_WIDTH
    empty = openpyxl.load_workbook(tmp_path / "f.xlsx")["Vide"]
    assert [c.value for c in empty[1]] == headers and empty.max_row == 1 and empty.auto_filter.ref is None


def test_sheet_names_are_cut_to_excel_limit(tmp_path):
    path = xlsx.write_tables({"x" * 40: table(1)}, tmp_path / "n.xlsx")
    assert openpyxl.load_workbook(path).sheetnames == ["x" * 31]


@pytest.mark.parametrize("failure", ["serialise", "fsync", "replace"])
def test_a_failed_write_leaves_the_previous_file_intact(tmp_path, monkeypatch, failure):
    path = write(tmp_path / "resultats.xlsx")
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disque plein (simulé)")

    if failure == "serialise":  # openpyxl fails half-way through the sheets
        from openpyxl.writer.excel import ExcelWriter

        monkeypatch.setattr(ExcelWriter, "write_worksheet", boom)
    else:  # the bytes are (partly) on disk in the temporary file, then the system fails
        monkeypatch.setattr(xlsx.os, failure, boom)
    with pytest.raises(OSError, match="simulé"):
        write(path, table(2))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["resultats.xlsx"]  # no temporary file left
    openpyxl.load_workbook(path)  # still a valid workbook


def test_nothing_is_ever_written_in_data_raw(tmp_path):
    from analysis.domain import RAW_DIR

    before = sorted(p.name for p in RAW_DIR.iterdir())
    with pytest.raises(ValueError, match="écriture refusée"):
        write(RAW_DIR / "sortie.xlsx")
    with pytest.raises(ValueError, match="écriture refusée"):
        write(RAW_DIR / "sous_dossier" / ".." / "sortie.xlsx")
    assert sorted(p.name for p in RAW_DIR.iterdir()) == before


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    path = write(tmp_path / "p.xlsx")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_execution_template_text_is_text_and_formulas_are_the_templates_own(contract, tmp_path):
    """Prefilled text starting with '=' stays text; the only formulas are the template's."""
    entries = scenario_entries(contract, "cls", 2024)
    entries.loc[entries["field"] == "justification", "value"] = "=1+2"
    path = export_template(contract, "cls", 2024, tmp_path / "m.xlsx", prefill=entries)
    layout = template_layout(contract, "cls", 2024)
    formulas = layout[(layout["sheet"] == SHEET_FINANCE) & (layout["role"] == "formula")]
    xml = sheet_xml(path, 2)  # sheet 1 is « Lisez-moi », sheet 2 « Exécution financière »
    assert sorted(re.findall(r'<c r="([A-Z]+\d+)"[^>]*><f>', xml)) == sorted(formulas["cell"])
    ws = openpyxl.load_workbook(path)[SHEET_FINANCE]
    justified = layout[(layout["sheet"] == SHEET_FINANCE) & (layout["field"] == "justification")
                       & layout["key"].isin(entries.loc[entries["field"] == "justification", "key"])]
    assert len(justified) >= 3
    assert all(ws[c].value == "=1+2" and ws[c].data_type == "s" for c in justified["cell"])


def test_set_formula_refuses_text_and_the_api_is_public():
    ws = openpyxl.Workbook().active
    with pytest.raises(ValueError):
        xlsx.set_formula(ws["A1"], "1+2")
    assert analysis.write_tables is xlsx.write_tables
    assert xlsx.column_letter(28) == "AB"
