"""Hostile and broken workbooks (issue 8, workbook half): every case is refused in French, or read exactly.

- no text ever becomes a formula: hidden formulas are refused on reading, and the XML of every kind of
  file the project writes holds no formula but the template's own, whatever the text written;
- bounded reading: archive checks before any parsing, one streaming pass, the table's range only, at
  most 200 problems listed (hostile files are generated here, never committed);
- French errors instead of tracebacks: huge, infinite and implausible numbers, password-protected
  workbooks, other formats;
- atomic writes: a failure in the middle of every writer leaves the previous file intact;
- folder loading: lock files and other formats noted, ``.XLSX`` read, duplicates refused;
- silent wrongs: array formulas, percentages, an FT action in a CLS workbook, ``-0``;
- fuzzing: mutated bytes, XML and cells raise only :class:`WorkbookError`.
"""

import dataclasses
import math
import re
import shutil
import tempfile
import tracemalloc
import warnings
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hostile import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    FINANCE_PART,
    INDICATORS_PART,
    array_formula,
    at,
    encrypted_workbook,
    far_formatted_cell,
    formatted_cells,
    libreoffice_convert,
    lying_sizes,
    macro_workbook,
    rewrite,
    rows_under_table,
    set_cell,
    with_doctype,
    zip_bomb,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import analysis
from analysis import xlsx
from analysis.example import scenario_entries
from analysis.workbooks import (
    SHEET_AMENDMENT,
    SHEET_FINANCE,
    SHEET_INDICATORS,
    WorkbookError,
    WorkbookWarning,
    export_template,
    fill_template,
    load_execution,
    read_execution,
    template_layout,
)
from analysis.workbooks.errors import MAX_PROBLEMS, ProblemLog
from analysis.workbooks.parsing import formula_attempt

F, IND, A = SHEET_FINANCE, SHEET_INDICATORS, SHEET_AMENDMENT
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def valid(contract, folder):
    """A valid filled CLS 2024 workbook (the fictitious scenario)."""
    path = export_template(contract, "cls", 2024, folder / "valide.xlsx", prefill=scenario_entries(contract, "cls", 2024))
    read_execution(path, contract)
    return path


@pytest.fixture(scope="module")
def blank_template(contract, folder):
    return export_template(contract, "cls", 2024, folder / "modele.xlsx")


@pytest.fixture(scope="module")
def layout(contract):
    return template_layout(contract, "cls", 2024)


def entries(rows):
    return pd.DataFrame(rows, columns=["sheet", "key", "field", "value"])


def refused(path, contract, **kwargs) -> WorkbookError:
    with pytest.raises(WorkbookError) as caught:
        read_execution(path, contract, **kwargs)
    message = str(caught.value)
    assert message.startswith("Classeur d'exécution refusé") and "rien n'a été chargé" in message
    assert "Traceback" not in message and "erreur inattendue" not in message
    return caught.value


def problem(error: WorkbookError, fragment: str, sheet=None, cell=None):
    """The first problem whose text has ``fragment`` (and the given sheet and cell)."""
    hits = [p for p in error.problems if fragment in str(p) and (sheet is None or p.sheet == sheet)
            and (cell is None or p.cell == cell)]
    assert hits, str(error)
    return hits[0]


def sheet_edit(src, out, part, **cells):
    """Copy ``src`` with cells of ``part`` replaced: ``H5=(inner, kind, style)``."""
    def change(xml):
        for cell, spec in cells.items():
            xml = set_cell(xml, cell, *spec)
        return xml
    return rewrite(src, out, {part: change})


# ================================================================================================
# 1. No text ever becomes a formula
# ================================================================================================

BLANKS = [" ", "\t", "\n", "\r\n", "\u00a0", "\u202f", "\u2009", "\u3000", "\u200b", "\ufeff", "  \t "]


@pytest.mark.parametrize("spaces", BLANKS, ids=lambda b: "+".join(f"U{ord(c):04X}" for c in b))
def test_a_formula_hidden_behind_blanks_is_refused_with_its_cell(contract, blank_template, layout, tmp_path, spaces):
    text = spaces + '=HYPERLINK("http://exemple.invalid/piege","cliquer")'
    rows = entries([(F, "1.1", "justification", text), (IND, "cls-L-1.1-1", "comment", spaces + "=1+2"),
                    (A, "1.2", "comment", spaces + "＝SUM(A1)"), (F, "1.3", "paid", spaces + "=1000")])
    path = fill_template(blank_template, contract, rows, out=tmp_path / "cache.xlsx")
    error = refused(path, contract)
    for sheet, key, field in [(F, "1.1", "justification"), (IND, "cls-L-1.1-1", "comment"), (A, "1.2", "comment"),
                              (F, "1.3", "paid")]:
        hit = problem(error, "formule dissimulée derrière des blancs", sheet, at(layout, sheet, key, field))
        assert f"feuille « {sheet} »" in str(hit)


def test_a_plain_formula_in_text_and_an_array_formula_are_refused(contract, valid, layout, tmp_path):
    cell = at(layout, F, "1.2", "justification")
    error = refused(array_formula(valid, tmp_path / "matrice.xlsx", cell), contract)
    problem(error, "formule matricielle dans une cellule de saisie", F, cell)
    path = fill_template(valid, contract, entries([(F, "1.2", "justification", "=1+2")]), out=tmp_path / "f.xlsx")
    problem(refused(path, contract), "formule dans une cellule de saisie : saisir du texte", F, cell)


KEPT = ["a =b", "1 + 2 = 3", "+33 1 23 45 67 89", "- voir la note", "@moi", "  deux espaces devant  ", "ligne 1\nligne 2",
        "\u00a0texte insécable", "#N/A n'est pas une erreur ici", "'=1+2", "x" * 2000]


def test_other_text_is_kept_exactly_as_typed(contract, blank_template, layout, tmp_path):
    actions = ["1.1", "1.2", "1.3", "1.4", "1.5", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2"]
    rows = entries([(F, a, "justification", t) for a, t in zip(actions, KEPT)])
    path = fill_template(blank_template, contract, rows, out=tmp_path / "textes.xlsx")
    j = read_execution(path, contract).justifications.set_index("action")["justification"]
    assert dict(j) == dict(zip(actions, KEPT))
    path = fill_template(path, contract, entries([(F, "1.1", "justification", "= ")]), out=tmp_path / "egal.xlsx")
    problem(refused(path, contract), "formule dans une cellule de saisie", F, at(layout, F, "1.1", "justification"))


XML_ILLEGAL = "".join(chr(c) for c in range(32) if c not in (9, 10)) + "\ufffe\uffff"
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=XML_ILLEGAL), max_size=40)


@SLOW
@given(texts=st.lists(TEXT.filter(lambda t: t.strip() and formula_attempt(t) is None), min_size=1, max_size=5))
def test_text_round_trips_exactly(contract, blank_template, texts):
    rows = entries([(F, a, "justification", t) for a, t in zip(["1.1", "1.2", "3.1", "4.1", "4.2"], texts)])
    with tempfile.TemporaryDirectory() as tmp:
        path = fill_template(blank_template, contract, rows, out=Path(tmp) / "t.xlsx")
        j = read_execution(path, contract).justifications.set_index("action")["justification"]
    assert dict(j) == dict(zip(rows["key"], rows["value"]))


# --- the XML of every kind of file the project writes --------------------------------------------


def formulas_in(path) -> dict:
    """Every ``<f>`` of every sheet: (sheet name, cell) -> formula; also checks no other ``<f>`` hides in a part."""
    found = {}
    with zipfile.ZipFile(path) as archive:
        targets = {r.get("Id"): r.get("Target") for r in ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))}
        for sheet in ET.fromstring(archive.read("xl/workbook.xml")).iter(f"{MAIN}sheet"):
            part = "xl/" + targets[sheet.get(f"{REL}id")].lstrip("/").removeprefix("xl/")
            data = archive.read(part)
            cells = {(sheet.get("name"), c.get("r")): c.find(f"{MAIN}f").text or ""
                     for c in ET.fromstring(data).iter(f"{MAIN}c") if c.find(f"{MAIN}f") is not None}
            assert len(re.findall(rb"<(?:\w+:)?f[\s>/]", data)) == len(cells), part
            found.update(cells)
        for name in archive.namelist():
            if name.endswith(".xml") and not name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(?:\w+:)?f[\s>/]", archive.read(name)), name
    return found


def test_the_template_holds_exactly_its_own_formulas(contract, blank_template):
    found = formulas_in(blank_template)
    expected = set()
    for name, sheet_layout in template_layout(contract, "cls", 2024).groupby("sheet"):
        expected |= {(name, c) for c in sheet_layout.loc[sheet_layout["role"] == "formula", "cell"]}
    assert set(found) == expected and len(found) > 50


HOSTILE = st.builds(lambda blanks, sign, body: blanks + sign + body,
                    st.lists(st.sampled_from([b for b in BLANKS if "\r" not in b]), max_size=3).map("".join),
                    st.sampled_from(["=", "＝", "+", "-", "@", "", '=HYPERLINK("http://x.invalid","y")', "=1+2", "{=A1}"]),
                    TEXT).filter(lambda t: t.strip() != "")


@pytest.fixture(scope="module")
def checks(contract):
    return analysis.reconcile(contract)


@SLOW
@given(texts=st.lists(HOSTILE, min_size=4, max_size=8))
def test_no_writer_ever_writes_a_formula_from_text(contract, blank_template, checks, layout, texts):
    """Template prefilled, template filled, result tables, reconciliation export: no <f> but the template's."""
    from analysis.display import export_reconciliation

    own = formulas_in(blank_template)
    rows = entries([(F, "1.1", "justification", texts[0]), (F, "1.2", "paid", texts[1]),
                    (IND, "cls-L-1.1-1", "comment", texts[2]), (IND, "cls-N-04", "result", texts[3]),
                    *[(A, a, "comment", t) for a, t in zip(["1.1", "1.3", "3.2", "4.2"], texts[4:])]])
    frame = pd.DataFrame({texts[0]: texts, "Montant": [Decimal(1)] * len(texts)})
    hostile_checks = checks.head(40).assign(explication=(texts * 40)[:40], source_expected=(texts[::-1] * 40)[:40])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        prefilled = export_template(contract, "cls", 2024, tmp / "prerempli.xlsx", prefill=rows)
        filled = fill_template(blank_template, contract, rows, out=tmp / "rempli.xlsx")
        tables = xlsx.write_tables({"=1+2": frame, "Autre": frame}, tmp / "tables.xlsx")
        export = export_reconciliation(hostile_checks, tmp / "rapprochement.xlsx")
        assert formulas_in(prefilled) == own and formulas_in(filled) == own
        assert formulas_in(tables) == {} and formulas_in(export) == {}
        ws = openpyxl.load_workbook(tables)["=1+2"]
        assert [ws.cell(r, 1).value for r in range(2, 2 + len(texts))] == texts and ws["A1"].value == texts[0]
        comment = openpyxl.load_workbook(filled)[IND][at(layout, IND, "cls-L-1.1-1", "comment")]
        assert comment.value == texts[2] and comment.data_type == "s"


def test_text_a_spreadsheet_cannot_hold_is_refused_in_french_not_cut(tmp_path):
    ws = openpyxl.Workbook().active
    with pytest.raises(ValueError, match="caractère U\\+0007"):
        xlsx.set_value(ws["A1"], "bip\x07")
    with pytest.raises(ValueError, match="texte trop long pour une cellule"):
        xlsx.set_value(ws["A1"], "x" * 40_000)
    assert xlsx.set_value(ws["A1"], "=1+2").data_type == "s"


def test_prefill_entries_of_unknown_types_are_refused_in_french(contract, tmp_path):
    with pytest.raises(ValueError, match="valeur de type list impossible à écrire"):
        export_template(contract, "cls", 2024, tmp_path / "x.xlsx", prefill=entries([(F, "1.1", "paid", [1, 2])]))
    assert not (tmp_path / "x.xlsx").exists()


# ================================================================================================
# 2. Bounded reading
# ================================================================================================


def test_the_file_is_opened_once_and_each_part_read_once(contract, valid, monkeypatch):
    opened, reads = [], []
    original_init, original_open = zipfile.ZipFile.__init__, zipfile.ZipFile.open

    def init(self, file, *args, **kwargs):
        opened.append(str(file))
        return original_init(self, file, *args, **kwargs)

    def open_part(self, name, *args, **kwargs):
        reads.append(name if isinstance(name, str) else name.filename)
        return original_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", init)
    monkeypatch.setattr(zipfile.ZipFile, "open", open_part)
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("openpyxl.load_workbook appelé"))
    read_execution(valid, contract)
    assert opened == [str(valid)]
    assert len(reads) == len(set(reads)) and "xl/worksheets/sheet1.xml" not in reads  # « Lisez-moi » is not read
    assert {FINANCE_PART, INDICATORS_PART} <= set(reads)


def peak_memory(call) -> int:
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_one_formatted_empty_cell_at_XFD1048576_is_read_in_bounded_memory(contract, valid, tmp_path):
    path = far_formatted_cell(valid, tmp_path / "xfd.xlsx")
    result = {}
    peak = peak_memory(lambda: result.setdefault("e", read_execution(path, contract)))
    assert peak < 50_000_000
    expected = read_execution(valid, contract).budget.drop(columns="source")
    pd.testing.assert_frame_equal(result["e"].budget.drop(columns="source"), expected)


def test_content_far_away_is_reported_at_its_cell(contract, valid, tmp_path):
    error = refused(far_formatted_cell(valid, tmp_path / "xfd_plein.xlsx", b"1"), contract)
    problem(error, "contenu hors du tableau : à supprimer", F, "XFD1048576")


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(contract, valid, tmp_path, monkeypatch):
    path = zip_bomb(valid, tmp_path / "bombe.xlsx")
    assert path.stat().st_size < 10_000_000
    with zipfile.ZipFile(path) as archive:
        assert sum(i.file_size for i in archive.infolist()) > 1_400_000_000

    def never(*args, **kwargs):
        raise AssertionError("une partie a été lue")

    monkeypatch.setattr("analysis.workbooks.archive.parse_part", never)
    peak = peak_memory(lambda: problem(refused(path, contract), "trop volumineux une fois décompressé"))
    assert peak < 5_000_000


def test_a_part_compressed_too_well_is_refused(contract, valid, tmp_path):
    path = zip_bomb(valid, tmp_path / "petite_bombe.xlsx", unpacked=15_000_000)
    problem(refused(path, contract), "compressée")


def test_sizes_that_lie_cannot_make_the_reader_unpack_more(contract, valid, tmp_path):
    bomb = zip_bomb(valid, tmp_path / "bombe.xlsx", unpacked=200_000_000)
    path = lying_sizes(bomb, tmp_path / "menteur.xlsx")
    peak = peak_memory(lambda: problem(refused(path, contract), "endommagé"))
    assert peak < 20_000_000


def test_a_million_rows_under_the_table_are_refused_in_bounded_memory(contract, valid, tmp_path):
    path = rows_under_table(valid, tmp_path / "million.xlsx", 1_000_000)
    assert path.stat().st_size < 10_000_000
    peak = peak_memory(lambda: problem(refused(path, contract), "trop volumineux"))
    assert peak < 5_000_000


def test_too_many_cells_are_refused_as_soon_as_found(contract, valid, tmp_path):
    error = refused(formatted_cells(valid, tmp_path / "cellules.xlsx", 150_000), contract)
    problem(error, "plus de 50\u00a0000 cellules dans le classeur", F)
    assert len(str(error)) < 1000
    read_execution(formatted_cells(valid, tmp_path / "cellules_ok.xlsx", 45_000), contract)  # within the limit: read


def test_the_cell_limit_counts_every_sheet_of_the_workbook(contract, valid, tmp_path):
    """20 000 formatted cells in each of three sheets: 60 000 cells in all, over the workbook's limit."""
    path = valid
    for i, part in enumerate([FINANCE_PART, INDICATORS_PART, "xl/worksheets/sheet4.xml"]):
        path = formatted_cells(path, tmp_path / f"trois_{i}.xlsx", 20_000, part=part)
    problem(refused(path, contract), "plus de 50\u00a0000 cellules dans le classeur", A)


def test_100_000_bad_rows_give_a_small_message(contract, valid, tmp_path):
    error = refused(rows_under_table(valid, tmp_path / "cent_mille.xlsx", 100_000, text=True), contract)
    assert len(str(error)) < 2000
    error = refused(rows_under_table(valid, tmp_path / "vingt_mille.xlsx", 20_000, text=True), contract)
    assert len(error.problems) == MAX_PROBLEMS and error.omitted == 20_000 - MAX_PROBLEMS
    assert str(error).endswith("… et 19\u00a0800 autres problèmes (seuls les 200 premiers sont listés)")
    assert "20\u00a0000 problèmes trouvés" in str(error) and len(str(error)) < 40_000
    problem(error, "contenu sous le tableau", F, "H200")


def test_the_problem_log_keeps_the_first_200_and_counts_the_rest():
    log = ProblemLog("x.xlsx")
    for i in range(100_000):
        log.add("feuille", f"A{i}", "v", "mauvais")
    with pytest.raises(WorkbookError) as caught:
        log.reject()
    assert len(caught.value.problems) == 200 and caught.value.omitted == 99_800 and len(str(caught.value)) < 20_000
    assert WorkbookError(caught.value.problems * 2).omitted == 200


@pytest.mark.parametrize("doctype", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["milliard_de_rires", "entite_externe"])
def test_xml_entity_declarations_are_refused(contract, valid, tmp_path, doctype):
    problem(refused(with_doctype(valid, tmp_path / "entites.xlsx", doctype), contract), "DOCTYPE", F)
    path = with_doctype(valid, tmp_path / "entites_partage.xlsx", doctype, part="xl/styles.xml")
    problem(refused(path, contract), "DOCTYPE")


def test_too_many_parts_and_a_bad_dimension_are_refused(contract, valid, tmp_path):
    many = rewrite(valid, tmp_path / "parties.xlsx", extra={f"custom/{i}.xml": b"<a/>" for i in range(1001)})
    problem(refused(many, contract), "parties (au plus 1000)")
    path = rewrite(valid, tmp_path / "dimension.xlsx",
                   {FINANCE_PART: lambda x: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFE1"/>', x)})
    problem(refused(path, contract), "référence de cellule invalide", F)


def test_a_cell_written_twice_is_reported(contract, valid, layout, tmp_path):
    cell = at(layout, F, "1.1", "paid")
    path = rewrite(valid, tmp_path / "double.xlsx", {FINANCE_PART: lambda x: x.replace(
        b"</sheetData>", b'<row r="60"><c r="%s"><v>1</v></c></row></sheetData>' % cell.encode())})
    problem(refused(path, contract), "cellule écrite deux fois", F, cell)


def test_cells_without_references_are_placed_like_a_spreadsheet_would(contract, valid, tmp_path):
    """Some programs omit ``r`` on cells: each cell then follows the previous one of its row."""
    path = rewrite(valid, tmp_path / "sans_r.xlsx", {FINANCE_PART: lambda x: re.sub(rb'<c r="[A-Z]+\d+"', b"<c", x)})
    with zipfile.ZipFile(path) as archive:
        assert b'<c r="' not in archive.read(FINANCE_PART)
    pd.testing.assert_frame_equal(read_execution(path, contract).budget.drop(columns="source"),
                                  read_execution(valid, contract).budget.drop(columns="source"))


# ================================================================================================
# 3. French errors, never a traceback
# ================================================================================================

NUMBERS = [("1E+28", "invraisemblable"), ("1e300", "invraisemblable"), ("1e400", "infini ou indéfini"),
           ("-1e400", "infini ou indéfini"), ("NaN", "nombre illisible dans le fichier"), ("inf", "nombre illisible"),
           ("2000000000000.5", "invraisemblable"), ("1.5.2", "nombre illisible")]


@pytest.mark.parametrize("stored, fragment", NUMBERS, ids=[n for n, _ in NUMBERS])
def test_huge_infinite_and_undefined_numbers_are_refused_with_their_cell(contract, valid, layout, tmp_path, stored, fragment):
    money, result = at(layout, F, "1.4", "executed_departement"), at(layout, IND, "cls-L-1.2-1", "result")
    path = sheet_edit(valid, tmp_path / "nombres.xlsx", FINANCE_PART, **{money: (b"<v>%s</v>" % stored.encode(),)})
    path = sheet_edit(path, tmp_path / "nombres2.xlsx", INDICATORS_PART, **{result: (b"<v>%s</v>" % stored.encode(),)})
    error = refused(path, contract)
    problem(error, fragment, F, money)
    problem(error, fragment, IND, result)


@pytest.mark.parametrize("typed, ok", [("1 000 000 000 000,00 €", True), ("1 000 000 000 000,01", False),
                                       ("99 999 999 999 999 999 999 999 999 999,00", False), (1e12, True), (1.1e12, False)])
def test_the_implausible_amount_ceiling(contract, blank_template, layout, tmp_path, typed, ok):
    path = fill_template(blank_template, contract, entries([(A, "1.1", "notified", typed)]), out=tmp_path / "p.xlsx")
    if ok:
        b = read_execution(path, contract).budget
        assert b.loc[(b["quantity"] == "notified") & (b["row_type"] == "line"), "amount_eur"].iloc[0] == Decimal(10**12)
    else:
        problem(refused(path, contract), "montant invraisemblable (au-delà de 1\u00a0000\u00a0000\u00a0000\u00a0000)", A,
                at(layout, A, "1.1", "notified"))


def test_a_password_protected_workbook_is_called_so(contract, tmp_path):
    """The compound file Excel writes for a password-protected .xlsx (EncryptionInfo + EncryptedPackage)."""
    error = refused(encrypted_workbook(tmp_path / "protege.xlsx"), contract)
    assert "protégé par mot de passe" in str(error) and "renommé" not in str(error)


OTHER_BYTES = [
    ("%PDF-1.7\n...", "document PDF"),
    (b"<html><body><table></table></body></html>", "page web ou fichier XML"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000, "ancien classeur Excel 97-2003 (.xls)"),
    (b"action;montant\n1.1;618000\n", "n'est pas un classeur Excel .xlsx"),
]


@pytest.mark.parametrize("data, fragment", OTHER_BYTES, ids=["pdf", "html", "ole", "csv"])
def test_other_files_renamed_xlsx_are_named(contract, tmp_path, data, fragment):
    path = tmp_path / "renomme.xlsx"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    problem(refused(path, contract), fragment)


@pytest.mark.parametrize("suffix, fragment", [(".xlsm", "classeur Excel avec macros (.xlsm)"), (".XLS", "97-2003 (.xls)"),
                                              (".ods", "OpenDocument"), (".xlsb", "binaire"), (".csv", "fichier CSV"),
                                              (".txt", "extension « .txt » non prise en charge")])
def test_other_extensions_are_named(contract, valid, tmp_path, suffix, fragment):
    path = shutil.copy(valid, tmp_path / f"classeur{suffix}")
    problem(refused(path, contract), fragment)


def test_an_xlsx_with_macros_inside_is_refused(contract, valid, tmp_path):
    problem(refused(macro_workbook(valid, tmp_path / "macros.xlsx"), contract), "classeur avec macros (.xlsm)")


def test_a_lock_file_read_directly_is_named(contract, tmp_path):
    path = tmp_path / "~$bilan.xlsx"
    path.write_bytes(b"\x07analyst" + b"\x20" * 157)
    problem(refused(path, contract), "fichier de verrouillage")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice absent")
@pytest.mark.parametrize("target, fragment", [("xls", "ancien classeur Excel 97-2003"), ("ods", "OpenDocument")])
def test_real_xls_and_ods_files_renamed_xlsx_are_named(contract, valid, tmp_path, target, fragment):
    converted = libreoffice_convert(valid, tmp_path, target)
    assert converted is not None, "conversion LibreOffice échouée"
    renamed = converted.rename(tmp_path / "renomme.xlsx")
    problem(refused(renamed, contract), fragment)


# ================================================================================================
# 4. Atomic writes: a failure in the middle of every writer leaves the previous file intact
# ================================================================================================


class HalfWrite:
    """A file that writes half of what it is given, then fails as a full disk would."""

    def __init__(self, fd):
        self.stream = open(fd, "wb")  # noqa: SIM115

    def write(self, data):
        self.stream.write(data[: len(data) // 2])
        self.stream.flush()
        raise OSError(28, "plus de place sur le disque (simulé)")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stream.close()


def _notebook(text):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    return nb


def _writers(contract, blank_template, checks):
    """name -> (file name, first write, second write): each write takes the target path."""
    from analysis import report
    from analysis.display import export_reconciliation

    frame = pd.DataFrame({"a": [1, 2]})
    rows = entries([(F, "1.1", "paid", 1000)])
    return {
        "write_tables": ("t.xlsx", lambda p: xlsx.write_tables({"A": frame}, p), lambda p: xlsx.write_tables({"B": frame}, p)),
        "export_reconciliation": ("r.xlsx", lambda p: export_reconciliation(checks.head(5), p),
                                  lambda p: export_reconciliation(checks.head(9), p)),
        "export_template": ("m.xlsx", lambda p: export_template(contract, "cls", 2024, p),
                            lambda p: export_template(contract, "cls", 2024, p, prefill=rows)),
        "fill_template_en_place": ("f.xlsx", lambda p: shutil.copy(blank_template, p),
                                   lambda p: fill_template(p, contract, rows)),
        "report_html": ("n.html", lambda p: report.write_html(_notebook("avant"), p),
                        lambda p: report.write_html(_notebook("après"), p)),
        "report_inplace": ("n.ipynb", lambda p: report.write_notebook(_notebook("avant"), p),
                           lambda p: report.build([p], out_dir=p.parent / "html", inplace=True)),
    }


WRITERS = ["write_tables", "export_reconciliation", "export_template", "fill_template_en_place", "report_html",
           "report_inplace"]


def previous_file(writer, contract, blank_template, checks, folder):
    """Run ``writer`` once into ``folder``: (the file, its bytes, the second write)."""
    name, first, second = _writers(contract, blank_template, checks)[writer]
    first(folder / name)
    return folder / name, (folder / name).read_bytes(), second


@pytest.mark.parametrize("writer", WRITERS)
def test_a_failure_in_the_middle_of_every_writer_leaves_the_previous_file_intact(contract, blank_template, checks, tmp_path,
                                                                                 monkeypatch, writer):
    from analysis import report

    target, before, second = previous_file(writer, contract, blank_template, checks, tmp_path)
    monkeypatch.setattr(report, "execute_notebook", lambda path: _notebook("après"))
    with monkeypatch.context() as patch:
        patch.setattr(xlsx.os, "fdopen", lambda fd, mode: HalfWrite(fd))
        with pytest.raises(OSError, match="simulé"):
            second(target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [target.name]  # no temporary file left
    second(target)  # and the same write succeeds once the disk has room
    assert target.read_bytes() != before


def test_a_failure_in_the_middle_of_the_example_generator_leaves_the_examples_intact(contract, tmp_path, monkeypatch):
    from analysis.example import write_examples

    written = write_examples(contract, tmp_path)
    before = {p.name: p.read_bytes() for p in written}
    for path in written:  # an older version of each example, to be replaced
        path.write_bytes(path.read_bytes() + b"ancienne version")
    older = {p.name: p.read_bytes() for p in written}
    with monkeypatch.context() as patch:
        patch.setattr(xlsx.os, "fdopen", lambda fd, mode: HalfWrite(fd))
        with pytest.raises(OSError, match="simulé"):
            write_examples(contract, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == older
    write_examples(contract, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("writer", ["export_template", "fill_template_en_place"])
def test_a_failure_while_serialising_leaves_the_previous_workbook_intact(contract, blank_template, checks, tmp_path,
                                                                         monkeypatch, writer):
    from openpyxl.writer.excel import ExcelWriter

    target, before, second = previous_file(writer, contract, blank_template, checks, tmp_path)

    def boom(*args, **kwargs):
        raise OSError("échec au milieu de l'écriture des feuilles (simulé)")

    monkeypatch.setattr(ExcelWriter, "write_worksheet", boom)
    with pytest.raises(OSError, match="simulé"):
        second(target)
    assert target.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [target.name]


# ================================================================================================
# 5. Folder loading
# ================================================================================================


@pytest.fixture(scope="module")
def two_workbooks(contract, valid, folder):
    ft = export_template(contract, "ft", 2024, folder / "ft.xlsx", prefill=scenario_entries(contract, "ft", 2024))
    return valid, ft


def test_lock_files_and_other_formats_are_noted_and_xlsx_in_capitals_is_read(contract, two_workbooks, tmp_path):
    cls, ft = two_workbooks
    shutil.copy(cls, tmp_path / "bilan_cls.XLSX")
    shutil.copy(ft, tmp_path / "bilan_ft.xlsx")
    (tmp_path / "~$bilan_cls.XLSX").write_bytes(b"\x07analyst" + b"\x20" * 157)
    (tmp_path / ".~lock.bilan_ft.xlsx#").write_text("analyste,machine,01.01.2025 10:00;", encoding="utf-8")
    shutil.copy(cls, tmp_path / "ancien.xlsm")
    (tmp_path / "vieux.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    (tmp_path / "LISEZMOI.md").write_text("notes", encoding="utf-8")
    with pytest.warns(WorkbookWarning) as caught:
        execution = load_execution(contract, tmp_path)
    notes = [str(w.message) for w in caught]
    assert len(notes) == 4
    assert any("~$bilan_cls.XLSX" in n and "verrouillage" in n for n in notes)
    assert any(".~lock.bilan_ft.xlsx#" in n and "verrouillage" in n for n in notes)
    assert any("ancien.xlsm" in n and "classeur Excel avec macros (.xlsm) non lu" in n for n in notes)
    assert any("vieux.xls" in n and "97-2003 (.xls) non lu" in n for n in notes)
    assert sorted(execution.workbooks["file"]) == ["bilan_cls.XLSX", "bilan_ft.xlsx"]
    noted = execution.warnings[execution.warnings["sheet"].isna() | (execution.warnings["sheet"] == "None")]
    assert sorted(noted["file"]) == sorted([".~lock.bilan_ft.xlsx#", "~$bilan_cls.XLSX", "ancien.xlsm", "vieux.xls"])


def test_the_examples_load_without_any_note(contract):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        execution = load_execution(contract)
    assert execution.warnings.empty


def test_two_workbooks_for_the_same_convention_and_year_are_refused_with_both_names(contract, two_workbooks, tmp_path):
    cls, ft = two_workbooks
    shutil.copy(cls, tmp_path / "bilan_cls_2024.xlsx")
    shutil.copy(cls, tmp_path / "bilan_cls_2024 - copie.xlsx")
    shutil.copy(ft, tmp_path / "bilan_ft_2024.xlsx")
    with pytest.raises(WorkbookError) as caught:
        load_execution(contract, tmp_path)
    message = str(caught.value)
    assert "« bilan_cls_2024 - copie.xlsx »" in message and "« bilan_cls_2024.xlsx »" in message
    assert "comptés deux fois" in message and len(caught.value.problems) == 1 and "bilan_ft" not in message


def test_a_folder_with_only_unsupported_files_says_so(contract, tmp_path):
    (tmp_path / "vieux.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.warns(WorkbookWarning), pytest.raises(FileNotFoundError, match="vieux.xls"):
        load_execution(contract, tmp_path)


# ================================================================================================
# 6. Silent wrongs
# ================================================================================================


@pytest.fixture(scope="module")
def percent_contract(contract):
    """The contract with one indicator measured in percent (none is today: the rule is tested on this layout)."""
    indicators = contract.indicators.copy()
    indicators.loc[indicators["indicator_id"] == "cls-L-1.1-1", "unit"] = "%"
    return dataclasses.replace(contract, indicators=indicators)


def _percent_style(path, layout) -> bytes:
    """The style index of a cell formatted as a percentage in ``path`` (the ramp-up column)."""
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(FINANCE_PART)
    return re.search(rb'<c r="%s" s="(\d+)"' % at(layout, F, "1.1", "ramp_up").encode(), xml).group(1)


STORED = [("texte « 85 % »", (b"<is><t>85 %</t></is>", b"inlineStr")),
          ("texte « 85,0 % »", (b"<is><t>85,0\xc2\xa0%</t></is>", b"inlineStr")),
          ("texte « 85 »", (b"<is><t>85</t></is>", b"inlineStr")), ("nombre 85", (b"<v>85</v>",)),
          ("nombre 0,85 au format %", (b"<v>0.85</v>", None, "percent"))]


@pytest.mark.parametrize("label, spec", STORED, ids=[s[0] for s in STORED])
def test_a_percentage_indicator_reads_85_however_it_is_stored(percent_contract, layout, tmp_path, label, spec):
    path = export_template(percent_contract, "cls", 2024, tmp_path / "pourcent.xlsx")
    inner, kind = spec[0], spec[1] if len(spec) > 1 else None
    style = _percent_style(path, layout) if len(spec) > 2 else None
    cell = at(layout, IND, "cls-L-1.1-1", "result")
    path = sheet_edit(path, tmp_path / "rempli.xlsx", INDICATORS_PART, **{cell: (inner, kind, style)})
    values = read_execution(path, percent_contract).indicator_values.set_index("indicator_id")["value"]
    assert values["cls-L-1.1-1"] == 85.0


@pytest.mark.parametrize("label, spec", [STORED[0], STORED[4]], ids=["texte", "format"])
def test_a_percentage_for_an_indicator_of_another_unit_is_refused(contract, blank_template, layout, tmp_path, label, spec):
    style = _percent_style(blank_template, layout) if len(spec) > 2 else None
    cell = at(layout, IND, "cls-L-1.1-2", "result")
    path = sheet_edit(blank_template, tmp_path / "p.xlsx", INDICATORS_PART, **{cell: (spec[0], spec[1], style)})
    problem(refused(path, contract), "pourcentage inattendu : l'indicateur se mesure en « nombre »", IND, cell)


def test_an_ft_action_in_a_cls_workbook_is_refused_everywhere(contract, valid, tmp_path):
    for sheet, cell in [(F, "B5"), (A, "B6")]:
        path = tmp_path / f"ft_{sheet[:3]}.xlsx"
        wb = openpyxl.load_workbook(valid)
        wb[sheet][cell] = "2.4"
        wb.save(path)
        problem(refused(path, contract), "action inconnue pour la convention « Contrat local des solidarités 2024-2027 » "
                                         "(code d'une autre convention)", sheet, cell)
    with pytest.raises(ValueError, match="ligne « 2.4 » absente"):
        export_template(contract, "cls", 2024, tmp_path / "x.xlsx", prefill=entries([(F, "2.4", "paid", 1000)]))
    execution = read_execution(valid, contract)
    budget = execution.budget.copy()
    budget["action"] = budget["action"].astype(object).where(budget["action"] != "1.1", "2.4")
    with pytest.raises(ValueError, match="ligne « 2.4 » absente"):
        export_template(contract, "cls", 2024, tmp_path / "y.xlsx", prefill=dataclasses.replace(execution, budget=budget))


@pytest.mark.parametrize("stored", [(b"<v>-0</v>",), (b"<v>-0.0</v>",), (b"<v>-0E+5</v>",),
                                    (b"<is><t>-0,00</t></is>", b"inlineStr"),
                                    (b"<is><t>\xe2\x88\x920,00 \xe2\x82\xac</t></is>", b"inlineStr"),
                                    (b"<is><t>-0.00</t></is>", b"inlineStr")])
def test_minus_zero_is_zero(contract, blank_template, layout, tmp_path, stored):
    money, result = at(layout, F, "1.1", "executed_departement"), at(layout, IND, "cls-L-1.1-1", "result")
    path = sheet_edit(blank_template, tmp_path / "m.xlsx", FINANCE_PART, **{money: stored})
    number = (b"<is><t>\xe2\x88\x920</t></is>", b"inlineStr") if "€".encode() in stored[0] else stored  # no € for a result
    path = sheet_edit(path, tmp_path / "z.xlsx", INDICATORS_PART, **{result: number})
    e = read_execution(path, contract)
    amount = e.budget.loc[e.budget["source"].str.endswith(f"cellule {money}"), "amount_eur"].iloc[0]
    assert amount == Decimal("0.00") and not amount.is_signed() and str(amount) == "0.00"
    value = e.indicator_values["value"].iloc[0]
    assert value == 0 and math.copysign(1, value) == 1


# ================================================================================================
# 7. Fuzzing: only the project's French errors, never a traceback
# ================================================================================================


def read_or_refuse(path, contract) -> None:
    """Read ``path``: it loads, or it is refused with WorkbookError (no other exception, no internal error)."""
    try:
        read_execution(path, contract)
        event("lu")
    except WorkbookError as exc:
        assert exc.problems or exc.omitted
        assert "erreur inattendue" not in str(exc), str(exc)
        event("refusé : " + re.sub(r"«[^»]*»|\d+", "…", exc.problems[0].reason)[:60])


@pytest.fixture(scope="module")
def valid_bytes(valid):
    return valid.read_bytes()


@pytest.fixture(scope="module")
def valid_parts(valid):
    with zipfile.ZipFile(valid) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@FUZZ
@given(data=st.data())
def test_fuzz_bytes_of_the_file(contract, valid_bytes, data):
    raw = bytearray(valid_bytes)
    for _ in range(data.draw(st.integers(1, 8))):
        where = data.draw(st.integers(0, len(raw) - 1))
        raw[where:where + data.draw(st.integers(1, 4))] = data.draw(st.binary(min_size=0, max_size=4))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "abime.xlsx"
        path.write_bytes(bytes(raw))
        read_or_refuse(path, contract)


PARTS = [FINANCE_PART, INDICATORS_PART, "xl/worksheets/sheet4.xml", "xl/worksheets/sheet5.xml", "xl/workbook.xml",
         "xl/_rels/workbook.xml.rels", "xl/styles.xml", "[Content_Types].xml", "_rels/.rels"]


@FUZZ
@given(data=st.data())
def test_fuzz_xml_of_the_parts(contract, valid_parts, data):
    name = data.draw(st.sampled_from(PARTS))
    xml = bytearray(valid_parts[name])
    for _ in range(data.draw(st.integers(1, 6))):
        where = data.draw(st.integers(0, len(xml)))
        cut = data.draw(st.integers(0, 8))
        xml[where:where + cut] = data.draw(st.sampled_from([b"", b"<", b">", b"/", b'"', b"&", b"&amp;", b"r=", b"A0",
                                                            b"XFD1048577", b"-", b"9" * 12, b"<f>A1</f>", b"t=\"s\"",
                                                            b"<v>1e999</v>", b"<c/>", b"<row/>", b"</sheetData>"]))
    with tempfile.TemporaryDirectory() as tmp:
        path = rewrite_parts(valid_parts, Path(tmp) / "xml.xlsx", {name: bytes(xml)})
        read_or_refuse(path, contract)


def rewrite_parts(parts: dict, out: Path, changes: dict) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, changes.get(name, data))
    return out


CELL_CONTENT = st.one_of(
    st.tuples(st.sampled_from([b"n", b"s", b"str", b"b", b"e", b"d", b"inlineStr", b"zz"]),
              st.sampled_from([b"0", b"1", b"-1", b"1e28", b"1e999", b"NaN", b"", b"2024-13-45", b"99999999999",
                               b"45000", b"-0", b"0.85", b"#N/A", b"abc"])).map(lambda tv: (b"<v>%s</v>" % tv[1], tv[0])),
    HOSTILE.map(lambda t: (b"<is><t>%s</t></is>" % t.replace("&", "&amp;").replace("<", "&lt;").encode(), b"inlineStr")),
    st.sampled_from([(b"<f>SUM(A1:A2)</f><v>3</v>", None), (b'<f t="array" ref="A1">1</f>', None),
                     (b'<f t="shared" si="7"/>', None), (b"", None)]),
)


@FUZZ
@given(data=st.data())
def test_fuzz_cells(contract, valid_parts, layout, data):
    """Mostly input cells (where analysts type), sometimes any cell of the table, on two sheets."""
    sheet, part = data.draw(st.sampled_from([(F, FINANCE_PART), (IND, INDICATORS_PART)]))
    own = layout[layout["sheet"] == sheet]
    cells = st.sampled_from(own.loc[own["role"] == "input", "cell"].tolist()) | st.sampled_from(own["cell"].tolist())
    xml = valid_parts[part]
    for _ in range(data.draw(st.integers(1, 6))):
        inner, kind = data.draw(CELL_CONTENT)
        style = data.draw(st.sampled_from([None, b"0", b"3", b"999"]))
        xml = set_cell(xml, data.draw(cells), inner, kind, style)
    with tempfile.TemporaryDirectory() as tmp:
        read_or_refuse(rewrite_parts(valid_parts, Path(tmp) / "cellules.xlsx", {part: xml}), contract)
