"""Consumption of State credits per action and year, and the CLS flags with the money they expose.

Rules (source lines in ``../shared/source/deliberation-cp-2024-176.txt``):

- planned State credits: the latest avenant-notified amount, else the contract's forecast
  (CLS art. 2.2, l. 300-318); available = paid (or notified) + carried in (Annexe 3 2025, I = F + H,
  H20); France Travail: the amount allocated by art. 4.1 (H23);
- ``rate`` = State executed / available; ``expected_rate`` from :mod:`~analysis.assessment.expected`;
- flags, **CLS only** (art. 2.2, l. 331-335; France Travail has no n+1 reduction: its rows carry no flag
  and no exposure, the settlement does the rest): see :func:`classify`;
- exposure: the shortfall below the expected trajectory, at most the unconsumed credits (H21); a
  justification sends it to ``amount_under_review`` (the State judges whether it is *opérante*), no
  justification to ``amount_at_risk``, ``risk_kind`` 'reduction_n1' (applied in n+1);
- end of the CLS (2027): no carry-over beyond 31/12/2027 (art. 5, l. 476-492): every unconsumed euro is
  exposed to a claim for undue sums, ``risk_kind`` 'remboursement' (H22);
- co-financing on executed amounts, for information: the Département's share of what the action spent
  (CLS: at least 50 % of each action's credits, l. 348-350; ERBM counts as State money, H04).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.assessment.expected import apply_declared
from analysis.assessment.ledger import available_state, planned_state
from analysis.assessment.parameters import Parameters
from analysis.domain import ASSESSMENT_FLAG_SEVERITY, CLS, CONVENTIONS
from analysis.money import ZERO, add, cents
from analysis.money import is_missing as missing

#: Columns of the consumption frame, in order (see :class:`analysis.assessment.Assessment`).
CONSUMPTION_COLUMNS = [
    "convention", "axis", "action", "year", "planned_state", "planned_state_source", "planned_contract", "notified_state",
    "carried_in_state", "paid_state", "available_state", "executed_state", "unconsumed_state", "carried_out_state", "rate",
    "expected_rate", "expected_rate_source", "executed_departement", "executed_autre", "departement_share", "flag",
    "amount_at_risk",
    "amount_under_review", "risk_kind", "justification", "gap_reason",
]


def classify(rate, expected, justified: bool, threshold: float, tolerance: float) -> str:
    """The flag of one CLS action-year (codes of :data:`analysis.domain.ASSESSMENT_FLAGS`).

    With q = rate / expected: 'conforme' when q >= 1 - ``tolerance`` (H16); 'a_surveiller' when
    ``threshold`` (H15) <= q < 1 - tolerance; below ``threshold`` the under-consumption is manifest:
    'justification_a_apprecier' when a justification is given, else 'sous_consommation_manifeste';
    'non_renseigne' when the rate is unknown. Nothing expected (rate 0) is 'conforme'.
    """
    if missing(rate) or missing(expected):
        return "non_renseigne"
    if expected <= 0:
        return "conforme"
    q = rate / expected
    if q >= 1 - tolerance:
        return "conforme"
    if q >= threshold:
        return "a_surveiller"
    return "justification_a_apprecier" if justified else "sous_consommation_manifeste"


def severity(flag: str) -> int | None:
    """Rank of a flag (0 'conforme' … 3 'sous_consommation_manifeste'); None for 'non_renseigne'."""
    return ASSESSMENT_FLAG_SEVERITY.get(flag)


def shortfall(expected: float, available: Decimal, executed: Decimal, unconsumed: Decimal) -> Decimal:
    """Shortfall below the expected trajectory (expected x available - executed), between 0 and ``unconsumed``."""
    target = cents(Decimal(repr(float(expected))) * available)
    return min(max(target - executed, ZERO), unconsumed)


def exposure(flag: str, year: int, expected, available, executed, unconsumed, params: Parameters) -> tuple:
    """(amount_at_risk, amount_under_review, risk_kind) of one CLS action-year.

    In the contract's last year (2027), the claim for undue sums (H22): the unconsumed credits, or the
    shortfall; before, the n+1 reduction (H21): the shortfall (or the unconsumed credits) of a manifest
    under-consumption, under review when justified.
    """
    if flag == "non_renseigne" or missing(unconsumed):
        return ZERO, ZERO, None
    gap = shortfall(expected, available, executed, unconsumed)
    if year == CLS.end.year:
        amount = unconsumed if params.end_of_contract_claim == "non_consomme" else gap
        return amount, ZERO, ("remboursement" if amount > 0 else None)
    if flag not in ("justification_a_apprecier", "sous_consommation_manifeste"):
        return ZERO, ZERO, None
    amount = unconsumed if params.exposure_basis == "non_consomme" else gap
    if amount <= 0:
        return ZERO, ZERO, None
    if flag == "justification_a_apprecier":
        return ZERO, amount, "reduction_n1"
    return amount, ZERO, "reduction_n1"


def _ratio(part, whole) -> float:
    return float(part / whole) if not missing(part) and not missing(whole) and whole > 0 else float("nan")


def _justification(row) -> str | None:
    """The Département's justification: its text, else the reason chosen in the list."""
    for value in (row["justification"], row["gap_reason"]):
        if not missing(value) and str(value).strip():
            return str(value).strip()
    return None


def _money(row, expected: tuple, params: Parameters) -> dict:
    """The amounts, rates, flag and exposure of one ledger row."""
    planned, source = planned_state(row)
    available = available_state(row, planned, params)
    executed = row["executed_state"]
    unconsumed = None if missing(executed) else max(available - executed, ZERO)
    rate = _ratio(executed, available)
    spent = add(add(executed, row["executed_departement"]), row["executed_autre"])
    out = {
        "planned_state": planned, "planned_state_source": source, "available_state": available,
        "unconsumed_state": unconsumed, "rate": rate, "expected_rate": expected[0], "expected_rate_source": expected[1],
        "departement_share": _ratio(row["executed_departement"], spent), "justification": _justification(row),
    }
    if not CONVENTIONS[row["convention"]].reduction_n1:  # France Travail: settled by the balance (art. 6)
        return {**out, "flag": None, "amount_at_risk": ZERO, "amount_under_review": ZERO, "risk_kind": None}
    justified = out["justification"] is not None
    flag = classify(None if unconsumed is None else rate, expected[0], justified, params.threshold, params.tolerance)
    at_risk, review, kind = exposure(flag, int(row["year"]), expected[0], available, executed, unconsumed, params)
    return {**out, "flag": flag, "amount_at_risk": at_risk, "amount_under_review": review, "risk_kind": kind}


def consumption_frame(ledger: pd.DataFrame, expected: dict, params: Parameters) -> pd.DataFrame:
    """The consumption frame from a ledger (:func:`~analysis.assessment.ledger.build_ledger`) and the
    contract's expected rates ((convention, action, year) -> (rate, source))."""
    trajectories = apply_declared(expected, ledger, params.declared_trajectory_overrides)
    rows = []
    for (_, row), trajectory in zip(ledger.iterrows(), trajectories):
        rows.append({**row.to_dict(), **_money(row, trajectory, params)})
    frame = pd.DataFrame(rows, columns=CONSUMPTION_COLUMNS)
    if frame.empty:
        return frame
    frame = frame.astype({"year": int, "rate": float, "expected_rate": float, "departement_share": float})
    return frame.sort_values(["convention", "year", "axis", "action"], key=_natural).reset_index(drop=True)


def _natural(column: pd.Series) -> pd.Series:
    """Sort key: action codes as numbers ('1.10' after '1.9'), other columns as they are."""
    if column.name != "action":
        return column
    return column.map(lambda a: tuple(int(p) if p.isdigit() else p for p in str(a).split(".")))


def meets_minimum_share(share, minimum) -> bool | None:
    """CLS art. 2.2 (l. 348-350): does the Département bring at least ``minimum`` (50 %) of an action's money?
    ``share`` is its part of the amounts actually spent (State, Département and others); None when unknown."""
    if share is None or share != share:
        return None
    return float(share) >= float(minimum)
