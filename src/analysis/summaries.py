"""Summary tables of the contracts, for the notebooks and the report (DataFrames in, DataFrames out).

The tables are tidy: code columns (``'convention'``, ``'axis'``, ``'etat'`` …) and exact Decimal amounts.
:mod:`analysis.display` writes them for reading (French headers, labels and number formats).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.assumptions import resolve
from analysis.domain import CONVENTION_CODES, FUNDERS
from analysis.money import ZERO


def contract_overview(contract) -> pd.DataFrame:
    """One row per convention: number of axes or volets, actions, indicators, years and planned amounts."""
    rows = []
    for convention in CONVENTION_CODES:
        actions = contract.actions[contract.actions["convention"] == convention]
        indicators = contract.indicators[contract.indicators["convention"] == convention]
        planned = contract.planned_budget(convention)
        rows.append(
            {
                "convention": convention,
                "n_groups": actions["axis"].nunique(),
                "n_actions": len(actions),
                "n_indicators": len(indicators),
                "first_year": int(planned["year"].min()),
                "last_year": int(planned["year"].max()),
                "planned_state": sum(planned.loc[planned["funder"] == "etat", "amount_eur"], ZERO),
                "planned_total": sum(planned["amount_eur"], ZERO),
            }
        )
    return pd.DataFrame(rows)


def state_share(contract, convention: str, year: int | None = None, *, exclude_fipe: bool | None = None) -> Decimal:
    """The State's planned share in the fiches of ``convention`` (one ``year`` or all).

    For France Travail the FIPE fund of action 2.4 is left out by default (H05: it is not a France Travail
    credit); ``exclude_fipe=False`` counts it.
    """
    planned = contract.planned_budget(convention)
    state = planned[planned["funder"] == "etat"]
    if year is not None:
        state = state[state["year"] == year]
    if convention == "ft" and resolve(exclude_fipe, "ft_state_share_excludes_fipe"):
        state = state[state["funder_detail"].fillna("") != "FIPE"]
    return sum(state["amount_eur"], ZERO)


def actions_by_axis(contract, convention: str) -> pd.DataFrame:
    """The actions of one convention with their axis (CLS) or volet (FT) and printed titles."""
    a = contract.actions[contract.actions["convention"] == convention]
    out = a[["convention", "axis", "axis_label", "action", "title"]].reset_index(drop=True)
    return out.assign(convention=out["convention"].astype(str))


def budget_by_axis_year(contract, convention: str) -> pd.DataFrame:
    """Planned amounts per axis (or volet) and year: one column per funder code and a ``total`` (Decimals)."""
    planned = contract.planned_budget(convention).assign(funder=lambda f: f["funder"].astype(str))
    funders = [f for f in FUNDERS if f in set(planned["funder"])]
    table = planned.pivot_table(
        index=["axis", "year"], columns="funder", values="amount_eur", aggfunc="sum", fill_value=ZERO
    ).reindex(columns=funders)
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table.reset_index().assign(convention=convention)[["convention", "axis", "year", *funders, "total"]]


def indicator_overview(contract) -> pd.DataFrame:
    """Number of indicators per convention, family and printed table."""
    return (
        contract.indicators.groupby(["convention", "family", "table"], observed=True)
        .size()
        .rename("n_indicators")
        .reset_index()
    )


def indicator_targets(contract, action: str) -> pd.DataFrame:
    """Baselines and yearly targets of an action's indicators (long: one row per indicator, measure, year)."""
    ind = contract.indicators[contract.indicators["action"] == action]
    values = contract.indicator_values.merge(ind[["indicator_id", "label"]], on="indicator_id")
    values = values[values["measure"].isin(["baseline", "target"])]
    return values[["indicator_id", "label", "measure", "year", "value"]].reset_index(drop=True)
