"""Eligibility of the France Travail spending to State funding, line by line of the expense statement.

The « État des dépenses » (annexe 3 of the convention, l. 9766-9951) is read by
:mod:`analysis.workbooks` as it is filled (:attr:`analysis.Execution.expenses`); whether each line may be
funded by the State is a rule of the convention, applied here, and :func:`analysis.assess` applies it by
default:

- **category** (art. 4.2, l. 5901-5927): overheads, mission costs, outsourced evaluation, training or
  project management, and investment other than IT developments are not eligible (reason 'art_4_2');
- **dates** (l. 5765-5769): only spending within the convention's period (1/1-31/12/2024) is eligible; an
  expense whose period runs past it is eligible for the share of its days inside it (H41, ``straddling``
  'prorata'), not at all ('exclue') or in full ('incluse'); an expense dated outside entirely is not
  eligible (reason 'hors_periode').
"""

from __future__ import annotations

import datetime

import pandas as pd

from analysis.domain import EXPENSE_CATEGORIES, FT
from analysis.money import ZERO, cents
from analysis.workbooks.expenses import EXPENSE_COLUMNS

#: Readings of an expense whose period straddles the convention's (H41).
STRADDLING = ("prorata", "exclue", "incluse")
#: Columns of :func:`expense_eligibility`.
ELIGIBILITY_COLUMNS = [
    *EXPENSE_COLUMNS[:-1], "category_eligible", "days", "days_in_period", "eligible_eur", "ineligible_eur", "reason",
    "eligibility", "source",
]
#: Columns of :func:`ineligible_of`: what the France Travail settlement deducts.
INELIGIBLE_COLUMNS = ["action", "amount_eur", "reason"]


def _days_inside(start: datetime.date, end, first: datetime.date, last: datetime.date) -> tuple[int, int]:
    """(days of the expense, days of it between ``first`` and ``last``); a single date counts one day."""
    end = end or start
    days = (end - start).days + 1
    inside = (min(end, last) - max(start, first)).days + 1
    return days, max(inside, 0)


def _line_eligibility(category, amount, days: int, inside: int, straddling: str) -> tuple:
    """(eligible, ineligible, reason) of one line (H41 for a period straddling the convention's)."""
    if not EXPENSE_CATEGORIES[category][0]:
        return ZERO, amount, "art_4_2"
    if inside == days:
        return amount, ZERO, None
    if inside == 0 or straddling == "exclue":
        return ZERO, amount, "hors_periode"
    if straddling == "incluse":
        return amount, ZERO, None
    eligible = cents(amount * inside / days)
    return eligible, amount - eligible, "hors_periode"


def expense_eligibility(expenses: pd.DataFrame, straddling: str, first: datetime.date = FT.start,
                        last: datetime.date = FT.end) -> pd.DataFrame:
    """Each line of the statement with its eligible and ineligible amounts and the reason (:data:`ELIGIBILITY_COLUMNS`).

    Art. 4.2 categories first (the whole line), then the dates against ``first``-``last`` (the convention's
    period); ``straddling`` (H41) reads a period running past it.
    """
    if straddling not in STRADDLING:
        raise ValueError(f"lecture d'une période à cheval « {straddling} » inconnue (prorata, exclue ou incluse)")
    rows = []
    for record in expenses.to_dict("records"):
        days, inside = _days_inside(record["start"], None if pd.isna(record["end"]) else record["end"], first, last)
        eligible, ineligible, reason = _line_eligibility(record["category"], record["amount_eur"], days, inside, straddling)
        status = "eligible" if ineligible == 0 else "non_eligible" if eligible == 0 else "partiel"
        rows.append({**record, "category_eligible": EXPENSE_CATEGORIES[record["category"]][0], "days": days,
                     "days_in_period": inside, "eligible_eur": eligible, "ineligible_eur": ineligible, "reason": reason,
                     "eligibility": status})
    frame = pd.DataFrame(rows, columns=ELIGIBILITY_COLUMNS)
    return frame.astype({c: object for c in ("unit_cost", "amount_eur", "eligible_eur", "ineligible_eur", "start", "end")})


def statement_eligibility(execution, straddling: str) -> pd.DataFrame:
    """:func:`expense_eligibility` of the France Travail statement of ``execution`` (the convention's year)."""
    expenses = execution.expenses
    own = expenses[(expenses["convention"] == FT.code) & (expenses["year"] == FT.start.year)]
    return expense_eligibility(own, straddling)


def ineligible_of(lines: pd.DataFrame) -> pd.DataFrame:
    """The spending not eligible to State funding (:data:`INELIGIBLE_COLUMNS`), one row per line and reason."""
    lines = lines[lines["ineligible_eur"] > 0]
    frame = pd.DataFrame({"action": lines["action"].tolist(), "amount_eur": lines["ineligible_eur"].tolist(),
                          "reason": lines["reason"].tolist()}, columns=INELIGIBLE_COLUMNS)
    return frame.astype({"amount_eur": object})
