"""CLS State credits over a period (a year, 2024-2025, 2024-2027) without counting a euro twice.

A year's credits available are its own credits (paid or notified, H20) plus what the year before carried
in (the contract's column I = F + H, l. 5013-5045). Over a period, a carry-over from one year of the period
to the next is the same euro twice: it is counted once, at the period's start. So, per action:

- ``available`` = the own credits of every reported year + the carry-over received at the period's start
  (and from a year of the contract outside the reported years, which no other year of the period counts);
- ``unconsumed`` = ``available`` − ``executed`` (never negative);
- ``amount_at_risk`` + ``amount_under_review`` ≤ ``unconsumed``: each year's amounts are summed, then capped
  by what is left unconsumed over the period, the amount exposed first (H45): a euro exposed in 2024 and
  carried into 2025, where it is under review again, is one euro at stake, not two.

An action-year that is not reported (no row, or no amount executed) is never a figure: the period runs over
the reported years only, ``reported_years`` and ``missing_years`` say which, and ``complete`` is False.
"""

from __future__ import annotations

import pandas as pd

from analysis.domain import CLS
from analysis.money import ZERO, is_missing, total

#: Columns of :func:`period_position`.
PERIOD_COLUMNS = [
    "convention", "axis", "action", "first", "last", "reported_years", "missing_years", "complete", "own_credits",
    "carried_in_start", "available_state", "executed_state", "unconsumed_state", "rate", "amount_at_risk",
    "amount_under_review", "amount_at_risk_years", "amount_under_review_years", "executed_departement",
    "departement_share",
]


def _action_position(rows: pd.DataFrame, years: list[int], cap: str) -> dict:
    reported = rows[rows["executed_state"].notna()].sort_values("year")
    done = [int(y) for y in reported["year"]]
    own = total(a - (ZERO if is_missing(c) else c) for a, c in zip(reported["available_state"], reported["carried_in_state"]))
    carried = total(c for y, c in zip(done, reported["carried_in_state"]) if y - 1 not in done and not is_missing(c))
    available, executed = own + carried, total(reported["executed_state"])
    unconsumed = max(available - executed, ZERO)
    at_risk_years, review_years = total(reported["amount_at_risk"]), total(reported["amount_under_review"])
    at_risk = min(at_risk_years, unconsumed) if cap == "plafond_non_consomme" else at_risk_years
    review = min(review_years, unconsumed - at_risk) if cap == "plafond_non_consomme" else review_years
    departement = total(reported["executed_departement"]) if reported["executed_departement"].notna().any() else None
    spent = executed + (departement or ZERO) + total(reported.get("executed_autre", pd.Series(dtype=object)))
    return {
        "reported_years": tuple(done), "missing_years": tuple(y for y in years if y not in done),
        "complete": bool(done) and len(done) == len(years), "own_credits": own, "carried_in_start": carried,
        "available_state": available if done else None, "executed_state": executed if done else None,
        "unconsumed_state": unconsumed if done else None,
        "rate": float(executed / available) if done and available > 0 else float("nan"),
        "amount_at_risk": at_risk, "amount_under_review": review, "amount_at_risk_years": at_risk_years,
        "amount_under_review_years": review_years, "executed_departement": departement,
        "departement_share": float(departement / spent) if departement is not None and spent > 0 else float("nan"),
    }


def period_position(consumption: pd.DataFrame, first: int, last: int, cap: str = "plafond_non_consomme") -> pd.DataFrame:
    """Per CLS action, its State credits over ``first``-``last`` (:data:`PERIOD_COLUMNS`), each euro once.

    ``consumption`` is :attr:`analysis.Assessment.consumption` (or a scenario's); ``cap`` (H45) caps the
    amounts exposed and under review by what is unconsumed over the period ('plafond_non_consomme'), or
    keeps the sum of the years ('somme_des_annees').
    """
    years = list(range(int(first), int(last) + 1))
    cls = consumption[(consumption["convention"] == CLS.code) & consumption["year"].isin(years)]
    rows = []
    for (axis, action), own in cls.groupby(["axis", "action"], sort=False, observed=True):
        rows.append({"convention": CLS.code, "axis": axis, "action": action, "first": int(first), "last": int(last),
                     **_action_position(own, years, cap)})
    frame = pd.DataFrame(rows, columns=PERIOD_COLUMNS)
    money = ["own_credits", "carried_in_start", "available_state", "executed_state", "unconsumed_state", "amount_at_risk",
             "amount_under_review", "amount_at_risk_years", "amount_under_review_years", "executed_departement"]
    return frame.astype({c: object for c in money})
