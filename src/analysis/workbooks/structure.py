"""Structure checks of a filled workbook: its sheets and metadata, then for each data sheet its merged
cells, its header row, the alignment of its rows on the template's rows and the content beyond the table.

The file itself is opened and bounded by :mod:`~analysis.workbooks.archive`; each sheet is read once, in
streaming, by :mod:`~analysis.workbooks.grid`, keeping only the table and a margin around it
(:func:`sheet_window`).

Every check records its problems in a :class:`~analysis.workbooks.errors.ProblemLog` (in French, with
sheet, cell and value) and goes on, so that one reading reports every problem at once; only the checks
after which nothing else can be located stop the reading (:meth:`ProblemLog.fatal`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from analysis.domain import CONVENTION_LABELS
from analysis.workbooks.archive import Book
from analysis.workbooks.errors import ProblemLog
from analysis.workbooks.grid import Grid, Window, coordinate, read_grid
from analysis.workbooks.layout import (
    HEADER_ROW,
    REQUIRED_SHEETS,
    SHEET_META,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    Sheet,
    Template,
    build_template,
    exercise_year,
)
from analysis.xlsx import column_letter

# --------------------------------------------------------------------------------------------------
# Text normalisation (cells are compared after collapsing white space)
# --------------------------------------------------------------------------------------------------


def norm_text(value) -> str:
    """A cell's content as text with white space collapsed; '' for an empty cell."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def key_text(value) -> str:
    """A row key or metadata value as text (2024.0 -> '2024')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return norm_text(value)


# --------------------------------------------------------------------------------------------------
# What is read of each sheet
# --------------------------------------------------------------------------------------------------

#: Rows below the template's last row, and columns right of its last column, still read as part of the
#: table (rows inserted by mistake are located and explained); content beyond is only reported.
ROW_MARGIN, COLUMN_MARGIN = 50, 10
#: What is read of the hidden metadata sheet.
META_WINDOW = Window(rows=50, cols=2, from_row=10**9)


def sheet_window(sheet: Sheet) -> Window:
    """The part of a data sheet that is read: the table and a margin (see :data:`ROW_MARGIN`)."""
    return Window(HEADER_ROW + len(sheet.rows) + ROW_MARGIN, len(sheet.columns) + COLUMN_MARGIN, HEADER_ROW)


# --------------------------------------------------------------------------------------------------
# Sheets and metadata
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookMeta:
    """What the hidden sheet says: the template (convention and year), its version, fictitious or not."""

    template: Template
    version: str
    fictitious: bool


def read_meta(book: Book, contract, convention: str | None, year: int | None, log: ProblemLog) -> WorkbookMeta:
    """Check the sheets and the hidden metadata against the expected ``convention`` and ``year`` (when
    given) and build the workbook's template; rejects the workbook if the template cannot be known."""
    names = book.sheetnames
    _check_sheets(names, log)
    version, fictitious = None, False
    if SHEET_META in names:
        meta = _meta_cells(read_grid(book, SHEET_META, META_WINDOW, log))
        version = _check_identity(meta, log)
        convention = _meta_convention(meta, convention, log)
        year = _meta_year(meta, year, log)
        fictitious = norm_text(meta.get("fictif", (None, None))[0]).lower() == "oui"
    if convention is None or year is None:
        log.fatal(SHEET_META, None, None, "convention ou exercice du classeur inconnus : impossible de le contrôler")
    try:
        template = build_template(contract, convention, year)
    except ValueError as exc:
        log.fatal(SHEET_META, None, f"{convention} {year}", str(exc))
    return WorkbookMeta(template, TEMPLATE_VERSION if version is None else key_text(version), fictitious)


def _check_sheets(names: list[str], log: ProblemLog) -> None:
    for name in REQUIRED_SHEETS:
        if name not in names:
            found = ", ".join(f"« {n} »" for n in names if n not in REQUIRED_SHEETS)
            extra = f" (feuilles inattendues : {found})" if found else ""
            what = "feuille masquée des métadonnées du modèle" if name == SHEET_META else "feuille"
            log.add(name, None, None, f"{what} absente : supprimée ou renommée{extra}")


def _meta_cells(grid: Grid) -> dict[str, tuple]:
    """Key (column A) -> (value, coordinate) of the value (column B)."""
    meta = {}
    for r, c, content in grid.rows_of(1):
        if c == 1:
            meta[norm_text(content.content)] = (grid.value(r, 2), coordinate(r, 2))
    return meta


def _meta_value(meta: dict, key: str, log: ProblemLog) -> tuple:
    if key not in meta:
        log.add(SHEET_META, None, None, f"métadonnée « {key} » absente : le classeur ne provient pas du modèle")
        return None, None
    return meta[key]


def _check_identity(meta: dict, log: ProblemLog):
    """Check the template's identifier and version; returns the version found (None when absent)."""
    ident, cell = _meta_value(meta, "modele", log)
    if ident is not None and norm_text(ident) != TEMPLATE_ID:
        log.add(SHEET_META, cell, ident, "ce classeur n'est pas un modèle d'exécution produit par le projet")
    version, cell = _meta_value(meta, "version", log)
    if version is not None and key_text(version) != TEMPLATE_VERSION:
        log.add(SHEET_META, cell, key_text(version),
                f"version du modèle non prise en charge (attendue : {TEMPLATE_VERSION}) : repartir d'un modèle à jour")
    return version


def _meta_convention(meta: dict, wanted: str | None, log: ProblemLog) -> str | None:
    """The workbook's convention (``wanted`` when it cannot be read)."""
    found, cell = _meta_value(meta, "convention", log)
    if found is None:
        return wanted
    found = norm_text(found)
    if found not in CONVENTION_LABELS:
        log.add(SHEET_META, cell, found, "convention inconnue")
        return wanted
    if wanted is not None and found != wanted:
        log.add(SHEET_META, cell, found,
                f"classeur de la convention « {CONVENTION_LABELS[found]} » alors que "
                f"« {CONVENTION_LABELS.get(wanted, wanted)} » est attendue")
    return found


def _meta_year(meta: dict, wanted, log: ProblemLog):
    """The workbook's year (``wanted`` when it cannot be read)."""
    found, cell = _meta_value(meta, "annee", log)
    if found is None:
        return wanted
    try:
        found = exercise_year(found)
    except ValueError:
        log.add(SHEET_META, cell, str(found), "année du classeur illisible")
        return wanted
    if wanted is not None and found != int(wanted):
        log.add(SHEET_META, cell, str(found), f"classeur de l'exercice {found} alors que l'exercice {int(wanted)} est attendu")
    return found


# --------------------------------------------------------------------------------------------------
# Merged cells and headers of a data sheet
# --------------------------------------------------------------------------------------------------


def check_merged(grid: Grid, sheet: Sheet, log: ProblemLog) -> None:
    """Merged cells in or below the header row."""
    for _min_row, min_col, max_row, max_col, ref in sorted(grid.merged, key=lambda m: m[4]):
        if max_row < HEADER_ROW:
            continue
        cols = [sheet.columns[c - 1] for c in range(min_col, min(max_col, len(sheet.columns)) + 1)]
        inputs = [c.header for c in cols if c.is_input]
        where = f" sur des colonnes de saisie ({', '.join(f'« {h} »' for h in inputs)})" if inputs else " dans le tableau"
        log.add(sheet.name, ref, None, f"cellules fusionnées{where} : annuler la fusion")


def _row_texts(grid: Grid, r: int, width: int) -> list[str]:
    return [norm_text(grid.value(r, c)) for c in range(1, width + 1)]


def _at(texts: list[str], i: int) -> str:
    return texts[i] if i < len(texts) else ""


def check_headers(grid: Grid, sheet: Sheet, log: ProblemLog) -> bool:
    """Check the header row; False when the columns are shifted (the data cannot be located)."""
    expected = [norm_text(h) for h in sheet.headers]
    width = max(len(expected), grid.max_column)
    actual = _row_texts(grid, HEADER_ROW, width)
    if actual[: len(expected)] == expected and not any(actual[len(expected):]):
        return True
    if _moved_header_row(grid, sheet, expected, width, log) or _shifted_columns(grid, sheet, expected, actual, log):
        return False
    for i in range(width):
        if _at(actual, i) != _at(expected, i):
            cell = f"{column_letter(i + 1)}{HEADER_ROW}"
            value = grid.value(HEADER_ROW, i + 1)
            if i >= len(expected):
                log.add(sheet.name, cell, value, "colonne inattendue à droite du tableau")
            else:
                log.add(sheet.name, cell, value, f"en-tête modifié ou renommé : « {sheet.headers[i]} » attendu")
    return True


def _moved_header_row(grid: Grid, sheet: Sheet, expected: list[str], width: int, log: ProblemLog) -> bool:
    """Headers found on another row: a row was inserted or deleted above the table."""
    for r in range(1, HEADER_ROW + 8):
        if r != HEADER_ROW and _row_texts(grid, r, width)[: len(expected)] == expected:
            log.add(sheet.name, f"A{HEADER_ROW}", grid.value(HEADER_ROW, 1),
                    f"en-têtes trouvés ligne {r} au lieu de la ligne {HEADER_ROW} : une ligne a été insérée ou "
                    "supprimée au-dessus du tableau")
            return True
    return False


def _shifted_columns(grid: Grid, sheet: Sheet, expected: list[str], actual: list[str], log: ProblemLog) -> bool:
    """Headers shifted by one column from the first difference: a column was inserted or deleted."""
    first = next(i for i in range(len(actual)) if _at(actual, i) != _at(expected, i))
    if first >= len(expected):
        return False
    cell = f"{column_letter(first + 1)}{HEADER_ROW}"
    value = grid.value(HEADER_ROW, first + 1)
    rest = expected[first:]
    if actual[first + 1: first + 1 + len(rest)] == rest:
        log.add(sheet.name, cell, value,
                f"colonne insérée : les en-têtes sont décalés d'une colonne vers la droite à partir de "
                f"{cell} (« {sheet.headers[first]} » attendu ici)")
        return True
    if actual[first: first + len(rest) - 1] == rest[1:]:
        log.add(sheet.name, cell, value,
                f"colonne « {sheet.headers[first]} » supprimée : les en-têtes suivants sont décalés vers la gauche")
        return True
    return False


# --------------------------------------------------------------------------------------------------
# Rows of a data sheet
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowAlignment:
    """Where the template's rows were found: expected row index -> actual row number.

    ``intact`` is True when no row has moved: the formulas (which refer to fixed rows) can be checked.
    """

    mapping: dict
    intact: bool


@dataclass(frozen=True)
class _Keys:
    """What is needed to explain an unexpected key in the key column of a sheet."""

    grid: Grid
    sheet: Sheet
    log: ProblemLog
    letter: str
    known: set
    known_elsewhere: set
    convention_label: str

    @property
    def what(self) -> str:
        return {"action": "action", "line": "ligne"}.get(self.sheet.key_field, "indicateur")


def align_rows(grid: Grid, sheet: Sheet, contract, convention: str, log: ProblemLog) -> RowAlignment:
    """Map the template's rows to the sheet's rows by the key column; report duplicated, added,
    deleted, moved or renamed rows and content to the right of or beyond the table."""
    key_col = sheet.index_of(sheet.key_field) + 1
    letter = column_letter(key_col)
    used = range(HEADER_ROW + 1, grid.last_row(HEADER_ROW) + 1)
    rows, keys, first_seen = _drop_duplicates(grid, sheet, key_col, used, log)
    expected = [row.key for row in sheet.rows]
    if sheet.key_field == "action":
        elsewhere = set(contract.actions["action"])
    elif sheet.key_field == "line":
        elsewhere = set()
    else:
        elsewhere = set(contract.indicators["indicator_id"])
    context = _Keys(grid, sheet, log, letter, set(expected), elsewhere, CONVENTION_LABELS[convention])
    mapping = _match_rows(context, expected, rows, keys, first_seen)
    _content_outside(grid, sheet, log)
    intact = all(r == sheet.row_number(i) for i, r in mapping.items())
    return RowAlignment(mapping, intact)


def _drop_duplicates(grid: Grid, sheet: Sheet, key_col: int, used: range, log: ProblemLog) -> tuple[list, list, dict]:
    """Rows and keys without the copies of a key seen earlier (the later row is the copy), and where
    each key was first seen."""
    letter = column_letter(key_col)
    first_seen: dict[str, int] = {}
    rows, keys = [], []
    for r in used:
        k = key_text(grid.value(r, key_col))
        if k and k in first_seen:
            log.add(sheet.name, f"{letter}{r}", k,
                    f"ligne en double : « {k} » figure déjà en {letter}{first_seen[k]} (ne pas copier ni insérer de lignes)")
            continue
        if k:
            first_seen[k] = r
        rows.append(r)
        keys.append(k)
    return rows, keys, first_seen


def _match_rows(context: _Keys, expected: list[str], rows: list[int], keys: list[str], first_seen: dict) -> dict:
    """Align expected keys on found keys (longest matching blocks); explain every difference."""
    mapping: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(a=expected, b=keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            mapping.update({i1 + k: rows[j1 + k] for k in range(i2 - i1)})
            continue
        if tag in ("replace", "insert"):
            for offset, j in enumerate(range(j1, j2)):
                wanted = expected[i1 + offset] if tag == "replace" and i1 + offset < i2 else None
                _explain_key(context, rows[j], keys[j], wanted)
        if tag in ("replace", "delete"):
            surplus = range(i1 + (j2 - j1), i2) if tag == "replace" else range(i1, i2)
            for i in surplus:
                where = rows[j1] if j1 < len(rows) else context.sheet.row_number(i)
                if expected[i] not in first_seen:
                    context.log.add(context.sheet.name, f"{context.letter}{where}", None,
                                    f"ligne « {expected[i]} » supprimée ou déplacée : elle est absente du tableau")
    return mapping


def _explain_key(context: _Keys, r: int, k: str, wanted: str | None) -> None:
    """Report a row whose key is not the expected one (``wanted``, or None where no row is expected)."""
    name, cell, what = context.sheet.name, f"{context.letter}{r}", context.what
    if k == "":
        if wanted is not None:
            context.log.add(name, cell, None, f"code effacé : « {wanted} » attendu (ligne vidée ou supprimée ?)")
        elif any(context.grid.value(r, c) not in (None, "") for c in range(1, len(context.sheet.columns) + 1)):
            context.log.add(name, cell, None, "ligne ajoutée dans ou sous le tableau : ne pas insérer de lignes")
        return
    if k not in context.known:
        reason = f"{what} inconnu{'e' if what in ('action', 'ligne') else ''} pour la convention « {context.convention_label} »"
        if k in context.known_elsewhere:
            reason += " (code d'une autre convention)"
        context.log.add(name, cell, k, reason)
    elif wanted is not None:
        context.log.add(name, cell, k, f"ligne déplacée ou code modifié : « {wanted} » attendu ici")
    else:
        context.log.add(name, cell, k, "ligne déplacée : ne pas insérer ni déplacer de lignes")


def _content_outside(grid: Grid, sheet: Sheet, log: ProblemLog) -> None:
    """Content to the right of the table, and content beyond the part of the sheet that is read."""
    for r, c, content in grid.rows_of(HEADER_ROW + 1, len(sheet.columns) + 1):
        log.add(sheet.name, coordinate(r, c), content.content, "contenu hors du tableau : à supprimer")
    for where, _r, c, content in grid.outside:
        below = c <= grid.window.cols
        reason = "contenu sous le tableau, loin de ses lignes : à supprimer" if below else "contenu hors du tableau : à supprimer"
        log.add(sheet.name, where, content.content, reason)
    log.count(grid.outside_count - len(grid.outside))
