"""Reading a contract workbook back into a contract (issue 17), with the execution workbook's strictness.

The file goes through the execution workbook's reader machinery, nothing else: :func:`~analysis.workbooks.
archive.open_book` (the file's kind, the zip archive's bounds, no DOCTYPE nor entity, at most 50 000 cells and
250 000 XML elements, H32-H33), :func:`~analysis.workbooks.grid.read_grid` (each sheet read once, in streaming,
keeping the table's range), :mod:`~analysis.workbooks.structure` (merged cells, headers, rows aligned on the
template's numbered lines, content beyond the table) and :func:`~analysis.workbooks.parsing.parse_input`
(a formula or a text that would become one refused in any input cell, numbers and amounts bounded, French
numbers accepted, percentages in points, H30, H34). Then:

- each filled line is checked (required cells, codes, duplicates, references to the « Actions » sheet or to
  an indicator, required rules, France Travail ceilings) and named by its cell;
- the tables are built and validated by the strict loader's own rules (:func:`analysis.validation.load_rows`,
  with the descriptor :func:`analysis.package.package_descriptor` writes), each problem named by its cell.

Any problem rejects the workbook: one :class:`ContractWorkbookError` lists them all (sheet, cell, value,
reason, in French; the first 200, H31) and nothing is loaded.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.domain import CLS, FT
from analysis.reference import departement_problem
from analysis.workbooks.archive import Book, open_book
from analysis.workbooks.contract_layout import (
    CONTRACT_TEMPLATE_ID,
    CONTRACT_TEMPLATE_VERSION,
    SHEET_META,
    SHEET_NATIONAL,
    SHEET_RULES,
    SHEET_VOLETS,
    UNIT_CHOICES,
    ContractTemplate,
    build_contract_template,
    parse_models,
)
from analysis.workbooks.errors import ProblemLog, WorkbookError
from analysis.workbooks.grid import Grid, Window, coordinate, read_grid
from analysis.workbooks.layout import Sheet
from analysis.workbooks.parsing import CellError, parse_input
from analysis.workbooks.structure import align_rows, check_headers, check_merged, key_text, norm_text, sheet_window
from analysis.xlsx import column_letter

#: What is read of the hidden metadata sheet.
META_WINDOW = Window(rows=50, cols=2, from_row=10**9)
#: The keys of a data sheet are checked by :func:`~analysis.workbooks.structure.align_rows` without a contract:
#: no code of another contract to point at.
_NO_CONTRACT = types.SimpleNamespace(actions=pd.DataFrame({"action": []}), indicators=pd.DataFrame({"indicator_id": []}))


class ContractWorkbookError(WorkbookError):
    """Raised when a contract workbook is rejected; ``.problems`` lists the problems, in French."""

    def __init__(self, problems, omitted: int = 0):
        super().__init__(problems, omitted)
        message = str(self).replace("Classeur d'exécution refusé", "Classeur du contrat refusé", 1)
        self.args = (message,)


@dataclass(frozen=True)
class Line:
    """One row of a data sheet as read: the template's row ``key``, its sheet ``row`` number, the parsed value
    of each input cell (None when blank) and the column letter of each field."""

    sheet: str
    key: str
    row: int
    values: dict
    letters: dict = field(repr=False)
    #: The fields whose cell could not be read (already a problem: never reported again as missing).
    failed: frozenset = frozenset()

    def cell(self, field_name: str) -> str:
        return f"{self.letters[field_name]}{self.row}"

    @property
    def filled(self) -> bool:
        return any(v is not None for v in self.values.values())


# --------------------------------------------------------------------------------------------------
# The hidden metadata sheet: template, version, département, models
# --------------------------------------------------------------------------------------------------


def _meta(book: Book, log: ProblemLog) -> dict:
    if SHEET_META not in book.sheetnames:
        log.fatal(SHEET_META, None, None, "feuille masquée des métadonnées absente : ce classeur n'est pas un classeur du "
                                          "contrat produit par le projet (analysis.export_contract_template)")
    grid = read_grid(book, SHEET_META, META_WINDOW, log)
    return {norm_text(content.content): (grid.value(r, 2), coordinate(r, 2)) for r, c, content in grid.rows_of(1) if c == 1}


def read_template(book: Book, log: ProblemLog) -> ContractTemplate:
    """The workbook's template, from its hidden sheet; rejects the workbook when it cannot be known."""
    meta = _meta(book, log)

    def value(key: str):
        if key not in meta:
            log.fatal(SHEET_META, None, None, f"métadonnée « {key} » absente : le classeur ne provient pas du modèle")
        return meta[key]

    ident, cell = value("modele")
    if norm_text(ident) != CONTRACT_TEMPLATE_ID:
        log.fatal(SHEET_META, cell, ident, "ce classeur n'est pas un classeur du contrat produit par le projet")
    version, cell = value("version")
    if key_text(version) != CONTRACT_TEMPLATE_VERSION:
        log.fatal(SHEET_META, cell, key_text(version), f"version du modèle non prise en charge (attendue : "
                                                       f"{CONTRACT_TEMPLATE_VERSION}) : repartir d'un modèle à jour")
    code, cell = value("departement")
    code = key_text(code) if isinstance(code, str) else code
    reason = departement_problem(code)
    if reason is not None:
        log.fatal(SHEET_META, cell, code, f"département du classeur refusé : {reason}")
    models, cell = value("modeles")
    try:
        models = parse_models(norm_text(models))
    except ValueError as exc:
        log.fatal(SHEET_META, cell, models, str(exc))
    return build_contract_template(models, code)


# --------------------------------------------------------------------------------------------------
# The data sheets
# --------------------------------------------------------------------------------------------------


def _unit_of(sheet: Sheet, row, values: dict):
    """The unit a number of the row is read in (percent points for a percentage unit, H34)."""
    if sheet.name == SHEET_NATIONAL:
        return row.values.get("unit")
    if sheet.name == SHEET_RULES:
        return UNIT_CHOICES.get(values.get("unit"))
    return values.get("unit")


def _parse_row(grid: Grid, sheet: Sheet, index: int, r: int, log: ProblemLog) -> tuple[dict, frozenset]:
    """The parsed input cells of one row (texts and choices first: a number is read in the row's unit) and the
    fields that could not be read; a locked cell that was changed is a problem."""
    row, values, failed = sheet.rows[index], {}, set()
    ordered = sorted(enumerate(sheet.columns, start=1), key=lambda jc: jc[1].kind in ("number", "money"))
    for j, column in ordered:
        cell = grid.cell(r, j)
        if not column.is_input:
            expected = row.values.get(column.field)
            if column.kind == "label" and norm_text(cell.content) != norm_text(expected):
                log.add(sheet.name, coordinate(r, j), cell.content, f"cellule verrouillée modifiée : « {expected} » attendu")
            continue
        try:
            values[column.field] = parse_input(column.kind, cell, _unit_of(sheet, row, values), column.choices)
        except CellError as exc:
            log.add(sheet.name, coordinate(r, j), cell.content, str(exc))
            failed.add(column.field)
        except (ArithmeticError, ValueError):
            log.add(sheet.name, coordinate(r, j), cell.content, "valeur illisible")
            failed.add(column.field)
        else:
            if isinstance(values[column.field], str):
                values[column.field] = values[column.field].strip() or None
    return values, frozenset(failed)


def _read_sheet(book: Book, sheet: Sheet, log: ProblemLog) -> list[Line] | None:
    """The lines of a data sheet; None when the sheet cannot be read (absent, columns shifted)."""
    if sheet.name not in book.sheetnames:
        log.add(sheet.name, None, None, "feuille absente : supprimée ou renommée (repartir d'un modèle à jour)")
        return None
    grid = read_grid(book, sheet.name, sheet_window(sheet), log)
    check_merged(grid, sheet, log)
    if not check_headers(grid, sheet, log):
        return None
    convention = FT.code if sheet.name == SHEET_VOLETS else CLS.code
    alignment = align_rows(grid, sheet, _NO_CONTRACT, convention, log)
    letters = {c.field: column_letter(j) for j, c in enumerate(sheet.columns, start=1)}
    lines = []
    for index, r in sorted(alignment.mapping.items()):
        values, failed = _parse_row(grid, sheet, index, r, log)
        lines.append(Line(sheet.name, sheet.rows[index].key, r, values, letters, failed))
    return lines


def _guarded(path: Path, log: ProblemLog, read: Callable[[Book], object]):
    """``read(book)`` on the workbook opened and checked; a problem rejects it, an unexpected error is named in
    French (never a traceback)."""
    try:
        with open_book(path, log) as book:
            return read(book)
    except WorkbookError:
        raise
    except Exception as exc:  # never a traceback for a bad file  # noqa: BLE001
        log.fatal(None, None, None, f"lecture impossible, erreur inattendue ({type(exc).__name__}) : signaler ce fichier "
                                    "aux mainteneurs du programme")


def read_sheets(path: Path, log: ProblemLog) -> tuple[ContractTemplate, dict[str, list[Line]]]:
    """The template of the workbook at ``path`` and the lines of each data sheet (every problem in ``log``)."""

    def read(book: Book):
        template = read_template(book, log)
        return template, {sheet.name: _read_sheet(book, sheet, log) for sheet in template.data_sheets}

    return _guarded(path, log, read)


def read_contract_workbook(path):
    """Read a contract workbook (:func:`~analysis.workbooks.contract_writer.export_contract_template` filled in, or
    :func:`~analysis.workbooks.contract_writer.export_contract_workbook`) into a :class:`analysis.Contract` of its
    département (``contract.departement``; ``contract.source_dir`` is the workbook's path). Raises
    :class:`ContractWorkbookError` listing every problem (sheet, cell, value, reason, in French); nothing is loaded
    then. See the module docstring."""
    from analysis.workbooks.contract_tables import contract_of_lines

    path = Path(path)
    log = ProblemLog(path.name)
    try:
        template, lines = read_sheets(path, log)
        if any(sheet_lines is None for sheet_lines in lines.values()):
            log.reject()  # a sheet that cannot be read: its lines would be reported missing
        contract = contract_of_lines(template, lines, path, log)
        if log:
            log.reject()
    except ContractWorkbookError:
        raise
    except WorkbookError as exc:
        raise ContractWorkbookError(exc.problems, exc.omitted) from None
    return contract
