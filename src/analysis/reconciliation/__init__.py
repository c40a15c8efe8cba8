"""Reconciliation: every printed figure checked against the others, with the gap in euros.

``reconcile(contract)`` returns one row per check (see :data:`CHECK_COLUMNS`). Each family of checks
is a small function taking the :class:`~analysis.loading.Contract` and returning check rows; they
never alter the figures. Status is 'ok', 'ecart' (the figures disagree) or 'non_verifiable' (one side
is not printed). Explanations are in French: they are read by analysts. The checks hold codes and exact
amounts; :mod:`analysis.display` writes them for reading (:func:`analysis.display.checks`,
:func:`~analysis.display.check_counts`, :func:`~analysis.display.describe`,
:func:`~analysis.display.export_reconciliation`).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.reconciliation.base import (
    CHECK_COLUMNS,
    FAMILIES,
    SEVERITIES,
    STATUSES,
    Scope,
    as_frame,
    money_check,
)
from analysis.reconciliation.coverage import (
    check_action_coverage,
    check_sub_action_dates,
    check_year_coverage,
)
from analysis.reconciliation.cross import (
    check_cls_execution_vs_2025,
    check_cls_fiche_vs_annex,
    check_cls_text_vs_tables,
    check_ft_tables,
    check_ft_text_vs_tables,
    check_prose_vs_prose,
)
from analysis.reconciliation.execution import EXECUTION_CHECKS
from analysis.reconciliation.facts import Choices, Facts
from analysis.reconciliation.formulas import check_header_formulas
from analysis.reconciliation.indicators import (
    check_financing_plan_deltas,
    check_ft_indicators_vs_financing_plan,
    check_ft_places_vs_sub_actions,
    check_national_indicators,
    check_sub_action_volumes,
)
from analysis.reconciliation.rules import (
    check_cls_department_share,
    check_ft_advance_and_revenue,
    check_ft_cofinancing,
)
from analysis.reconciliation.sums import (
    check_annex_subtotals,
    check_fiche_column_totals,
    check_fiche_row_totals,
    check_financing_plan,
    check_ft_plan_total,
    check_sub_actions,
    check_text_sums,
)

__all__ = [
    "CHECK_COLUMNS",
    "CHECKS",
    "EXECUTION_CHECKS",
    "FAMILIES",
    "SEVERITIES",
    "STATUSES",
    "Choices",
    "Facts",
    "Scope",
    "as_frame",
    "findings",
    "money_check",
    "reconcile",
]

CHECKS = [
    check_fiche_row_totals,
    check_fiche_column_totals,
    check_annex_subtotals,
    check_ft_plan_total,
    check_financing_plan,
    check_sub_actions,
    check_text_sums,
    check_header_formulas,
    check_cls_fiche_vs_annex,
    check_cls_execution_vs_2025,
    check_cls_text_vs_tables,
    check_ft_tables,
    check_ft_text_vs_tables,
    check_prose_vs_prose,
    check_cls_department_share,
    check_ft_cofinancing,
    check_ft_advance_and_revenue,
    check_national_indicators,
    check_ft_indicators_vs_financing_plan,
    check_ft_places_vs_sub_actions,
    check_sub_action_volumes,
    check_financing_plan_deltas,
    check_year_coverage,
    check_action_coverage,
    check_sub_action_dates,
]


def reconcile(contract, execution=None, checks=None) -> pd.DataFrame:
    """Run every check family on ``contract``; one row per check, in a stable order.

    With ``execution`` (an :class:`analysis.workbooks.Execution`, e.g. from ``analysis.load_execution()``),
    the 'execution' family also checks the reported figures: unconsumed credits as paid minus executed,
    executed totals, carry-overs, and credits paid against the contract.

    The contract's tables are turned into indexed records once (:class:`Facts`) and shared by every
    check; the analysis choices come from the assumptions register (:class:`Choices`).
    """
    facts = Facts.of(contract)
    rows = []
    for check in checks or CHECKS:
        rows.extend(check(facts))
    if execution is not None:
        for check in EXECUTION_CHECKS:
            rows.extend(check(facts, execution))
    seen, duplicated = set(), set()
    for row in rows:
        (duplicated if row["check_id"] in seen else seen).add(row["check_id"])
    if duplicated:
        raise RuntimeError(f"check_id en double : {sorted(duplicated)}")
    return as_frame(rows)


def findings(checks: pd.DataFrame) -> pd.DataFrame:
    """The checks that are not 'ok', largest gap in euros first."""
    out = checks[checks["status"] != "ok"].copy()
    out["_abs"] = [abs(g) if g is not None else Decimal(-1) for g in out["gap_eur"]]
    return out.sort_values(["_abs", "check_id"], ascending=[False, True]).drop(columns="_abs").reset_index(drop=True)
