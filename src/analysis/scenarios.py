"""Scenarios on under-consumption: which State credits could be reduced in year n+1, under which threshold.

The CLS convention (article 2.2) prints neither a threshold nor a reduction rate: both are analysts'
assumptions, explored here. Plain functions hold the logic; :func:`explorer` only wires them to widgets.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from analysis.consumption import flag_under_consumption

CENT = Decimal("0.01")


def potential_reductions(flags: pd.DataFrame, share: float = 1.0) -> pd.DataFrame:
    """Actions flagged 'risque_reduction', with the State credits that could be reduced in year n+1.

    ``reduction_eur`` = unconsumed State credits x ``share`` (rounded to the cent); ``year_applied`` is
    the following year.
    """
    if not 0 <= share <= 1:
        raise ValueError(f"part de réduction hors de [0 ; 1] : {share}")
    at_risk = flags[flags["flag"] == "risque_reduction"].copy()
    factor = Decimal(str(share))
    at_risk["reduction_eur"] = [(u * factor).quantize(CENT, rounding=ROUND_HALF_UP) for u in at_risk["unconsumed"]]
    at_risk["year_applied"] = at_risk["year"] + 1
    return at_risk[["convention", "action", "year", "rate", "unconsumed", "reduction_eur", "year_applied"]].reset_index(drop=True)


def threshold_sensitivity(consumption: pd.DataFrame, thresholds, share: float = 1.0) -> pd.DataFrame:
    """For each threshold: how many action-years are at risk and the State credits that could be reduced."""
    rows = []
    for threshold in thresholds:
        reductions = potential_reductions(flag_under_consumption(consumption, threshold), share)
        rows.append(
            {
                "threshold": threshold,
                "at_risk": len(reductions),
                "actions": ", ".join(f"{c.upper()} {a} ({y})" for c, a, y in zip(reductions["convention"], reductions["action"], reductions["year"])),
                "reduction_eur": sum(reductions["reduction_eur"], Decimal("0.00")),
            }
        )
    return pd.DataFrame(rows)


def french_sensitivity(table: pd.DataFrame) -> pd.DataFrame:
    """For reading: French headers and formats."""
    from analysis.formatting import format_eur, format_percent

    return pd.DataFrame(
        {
            "Seuil": [format_percent(t) for t in table["threshold"]],
            "Actions-années à risque": table["at_risk"],
            "Lesquelles": table["actions"],
            "Réduction possible en n+1": [format_eur(v) for v in table["reduction_eur"]],
        }
    )


def scenario_table(consumption: pd.DataFrame, threshold: float, share: float) -> pd.DataFrame:
    """The potential reductions for one scenario, ready to read (French headers and formats)."""
    from analysis.consumption import french

    return french(potential_reductions(flag_under_consumption(consumption, threshold), share))


def explorer(consumption: pd.DataFrame):
    """An ipywidgets panel: threshold and reduction-share sliders, and the resulting table (HTML)."""
    import ipywidgets as widgets

    from analysis.formatting import format_eur

    threshold = widgets.FloatSlider(value=0.9, min=0.5, max=1.0, step=0.05, description="Seuil", readout_format=".0%")
    share = widgets.FloatSlider(value=1.0, min=0.0, max=1.0, step=0.1, description="Part réduite", readout_format=".0%")
    result = widgets.HTML()

    def refresh(_change=None):
        reductions = potential_reductions(flag_under_consumption(consumption, threshold.value), share.value)
        total = format_eur(sum(reductions["reduction_eur"], Decimal("0.00")))
        table = scenario_table(consumption, threshold.value, share.value)
        result.value = (
            f"<p><b>{len(reductions)} action(s)-année(s) à risque ; réduction possible : {total}</b></p>"
            + table.to_html(index=False, border=0)
        )

    threshold.observe(refresh, names="value")
    share.observe(refresh, names="value")
    refresh()
    return widgets.VBox([widgets.HBox([threshold, share]), result])
