"""Consumption of State credits and under-consumption flags (CLS article 2.2).

The CLS convention lets the State reduce its credits in year n+1 when year n shows an obvious
under-consumption ("sous-consommation manifeste") that is neither explained by the planned ramp-up
("trajectoire de montée en charge") nor justified. The convention prints no numeric threshold: the
threshold is a parameter of :func:`flag_under_consumption` (an analyst's scenario), not a contract figure.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

#: Default threshold: below this share of the credits paid, consumption is flagged for review.
DEFAULT_THRESHOLD = 0.9

FLAGS = ["conforme", "montee_en_charge", "justifiee", "risque_reduction"]
FLAG_LABELS = {
    "conforme": "Consommation conforme",
    "montee_en_charge": "Sous-consommation expliquée par la montée en charge prévue",
    "justifiee": "Sous-consommation justifiée",
    "risque_reduction": "Sous-consommation non justifiée : risque de réduction en n+1",
}


def state_consumption(contract, execution) -> pd.DataFrame:
    """Per convention, action and year: State credits planned, paid, executed, unconsumed, and the rate.

    ``rate`` is executed / paid (float, for reading and charts); amounts stay exact Decimals.
    Justifications and planned ramp-up rates reported in the workbook are joined.
    """
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
    planned = contract.budget_lines()
    planned = planned[planned["table"].isin(["cls_fiche_budget", "ft_fiche_budget"]) & (planned["funder"] == "etat")]
    planned = planned.groupby(["action", "year"], observed=True)["amount_eur"].sum().rename("planned").reset_index()
    out = wide.merge(planned, on=["action", "year"], how="left")
    out["rate"] = [
        float(e / p) if isinstance(e, Decimal) and isinstance(p, Decimal) and p else float("nan")
        for e, p in zip(out["executed"], out["paid"])
    ]
    just = execution.justifications[["convention", "action", "year", "gap_reason", "justification", "ramp_up_rate"]]
    out = out.merge(just, on=["convention", "action", "year"], how="left")
    out["convention"] = out["convention"].astype(str)
    return out[["convention", "action", "year", "planned", "paid", "executed", "unconsumed", "rate", "ramp_up_rate", "gap_reason", "justification"]]


def flag_under_consumption(consumption: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Add ``flag`` and ``flag_label``: whether each action's consumption could trigger a credit reduction.

    - 'conforme': rate at or above ``threshold``;
    - 'montee_en_charge': below it, but at or above the planned ramp-up rate reported for the year;
    - 'justifiee': below, not covered by the ramp-up, but a justification is given;
    - 'risque_reduction': below, neither covered by the ramp-up nor justified (CLS article 2.2).
    Rows whose rate is unknown (nothing paid or executed reported) get no flag.
    """
    out = consumption.copy()
    flags = []
    for rate, ramp, just in zip(out["rate"], out["ramp_up_rate"], out["justification"]):
        if pd.isna(rate):
            flags.append(None)
        elif rate >= threshold:
            flags.append("conforme")
        elif pd.notna(ramp) and rate >= float(ramp):
            flags.append("montee_en_charge")
        elif isinstance(just, str) and just.strip():
            flags.append("justifiee")
        else:
            flags.append("risque_reduction")
    out["flag"] = pd.Categorical(flags, categories=FLAGS)
    out["flag_label"] = out["flag"].map(FLAG_LABELS).astype("str")
    return out


def indicator_progress(contract, execution) -> pd.DataFrame:
    """Targets and results per indicator and year (long), with the result as a share of the target.

    ``direction`` tells whether higher is better; ``attainment`` is result / target for 'up' indicators
    and target / result for 'down' ones.
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
    return out[["convention", "action", "indicator_id", "label", "family", "unit", "direction", "year", "target", "result", "attainment"]]


def attainment_by_action(progress: pd.DataFrame) -> pd.DataFrame:
    """Mean attainment of the targets (result / target, filled indicators) per action (rows) and year."""
    filled = progress.dropna(subset=["attainment"])
    table = filled.pivot_table(index="action", columns="year", values="attainment", aggfunc="mean").astype(float)
    return table.rename_axis(index="Action", columns="Année")


FRENCH_HEADERS = {
    "convention": "Convention",
    "action": "Action",
    "year": "Année",
    "planned": "Part État prévue",
    "paid": "Crédits État versés",
    "executed": "Montant État réalisé",
    "unconsumed": "Crédits État non consommés",
    "rate": "Taux de consommation",
    "ramp_up_rate": "Montée en charge prévue",
    "gap_reason": "Motif de l'écart",
    "justification": "Justification",
    "flag_label": "Constat",
    "reduction_eur": "Réduction possible en n+1",
    "year_applied": "Année de la réduction",
}


def french(table: pd.DataFrame) -> pd.DataFrame:
    """For reading: French headers, amounts as 1 234,00 €, rates as 77,3 %; the ``flag`` code is dropped."""
    from analysis.formatting import format_eur, format_percent

    out = table.drop(columns=[c for c in ["flag"] if c in table.columns]).copy()
    for col in ("planned", "paid", "executed", "unconsumed", "reduction_eur"):
        if col in out:
            out[col] = out[col].map(lambda v: format_eur(v) if isinstance(v, Decimal) else "")
    for col in ("rate", "ramp_up_rate"):
        if col in out:
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else format_percent(float(v), 1))
    return out.rename(columns=FRENCH_HEADERS)
