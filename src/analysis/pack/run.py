"""From the inputs to the files: what notebooks 05 and 06 (and ``python -m analysis report``) run.

:func:`load_inputs` reads the contract and the execution workbooks (the embedded fictitious example by
default, or the analyst's folders and files) and rejects bad input with the reader's French error before
anything is computed. :func:`mid_term` and :func:`ft_final` assess the execution by each contract's rules,
build the pack, write it under the output folder with its figures (PNG and SVG) and its printed report
(``<pack>.html``, :mod:`analysis.pack.printed`, which ``python -m analysis report`` prints to PDF), and return
what the notebook shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt

from analysis import display
from analysis.assessment import assess
from analysis.charts import (
    plot_cls_execution,
    plot_consumption,
    plot_ft_eligibility,
    plot_indicators,
    plot_settlement,
    save_figure,
)
from analysis.domain import CLS, PROCESSED_DIR
from analysis.loading import load_contract
from analysis.pack.base import Pack, write_pack
from analysis.pack.cls import mid_term_pack
from analysis.pack.ft import ft_final_pack
from analysis.pack.printed import write_pack_html
from analysis.reconciliation import reconcile
from analysis.workbooks import Execution, load_executions


@dataclass(frozen=True)
class Inputs:
    """The contract, the execution read, and where it came from (``None``: the embedded example)."""

    contract: object
    execution: Execution
    paths: tuple


@dataclass(frozen=True)
class Result:
    """What a pack run produced: the pack, the assessment it rests on, the files written, the figures."""

    pack: Pack
    assessment: object
    inputs: Inputs
    files: tuple
    figures: dict


def load_inputs(paths=None, contract=None) -> Inputs:
    """The contract and the execution of ``paths`` (folders or ``.xlsx`` files; None or empty: the example),
    read by :func:`analysis.load_executions` (one French error for every workbook rejected; nothing loaded)."""
    contract = contract if contract is not None else load_contract()
    paths = tuple(str(p) for p in ([paths] if isinstance(paths, (str, Path)) else (paths or ())))
    return Inputs(contract, load_executions(contract, paths), paths)


def _assess(inputs: Inputs, params: dict):
    return assess(inputs.contract, inputs.execution, **params), reconcile(inputs.contract, inputs.execution)


def mid_term(execution=None, first: int = 2024, last: int = 2025, out=None, **params) -> Result:
    """The CLS execution report over ``first``-``last`` written under ``out`` (default ``data/processed``).

    ``params`` go to :func:`analysis.assess` (``threshold``, ``tolerance``, ``near_band`` …).
    """
    inputs = load_inputs(execution)
    assessment, checks = _assess(inputs, dict(params))
    pack = mid_term_pack(inputs.contract, inputs.execution, assessment, checks, first, last)
    out = Path(out) if out is not None else PROCESSED_DIR
    figures = {
        f"cls_execution_par_action_{first}-{last}":
            plot_cls_execution(assessment, pack.summary["years"]),
        f"cls_consommation_{first}-{last}": plot_consumption(assessment, CLS.code),
        f"cls_indicateurs_nationaux_{first}-{last}": plot_indicators(assessment, CLS.code),
    }
    files = (write_pack(pack, out), *_save_all(figures, out / "figures"))
    files += (write_pack_html(pack, out, [p for p in files if p.suffix == ".svg"]),)
    return Result(pack, assessment, inputs, files, dict(zip(("execution", "consumption", "national"), figures.values())))


def _save_all(figures: dict, folder: Path) -> list[Path]:
    """Save each figure as PNG and SVG under ``folder`` and close it (the notebook shows it on demand)."""
    written = []
    for name, fig in figures.items():
        written += save_figure(fig, name, folder)
        plt.close(fig)
    return written


def ft_final(execution=None, out=None, **params) -> Result:
    """The France Travail final report (2024) written under ``out`` (default ``data/processed``).

    ``params`` go to :func:`analysis.assess` (``ft_state_share``, ``straddling`` …).
    """
    inputs = load_inputs(execution)
    assessment, checks = _assess(inputs, dict(params))
    pack = ft_final_pack(inputs.contract, inputs.execution, assessment, checks)
    out = Path(out) if out is not None else PROCESSED_DIR
    figures = {"ft_eligibilite_des_depenses_2024": plot_ft_eligibility(assessment),
               "ft_solde_2024": plot_settlement(assessment)}
    files = (write_pack(pack, out), *_save_all(figures, out / "figures"))
    files += (write_pack_html(pack, out, [p for p in files if p.suffix == ".svg"]),)
    return Result(pack, assessment, inputs, files, dict(zip(("eligibility", "settlement"), figures.values())))


def inputs_note(result: Result) -> str:
    """In French Markdown: which workbooks were read, whether they are fictitious, and the files skipped."""
    return display.inputs_note(result.inputs.execution, result.inputs.paths)


def tables(result: Result, prefix: str) -> list:
    """The pack's tables whose sheet name starts with ``prefix`` (e.g. 'Annexe 11'), in sheet order."""
    return [t for t in result.pack.tables if t.sheet.startswith(prefix)]
