"""Execution workbooks: the Excel template analysts fill in, and the strict reader that loads it back.

``export_template(contract, convention, year, path)`` writes a French ``.xlsx`` pre-filled with what the
contract planned for that year, with four visible sheets (« Lisez-moi », « Exécution financière »,
« Indicateurs », « Avenant ») and a hidden sheet « _modele » that records the template, its version, the
convention and the year. Input cells are unlocked (yellow); everything else is locked (sheet protection
*without password*: it prevents mistakes, it is not a security measure). Derived columns and sub-totals
are formulas; amounts carry the euro format ``# ##0,00 €``.

``read_execution(path, contract)`` loads a filled workbook into the contract's tidy frames (see
:class:`Execution`). It never trusts the values a spreadsheet program cached for formulas: it recomputes
every derived column and sub-total itself and reports disagreements as warnings. Any bad input rejects
the whole workbook with :class:`WorkbookError`, which lists every problem at once, in French, with
sheet, cell, value and reason; nothing is loaded in that case.

The layout (which cell holds what) is computed once by the same code for writing and for reading, so
the two can never drift apart: see :func:`template_layout`.

Modules:

- :mod:`~analysis.workbooks.layout` — the template's layout (sheets, columns, rows, formulas);
- :mod:`~analysis.workbooks.writer` — writing and filling the template;
- :mod:`~analysis.workbooks.parsing` — parsing the values typed in input cells;
- :mod:`~analysis.workbooks.reader` — reading and checking a filled workbook;
- :mod:`~analysis.workbooks.errors` — the problems reported and the error raised.
"""

from analysis.workbooks.errors import WorkbookError, WorkbookProblem
from analysis.workbooks.layout import (
    FORMULA_KINDS,
    GAP_REASONS,
    HEADER_ROW,
    INPUT_KINDS,
    MONEY_KINDS,
    REQUIRED_SHEETS,
    SHEET_AMENDMENT,
    SHEET_FINANCE,
    SHEET_INDICATORS,
    SHEET_META,
    SHEET_README,
    SUMMED_KINDS,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    ZERO,
    Column,
    Row,
    Sheet,
    Template,
    planned_years,
    template_layout,
)
from analysis.workbooks.parsing import CENT, _parse_text_number
from analysis.workbooks.reader import CROSS_CHECKED, WORKBOOK_TABLE, Execution, read_execution
from analysis.workbooks.writer import (
    FIXED_TIMESTAMP,
    MONEY_FORMAT,
    NUMBER_FORMAT,
    RATE_FORMAT,
    TEXT_FORMAT,
    execution_entries,
    export_template,
    fill_template,
)

__all__ = [
    "Execution",
    "execution_entries",
    "planned_years",
    "WorkbookError",
    "WorkbookProblem",
    "export_template",
    "fill_template",
    "read_execution",
    "template_layout",
    "GAP_REASONS",
    "TEMPLATE_VERSION",
]
