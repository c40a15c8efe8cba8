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
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import pandas as pd

from analysis.domain import DELIBERATION_DATE, RAW_DIR
from analysis.money import is_missing

#: Euro amounts: ``1 234,50 €`` in a French spreadsheet program.
MONEY_FORMAT = '#,##0.00 "€"'
#: Rates stored as fractions (0.5), shown as ``50,0 %``.
PERCENT_FORMAT = "0.0 %"
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
    widths: Mapping[str, float] | None = None,
    titles: Mapping[str, Sequence[str]] | None = None,
    notes: Mapping[str, Sequence[str]] | None = None,
    bold_rows: Mapping[str, Iterable[int]] | None = None,
    print_setup: bool = False,
) -> Path:
    """Write DataFrames as sheets (one per key, name cut to 31 characters); returns the path written.

    Each sheet gets the shared header style, a frozen header row and an auto-filter; columns named in
    ``money_columns`` carry the euro format, those in ``percent_columns`` the percent format (values are
    fractions); ``widths`` sets column widths by column name (otherwise from the content, 12 to 60).
    Decimal amounts are written as numbers; strings as text. Saved with :func:`save_workbook`.

    Optional, per sheet name: ``titles`` (lines written above the header row, the first in bold: the header
    row is then ``len(titles) + 1``, see :func:`header_row`), ``notes`` (lines written below the table, after
    a blank row) and ``bold_rows`` (0-based row positions of the frame shown in bold on grey: sub-totals and
    totals). ``print_setup`` prints every sheet landscape, fitted to the page width, with the title and
    header rows repeated on each page.
    """
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    formats = {**{c: PERCENT_FORMAT for c in percent_columns}, **{c: MONEY_FORMAT for c in money_columns}}
    for name, frame in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        lines = list((titles or {}).get(name, ()))
        _write_titles(ws, lines)
        _write_table(ws, frame, formats, widths or {}, len(lines) + 1)
        _style_rows(ws, len(frame.columns), [len(lines) + 2 + i for i in (bold_rows or {}).get(name, ())])
        _write_notes(ws, (notes or {}).get(name, ()), len(lines) + len(frame) + 3)
        if print_setup:
            set_print_setup(ws, len(lines) + 1)
    return save_workbook(wb, path)


def header_row(titles: Sequence[str] = ()) -> int:
    """The row of the headers of a sheet written by :func:`write_tables` with these ``titles``."""
    return len(titles) + 1


def set_print_setup(ws, header: int) -> None:
    """Landscape, fitted to the page width (as many pages high as needed), rows 1 to ``header`` repeated."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{header}"
    ws.print_options.gridLines = False


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
