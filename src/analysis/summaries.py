"""Summary tables of the contracts, for the notebooks and the report (DataFrames in, DataFrames out).

The tables are tidy: code columns (``'convention'``, ``'axis'``, ``'etat'`` …) and exact Decimal amounts.
:mod:`analysis.display` writes them for reading (French headers, labels and number formats).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.domain import CONVENTION_CODES, FUNDERS
from analysis.money import ZERO


def contract_overview(contract) -> pd.DataFrame:
    """One row per convention: number of axes or volets, actions, indicators, years and planned amounts.

    Amounts and years are those the convention finances (:meth:`~analysis.loading.Contract.convention_budget`:
    France Travail without the FIPE fund of action 2.4, H05); indicators are counted once (a fiche indicator
    repeating an Annexe 1 or Annexe 10 indicator, or its share, is not counted again, H29)."""
    rows = []
    for convention in CONVENTION_CODES:
        actions = contract.actions[contract.actions["convention"] == convention]
        indicators = contract.counted_indicators(convention)
        planned = contract.convention_budget(convention)
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
    planned = contract.convention_budget(convention, exclude_fipe=exclude_fipe)
    state = planned[planned["funder"] == "etat"]
    if year is not None:
        state = state[state["year"] == year]
    return sum(state["amount_eur"], ZERO)


def actions_by_axis(contract, convention: str) -> pd.DataFrame:
    """The actions of one convention with their axis (CLS) or volet (FT) and printed titles."""
    a = contract.actions[contract.actions["convention"] == convention]
    out = a[["convention", "axis", "axis_label", "action", "title"]].reset_index(drop=True)
    return out.assign(convention=out["convention"].astype(str))


def budget_by_axis_year(contract, convention: str) -> pd.DataFrame:
    """Planned amounts per axis (or volet) and year: one column per funder code and a ``total`` (Decimals);
    France Travail without the FIPE fund of action 2.4 (H05, :meth:`~analysis.loading.Contract.convention_budget`)."""
    planned = contract.convention_budget(convention).assign(funder=lambda f: f["funder"].astype(str))
    funders = [f for f in FUNDERS if f in set(planned["funder"])]
    table = planned.pivot_table(
        index=["axis", "year"], columns="funder", values="amount_eur", aggfunc="sum", fill_value=ZERO
    ).reindex(columns=funders)
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table.reset_index().assign(convention=convention)[["convention", "axis", "year", *funders, "total"]]


def indicator_overview(contract) -> pd.DataFrame:
    """Number of indicators counted per convention, family and printed table (each once: the CLS's 30 local and
    15 national, l. 364-368), and the fiche indicators counted with them, not again (H29): ``n_fiche_copies``
    repeat one of them (same label and figures), ``n_fiche_shares`` are one action's share of a national one."""
    counted = contract.counted_indicators()
    links = contract.indicator_links().merge(counted[["indicator_id", "convention", "family", "table"]],
                                             left_on="counted_as", right_on="indicator_id", suffixes=("", "_counted"))
    keys = ["convention", "family", "table"]
    out = counted.groupby(keys, observed=True).size().rename("n_indicators").reset_index()
    for column, link in (("n_fiche_copies", "copie"), ("n_fiche_shares", "part")):
        sizes = links[links["link"] == link].groupby(keys, observed=True).size().rename(column).reset_index()
        out = out.merge(sizes, on=keys, how="left")
        out[column] = out[column].fillna(0).astype(int)
    return out


def indicator_targets(contract, action: str) -> pd.DataFrame:
    """Baselines and yearly targets of an action's indicators (long: one row per indicator, measure, year)."""
    ind = contract.indicators[contract.indicators["action"] == action]
    values = contract.indicator_values.merge(ind[["indicator_id", "label"]], on="indicator_id")
    values = values[values["measure"].isin(["baseline", "target"])]
    return values[["indicator_id", "label", "measure", "year", "value"]].reset_index(drop=True)
