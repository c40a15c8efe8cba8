"""Consumption of State credits and under-consumption flags (CLS article 2.2).

The CLS convention lets the State reduce its credits in year n+1 when year n shows an obvious
under-consumption ("sous-consommation manifeste") that is neither explained by the planned ramp-up
("trajectoire de montée en charge") nor justified. The convention prints no numeric threshold: the
threshold is an analysis choice (assumption H01 of :mod:`analysis.assumptions`), overridable per call.

The tables returned are tidy (codes and exact Decimal amounts); :func:`analysis.display.consumption`
writes them for reading.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.assumptions import resolve
from analysis.domain import CONVENTION_CODES, FLAGS

#: Bases of the consumption rate (H10): credits paid in the year, or the amount planned by the fiche.
RATE_BASES = ("paid", "planned")


def _planned_state(contract) -> pd.DataFrame:
    """The State amount planned by the fiches, per convention, action and year."""
    planned = pd.concat([contract.planned_budget(c) for c in CONVENTION_CODES], ignore_index=True)
    planned = planned[planned["funder"] == "etat"].assign(convention=lambda f: f["convention"].astype(str))
    return planned.groupby(["convention", "action", "year"], observed=True)["amount_eur"].sum().rename("planned").reset_index()


def _rate(executed, base) -> float:
    return float(executed / base) if isinstance(executed, Decimal) and isinstance(base, Decimal) and base else float("nan")


def state_consumption(contract, execution, basis: str | None = None) -> pd.DataFrame:
    """Per convention, action and year: State credits planned, paid, executed, unconsumed, and the rate.

    ``rate`` is executed / paid (float, for reading and charts) by default (H10); ``basis='planned'``
    divides by the State amount planned by the fiche instead. Amounts stay exact Decimals.
    Justifications and planned ramp-up rates reported in the workbook are joined.
    """
    basis = resolve(basis, "consumption_rate_basis")
    if basis not in RATE_BASES:
        raise ValueError(f"assiette du taux de consommation inconnue : {basis!r} (attendu : {', '.join(RATE_BASES)})")
    b = execution.budget
    lines = b[
        (b["phase"] == "executed")
        & (b["row_type"] == "line")
        & (b["funder"] == "etat")
        & b["quantity"].isin(["paid", "executed", "unconsumed"])
    ]
    wide = lines.pivot_table(
        index=["convention", "action", "year"], columns="quantity", values="amount_eur", aggfunc="sum", observed=True
    )
    wide = wide.reindex(columns=["paid", "executed", "unconsumed"]).reset_index()
    wide.columns.name = None
    wide["convention"] = wide["convention"].astype(str)
    out = wide.merge(_planned_state(contract), on=["convention", "action", "year"], how="left")
    out["rate"] = [_rate(e, base) for e, base in zip(out["executed"], out[basis])]
    just = execution.justifications[["convention", "action", "year", "gap_reason", "justification", "ramp_up_rate"]]
    out = out.merge(just.assign(convention=just["convention"].astype(str)), on=["convention", "action", "year"], how="left")
    columns = ["convention", "action", "year", "planned", "paid", "executed", "unconsumed", "rate", "ramp_up_rate"]
    return out[[*columns, "gap_reason", "justification"]]


def flag_under_consumption(
    consumption: pd.DataFrame, threshold: float | None = None, *, accept_justification: bool | None = None
) -> pd.DataFrame:
    """Add ``flag`` (a code of :data:`analysis.domain.FLAGS`): could each action's consumption trigger a reduction?

    - 'conforme': rate at or above ``threshold`` (default: H01);
    - 'montee_en_charge': below it, but at or above the planned ramp-up rate reported for the year;
    - 'justifiee': below, not covered by the ramp-up, but a justification is given (and, H14,
      ``accept_justification`` is true: any non-empty justification is accepted);
    - 'risque_reduction': below, neither covered by the ramp-up nor justified (CLS article 2.2).
    Rows whose rate is unknown (nothing paid or executed reported) get no flag.
    """
    threshold = resolve(threshold, "under_consumption_threshold")
    accept = resolve(accept_justification, "justification_accepted")
    out = consumption.copy()
    flags = []
    for rate, ramp, just in zip(out["rate"], out["ramp_up_rate"], out["justification"]):
        if pd.isna(rate):
            flags.append(None)
        elif rate >= threshold:
            flags.append("conforme")
        elif pd.notna(ramp) and rate >= float(ramp):
            flags.append("montee_en_charge")
        elif accept and isinstance(just, str) and just.strip():
            flags.append("justifiee")
        else:
            flags.append("risque_reduction")
    out["flag"] = pd.Categorical(flags, categories=FLAGS)
    return out


def indicator_progress(contract, execution) -> pd.DataFrame:
    """Targets and results per indicator and year (long), with the result as a share of the target.

    ``direction`` tells whether higher is better; ``attainment`` is result / target for 'up' indicators
    and target / result for 'down' ones (H13).
    """
    values = pd.concat([contract.indicator_values, execution.indicator_values], ignore_index=True)
    values = values[values["measure"].isin(["target", "result"]) & values["value"].notna()]
    wide = values.pivot_table(index=["indicator_id", "year"], columns="measure", values="value", aggfunc="first", observed=True)
    wide = wide.reindex(columns=["target", "result"]).reset_index()
    wide.columns.name = None
    ind = contract.indicators[["indicator_id", "convention", "action", "label", "family", "unit", "direction"]]
    out = wide.merge(ind, on="indicator_id", how="left")
    up = out["direction"].astype(str) != "down"
    out["attainment"] = (out["result"] / out["target"]).where(up, out["target"] / out["result"])
    columns = ["convention", "action", "indicator_id", "label", "family", "unit", "direction", "year"]
    return out[[*columns, "target", "result", "attainment"]]


def attainment_by_action(progress: pd.DataFrame, aggregate: str | None = None) -> pd.DataFrame:
    """Attainment of the targets per action and year (long: action, year, attainment).

    An action's attainment is the ``aggregate`` ('mean' by default, H13, or 'median') of its filled
    indicators' attainments (:func:`indicator_progress`).
    """
    aggregate = resolve(aggregate, "attainment_aggregate")
    if aggregate not in ("mean", "median"):
        raise ValueError(f"agrégation du taux d'atteinte inconnue : {aggregate!r} (attendu : mean, median)")
    filled = progress.dropna(subset=["attainment"]).assign(attainment=lambda f: f["attainment"].astype(float))
    out = filled.groupby(["action", "year"], observed=True)["attainment"].agg(aggregate).reset_index()
    return out.sort_values(["action", "year"]).reset_index(drop=True)
