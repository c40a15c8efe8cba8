"""Summary tables of the contracts, for the notebooks and the report (DataFrames in, DataFrames out).

Column names of the returned tables are in French: they are what a user reads.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.formatting import format_eur, format_number, format_percent

from analysis.domain import CONVENTION_LABELS, FUNDER_LABELS


def contract_overview(contract) -> pd.DataFrame:
    """One row per convention: number of actions, indicators, and planned amounts as printed."""
    rows = []
    for convention, label in CONVENTION_LABELS.items():
        actions = contract.actions[contract.actions["convention"] == convention]
        indicators = contract.indicators[contract.indicators["convention"] == convention]
        planned = planned_budget(contract, convention)
        rows.append(
            {
                "Convention": label,
                "Axes ou volets": actions["axis"].nunique(),
                "Actions": len(actions),
                "Indicateurs": len(indicators),
                "Années": f"{planned['year'].min()}-{planned['year'].max()}",
                "Part État prévue": planned.loc[planned["funder"] == "etat", "amount_eur"].sum(),
                "Total prévu (tous financeurs)": planned["amount_eur"].sum(),
            }
        )
    return pd.DataFrame(rows)


def actions_by_axis(contract, convention: str) -> pd.DataFrame:
    """The actions of one convention, by axis (CLS) or volet (FT), with their printed titles."""
    a = contract.actions[contract.actions["convention"] == convention]
    return (
        a[["axis", "axis_label", "action", "title"]]
        .rename(columns={"axis": "Axe", "axis_label": "Intitulé de l'axe", "action": "Action", "title": "Intitulé"})
        .reset_index(drop=True)
    )


def planned_budget(contract, convention: str) -> pd.DataFrame:
    """The fiche budget lines of one convention (phase 'approved'): action, year, funder, amount."""
    return contract.planned_budget(convention)


def budget_by_axis_year(contract, convention: str) -> pd.DataFrame:
    """Planned amounts per axis and year, one column per funder and a total (exact Decimals)."""
    planned = planned_budget(contract, convention)
    table = (
        planned.assign(funder=planned["funder"].map(FUNDER_LABELS))
        .pivot_table(index=["axis", "year"], columns="funder", values="amount_eur", aggfunc="sum", fill_value=Decimal("0.00"))
        .reindex(columns=[f for f in FUNDER_LABELS.values() if f in set(planned["funder"].map(FUNDER_LABELS))])
    )
    table["Total"] = table.sum(axis=1)
    table.columns.name = None
    return table.rename_axis(index=["Axe", "Année"]).reset_index()


def indicator_overview(contract) -> pd.DataFrame:
    """Number of indicators per convention, family and printed table."""
    ind = contract.indicators
    return (
        ind.groupby(["convention", "family", "table"], observed=True)
        .size()
        .rename("Nombre d'indicateurs")
        .reset_index()
        .rename(columns={"convention": "Convention", "family": "Famille", "table": "Tableau"})
    )


def indicator_targets(contract, action: str) -> pd.DataFrame:
    """Baseline and yearly targets of an action's indicators, one row per indicator (wide)."""
    ind = contract.indicators[contract.indicators["action"] == action]
    values = contract.indicator_values.merge(ind[["indicator_id", "label"]], on="indicator_id")
    values = values[values["measure"] != "result"]
    column = values["measure"].astype(str).map({"baseline": "Situation", "target": "Cible"}) + " " + values["year"].astype(str)
    wide = values.assign(column=column).pivot_table(index=["indicator_id", "label"], columns="column", values="value", aggfunc="first")
    wide = wide[sorted(wide.columns, key=lambda c: (not c.startswith("Situation"), c))]
    wide.columns.name = None
    return wide.rename_axis(index=["Indicateur", "Libellé"]).reset_index()


def french_money(frame: pd.DataFrame, columns=None) -> pd.DataFrame:
    """A copy for display with money columns formatted the French way (1 234 567,00 €)."""
    out = frame.copy()
    if columns is None:
        columns = [c for c in out.columns if out[c].map(lambda v: isinstance(v, Decimal)).any()]
    for col in columns:
        out[col] = out[col].map(format_eur)
    return out


def french_numbers(frame: pd.DataFrame, decimals: int = 0, percent: bool = False) -> pd.DataFrame:
    """A copy for display with float columns written the French way (1 250 ; 12,5 ; 95 %)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col].dtype):
            if percent:
                out[col] = out[col].map(lambda v: "" if pd.isna(v) else format_percent(float(v), decimals))
            else:
                out[col] = out[col].map(lambda v: "" if pd.isna(v) else format_number(v, decimals if float(v) % 1 else 0))
    return out
