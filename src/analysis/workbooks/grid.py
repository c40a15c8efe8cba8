"""One sheet of a workbook read in one streaming pass, keeping only the template's table range.

:func:`read_grid` parses a sheet's XML (:func:`analysis.workbooks.archive.parse_part`) and returns a
:class:`Grid`: the cells with content inside a :class:`Window` (the table and a margin around it), with
both the formula and the value a spreadsheet program cached for it, and only a count (plus the first few
cells) of what lies beyond. At most :data:`~analysis.workbooks.archive.MAX_CELLS` cells are read in all
the sheets of a workbook (H33, :class:`~analysis.workbooks.archive.Budget`): a workbook with more, even
empty formatted ones, is refused as soon as they are found. The declared dimension
(``<dimension ref=…>``) must lie within a spreadsheet's grid; it is never used to size anything.

Every value's length is checked before a pattern or a conversion runs on it, and the patterns have no
ambiguous repetition: the cost of a cell is bounded whatever it holds. A formula is at most
:data:`~analysis.workbooks.archive.MAX_FORMULA` characters; a shared formula is translated to the cells
that share it within the workbook's budget of characters (H46). Texts are decoded (``_xHHHH_``) before
anything looks at them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.formatting import format_number
from analysis.workbooks.archive import (
    MAX_CELLS,
    MAX_FORMULA,
    MAX_SHARED_FORMULA_CHARS,
    Book,
    CellStyle,
    PartReader,
    Refused,
    is_digits,
    parse_part,
    unescape,
)
from analysis.workbooks.errors import MAX_PROBLEMS, ProblemLog
from analysis.workbooks.parsing import EMPTY, CellContent, Damaged
from analysis.xlsx import column_letter

MAX_ROW, MAX_COLUMN = 1_048_576, 16_384
_REF = re.compile(r"\A\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
#: A number as a spreadsheet stores it (ASCII digits, one way only to split the digits, possessive: no backtracking).
_NUMBER = re.compile(r"\A[+-]?(?:[0-9]++(?:\.[0-9]*+)?|\.[0-9]++)(?:[eE][+-]?[0-9]{1,4})?")
#: Longest number (characters) and longest date (ISO 8601 text) a file may store in a cell.
MAX_NUMBER_TEXT, MAX_DATE_TEXT = 400, 40
DAMAGED = "fichier endommagé ou fabriqué"


@dataclass(frozen=True)
class Window:
    """The rows and columns kept from a sheet: 1..rows and 1..cols.

    Content beyond them is counted (and the first cells listed) from row ``from_row`` on; above it, it
    is ignored.
    """

    rows: int
    cols: int
    from_row: int = 1


@dataclass
class Grid:
    """The cells with content of one sheet inside its window, and what lies beyond.

    ``cells``: (row, column) -> :class:`CellContent`; ``outside``: (coordinate, row, column, content) of the
    first cells with content beyond the window; ``outside_count``: how many there are in all;
    ``merged``: the merged ranges (min_row, min_col, max_row, max_col, 'A1:B2'); ``duplicated``: the
    coordinates found twice in the file.
    """

    window: Window
    cells: dict = field(default_factory=dict)
    outside: list = field(default_factory=list)
    outside_count: int = 0
    merged: list = field(default_factory=list)
    duplicated: list = field(default_factory=list)

    def cell(self, row: int, col: int) -> CellContent:
        return self.cells.get((row, col), EMPTY)

    def value(self, row: int, col: int):
        """What the cell holds as typed: its formula, else its value (None when empty)."""
        return self.cell(row, col).content

    @property
    def max_column(self) -> int:
        return max((c for _, c in self.cells), default=0)

    def last_row(self, below: int) -> int:
        """The last row with content after row ``below`` (``below`` when there is none)."""
        return max((r for r, _ in self.cells if r > below), default=below)

    def rows_of(self, min_row: int, min_col: int = 1):
        """(row, column, content) of the cells from ``min_row`` and ``min_col`` on, in reading order."""
        return [(r, c, self.cells[(r, c)]) for r, c in sorted(self.cells) if r >= min_row and c >= min_col]


def coordinate(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


_COLUMNS: dict[str, int] = {}


def _column(letters: str) -> int:
    col = _COLUMNS.get(letters)
    if col is None:
        col = 0
        for ch in letters.upper():
            col = col * 26 + ord(ch) - 64
        if len(_COLUMNS) < 4 * MAX_COLUMN:
            _COLUMNS[letters] = col
    return col


def parse_ref(ref: str) -> tuple[int, int]:
    """'B7' -> (7, 2); Refused when outside a spreadsheet's grid or not a cell reference."""
    match = _REF.fullmatch(ref) if isinstance(ref, str) and len(ref) <= 12 else None
    if match:
        row, col = int(match.group(2)), _column(match.group(1))
        if 1 <= row <= MAX_ROW and 1 <= col <= MAX_COLUMN:
            return row, col
    raise Refused(f"référence de cellule invalide « {str(ref)[:20]} » : {DAMAGED}")


def _row_number(text: str) -> int:
    if is_digits(text) and len(text) <= 7 and 1 <= int(text) <= MAX_ROW:
        return int(text)
    raise Refused(f"numéro de ligne invalide « {text[:20]} » : {DAMAGED}")


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'A1:C3' (or 'B2') -> (min_row, min_col, max_row, max_col)."""
    first, _, last = (ref or "").partition(":")
    r1, c1 = parse_ref(first)
    r2, c2 = parse_ref(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


# --------------------------------------------------------------------------------------------------
# Values as stored
# --------------------------------------------------------------------------------------------------


def _number(text: str, style: CellStyle, book: Book):
    """A stored number: int or float (a date when its format is a date), or Damaged."""
    if len(text) > MAX_NUMBER_TEXT or not _NUMBER.fullmatch(text):
        return Damaged(text[:80], f"nombre illisible dans le fichier : {DAMAGED}")
    number = float(text) if any(ch in text for ch in ".eE") else int(text)
    if style.date or style.duration:
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(number, book.epoch, timedelta=style.duration)
        except (OverflowError, ValueError, ArithmeticError):
            return Damaged(text, "date hors des limites d'un tableur")
    return number


def _stored_value(cell: dict, style: CellStyle, book: Book):
    """The value of a cell as a spreadsheet program shows it (None when empty)."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return unescape("".join(cell["is"])) if "is" in cell else None
    text = "".join(cell["v"]) if "v" in cell else ""
    if text == "":
        return None
    if kind == "n":
        return _number(text, style, book)
    if kind == "s":
        index = int(text) if is_digits(text) and len(text) < 10 else -1
        if 0 <= index < len(book.strings):
            return book.strings[index]
        return Damaged(text, f"référence de texte partagé invalide : {DAMAGED}")
    if kind == "str":
        return unescape(text)
    if kind == "e":
        return text
    if kind == "b" and text in ("0", "1", "true", "false"):
        return text in ("1", "true")
    if kind == "d":
        from openpyxl.utils.datetime import from_ISO8601

        try:
            if len(text) > MAX_DATE_TEXT:
                raise ValueError(text[:MAX_DATE_TEXT])
            return from_ISO8601(text)
        except (ValueError, TypeError, OverflowError):
            return Damaged(text[:80], f"date illisible dans le fichier : {DAMAGED}")
    return Damaged(text[:80], f"type de cellule « {kind[:10]} » inconnu : {DAMAGED}")


def _blank(content: CellContent) -> bool:
    value = content.value
    return content.formula is None and (value is None or (isinstance(value, str) and value.strip() == ""))


def _has_content(cell: dict, book: Book) -> bool:
    """Whether a cell holds something, without building its value (same answer as ``not _blank``)."""
    if "f" in cell:
        return True
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return unescape("".join(cell["is"])).strip() != "" if "is" in cell else False
    text = "".join(cell["v"]) if "v" in cell else ""
    if text == "":
        return False
    if kind == "str":
        return unescape(text).strip() != ""
    if kind == "s" and is_digits(text) and len(text) < 10 and int(text) < len(book.strings):
        return book.strings[int(text)].strip() != ""
    return True


# --------------------------------------------------------------------------------------------------
# The sheet reader
# --------------------------------------------------------------------------------------------------


class _SheetReader(PartReader):
    """Streams the cells of a sheet into a :class:`Grid` (see the module docstring)."""

    def __init__(self, book: Book, window: Window, name: str):
        self.book, self.name = book, name
        self.grid = Grid(window)
        self.row = self.count = 0
        self.last_ref: str | None = None
        self.cell: dict | None = None
        self.shared: dict[str, tuple[str, str]] = {}
        self.styles: dict = {}

    def element_start(self, name, attrs):
        """The expat handler (the hot path: counting and dispatch in one call)."""
        self.elements += 1
        if self.elements > self.limit:
            raise Refused(f"plus de {format_number(self.limit, 0)} éléments XML : fichier anormal ou piégé")
        if ":" in name:
            name = name.rpartition(":")[2]
        cell = self.cell
        if name == "c":
            self._start_cell(attrs)
        elif cell is None:
            self._start_other(name, attrs)
        elif name == "v":
            self.text = cell["v"] = []
        elif name == "f":
            self.text = cell["f"] = []
            cell["f_attrs"] = attrs
        elif name == "is":
            cell["is"] = []
        elif name == "rPh":
            cell["phonetic"] = cell.get("phonetic", 0) + 1
        elif name == "t" and "is" in cell and not cell.get("phonetic"):
            self.text = cell["is"]

    def element_end(self, name):
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c" and self.cell is not None:
            self._end_cell(self.cell)
            self.cell, self.text = None, None
        elif name in ("v", "f", "t"):
            self.text = None
        elif name == "rPh" and self.cell is not None:
            self.cell["phonetic"] -= 1

    def _start_other(self, name, attrs):
        if name == "row":
            r = attrs.get("r")
            self.row, self.last_ref = (_row_number(r) if r is not None else self.row + 1), None
        elif name == "mergeCell":
            ref = attrs.get("ref", "")
            self.grid.merged.append((*parse_range(ref), ref))
        elif name == "dimension":
            parse_range(attrs.get("ref", ""))

    def _start_cell(self, attrs):
        """A cell starts: counted; its reference is read only if it turns out to hold something."""
        self.count += 1
        if self.count > self.book.budget.cells:
            raise Refused(f"plus de {format_number(MAX_CELLS, 0)} cellules dans le classeur (cellules vides mises en forme "
                          "comprises) : le tableau ne tient pas dans le modèle ; effacer les lignes, colonnes et mises en "
                          "forme ajoutées sous ou à droite du tableau")
        if "r" not in attrs:  # no reference: the cell follows the previous one of its row
            col = parse_ref(self.last_ref)[1] + 1 if self.last_ref else 1
            attrs["r"] = coordinate(max(self.row, 1), min(col, MAX_COLUMN))
        self.cell, self.last_ref = attrs, attrs["r"]

    def _formula(self, cell: dict, where: str) -> tuple[str, bool]:
        """The cell's formula ('=…') and whether it is an array or data-table formula. A formula longer than
        Excel allows, or shared formulas beyond the workbook's budget of characters (H46), are refused."""
        attrs = cell["f_attrs"]
        kind, text = attrs.get("t", "normal"), "".join(cell["f"])
        if len(text) > MAX_FORMULA:
            raise Refused(f"cellule {where} : formule de {format_number(len(text), 0)} caractères (au plus "
                          f"{format_number(MAX_FORMULA, 0)}, la limite d'Excel) : fichier fabriqué ou piégé")
        if kind == "shared":
            si = attrs.get("si", "")
            if text:
                if len(self.shared) < MAX_CELLS:
                    self.shared[si] = (text, where)
            elif si in self.shared:
                text = self._shared_formula(si, where)
        return "=" + text, kind in ("array", "dataTable")

    def _shared_formula(self, si: str, where: str) -> str:
        """The shared formula ``si`` translated to ``where``, within the workbook's budget (H46)."""
        text, origin = self.shared[si]
        budget = self.book.budget
        budget.formulas -= len(text)
        if budget.formulas < 0:
            raise Refused(f"cellule {where} : formules partagées trop longues (plus de "
                          f"{format_number(MAX_SHARED_FORMULA_CHARS, 0)} caractères à recalculer dans le classeur, H46) : "
                          "fichier anormal ou fabriqué")
        return _translate(text, origin, where)

    def _end_cell(self, cell: dict):
        if "v" not in cell and "f" not in cell and "is" not in cell:
            return  # an empty formatted cell
        row, col = parse_ref(cell["r"])
        grid = self.grid
        window = grid.window
        beyond = row > window.rows or col > window.cols
        if beyond and (row < window.from_row or len(grid.outside) >= MAX_PROBLEMS):
            grid.outside_count += row >= window.from_row and _has_content(cell, self.book)
            return
        where = coordinate(row, col)
        s = cell.get("s")
        style = self.styles.get(s)
        if style is None:
            style = self.styles.setdefault(s, self.book.style(s))
        formula, array = self._formula(cell, where) if "f" in cell else (None, False)
        content = CellContent(_stored_value(cell, style, self.book), formula, array, style.percent)
        if _blank(content):
            return
        if beyond:
            grid.outside_count += 1
            grid.outside.append((where, row, col, content))
        else:
            if (row, col) in grid.cells:
                grid.duplicated.append(where)
            grid.cells[(row, col)] = content


def _translate(formula: str, origin: str, where: str) -> str:
    """A shared formula written once at ``origin``, as it reads at ``where``."""
    from openpyxl.formula.translate import Translator

    try:
        return Translator("=" + formula, origin=origin).translate_formula(where)[1:]
    except Exception:  # a damaged shared formula is reported as a modified formula  # noqa: BLE001
        return formula


def read_grid(book: Book, name: str, window: Window, log: ProblemLog) -> Grid:
    """Read the sheet ``name`` of ``book`` once, keeping the cells of ``window``; duplicated cells are
    reported in ``log``; an unreadable or oversized sheet rejects the workbook."""
    reader = _SheetReader(book, window, name)
    try:
        parse_part(book.archive, book.parts[name], reader, log, book.budget, sheet=name)
    finally:
        book.budget.cells -= reader.count
    for where in reader.grid.duplicated[:MAX_PROBLEMS]:
        log.add(name, where, None, f"cellule écrite deux fois dans le fichier : {DAMAGED}")
    return reader.grid
