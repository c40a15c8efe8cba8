"""The packs' printed reports (issue 15, item 7): a report made for print, not a notebook printout; and the
packs' workbooks printed by LibreOffice in type of 7 pt or more.

The page itself (no browser needed): every table fits A4 landscape at 7 pt or more, or is split into column
blocks that repeat the identifying columns; all text is escaped; no script can run. Printed by Chromium and
read back with ``pdftotext``: every column header of every table of both packs, the title page, « DONNÉES
FICTIVES » and « page N / M » on every page, no file path, no developer text, no row number.
"""

import re
import shutil
import subprocess
from decimal import Decimal

import pandas as pd
import pytest
from markupsafe import escape

from analysis.pack import Pack, Table, printed, run
from analysis.pack.base import for_reading

CHROMIUM = printed.chromium()
SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")
needs_printing = pytest.mark.skipif(CHROMIUM is None or PDFTOTEXT is None, reason="Chromium ou pdftotext (poppler-utils) absent")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("bilans")
    return out, [run.mid_term(out=out), run.ft_final(out=out)]


def pdf_text(pdf, mode: str) -> str:
    return subprocess.run(["pdftotext", mode, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def squeezed(text: str) -> str:
    """Text without any white space: a header wrapped over several lines of its cell reads the same."""
    return re.sub(r"\s+", "", text.replace("\u00a0", " "))


@pytest.fixture(scope="module")
def pdfs(results):
    if CHROMIUM is None or PDFTOTEXT is None:
        pytest.skip("Chromium ou pdftotext (poppler-utils) absent")
    out, done = results
    return [(r, printed.print_pdf(out / printed.report_name(r.pack), out / "impression" / f"{r.pack.file_name[:-5]}.pdf",
                                  CHROMIUM)) for r in done]


# --------------------------------------------------------------------------------------------------
# The page (no browser)
# --------------------------------------------------------------------------------------------------


def test_the_run_writes_the_report_page_next_to_the_workbook(results):
    out, done = results
    for result in done:
        page = out / printed.report_name(result.pack)
        assert page in result.files and page.suffix == ".html" and page.stem == result.pack.file_name[:-5]
        html = page.read_text(encoding="utf-8")
        assert html == printed.pack_html(result.pack, [p for p in result.files if p.suffix == ".svg"])  # same bytes again
        assert html.count('<img src="data:image/svg+xml;base64,') == len(result.figures)
        assert "<script" not in html and "data/processed" not in html
        assert f'<meta http-equiv="Content-Security-Policy" content="{escape(printed.CONTENT_POLICY)}">' in html


def test_every_table_fits_the_page_at_7_pt_or_more(results):
    _, done = results
    for result in done:
        for table in result.pack.tables:
            columns = printed.columns_of(table)
            size, blocks = printed.layout(columns)
            assert size >= 7
            assert sorted({i for b in blocks for i in b}) == list(range(len(columns))), table.sheet  # every column printed
            for block in blocks:
                assert printed.fits([columns[i] for i in block], size), (table.sheet, block)
                assert abs(sum(printed.widths([columns[i] for i in block], size)) - 100) < 0.1
            if len(blocks) > 1:  # each block repeats the identifying columns
                keys = [i for i, c in enumerate(columns) if c.key]
                assert keys and all(set(keys) <= set(b) for b in blocks), table.sheet


def test_the_wide_tables_of_the_evaluator_keep_every_column(results):
    _, (cls, ft) = results
    html = printed.pack_html(cls.pack)
    for header in ("Constat (article 2.2)", "Montant exposé", "Montant à apprécier par l&#39;État", "Justification",
                   "G — Montant à reporter en 2025 - Part CD", "M — Budget global de l&#39;action prévu en 2025 (I+K+L)"):
        assert header in html.replace("<wbr>", ""), header
    assert "Trop-perçu à rembourser à l&#39;État" in printed.pack_html(ft.pack).replace("<wbr>", "")


def test_no_row_number_and_french_cells(results):
    _, (cls, _) = results
    html = printed.pack_html(cls.pack)
    bodies = re.findall(r"<tbody>(.*?)</tbody>", html, re.S)
    assert bodies and not any("<th" in body for body in bodies)  # pandas prints its index as <th> in the body
    first_cells = re.findall(r'<tr class="\w+"><td[^>]*>(.*?)</td>', bodies[0])
    assert first_cells[0] == for_reading(cls.pack.tables[0]).iloc[0, 0]
    assert not re.search(r">(nan|NaN|None|&lt;NA&gt;)<", html)
    assert "2\u00a0024" not in html  # a year never gets a thousands separator
    assert '<tr class="total">' in html and "tr.total td" in html  # totals in bold


def test_text_from_the_inputs_is_escaped():
    frame = pd.DataFrame({"Action": ["1.1", "<b>gras</b>"], "Intitulé de l'action": ['<script>alert("x")</script>', "a & b"],
                          "Montant": [Decimal("1234.5"), None], "row_type": ["line", "total"]})
    title = 'Titre "</style><script>alert(1)</script>'
    pack = Pack("essai.xlsx", title, (Table("Feuille <i>", frame, ("Titre <u>",), ("Note <img src=x>",), ("Montant",)),),
                fictitious=True)
    html = printed.pack_html(pack)
    assert "<script" not in html and "<b>gras" not in html and "<img src=x>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/<wbr>script&gt;" in html and "a &amp; b" in html
    assert "1\u00a0234,50\u00a0€" in html and "DONNÉES FICTIVES" in html
    style = html[html.index("<style>"):html.index("</style>")]
    assert "</style" not in style[7:] and "<script" not in style  # the title in the page margins is a CSS escape


def test_css_strings_cannot_escape():
    assert printed.css_string('a"b</style>') == '"a\\000022b\\00003c\\00002fstyle\\00003e"'


# --------------------------------------------------------------------------------------------------
# Printed by Chromium, read back with pdftotext
# --------------------------------------------------------------------------------------------------


@needs_printing
def test_every_column_header_of_every_table_is_in_the_pdf(pdfs):
    for result, pdf in pdfs:
        text = squeezed(pdf_text(pdf, "-raw"))
        missing = [(t.sheet, c) for t in result.pack.tables for c in for_reading(t).columns if squeezed(c) not in text]
        assert not missing, missing
        for table in result.pack.tables:
            assert squeezed(table.titles[0]) in text and all(squeezed(n) in text for n in table.notes), table.sheet


@needs_printing
def test_title_page_fictitious_notice_and_page_numbers_on_every_page(pdfs):
    for result, pdf in pdfs:
        pages = pdf_text(pdf, "-layout").split("\f")[:-1]
        assert len(pages) > 3
        title = re.sub(r"\s+", " ", pages[0])
        for expected in ("Département : Pas-de-Calais (62)", result.pack.title, "Délibération n°2024-176",
                         "Période du rapport : du 1er janvier 2024 au 31 décembre", "exécution arrêtée au 31 décembre"):
            assert expected in title, expected
        for number, page in enumerate(pages, start=1):
            assert "DONNÉES FICTIVES" in page, number
            assert f"page {number} / {len(pages)}" in page, number


@needs_printing
def test_no_path_no_developer_text_no_row_number_in_the_pdf(pdfs):
    for _, pdf in pdfs:
        text = pdf_text(pdf, "-layout")
        for bad in ("data/processed", "Fichiers écrits", "NaN", "None", "<NA>", ".xlsx", "analysis.pack", "Traceback", "import "):
            assert bad not in text, bad
        assert not re.search(r"(?m)^\s*0\s{2,}\S", text)  # a pandas index would start its rows with 0, 1, 2…
        assert not re.search(r"(?<![\d\u00a0 ])2[\u00a0 ]02[3-7](?![\d,])", text)  # a year never as « 2 024 »


@needs_printing
def test_printing_twice_gives_the_same_bytes(pdfs, tmp_path):
    result, pdf = pdfs[1]
    again = printed.write_pack_pdf(result.pack, tmp_path / "bis.pdf", CHROMIUM,
                                   figures=[p for p in result.files if p.suffix == ".svg"])
    assert again.read_bytes() == pdf.read_bytes()


@needs_printing
def test_no_script_runs_in_the_printed_page(results, tmp_path):
    """Chromium's --blink-settings=scriptEnabled=false stops --print-to-pdf from writing anything: the page's
    Content-Security-Policy forbids scripts instead. A script slipped into the page does not run."""
    _, (_, ft) = results
    page = printed.pack_html(ft.pack).replace("</body>", "<script>document.body.textContent = 'SCRIPT EXÉCUTÉ';</script></body>")
    html = tmp_path / "page.html"
    html.write_text(page, encoding="utf-8")
    text = pdf_text(printed.print_pdf(html, tmp_path / "page.pdf", CHROMIUM), "-layout")
    assert "SCRIPT EXÉCUTÉ" not in text and "Synthèse du bilan final" in text


def test_structure_ids_are_renumbered_without_moving_any_byte():
    page = b"<</ID (node00000043)>> <</Headers [(node00000045)]>> <</ID (node00000045)>> (node123456789)"
    stable = printed.stable_node_ids(page)
    assert len(stable) == len(page)
    assert stable == b"<</ID (node00000001)>> <</Headers [(node00000002)]>> <</ID (node00000002)>> (node000000003)"


# --------------------------------------------------------------------------------------------------
# The workbooks printed by LibreOffice
# --------------------------------------------------------------------------------------------------


def type_sizes(pdf) -> list[float]:
    """The size of every run of text of a PDF written by LibreOffice: its page streams decompressed, the operand
    of each ``Tf``. LibreOffice scales a page by scaling the font size it sets (a fitted sheet at 72 % sets 11 pt
    text as ``7.92 Tf``) and places text with ``Td`` only: a ``Tm``, ``cm`` or ``Tz`` operator (which would scale
    the text again) fails the reading rather than being ignored."""
    import zlib

    sizes = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf.read_bytes(), re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue  # an image or a font, not a page
        found = re.findall(rb"/[^\s/]+\s+([\d.]+)\s+Tf\b", content)
        if found:
            assert not re.search(rb"\s(Tm|cm|Tz)\s", content), "texte mis à l'échelle par une matrice : lecture à revoir"
            sizes += [float(s) for s in found]
    return sizes


@pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None, reason="LibreOffice ou pdftotext absent")
def test_the_workbooks_print_in_type_of_7_pt_or_more(results, tmp_path):
    """The « Actions » sheet used to print its statements on one unwrapped line, the whole sheet shrunk to fit."""
    out, done = results
    profile = tmp_path / "profil"
    books = [out / r.pack.file_name for r in done]
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *map(str, books)], capture_output=True, timeout=300, check=False)
    for book, result in zip(books, done):
        pdf = tmp_path / f"{book.stem}.pdf"
        assert pdf.is_file(), f"LibreOffice n'a pas converti {book.name}"
        sizes = type_sizes(pdf)
        assert len(sizes) > 100 and min(sizes) >= 7.0, (book.name, min(sizes))
        text = squeezed(pdf_text(pdf, "-raw"))
        for table in result.pack.tables:  # every sheet printed, with a footer naming it and numbering pages
            assert squeezed(f"{table.sheet} — page") in text, table.sheet
        words = re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', pdf_text(pdf, "-bbox-layout"))
        assert min(float(b) - float(a) for a, b in words) >= 7.0  # cross-check: no word box lower than 7 pt
