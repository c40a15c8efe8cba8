"""The one Excel writer of the project: every ``.xlsx`` it writes goes through :func:`save_workbook`.

- **Shared styles**: one header style (bold white on dark blue), one euro format (``MONEY_FORMAT``),
  one percent format (``PERCENT_FORMAT``), used by the result tables (:func:`write_tables`) and by the
  execution template (:mod:`analysis.workbooks.writer`).
- **Fixed metadata**: creator ``analysis``, created and modified at :data:`FIXED_TIMESTAMP` (openpyxl's own
  ``Workbook.save`` would stamp ``modified`` with the current time; :func:`save_workbook` does not).
- **Byte-identical on rerun**: zip entries in sorted order, with a fixed timestamp and fixed permissions.
- **Atomic**: the bytes are built in memory, written to a temporary file in the target's folder, then
  moved over the target with :func:`os.replace`. A failed write leaves the previous file as it was.
- **Never in data/raw/**: the transcribed source is read-only for code; a path there is refused.
- **Text stays text**: a string from data or from a user is written as a string cell, even when it
  starts with ``=`` (openpyxl would otherwise turn it into a formula), whatever its position (headers,
  cells, sheet after sheet). The only formulas are the ones a caller writes on purpose with
  :func:`set_formula`. Text that no spreadsheet can hold (control characters, more than 32 767
  characters) raises a French ``ValueError`` instead of being altered or cut. A text that happens to read
  like one of the file format's escapes (``_x003D_``) is written escaped (``_x005F_x003D_``), so that a
  spreadsheet program, and :mod:`analysis.workbooks`, read it back as written rather than as « = ».

openpyxl is imported lazily, so that importing this module stays cheap.
"""

from __future__ import annotations

import datetime
import io
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from analysis.domain import DELIBERATION_DATE, RAW_DIR
from analysis.money import is_missing

#: Euro amounts: ``1 234,50 €`` in a French spreadsheet program.
MONEY_FORMAT = '#,##0.00 "€"'
#: Rates stored as fractions (0.5), shown as ``50,0 %``.
PERCENT_FORMAT = "0.0 %"
#: A share read against a threshold (the Département's 50 %), with two decimals: 49,96 %, never « 50,0 % ».
SHARE_FORMAT = "0.00 %"
NUMBER_FORMAT = "General"
TEXT_FORMAT = "@"

#: Author recorded in the document properties.
CREATOR = "analysis"
#: Fixed instant written in the document properties and the zip entries, so that saving is
#: byte-reproducible. Any fixed instant would do; the day of the deliberation is used.
FIXED_TIMESTAMP = datetime.datetime.combine(DELIBERATION_DATE, datetime.time(0, 0))

HEADER_COLOR = "1F3864"
#: Width bounds (in characters) of an automatic column width in :func:`write_tables`.
MIN_WIDTH, MAX_WIDTH = 12, 60
#: Printing (``print_setup``): A4 landscape with 12,7 mm side margins holds about PAGE_UNITS column-width units
#: at 100 % (measured with LibreOffice, whose unit is wider than Excel's: the stricter of the two). A sheet is
#: fitted to as many pages wide as keep its scale at MIN_PRINT_SCALE or more: 11 pt text prints at 7,9 pt or more.
PAGE_UNITS, MIN_PRINT_SCALE = 100, 0.72
#: Printed width of a column of long text (wrapped), and the narrowest it may be squeezed to.
TEXT_PRINT_WIDTH, TEXT_MIN_PRINT_WIDTH = 40, 25
#: A column whose text runs to LONG_TEXT characters or more (statements, explanations) prints wider.
LONG_TEXT, LONG_TEXT_PRINT_WIDTH = 200, 55
#: Widest a repeated (identifying) text column prints when a sheet spans several pages wide.
REPEAT_PRINT_WIDTH = 20
#: Characters of running text per unit of column width, estimated low (LibreOffice and Excel fit about 1,3).
CHARS_PER_UNIT = 1.2
#: Height in points of one line of 11 pt text, of the 13 pt title, and the room around a cell's lines.
LINE_POINTS, TITLE_LINE_POINTS, ROW_PADDING = 14.5, 18.0, 3.0
#: Longest text a spreadsheet cell holds.
MAX_CELL_TEXT = 32_767
#: Characters XML 1.0 cannot carry (control characters, lone surrogates, non-characters).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: The « _ » starting a sequence that the file format reads as an escape (``_xHHHH_``).
_ESCAPE_START = re.compile("_(?=x[0-9A-Fa-f]{4}_)")


# --------------------------------------------------------------------------------------------------
# Shared styles
# --------------------------------------------------------------------------------------------------


def header_font():
    from openpyxl.styles import Font

    return Font(bold=True, color="FFFFFF")


def header_fill():
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=HEADER_COLOR)


def wrap_alignment():
    """Wrapped text aligned at the top (long labels, justifications)."""
    from openpyxl.styles import Alignment

    return Alignment(wrap_text=True, vertical="top")


def column_letter(index: int) -> str:
    """1 -> 'A', 27 -> 'AA' (openpyxl's ``get_column_letter``)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


# --------------------------------------------------------------------------------------------------
# Cell values
# --------------------------------------------------------------------------------------------------


def unwritable(text: str) -> str | None:
    """Why ``text`` cannot be written into a spreadsheet cell (in French), or None when it can."""
    if len(text) > MAX_CELL_TEXT:
        return f"texte trop long pour une cellule de tableur ({len(text)} caractères ; au plus {MAX_CELL_TEXT})"
    bad = _ILLEGAL.search(text)
    if bad:
        return f"texte impossible à écrire dans un classeur (caractère U+{ord(bad.group()):04X} en position {bad.start() + 1})"
    return None


def set_value(cell, value):
    """Write a value into ``cell``; a string is always stored as text, never as a formula.

    Raises ``ValueError`` (in French) for text a spreadsheet cannot hold, rather than altering it.
    """
    if isinstance(value, str):
        reason = unwritable(value)
        if reason is not None:
            raise ValueError(f"{reason} : {value[:40]!r}")
        if "_x" in value:
            value = _ESCAPE_START.sub("_x005F_", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl made text starting with '=' a formula: it stays text
    return cell


def set_formula(cell, formula: str):
    """Write one of the caller's own formulas (``'=SUM(A1:A3)'``) into ``cell``."""
    if not formula.startswith("="):
        raise ValueError(f"formula expected, got {formula!r}")
    cell.value = formula
    cell.data_type = "f"
    return cell


def cell_value(value):
    """A DataFrame value as a cell value: missing -> empty, Decimal -> float (the cent is kept), numpy -> Python."""
    if value is None or (not isinstance(value, str) and is_missing(value)):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


# --------------------------------------------------------------------------------------------------
# Result tables
# --------------------------------------------------------------------------------------------------


def write_tables(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    *,
    money_columns: Iterable[str] = (),
    percent_columns: Iterable[str] = (),
    share_columns: Iterable[str] = (),
    widths: Mapping[str, float] | None = None,
    titles: Mapping[str, Sequence[str]] | None = None,
    notes: Mapping[str, Sequence[str]] | None = None,
    bold_rows: Mapping[str, Iterable[int]] | None = None,
    print_setup: bool = False,
    repeat_columns: Mapping[str, int] | None = None,
) -> Path:
    """Write DataFrames as sheets (one per key, name cut to 31 characters); returns the path written.

    Each sheet gets the shared header style, a frozen header row and an auto-filter; columns named in
    ``money_columns`` carry the euro format, those in ``percent_columns`` the percent format and those in
    ``share_columns`` the two-decimal percent format (values are fractions); ``widths`` sets column widths by
    column name (otherwise from the content, 12 to 60).
    Decimal amounts are written as numbers; strings as text. Saved with :func:`save_workbook`.

    Optional, per sheet name: ``titles`` (lines written above the header row, the first in bold: the header
    row is then ``len(titles) + 1``, see :func:`header_row`), ``notes`` (lines written below the table, after
    a blank row) and ``bold_rows`` (0-based row positions of the frame shown in bold on grey: sub-totals and
    totals). ``print_setup`` prints every sheet landscape, fitted to the page width, with the title and
    header rows repeated on each page, and legibly (:func:`print_layout`): columns sized for print, long text
    wrapped in its column, rows as high as their lines, titles and notes wrapped over the table's width, and a
    sheet too wide for one page at :data:`MIN_PRINT_SCALE` fitted to several pages wide, its first
    ``repeat_columns[sheet]`` columns (the identifying ones) repeated on each.
    """
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    formats = {**{c: PERCENT_FORMAT for c in percent_columns}, **{c: SHARE_FORMAT for c in share_columns},
               **{c: MONEY_FORMAT for c in money_columns}}
    for name, frame in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        lines = list((titles or {}).get(name, ()))
        _write_titles(ws, lines)
        _write_table(ws, frame, formats, widths or {}, len(lines) + 1)
        _style_rows(ws, len(frame.columns), [len(lines) + 2 + i for i in (bold_rows or {}).get(name, ())])
        _write_notes(ws, (notes or {}).get(name, ()), len(lines) + len(frame) + 3)
        if print_setup:
            layout = print_layout(frame, formats, (repeat_columns or {}).get(name, 0), widths or {})
            apply_print_layout(ws, frame, layout, lines, (notes or {}).get(name, ()))
            set_print_setup(ws, len(lines) + 1, layout.pages_wide, layout.repeat)
    return save_workbook(wb, path)


def header_row(titles: Sequence[str] = ()) -> int:
    """The row of the headers of a sheet written by :func:`write_tables` with these ``titles``."""
    return len(titles) + 1


def set_print_setup(ws, header: int, pages_wide: int = 1, repeat: int = 0) -> None:
    """Landscape, fitted to ``pages_wide`` pages wide (as many pages high as needed), rows 1 to ``header``
    repeated, and the first ``repeat`` columns too when the sheet spans several pages wide; narrow side margins,
    « sheet — page N / M » at the foot of each page."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = pages_wide
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_title_rows = f"1:{header}"
    if pages_wide > 1 and repeat:
        ws.print_title_cols = f"A:{column_letter(repeat)}"
    ws.oddFooter.center.text = "&A — page &P / &N"
    ws.print_options.gridLines = False


@dataclass(frozen=True)
class PrintLayout:
    """How a table prints: column widths (characters, in column order), which columns wrap, how many pages
    wide the sheet is fitted to, and how many leading columns each page repeats."""

    widths: tuple
    wrapped: tuple
    pages_wide: int
    repeat: int


def shown_length(value, number_format: str | None) -> int:
    """Characters a spreadsheet shows for ``value`` in ``number_format`` (``1 234 567,00 €``: 14)."""
    from analysis.formatting import format_eur, format_percent

    value = cell_value(value)
    if value is None:
        return 0
    if number_format == MONEY_FORMAT and isinstance(value, (int, float)):
        return len(format_eur(value))
    if number_format in (PERCENT_FORMAT, SHARE_FORMAT) and isinstance(value, (int, float)):
        return len(format_percent(value, 1 if number_format == PERCENT_FORMAT else 2))
    return len(str(value))


def print_layout(frame: pd.DataFrame, formats: Mapping[str, str], repeat: int = 0,
                 widths: Mapping[str, float] | None = None) -> PrintLayout:
    """Column widths for print: a number its longest value, a text at most :data:`TEXT_PRINT_WIDTH` (wrapped
    beyond), a header by its longest word (headers wrap). Text columns give up width (down to
    :data:`TEXT_MIN_PRINT_WIDTH`) so that the sheet fits one page at :data:`MIN_PRINT_SCALE`; a sheet still too
    wide keeps its widths and is fitted to as many pages wide as that scale needs, each page repeating the first
    ``repeat`` columns (narrowed to :data:`REPEAT_PRINT_WIDTH` when they are text)."""
    budget = PAGE_UNITS / MIN_PRINT_SCALE
    sizes, floors, texts = [], [], []
    for column in frame.columns:
        number_format = formats.get(column)
        longest = max((shown_length(v, number_format) for v in frame[column]), default=0)
        word = max((len(w) for w in str(column).split()), default=0) + 2
        is_text = number_format is None and all(isinstance(cell_value(v), (str, type(None))) for v in frame[column])
        widest = (LONG_TEXT_PRINT_WIDTH if longest >= LONG_TEXT else TEXT_PRINT_WIDTH) if is_text else MAX_WIDTH
        wanted = (widths or {}).get(column) or max(word, min(longest + 2, widest), 8)
        sizes.append(float(wanted))
        floors.append(float(max(word, min(wanted, TEXT_MIN_PRINT_WIDTH))) if is_text else float(wanted))
        texts.append(is_text)
    excess, room = sum(sizes) - budget, sum(s - f for s, f in zip(sizes, floors))
    if 0 < excess <= room:
        sizes = [s - (s - f) * excess / room for s, f in zip(sizes, floors)]
    pages = 1
    if sum(sizes) > budget + 0.01:
        sizes[:repeat] = [min(s, max(f, REPEAT_PRINT_WIDTH)) if t else s
                          for s, f, t in zip(sizes[:repeat], floors[:repeat], texts[:repeat])]
        per_page = max(budget - sum(sizes[:repeat]), budget / 3) * 0.9  # pages break between columns: some slack
        pages = math.ceil((sum(sizes) - sum(sizes[:repeat])) / per_page)
    return PrintLayout(tuple(round(s, 1) for s in sizes), tuple(texts), pages, repeat if pages > 1 else 0)


def text_lines(text: str, capacity: float) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in ``capacity`` characters (a longer word is cut)."""
    capacity, count = max(1, int(capacity)), 0
    for paragraph in str(text).split("\n"):
        lines, used = 1, 0
        for word in paragraph.split():
            if used and used + 1 + len(word) <= capacity:
                used += 1 + len(word)
                continue
            extra = (len(word) - 1) // capacity
            lines += extra + (1 if used else 0)
            used = len(word) - extra * capacity
        count += lines
    return count


def apply_print_layout(ws, frame: pd.DataFrame, layout: PrintLayout, titles: Sequence[str], notes: Sequence[str]) -> None:
    """Column widths and wrapped cells of ``layout``; each row as high as its wrapped lines (spreadsheet programs
    do not grow a row for wrapped text by themselves); titles and notes wrapped over the columns of the first page."""
    from openpyxl.styles import Alignment

    header = len(titles) + 1
    for j, width in enumerate(layout.widths, start=1):
        ws.column_dimensions[column_letter(j)].width = width
    _set_height(ws, header, max((text_lines(c, capacity(w, bold=True)) for c, w in zip(map(str, frame.columns), layout.widths)),
                                default=1))  # a table without columns (nothing to report) is one line high
    align, top = wrap_alignment(), Alignment(vertical="top")
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=header + 1):
        lines = 1
        for j, (value, wrap, width) in enumerate(zip(row, layout.wrapped, layout.widths), start=1):
            ws.cell(i, j).alignment = align if wrap else top
            if wrap and isinstance(value, str):
                lines = max(lines, text_lines(value, capacity(width)))
        _set_height(ws, i, lines)
    span, total, page = 0, 0.0, PAGE_UNITS if layout.pages_wide > 1 else sum(layout.widths)
    while span < len(layout.widths) and (span == 0 or total + layout.widths[span] <= page):
        total += layout.widths[span]
        span += 1
    rows = [(r, text, 1.3 if r == 1 else 1.1) for r, text in enumerate(titles, start=1)]
    rows += [(header + len(frame) + 1 + k, text, 1.0) for k, text in enumerate(notes, start=1)]
    for r, text, factor in rows:
        if span > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=span)
        ws.cell(r, 1).alignment = align
        _set_height(ws, r, text_lines(text, capacity(total) / factor), TITLE_LINE_POINTS if r == 1 else LINE_POINTS)


def capacity(width: float, bold: bool = False) -> float:
    """Characters of running text a line of a column ``width`` wide holds, estimated low (a width unit is the
    width of a digit; text averages narrower, bold wider): a row is never made too short for its text."""
    return (width - 1) * (1.0 if bold else CHARS_PER_UNIT)


def _set_height(ws, row: int, lines: int, points: float = LINE_POINTS) -> None:
    if lines > 1 or points != LINE_POINTS:
        ws.row_dimensions[row].height = round(lines * points + ROW_PADDING, 1)


def _write_titles(ws, lines: Sequence[str]) -> None:
    from openpyxl.styles import Font

    for i, line in enumerate(lines, start=1):
        set_value(ws.cell(i, 1), line).font = Font(bold=True, size=13 if i == 1 else 11, color="1F3864" if i == 1 else None)


def _write_notes(ws, lines: Sequence[str], first: int) -> None:
    for i, line in enumerate(lines):
        set_value(ws.cell(first + i, 1), line)


def _style_rows(ws, width: int, rows: Iterable[int]) -> None:
    from openpyxl.styles import Font, PatternFill

    bold, grey = Font(bold=True), PatternFill("solid", fgColor="D9D9D9")
    for r in rows:
        for j in range(1, width + 1):
            cell = ws.cell(r, j)
            cell.font, cell.fill = bold, grey


def _write_table(ws, frame: pd.DataFrame, formats: Mapping[str, str], widths: Mapping[str, float], header: int = 1) -> None:
    font, fill, align = header_font(), header_fill(), wrap_alignment()
    for j, column in enumerate(frame.columns, start=1):
        cell = set_value(ws.cell(header, j), str(column))
        cell.font, cell.fill, cell.alignment = font, fill, align
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=header + 1):
        for j, value in enumerate(row, start=1):
            set_value(ws.cell(i, j), cell_value(value))
    ws.freeze_panes = f"A{header + 1}"
    if len(frame):
        last = f"{column_letter(max(1, len(frame.columns)))}{header + len(frame)}"
        ws.auto_filter.ref = ws.dimensions if header == 1 else f"A{header}:{last}"
    for j, column in enumerate(frame.columns, start=1):
        letter = column_letter(j)
        if column in formats:
            for (cell,) in ws.iter_rows(min_row=header + 1, min_col=j, max_col=j):
                cell.number_format = formats[column]
        ws.column_dimensions[letter].width = widths.get(column) or _auto_width(column, frame.iloc[:, j - 1])


def _auto_width(header, values: pd.Series) -> int:
    longest = max((len(str(v)) for v in values.head(50)), default=0)
    return min(MAX_WIDTH, max(MIN_WIDTH, len(str(header)) + 2, longest + 2))


# --------------------------------------------------------------------------------------------------
# Saving: fixed metadata, reproducible bytes, atomic replacement
# --------------------------------------------------------------------------------------------------


def workbook_bytes(wb) -> bytes:
    """The ``.xlsx`` bytes of ``wb``: fixed document dates, sorted zip entries with fixed timestamps."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.creator = CREATOR
    wb.properties.lastModifiedBy = CREATOR
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(name), compresslevel=9)
    return out.getvalue()


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file of the same folder and :func:`os.replace`.

    Readers see either the previous file or the new one, never a truncated file; on any failure the
    temporary file is removed and the previous file is left untouched. Refuses to write in ``data/raw/``.
    An ``OSError`` (disk full, read-only folder) always names ``path`` (its ``filename``).
    """
    path = Path(path)
    if path.resolve().is_relative_to(RAW_DIR.resolve()):
        raise ValueError(f"écriture refusée dans {RAW_DIR} (données brutes transcrites, jamais écrites par le code) : {path}")
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _file_mode(path))
        os.replace(temporary, path)
    except BaseException as exc:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno is not None and exc.filename is None:
            exc.filename = str(path)  # (an error without errno would print as « [Errno None] None »)
        raise
    return path


def _file_mode(path: Path) -> int:
    """The permissions of the file replaced, or those a new file gets (``mkstemp`` would leave 0600)."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def save_workbook(wb, path: str | Path) -> Path:
    """Save ``wb`` to ``path`` byte-reproducibly and atomically (see the module docstring)."""
    return write_atomic(path, workbook_bytes(wb))
