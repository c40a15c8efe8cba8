"""Execution workbooks: the Excel template analysts fill in, and the strict reader that loads it back.

``export_template(contract, convention, year, path)`` writes a French ``.xlsx`` pre-filled with what the
contract planned for that year, with four visible sheets (« Lisez-moi », « Exécution financière »,
« Indicateurs », « Avenant ») and a hidden sheet « _modele » that records the template, its version, the
convention and the year. Input cells are unlocked (yellow); everything else is locked (sheet protection
*without password*: it prevents mistakes, it is not a security measure). Derived columns and sub-totals
are formulas; amounts carry the euro format ``# ##0,00 €``. Saving goes through :mod:`analysis.xlsx`
(byte-identical on rerun, atomic).

``read_execution(path, contract)`` loads a filled workbook into the contract's tidy frames (see
:class:`Execution`). It never trusts the values a spreadsheet program cached for formulas: it recomputes
every derived column and sub-total itself and reports disagreements as warnings. Any bad input rejects
the whole workbook with :class:`WorkbookError`, which lists the problems at once (the first 200, then how
many more), in French, with sheet, cell, value and reason; nothing is loaded in that case. The file is
treated as hostile: checked before it is parsed, read once within bounds, never a formula taken from text
(see :mod:`~analysis.workbooks.archive`). ``load_execution(contract, path)`` reads every workbook of a
folder (by default the fictitious examples of ``data/examples``); files it skips are reported as
:class:`WorkbookWarning`.

The layout (which cell holds what) is computed once by the same code for writing and for reading, so
the two can never drift apart: see :func:`template_layout`.

Modules:

- :mod:`~analysis.workbooks.layout` — the template's layout (sheets, columns, rows, formulas);
- :mod:`~analysis.workbooks.writer` — writing and filling the template;
- :mod:`~analysis.workbooks.parsing` — parsing the values typed in input cells, quoting values;
- :mod:`~analysis.workbooks.archive` — the file's kind and the zip archive's bounds checked before any
  parsing, safe streaming XML, the workbook's own parts (sheets, texts, number formats);
- :mod:`~analysis.workbooks.grid` — one sheet read once, in streaming, keeping the table's range;
- :mod:`~analysis.workbooks.structure` — structure checks: sheets, metadata, headers, merged cells, row
  alignment, content beyond the table;
- :mod:`~analysis.workbooks.cells` — the cells of a data sheet: inputs parsed, locked cells and
  formulas compared, consistency of the amounts;
- :mod:`~analysis.workbooks.frames` — :class:`Execution` and the pure function building its frames;
- :mod:`~analysis.workbooks.reader` — :func:`read_execution`, the three steps above in order;
- :mod:`~analysis.workbooks.folder` — :func:`load_execution`, every workbook of a folder;
- :mod:`~analysis.workbooks.departements` — :func:`load_executions_by_departement`, one sub-folder per
  département;
- :mod:`~analysis.workbooks.errors` — the problems reported and the error raised.

The contract workbook (issue 17: a département's contract typed in the national template) reuses the same
machinery: :mod:`~analysis.workbooks.contract_layout` (its sheets), :mod:`~analysis.workbooks.contract_writer`
(:func:`export_contract_template`, :func:`export_contract_workbook`), :mod:`~analysis.workbooks.contract_entries`
(a contract as the entries of its workbook), :mod:`~analysis.workbooks.contract_reader`
(:func:`read_contract_workbook`) and :mod:`~analysis.workbooks.contract_tables` (its lines into the contract's
tables, validated by the strict loader's rules).
"""

from analysis.workbooks.cells import CROSS_CHECKED
from analysis.workbooks.contract_reader import ContractWorkbookError, read_contract_workbook
from analysis.workbooks.contract_writer import export_contract_template, export_contract_workbook
from analysis.workbooks.departements import DepartementExecutions, load_executions_by_departement
from analysis.workbooks.errors import WorkbookError, WorkbookProblem, WorkbookWarning
from analysis.workbooks.folder import load_execution, load_executions
from analysis.workbooks.frames import WORKBOOK_TABLE, Execution
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
    Column,
    Row,
    Sheet,
    Template,
    planned_years,
    template_layout,
)
from analysis.workbooks.parsing import parse_text_number
from analysis.workbooks.reader import read_execution
from analysis.workbooks.writer import execution_entries, export_template, fill_template

__all__ = [
    "CROSS_CHECKED",
    "FORMULA_KINDS",
    "GAP_REASONS",
    "HEADER_ROW",
    "INPUT_KINDS",
    "MONEY_KINDS",
    "REQUIRED_SHEETS",
    "SHEET_AMENDMENT",
    "SHEET_FINANCE",
    "SHEET_INDICATORS",
    "SHEET_META",
    "SHEET_README",
    "SUMMED_KINDS",
    "TEMPLATE_ID",
    "TEMPLATE_VERSION",
    "WORKBOOK_TABLE",
    "Column",
    "ContractWorkbookError",
    "DepartementExecutions",
    "Execution",
    "Row",
    "Sheet",
    "Template",
    "WorkbookError",
    "WorkbookProblem",
    "WorkbookWarning",
    "execution_entries",
    "export_contract_template",
    "export_contract_workbook",
    "export_template",
    "fill_template",
    "load_execution",
    "load_executions",
    "load_executions_by_departement",
    "parse_text_number",
    "planned_years",
    "read_contract_workbook",
    "read_execution",
    "template_layout",
]
