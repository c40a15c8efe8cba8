"""The printed report of a pack: an HTML page made for print (A4 landscape), that headless Chromium prints to PDF.

The page comes from the Jinja2 templates shipped under ``analysis/pack/templates/`` (autoescape on: every
text of the tables is escaped, input files can carry markup), never from a notebook: a title page (the
contract, the period, the contract's département, the date of the data, « DONNÉES FICTIVES » when the
pack is fictitious), then each table of the pack with its titles and notes, and the pack's figures.

- **Every table fits the page width.** :func:`layout` estimates each column's width from its text (the
  longest unbreakable word, the text's length) and sets the table in 8 pt, else 7,5 pt or 7 pt (never
  less); a table still too wide is split into column blocks that each repeat the identifying columns
  (axis, action, title, year…). Column widths are fixed (``table-layout: fixed``) and a word longer than
  its column breaks rather than overflows: nothing is ever cut at the page edge.
- **Print furniture**: headers repeated on each page (``thead``), rows never split, sub-totals and totals
  in bold, money and rates in French format (:func:`analysis.pack.base.for_reading`), no row numbers, no file
  path, « page N / M » and « DONNÉES FICTIVES » in the page margins (CSS ``@page`` margin boxes).
- **No script**: the page declares a Content-Security-Policy that forbids every script and every fetch
  (Chromium's ``--blink-settings=scriptEnabled=false`` stops ``--print-to-pdf`` from writing anything);
  figures are embedded as data URIs, so the page prints the same anywhere.
- **Deterministic**: no date of printing; two renderings of the same pack give the same bytes, and so do two
  prints: the PDF's dates are fixed (:func:`fixed_pdf_dates`) and its structure ids renumbered
  (:func:`stable_node_ids`).

:func:`pack_html` renders the page, :func:`write_pack_html` writes it next to the workbook (``<pack>.html``),
:func:`write_pack_pdf` prints it; :func:`print_pdf` prints any HTML file with Chromium (used by
:mod:`analysis.report`).
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from analysis.domain import CONVENTIONS, DELIBERATION_DATE
from analysis.formatting import format_date, format_list
from analysis.pack.base import FICTITIOUS_NOTICE, KEY_COLUMNS, ROW_TYPE, Pack, Table, column_kind, for_reading
from analysis.reference import departement_title

#: Width of the page's text block in points: A4 landscape (297 mm) less two margins of 12 mm.
PAGE_WIDTH_PT = (297 - 2 * 12) / 25.4 * 72
#: Type sizes of a table, preferred first: a table takes the largest size at which it fits; never under 7 pt.
FONT_SIZES = (8.0, 7.5, 7.0)
#: Estimated widths, in em: a character of an unbreakable word (conservative: DejaVu Sans is the widest
#: fallback), a character of running text, the bold header factor; padding and border of a cell in points.
WORD_EM, TEXT_EM, BOLD, CELL_PAD_PT = 0.62, 0.53, 1.1, 5.0
#: A column of long text gets at least LONG_MIN em and wants up to LONG_WANT em; an empty column EMPTY em.
LONG_MIN, LONG_WANT, EMPTY = 9.0, 30.0, 6.0
#: Every script and every fetch forbidden: only the page's own style and embedded images.
CONTENT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer"]
REPORT_SUFFIX = ".html"


# --------------------------------------------------------------------------------------------------
# Column widths and blocks
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column as printed: its header, its cells (French text), right-aligned or not, and its widths in em:
    ``need`` (narrowest acceptable) and ``want`` (comfortable)."""

    header: str
    cells: tuple
    numeric: bool
    key: bool
    need: float
    want: float


#: Where a line may break: spaces, and after « / » or « _ » before a letter (identifiers such as
#: ``croisement/cls/total``; never inside a date such as 31/12/2024).
_BREAKS = re.compile(r"[ \t\n]++|(?<=[/_])(?=[^\W\d_])")


def column(header: str, cells: list[str], numeric: bool) -> Column:
    """Measure a column: its longest unbreakable word (header words in bold) and the length of its text."""
    words = [len(w) for text in cells for w in _BREAKS.split(text) if w]
    header_words = [len(w) for w in _BREAKS.split(header) if w]
    hard = max(max(words, default=0) * WORD_EM, max(header_words, default=0) * WORD_EM * BOLD)
    soft = max((len(t) for t in cells), default=0) * TEXT_EM
    if not soft:  # an empty column (left to the Département, or nothing reported)
        return Column(header, tuple(cells), numeric, header in KEY_COLUMNS, max(hard, EMPTY), max(hard, EMPTY))
    need = max(hard, min(soft, LONG_MIN))
    return Column(header, tuple(cells), numeric, header in KEY_COLUMNS, need, max(need, min(soft, LONG_WANT)))


def fits(columns: list[Column], size: float) -> bool:
    return sum(c.need * size + CELL_PAD_PT for c in columns) <= PAGE_WIDTH_PT


def widths(columns: list[Column], size: float) -> list[float]:
    """Widths in percent of the page: each column its ``need``, the room left shared towards ``want``, then
    whatever remains in proportion to ``want`` (the table spans the page)."""
    room = PAGE_WIDTH_PT - CELL_PAD_PT * len(columns)
    need = [c.need * size for c in columns]
    want = [c.want * size for c in columns]
    extra = sum(want) - sum(need)
    share = min(1.0, (room - sum(need)) / extra) if extra > 0 else 0.0
    points = [n + (w - n) * share for n, w in zip(need, want)]
    spare = room - sum(points)
    points = [p + spare * w / sum(want) for p, w in zip(points, want)]
    return [round((p + CELL_PAD_PT) / PAGE_WIDTH_PT * 100, 2) for p in points]


def split(columns: list[Column], size: float) -> list[list[int]]:
    """Column blocks (indexes) that each fit the page at ``size``: the identifying columns, then as many of
    the others as fit, in order; every block repeats the identifying columns."""
    keys = [i for i, c in enumerate(columns) if c.key]
    blocks, current = [], list(keys)
    for i in range(len(columns)):
        if i in keys:
            continue
        if len(current) > len(keys) and not fits([columns[j] for j in [*current, i]], size):
            blocks.append(current)
            current = list(keys)
        current.append(i)
    blocks.append(current)
    return balanced(columns, keys, len(blocks), size) or [sorted(b) for b in blocks]


def balanced(columns: list[Column], keys: list[int], count: int, size: float) -> list[list[int]] | None:
    """The other columns shared in order among ``count`` blocks of about the same width (the greedy split can
    leave a last block of one column), or None when such blocks do not all fit the page."""
    others = [i for i in range(len(columns)) if i not in keys]
    total = sum(columns[i].need for i in others)
    groups, running = [[] for _ in range(count)], 0.0
    for i in others:
        groups[min(count - 1, int(running / total * count)) if total else 0].append(i)
        running += columns[i].need
    blocks = [sorted([*keys, *g]) for g in groups if g]
    return blocks if all(fits([columns[i] for i in b], size) for b in blocks) else None


def layout(columns: list[Column]) -> tuple[float, list[list[int]]]:
    """The type size of a table and its column blocks: one block at the largest size that fits, else blocks
    at the preferred size."""
    for size in FONT_SIZES:
        if fits(columns, size):
            return size, [list(range(len(columns)))]
    return FONT_SIZES[0], split(columns, FONT_SIZES[0])


# --------------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------------


def columns_of(table: Table) -> list[Column]:
    """The columns of ``table`` as printed (French text, money and numbers aligned right)."""
    shown = for_reading(table)
    return [column(str(c), [printable(v) for v in shown[c]], column_kind(table, c) != "text") for c in shown.columns]


def table_view(table: Table, number: int) -> dict:
    """What the template prints of one table: its size, its blocks (columns with widths, rows with classes)."""
    columns = columns_of(table)
    size, blocks = layout(columns)
    row_types = list(table.frame[ROW_TYPE]) if ROW_TYPE in table.frame.columns else ["line"] * len(table.frame)
    views = []
    for block in blocks:
        chosen = [columns[i] for i in block]
        heads = [{"text": c.header, "numeric": c.numeric, "width": w} for c, w in zip(chosen, widths(chosen, size))]
        rows = [{"kind": str(kind) if kind in ("subtotal", "total", "heading") else "line",
                 "cells": [{"text": c.cells[r], "numeric": c.numeric} for c in chosen]}
                for r, kind in enumerate(row_types)]
        views.append({"columns": heads, "rows": rows})
    return {"number": number, "name": table.sheet, "titles": table.titles, "notes": table.notes, "size": size,
            "blocks": views, "repeated": [c.header for c in columns if c.key]}


def printable(text) -> str:
    """A cell's text for print: a rate's « % » kept on the line of its number."""
    return str(text).replace(" %", "\u00a0%")


def breakable(text) -> str:
    """Escaped ``text`` with a line-break opportunity after « / » or « _ » before a letter (template filter)."""
    from markupsafe import Markup, escape

    return Markup(re.sub(r"([/_])(?=[^\W\d_])", r"\1<wbr>", str(escape(text))))


def figure_uri(path) -> str:
    """A figure file (SVG or PNG) as a data URI: the page carries its images."""
    path = Path(path)
    kind = {".svg": "image/svg+xml", ".png": "image/png"}[path.suffix.lower()]
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (for the page margins): every character other than a letter, a digit
    or a space written as a CSS escape, so that no text can close the string or the style sheet."""
    escaped = "".join(ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):06x}" for ch in text)
    return f'"{escaped}"'


def front_matter(pack: Pack) -> dict:
    """The title page: contract, period, date of the data (the last year reported, at 31 December)."""
    convention = CONVENTIONS.get(pack.summary.get("convention", ""))
    first, last = pack.summary.get("period", (None, None))
    years = pack.summary.get("years", [])
    period = (f"du {format_date(date(first, 1, 1))} au {format_date(date(last, 12, 31))}" if first else "")
    data = (f"bilans d'exécution {format_list(years)} : exécution arrêtée au {format_date(date(max(years), 12, 31))}"
            if years else "")
    code = pack.summary.get("departement")
    deliberation = (f"Délibération n°2024-176 de la Commission permanente du {format_date(DELIBERATION_DATE)}"
                    if pack.summary.get("transcribed") else "")
    return {"contract": convention.label if convention else "", "period": period, "data": data,
            "deliberation": deliberation, "issuer": departement_title(code) if code else ""}


def environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("analysis.pack", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["breakable"] = breakable
    return env


def pack_html(pack: Pack, figures=()) -> str:
    """The printed report of ``pack`` as an HTML page; ``figures``: image files (SVG or PNG) shown after the
    first table (the synthesis). Same pack, same text."""
    from markupsafe import Markup

    tables = [table_view(t, i) for i, t in enumerate(pack.tables, start=1)]
    front = front_matter(pack)
    notice = "DONNÉES FICTIVES — aucun chiffre d'exécution n'est réel" if pack.fictitious else ""
    return environment().get_template("report.html").render(
        pack=pack, tables=tables, front=front, fictitious_notice=FICTITIOUS_NOTICE if pack.fictitious else "",
        figures=[figure_uri(f) for f in figures], policy=CONTENT_POLICY, page_width_pt=round(PAGE_WIDTH_PT, 2),
        margin_title=Markup(css_string(pack.title)), margin_notice=Markup(css_string(notice)) if notice else "",
        margin_issuer=Markup(css_string(front["issuer"])) if front["issuer"] else "",
    )


def report_name(pack: Pack) -> str:
    """The file name of the printed report: the workbook's name with ``.html`` (``bilan_final_ft_2024.html``)."""
    return Path(pack.file_name).with_suffix(REPORT_SUFFIX).name


def write_pack_html(pack: Pack, folder, figures=()) -> Path:
    """Write the printed report of ``pack`` as ``folder/<pack>.html`` (atomically); returns the path."""
    from analysis.xlsx import write_atomic

    return write_atomic(Path(folder) / report_name(pack), pack_html(pack, figures).encode("utf-8"))


def write_pack_pdf(pack: Pack, path, browser: str | None = None, figures=()) -> Path:
    """Print the report of ``pack`` to ``path`` (PDF) with Chromium (``browser``, default: the one installed).
    Raises ``RuntimeError`` (French) when Chromium is absent or fails."""
    browser = browser or chromium()
    if browser is None:
        raise RuntimeError("PDF non produit : Chromium est introuvable (paquet Debian « chromium »)")
    with tempfile.TemporaryDirectory(prefix="analysis-report-") as folder:
        html = write_pack_html(pack, folder, figures)
        return print_pdf(html, Path(path), browser)


# --------------------------------------------------------------------------------------------------
# PDF through headless Chromium
# --------------------------------------------------------------------------------------------------


def chromium() -> str | None:
    """The Chromium executable (Debian's ``chromium``), or None when it is not installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: Path, pdf: Path, browser: str, timeout: int = 180) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium (fresh profile, no header or footer of its own); the PDF
    is printed to a temporary file then moved into place. Raises ``RuntimeError`` (French) on failure."""
    from analysis.xlsx import write_atomic

    with tempfile.TemporaryDirectory(prefix="analysis-chromium-") as profile:
        temporary = Path(profile) / "page.pdf"
        command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}/profil", f"--print-to-pdf={temporary}",
                   Path(html).resolve().as_uri()]
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        if not temporary.is_file() or temporary.stat().st_size == 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["aucun message"]
            raise RuntimeError(f"impression PDF de {Path(html).name} impossible (Chromium, code {done.returncode}) : "
                               f"{detail[0]}")
        write_atomic(pdf, stable_node_ids(fixed_pdf_dates(temporary.read_bytes())))
    return pdf


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})")


def fixed_pdf_dates(data: bytes) -> bytes:
    """The PDF's creation and modification dates set to the deliberation day (same length, so the cross-reference
    offsets stay valid): two prints of the same page give the same bytes."""
    day = DELIBERATION_DATE.strftime("%Y%m%d000000").encode()
    return _PDF_DATE.sub(lambda m: b"/" + m.group(1) + b" (D:" + day, data)


_NODE_ID = re.compile(rb"\(node(\d{8,})\)")


def stable_node_ids(data: bytes) -> bytes:
    """The ids Chromium gives the page's elements in the PDF's structure tree (``(node00000043)``, counted from
    the browser's start, so they shift from one print to the next) renumbered 1, 2, 3… in the same order and
    with the same number of digits: offsets stay valid, two prints give the same bytes."""
    found = sorted({m.group(1) for m in _NODE_ID.finditer(data)}, key=int)
    rank = {n: str(i).zfill(len(n)).encode() for i, n in enumerate(found, start=1)}
    return _NODE_ID.sub(lambda m: b"(node" + rank[m.group(1)] + b")", data)
