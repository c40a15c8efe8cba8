"""A pack: its tables (one sheet each, French headers, titles above, notes below) and its Excel export.

The export goes through :func:`analysis.xlsx.write_tables` (the one Excel writer: text never a formula,
atomic, byte-identical on rerun) with the print setup an evaluator needs: landscape, fitted to the page
width, title and header rows repeated on every page, euro and percent formats, frozen headers, sub-totals
and totals in bold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.xlsx import column_letter, header_row, write_tables

#: Column of a table frame telling the export which rows are sub-totals or totals (never written).
ROW_TYPE = "row_type"
#: The columns that identify a row of a table (repeated by a printed page or a column block of a wide table).
KEY_COLUMNS = ("Axe", "Volet", "Axes de la contractualisation", "Action", "Fiche action N°", "Fiche action",
               "Intitulé de l'action", "Année", "Identifiant", "N° de ligne", "Ligne", "Hypothèse")
#: Numeric columns that hold years or line numbers (written ``2024``, never ``2 024``).
IDENTIFIER_COLUMNS = ("Année", "N° de ligne", "Ligne", "Exercice")
#: The notice every table of a pack built on the fictitious example carries.
FICTITIOUS_NOTICE = ("DONNÉES FICTIVES — bilan produit sur l'exemple généré par analysis.example : aucun chiffre "
                     "d'exécution de ce classeur n'est réel.")


@dataclass(frozen=True)
class Table:
    """One sheet of a pack: ``frame`` (French headers; money as Decimal, rates as fractions), the lines
    written above it (``titles``) and below it (``notes``), and which columns are money or rates."""

    sheet: str
    frame: pd.DataFrame
    titles: tuple = ()
    notes: tuple = ()
    money: tuple = ()
    percent: tuple = ()
    #: Rate columns read against a threshold: two decimals (the Département's share against 50 %).
    shares: tuple = ()

    @property
    def shown(self) -> pd.DataFrame:
        """The frame as written (without the row-type column)."""
        return self.frame.drop(columns=[ROW_TYPE], errors="ignore")

    @property
    def bold_rows(self) -> list[int]:
        if ROW_TYPE not in self.frame.columns:
            return []
        return [i for i, kind in enumerate(self.frame[ROW_TYPE]) if kind in ("subtotal", "total", "heading")]


@dataclass(frozen=True)
class Pack:
    """A report pack: its file name under the output folder, its title and its tables, in sheet order."""

    file_name: str
    title: str
    tables: tuple
    fictitious: bool
    summary: dict = field(default_factory=dict)

    def table(self, sheet: str) -> Table:
        for table in self.tables:
            if table.sheet == sheet:
                return table
        raise KeyError(f"feuille « {sheet} » absente du bilan")

    def cell(self, sheet: str, column: str, where: dict) -> str:
        """The cell (``'F7'``) of ``column`` on the row of ``sheet`` whose columns hold the values of ``where``."""
        table = self.table(sheet)
        shown = table.shown
        mask = pd.Series(True, index=shown.index)
        for key, value in where.items():
            mask &= shown[key].astype(str) == str(value)
        rows = list(mask[mask].index)
        if len(rows) != 1:
            raise KeyError(f"{sheet} : {len(rows)} lignes pour {where}")
        position = list(shown.index).index(rows[0])
        return f"{column_letter(list(shown.columns).index(column) + 1)}{header_row(self.titles_of(table)) + 1 + position}"

    def titles_of(self, table: Table) -> tuple:
        notice = (FICTITIOUS_NOTICE,) if self.fictitious else ()
        return (self.title, *table.titles, *notice)


def money_columns(frame: pd.DataFrame) -> tuple:
    """The columns of ``frame`` holding an exact amount (a Decimal): written with the euro format."""
    from decimal import Decimal

    return tuple(c for c in frame.columns if any(isinstance(v, Decimal) for v in frame[c]))


def write_pack(pack: Pack, folder) -> Path:
    """Write ``pack`` as ``folder/pack.file_name`` (one sheet per table); returns the path written."""
    tables = pack.tables
    money = sorted({c for t in tables for c in t.shown.columns if column_kind(t, c) == "money"})
    percent = sorted({c for t in tables for c in t.shown.columns if column_kind(t, c) == "percent"})
    shares = sorted({c for t in tables for c in t.shown.columns if column_kind(t, c) == "share"})
    return write_tables(
        {t.sheet: t.shown for t in tables}, Path(folder) / pack.file_name, money_columns=money, percent_columns=percent,
        share_columns=shares,
        titles={t.sheet: pack.titles_of(t) for t in tables}, notes={t.sheet: t.notes for t in tables},
        bold_rows={t.sheet: t.bold_rows for t in tables}, print_setup=True,
        repeat_columns={t.sheet: repeated_columns(t) for t in tables},
    )


#: Columns of a pack's sheet a notebook page leaves out: the spreadsheet keeps them (an evaluator may sort or
#: match on them), a reader knows an indicator by its label.
READER_HIDDEN = ("Identifiant",)


def repeated_columns(table: Table) -> int:
    """How many leading columns identify a row (axis, action, title…): the columns a printed page repeats when
    the table spans several pages wide. Counted up to the last identifying column before the first figure."""
    count = 0
    for position, column in enumerate(table.shown.columns, start=1):
        if column_kind(table, column) in ("money", "percent", "share", "number"):
            break
        if column in KEY_COLUMNS:
            count = position
    return count


def for_reading(table: Table) -> pd.DataFrame:
    """A table as a person reads it in a notebook: money as ``1 234,50 €``, rates as ``77,3 %``, numbers
    the French way, empty cells for what is not reported, no identifier column."""
    from analysis import display

    shown = table.shown.drop(columns=[c for c in READER_HIDDEN if c in table.shown.columns])
    write = {"percent": display.percent, "share": lambda v: display.percent(v, 2), "money": display.eur,
             "number": display.number, "identifier": display.identifier,
             "text": lambda v: "" if display.is_missing(v) else str(v)}
    for column in shown.columns:
        shown[column] = [write[column_kind(table, column)](v) for v in shown[column]]
    return shown


def column_kind(table: Table, column: str) -> str:
    """How a column of ``table`` reads: 'percent', 'share' (a percent with two decimals), 'money', 'number',
    'identifier' (a year, a line number: no thousands separator) or 'text'."""
    from decimal import Decimal

    values = table.frame[column]
    if column in table.shares:
        return "share"
    if column in table.percent:
        return "percent"
    if column in table.money or any(isinstance(v, Decimal) for v in values):
        return "money"
    if values.dtype.kind in "fi" or str(values.dtype) in ("Int64", "Float64"):
        return "identifier" if column in IDENTIFIER_COLUMNS else "number"
    return "text"
