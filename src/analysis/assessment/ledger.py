"""The State money of each action and year, gathered from the contract and the execution workbooks.

:func:`build_ledger` puts side by side, per convention, action and year reported, what the contract
planned, what the avenants notified, what was carried in from the previous year, paid, executed (by
funder) and carried out to the next year, with the Département's justification and declared ramp-up.
The rules (:mod:`~analysis.assessment.consumption`, :mod:`~analysis.assessment.settlement`) work on
this one frame, so that hand-made ledgers can test them.

State money follows the contracts: for the CLS the ERBM columns are State money (H04, l. 323-325); for
France Travail the FIPE fund of action 2.4 is outside the convention (H05, l. 7633, 7694, 7745-7749): an
FT action whose only State money is FIPE has no row (its reported State amounts are FIPE money).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.assessment.parameters import Parameters
from analysis.domain import CLS, CONVENTION_CODES, FT
from analysis.money import ZERO
from analysis.money import is_missing as missing

#: Columns of the ledger, in order.
LEDGER_COLUMNS = [
    "convention", "axis", "action", "year", "planned_contract", "notified_state", "carried_in_state", "paid_state",
    "executed_state", "executed_departement", "executed_autre", "carried_out_state", "gap_reason", "justification",
    "declared_rate",
]
#: Amount columns of the ledger (exact Decimals, None when not reported).
AMOUNTS = LEDGER_COLUMNS[4:12]


class CachedContract:
    """A contract whose fiche budgets (:meth:`~analysis.loading.Contract.planned_budget`) are computed once:
    an assessment reads them a few times per convention. Every other attribute is the contract's."""

    def __init__(self, contract):
        self._contract = contract
        self._planned: dict[str, pd.DataFrame] = {}

    def planned_budget(self, convention: str) -> pd.DataFrame:
        if convention not in self._planned:
            self._planned[convention] = self._contract.planned_budget(convention)
        return self._planned[convention]

    def __getattr__(self, name):
        return getattr(self._contract, name)


def is_state(detail, convention: str, params: Parameters) -> bool:
    """Whether a State column of a fiche is State money of its convention (H04, H05)."""
    if convention == CLS.code:
        return params.cls_state_includes_erbm or detail != "ERBM"
    return not params.ft_state_excludes_fipe or detail != "FIPE"


def contract_state(contract, params: Parameters) -> tuple[dict, set]:
    """State money planned by the fiches per (convention, action, year), and the FT actions outside the
    convention (their State columns are all FIPE, H05)."""
    planned, outside = {}, set()
    for convention in CONVENTION_CODES:
        lines = contract.planned_budget(convention)
        lines = lines[lines["funder"] == "etat"]
        kept = {}
        for action, year, detail, amount in zip(lines["action"], lines["year"], lines["funder_detail"], lines["amount_eur"]):
            key = (convention, action, int(year))
            if is_state(None if missing(detail) else detail, convention, params):
                planned[key] = planned.get(key, ZERO) + amount
                kept[action] = True
            else:
                kept.setdefault(action, False)
        outside |= {(convention, a) for a, any_kept in kept.items() if not any_kept}
    return planned, outside


def reported_amounts(execution) -> dict:
    """Amounts reported by the workbooks, keyed (convention, action, year, field): 'paid', 'executed_etat',
    'executed_departement', 'executed_autre', 'carry_etat' (the year it is carried to), 'notified' (the year
    notified, latest workbook last)."""
    b = execution.budget
    lines = b[(b["row_type"] == "line") & b["action"].notna()]
    out = {}
    columns = ["convention", "action", "year", "funder", "phase", "quantity", "amount_eur"]
    for convention, action, year, funder, phase, quantity, amount in lines[columns].itertuples(index=False):
        field = _field(str(funder) if not missing(funder) else None, str(phase), quantity)
        if field is None or missing(amount):
            continue
        key = (str(convention), action, int(year), field)
        out[key] = amount if field == "notified" else out.get(key, ZERO) + amount
    return out


def _field(funder, phase: str, quantity: str):
    if phase == "adjusted":
        return "notified" if quantity == "notified" and funder == "etat" else None
    if quantity == "paid" and funder == "etat":
        return "paid"
    if quantity == "executed" and funder in ("etat", "departement", "autre"):
        return f"executed_{funder}"
    if quantity == "carry_over" and funder == "etat":
        return "carry_etat"
    return None


def reported_years(execution) -> list[tuple[str, int]]:
    """(convention, year) of every workbook read, sorted."""
    w = execution.workbooks
    return sorted({(str(c), int(y)) for c, y in zip(w["convention"], w["year"])})


def justifications(execution) -> dict:
    """(convention, action, year) -> (gap reason, justification text, declared ramp-up rate), last one kept."""
    j = execution.justifications
    out = {}
    for convention, action, year, reason, text, rate in j[
        ["convention", "action", "year", "gap_reason", "justification", "ramp_up_rate"]
    ].itertuples(index=False):
        out[(str(convention), action, int(year))] = (
            None if missing(reason) else str(reason),
            None if missing(text) else str(text),
            None if missing(rate) else float(rate),
        )
    return out


def _row(key, axis: str, planned: dict, amounts: dict, notes: dict) -> dict:
    convention, action, year = key

    def get(field, yr=year):
        return amounts.get((convention, action, yr, field))

    reason, text, rate = notes.get(key, (None, None, None))
    return {
        "convention": convention, "axis": axis, "action": action, "year": year,
        "planned_contract": planned.get(key), "notified_state": get("notified"), "carried_in_state": get("carry_etat"),
        "paid_state": get("paid"), "executed_state": get("executed_etat"),
        "executed_departement": get("executed_departement"), "executed_autre": get("executed_autre"),
        "carried_out_state": get("carry_etat", year + 1), "gap_reason": reason, "justification": text,
        "declared_rate": rate,
    }


def build_ledger(contract, execution, params: Parameters) -> pd.DataFrame:
    """One row per convention, action and year reported (a workbook exists for the convention and year) for
    each action with State money of its convention planned, notified, paid, executed or carried in."""
    planned, outside = contract_state(contract, params)
    amounts = reported_amounts(execution)
    notes = justifications(execution)
    acts = contract.actions
    rows = []
    for convention, year in reported_years(execution):
        own = acts[acts["convention"] == convention]
        for action, axis in zip(own["action"], own["axis"]):
            if (convention, action) in outside:
                continue
            row = _row((convention, action, year), str(axis), planned, amounts, notes)
            if any(not missing(row[c]) for c in ("planned_contract", "notified_state", "carried_in_state", "paid_state",
                                                   "executed_state")):
                rows.append(row)
    frame = pd.DataFrame(rows, columns=LEDGER_COLUMNS)
    return frame.astype({c: object for c in AMOUNTS})


def planned_state(row) -> tuple[Decimal, str]:
    """State credits planned for the year: the latest avenant-notified amount when there is one, else the
    contract's forecast (CLS art. 2.2, l. 300-318: 2025-2027 are « notifiés et précisés par avenant »)."""
    if not missing(row["notified_state"]):
        return row["notified_state"], "avenant"
    planned = row["planned_contract"]
    return (ZERO if missing(planned) else planned), "contrat"


def available_state(row, planned: Decimal, params: Parameters) -> Decimal:
    """State credits available for the year: the year's credits plus those carried in from n-1.

    CLS (H20): the credits paid when the workbook records them, else ``planned`` (notified or forecast),
    plus the carry-in (Annexe 3 2025, column I = F + H, l. 5013-5045). France Travail (H23): the amount
    allocated to the action (art. 4.1), paid as an advance and a balance (art. 6); no carry-over exists.
    """
    paid = row["paid_state"]
    if row["convention"] == FT.code:
        base = planned if params.ft_available_basis == "montant_alloue" or missing(paid) else paid
    else:
        base = paid if params.cls_available_basis == "verse_ou_notifie" and not missing(paid) else planned
    carried = row["carried_in_state"]
    return base + (ZERO if missing(carried) else carried)


def planned_by_year(contract, execution, params: Parameters, convention: str) -> dict:
    """(action, year) -> (planned State credits, source) for every year of ``convention``: the latest
    avenant-notified amount when a workbook records one, else the contract's forecast."""
    planned, outside = contract_state(contract, params)
    amounts = reported_amounts(execution)
    out = {}
    acts = contract.actions
    for action in acts.loc[acts["convention"] == convention, "action"]:
        if (convention, action) in outside:
            continue
        for year in sorted({y for c, a, y in planned if (c, a) == (convention, action)}
                           | {y for c, a, y, f in amounts if (c, a, f) == (convention, action, "notified")}):
            notified = amounts.get((convention, action, year, "notified"))
            if notified is not None:
                out[(action, year)] = (notified, "avenant")
            else:
                out[(action, year)] = (planned.get((convention, action, year), ZERO), "contrat")
    return out
