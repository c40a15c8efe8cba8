"""Analytics kit for the CLS 2024-2027 and the France Travail 2024 convention (Pas-de-Calais).

Public API (imported lazily so that ``import analysis`` stays cheap):

- :func:`load_contract` — the contracts as tidy DataFrames; :func:`load_contracts` — one package per
  département (sub-folders), :func:`departements` — the 101 départements (INSEE codes);
- :class:`ContractDataError` — raised, in French, when the raw tables are invalid;
- :func:`reconcile` — every figure checked against the others (one row per check);
- :func:`assess` — the execution assessed by each contract's own rules (:class:`Assessment`);
- :class:`Scenario` — what-if overrides of the execution, run by :func:`analysis.scenarios.run` (same rules);
- :func:`format_eur` — French money formatting (1 234 567,00 €);
- :func:`national` — many départements rolled up per département, region and nation (:class:`NationalView`);
  :func:`national_from_folder` — the same from a folder of packages and workbooks, through a cache;
  :func:`write_national_set` — the FICTITIOUS national set of 101 départements (``make national``).
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "load_contract": "analysis.loading",
    "load_contracts": "analysis.loading",
    "departements": "analysis.reference",
    "write_contract_package": "analysis.package",
    "export_contract_template": "analysis.workbooks",
    "export_contract_workbook": "analysis.workbooks",
    "read_contract_workbook": "analysis.workbooks",
    "ContractWorkbookError": "analysis.workbooks",
    "Contract": "analysis.loading",
    "ContractDataError": "analysis.validation",
    "format_eur": "analysis.formatting",
    "format_number": "analysis.formatting",
    "reconcile": "analysis.reconciliation",
    "assess": "analysis.assessment",
    "Assessment": "analysis.assessment",
    "Scenario": "analysis.scenarios",
    "ScenarioError": "analysis.scenarios",
    "export_template": "analysis.workbooks",
    "fill_template": "analysis.workbooks",
    "read_execution": "analysis.workbooks",
    "template_layout": "analysis.workbooks",
    "Execution": "analysis.workbooks",
    "WorkbookError": "analysis.workbooks",
    "WorkbookProblem": "analysis.workbooks",
    "WorkbookWarning": "analysis.workbooks",
    "load_execution": "analysis.workbooks",
    "load_executions": "analysis.workbooks",
    "load_executions_by_departement": "analysis.workbooks",
    "DepartementExecutions": "analysis.workbooks",
    "write_examples": "analysis.example",
    "national": "analysis.rollup.view",
    "NationalView": "analysis.rollup.view",
    "national_from_folder": "analysis.rollup.folder",
    "write_national_set": "analysis.synthetic",
    "write_tables": "analysis.xlsx",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
