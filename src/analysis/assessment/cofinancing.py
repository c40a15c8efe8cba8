"""France Travail volet 2 co-financing, judged on the volet as a whole, on planned and executed amounts.

The Département participates « à hauteur de 50 % du coût total des actions inscrites au volet 2 »
(art. 3.3, l. 5819-5823; rule ``ft_volet2_departement_cofinancing``), overall and not per action (H06).
Its own money is 48,79 % of the planned volet; with the 100 000 € of valorised FSE+ of fiche 2.5
(l. 8144-8150) it is exactly 50 %. Both readings are computed, on the fiches (planned) and on the
workbook (executed), and ``holds`` says which reading makes the rule hold. The actions counted are those
of volet 2 with State money of the convention (FIPE-only action 2.4 is outside, H05).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.assessment.ledger import is_state
from analysis.assessment.parameters import Parameters
from analysis.assessment.settlement import COFINANCED_VOLET
from analysis.domain import FT
from analysis.money import ZERO, add
from analysis.money import is_missing as missing

#: Funds printed as a valorisation rather than money paid (fiche 2.5, « FSE+ (valorisation) »).
VALORISED_FUNDS = {"FSE+"}
COFINANCING_COLUMNS = [
    "convention", "volet", "year", "basis", "reading", "cost", "departement", "valorised", "cofinancing", "share",
    "minimum_share", "holds",
]


def _planned_parts(contract, params: Parameters, actions: list[str]) -> tuple[Decimal, Decimal, Decimal]:
    """(cost, Département, valorised FSE+) of the fiches of ``actions`` for 2024."""
    lines = contract.planned_budget(FT.code)
    lines = lines[lines["action"].isin(actions) & (lines["year"] == FT.start.year)]
    cost = dept = valorised = ZERO
    for funder, detail, amount in zip(lines["funder"], lines["funder_detail"], lines["amount_eur"]):
        cost += amount
        if funder == "departement":
            dept += amount
        elif funder == "autre" and detail in VALORISED_FUNDS:
            valorised += amount
    return cost, dept, valorised


def _valorised_actions(contract) -> set[str]:
    """FT actions whose other funders, in the fiche, are all valorised funds (their executed « autres » are)."""
    lines = contract.planned_budget(FT.code)
    other = lines[lines["funder"] == "autre"]
    return {a for a, g in other.groupby("action") if set(g["funder_detail"]) <= VALORISED_FUNDS}


def cofinanced_actions(contract, params: Parameters) -> list[str]:
    """Actions of volet 2 with State money of the convention planned for 2024."""
    lines = contract.planned_budget(FT.code)
    state = lines[(lines["funder"] == "etat") & (lines["axis"] == COFINANCED_VOLET) & (lines["year"] == FT.start.year)]
    keep = [a for a, d in zip(state["action"], state["funder_detail"]) if is_state(None if missing(d) else d, FT.code, params)]
    return sorted(set(keep))


def _executed_parts(ledger: pd.DataFrame, actions: list[str], valorised_actions: set[str]) -> tuple | None:
    rows = ledger[(ledger["convention"] == FT.code) & (ledger["year"] == FT.start.year) & ledger["action"].isin(actions)]
    if rows.empty:
        return None
    cost = dept = valorised = ZERO
    columns = ["action", "executed_state", "executed_departement", "executed_autre"]
    for action, state, d, other in rows[columns].itertuples(index=False):
        cost += add(add(state, d), other) or ZERO
        dept += ZERO if missing(d) else d
        valorised += ZERO if missing(other) or action not in valorised_actions else other
    return cost, dept, valorised


def cofinancing_frame(contract, ledger: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Four rows per basis reported ('prevu', 'realise'): the Département's share of the volet 2 cost,
    without and with the valorised FSE+, against the minimum of art. 3.3."""
    rate = contract.rule_rate("ft_volet2_departement_cofinancing")
    actions = cofinanced_actions(contract, params)
    bases = {"prevu": _planned_parts(contract, params, actions),
             "realise": _executed_parts(ledger, actions, _valorised_actions(contract))}
    rows = []
    for basis, parts in bases.items():
        if parts is None:
            continue
        cost, dept, valorised = parts
        for reading in ("sans_fse", "avec_fse"):
            cofinancing = dept + (valorised if reading == "avec_fse" else ZERO)
            share = float(cofinancing / cost) if cost > 0 else float("nan")
            rows.append({
                "convention": FT.code, "volet": COFINANCED_VOLET, "year": FT.start.year, "basis": basis, "reading": reading,
                "cost": cost, "departement": dept, "valorised": valorised, "cofinancing": cofinancing, "share": share,
                "minimum_share": float(rate), "holds": bool(cost > 0 and cofinancing >= cost * rate),
            })
    return pd.DataFrame(rows, columns=COFINANCING_COLUMNS)
