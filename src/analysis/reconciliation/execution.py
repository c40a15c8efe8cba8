"""Family 'execution': execution reports (phase 'executed') against themselves and the contract."""

from __future__ import annotations

import pandas as pd

from analysis.reconciliation.base import (
    _axis_of,
    _fiche_lines,
    _pick,
    _sum_or_none,
    _where,
    money_check,
)


def _execution_lines(execution) -> pd.DataFrame:
    b = execution.budget
    return b[(b["phase"] == "executed") & (b["row_type"] == "line")]


def check_execution_arithmetic(contract, execution) -> list[dict]:
    """Per action and year: unconsumed = paid - executed (State), total executed = sum of funders,
    State carry-over at most the unconsumed State credits."""
    lines = _execution_lines(execution)
    rows = []
    for (convention, action, year), g in lines.groupby(["convention", "action", "year"], observed=True, sort=True):
        state = g[g["funder"] == "etat"]
        paid = _sum_or_none(state[state["quantity"] == "paid"])
        executed = _sum_or_none(state[state["quantity"] == "executed"])
        unconsumed = state[state["quantity"] == "unconsumed"]
        scope = dict(convention=convention, table="execution", axis=_axis_of(contract).get(action), action=action, year=year)
        if len(unconsumed):
            rows.append(
                money_check(
                    f"execution/{convention}/{action}/{int(year)}/non_consomme",
                    "execution",
                    _sum_or_none(unconsumed),
                    None if paid is None or executed is None else paid - executed,
                    f"Action {action}, {int(year)} : crédits État non consommés comparés aux crédits versés moins le montant réalisé.",
                    funder="etat",
                    source_expected=_where(unconsumed),
                    source_computed=_where(state[state["quantity"].isin(["paid", "executed"])]),
                    **scope,
                )
            )
        total = g[g["quantity"] == "executed_total"]
        if len(total):
            parts = g[(g["quantity"] == "executed") & g["funder"].notna()]
            rows.append(
                money_check(
                    f"execution/{convention}/{action}/{int(year)}/total_realise",
                    "execution",
                    _sum_or_none(total),
                    _sum_or_none(parts),
                    f"Action {action}, {int(year)} : montant total réalisé comparé à la somme des montants réalisés par financeur.",
                    source_expected=_where(total),
                    source_computed=_where(parts),
                    **scope,
                )
            )
        carry = lines[(lines["convention"] == convention) & (lines["action"] == action) & (lines["year"] == year + 1)
                      & (lines["quantity"] == "carry_over") & (lines["funder"] == "etat")]
        if len(carry) and len(unconsumed):
            rows.append(
                money_check(
                    f"execution/{convention}/{action}/{int(year)}/report_etat",
                    "execution",
                    _sum_or_none(carry),
                    _sum_or_none(unconsumed),
                    f"Action {action}, {int(year)} : le report de la part État sur {int(year) + 1} ne peut dépasser les "
                    "crédits État non consommés.",
                    at_least=True,
                    funder="etat",
                    source_expected=_where(carry),
                    source_computed=_where(unconsumed),
                    **scope,
                )
            )
    return rows


def check_execution_vs_contract(contract, execution) -> list[dict]:
    """State credits paid, as reported, against the State amount the contract plans for that year (fiche)."""
    lines = _execution_lines(execution)
    paid = lines[(lines["quantity"] == "paid") & (lines["funder"] == "etat")]
    rows = []
    for (convention, action, year), g in paid.groupby(["convention", "action", "year"], observed=True, sort=True):
        fiche = _pick(_fiche_lines(contract, f"{convention}_fiche_budget"), action=action, year=year)
        state = fiche[fiche["funder"] == "etat"]  # every State column, FIPE included: the report covers them all
        rows.append(
            money_check(
                f"execution/{convention}/{action}/{int(year)}/verse_vs_prevu",
                "execution",
                _sum_or_none(state),
                _sum_or_none(g),
                f"Action {action}, {int(year)} : crédits État versés (rapport d'exécution) comparés à la part État prévue "
                "par la fiche action.",
                convention=convention,
                table="execution",
                axis=_axis_of(contract).get(action),
                action=action,
                year=year,
                funder="etat",
                source_expected=_where(state),
                source_computed=_where(g),
            )
        )
    return rows


EXECUTION_CHECKS = [check_execution_arithmetic, check_execution_vs_contract]
