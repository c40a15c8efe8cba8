"""What the national view keeps of one département: a few tidy frames drawn from its assessment.

:func:`departement_results` assesses one contract against its execution (:func:`analysis.assessment.assess_with`,
the same rules as every page) and keeps what the roll-up needs, each frame with a ``departement`` column first:

- ``position``: the CLS over the period, per action, each euro once (:meth:`analysis.Assessment.position_over`);
- ``consumption``: the consumption rows of the period's years (CLS flags, France Travail rows);
- ``settlement``, ``cofinancing``: France Travail 2024 (empty when its final report is not in; the co-financing's
  ``departement`` amount is named ``departement_amount`` here);
- ``achievement``: targets and results of the period's years, every indicator counted once;
- ``planned``: the State credits the contract plans per convention, action and year (ERBM included, FIPE left
  out: H04, H05), whether or not a workbook came in;
- ``signed``: per CLS action, what the contract plans over the period by funder and the Département's share of it
  (article 2.2: at least 50 % of each action's credits, l. 348-350);
- ``workbooks``: the workbooks read;
- ``facts``: the contract's figures the rules read (the Département's minimum share of each CLS action);
- ``checks``: the reconciliation's counts per family and status (when asked).

A département without any workbook has a ``planned`` frame and empty others. The frames are plain data: they go
through the cache (:mod:`~analysis.rollup.store`) and come back equal.
"""

from __future__ import annotations

import pandas as pd

from analysis.assessment import PERIOD_COLUMNS, assess_with
from analysis.assessment.ledger import contract_state
from analysis.domain import CLS, FT
from analysis.money import ZERO

#: The frames of one département's results, in order.
RESULT_TABLES = ("position", "consumption", "settlement", "cofinancing", "achievement", "planned", "signed", "workbooks",
                 "facts", "checks")
PLANNED_COLUMNS = ["convention", "axis", "action", "year", "planned_state"]
SIGNED_COLUMNS = ["convention", "axis", "action", "state", "departement_amount", "autre", "departement_share"]
WORKBOOK_COLUMNS = ["file", "convention", "year", "template_version", "fictitious", "calculated"]
FACT_COLUMNS = ["cls_min_share", "fictitious"]
CHECK_COLUMNS = ["family", "status", "count"]


def in_period(frame: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """The rows of ``frame`` (columns ``convention``, ``year``) within the period: the CLS years from ``first``
    to ``last``, and France Travail 2024 when the period holds it."""
    years = frame["year"].astype(int)
    keep = years.between(first, last) & (frame["convention"].astype(str).isin([CLS.code, FT.code]))
    return frame[keep].reset_index(drop=True)


def planned_frame(contract, params) -> pd.DataFrame:
    """The State credits the contract plans (``contract_state``: per convention, action and year)."""
    planned, _outside = contract_state(contract, params)
    acts = contract.actions
    axis_of = {(str(c), a): str(x) for c, a, x in zip(acts["convention"], acts["action"], acts["axis"])}
    rows = [(c, axis_of.get((c, a)), a, y, amount) for (c, a, y), amount in sorted(planned.items())]
    frame = pd.DataFrame(rows, columns=PLANNED_COLUMNS)
    return frame.astype({"convention": "str", "axis": "str", "action": "str", "year": "int64", "planned_state": object})


def signed_frame(contract, first: int, last: int) -> pd.DataFrame:
    """Per CLS action, the amounts its fiche plans over ``first``-``last`` by funder (ERBM is State money, H04) and
    the Département's share of their total (None when nothing is planned)."""
    lines = contract.planned_budget(CLS.code)
    lines = lines[lines["year"].astype(int).between(first, last)]
    rows = []
    for (axis, action), own in lines.groupby(["axis", "action"], sort=False):
        parts = {f: sum(own.loc[own["funder"].astype(str) == f, "amount_eur"], ZERO) for f in ("etat", "departement", "autre")}
        whole = parts["etat"] + parts["departement"] + parts["autre"]
        share = float(parts["departement"] / whole) if whole > 0 else float("nan")
        rows.append((CLS.code, str(axis), action, parts["etat"], parts["departement"], parts["autre"], share))
    frame = pd.DataFrame(rows, columns=SIGNED_COLUMNS)
    return frame.astype({"convention": "str", "axis": "str", "action": "str", "state": object, "departement_amount": object,
                         "autre": object, "departement_share": "float64"})


def _tagged(code: str, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    out.insert(0, "departement", pd.array([code] * len(out), dtype="str"))
    return out


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def check_counts(checks: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation's checks counted per family and status (codes)."""
    counts = checks.groupby(["family", "status"], observed=True).size().reset_index(name="count")
    return counts.astype({"family": "str", "status": "str", "count": "int64"})


def departement_results(code: str, contract, execution, first: int, last: int, params, *, reconcile: bool = False) -> dict:
    """The frames of one département (see the module docstring); ``execution`` None when no workbook came in."""
    planned = planned_frame(contract, params)
    minimum = contract.rule_rate("cls_departement_min_share")
    if execution is None:
        tables = {"position": _empty(PERIOD_COLUMNS), "consumption": _empty(["convention", "year"]),
                  "settlement": _empty(["convention", "year"]), "cofinancing": _empty(["convention", "year"]),
                  "achievement": _empty(["convention", "year"]), "workbooks": _empty(WORKBOOK_COLUMNS),
                  "checks": _empty(CHECK_COLUMNS)}
        fictitious = False
    else:
        assessment = assess_with(contract, execution, params)
        workbooks = execution.workbooks[WORKBOOK_COLUMNS].astype({"convention": "str"})
        tables = {
            "position": assessment.position_over(first, last),
            "consumption": in_period(assessment.consumption, first, last),
            "settlement": in_period(assessment.settlement, first, last),
            "cofinancing": in_period(assessment.cofinancing, first, last).rename(columns={"departement": "departement_amount"}),
            "achievement": in_period(assessment.achievement, first, last),
            "workbooks": workbooks,
            "checks": _reconciled(contract, execution) if reconcile else _empty(CHECK_COLUMNS),
        }
        fictitious = assessment.fictitious
    tables["planned"] = planned
    tables["signed"] = signed_frame(contract, first, last)
    tables["facts"] = pd.DataFrame({"cls_min_share": pd.Series([minimum], dtype=object), "fictitious": [fictitious]})
    return {name: _tagged(code, tables[name]) for name in RESULT_TABLES}


def _reconciled(contract, execution) -> pd.DataFrame:
    from analysis.reconciliation import reconcile

    return check_counts(reconcile(contract, execution))
