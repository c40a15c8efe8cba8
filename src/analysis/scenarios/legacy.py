"""Scenarios on under-consumption: which State credits could be reduced in year n+1, under which threshold.

The earlier threshold explorer, on :mod:`analysis.consumption`'s flags, kept as it was (notebooks use
:func:`explorer`); what-if scenarios under the rules of :func:`analysis.assess` are in
:mod:`analysis.scenarios` (:class:`~analysis.scenarios.Scenario`, :func:`~analysis.scenarios.run`).

The CLS convention (article 2.2) prints neither a threshold nor a reduction rate: both are analysts'
assumptions (H01 and H02 of :mod:`analysis.assumptions`), explored here. Plain functions hold the logic and
return tidy frames (:func:`analysis.display.reductions` and :func:`analysis.display.sensitivity` write them
for reading); :func:`explorer` only wires them to widgets.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from analysis.assumptions import resolve
from analysis.consumption import flag_under_consumption

CENT = Decimal("0.01")


def potential_reductions(flags: pd.DataFrame, share: float | None = None) -> pd.DataFrame:
    """Actions flagged 'risque_reduction', with the State credits that could be reduced in year n+1.

    ``reduction_eur`` = unconsumed State credits x ``share`` (default: H02), rounded to the cent;
    ``year_applied`` is the following year.
    """
    share = resolve(share, "reduction_share")
    if not 0 <= share <= 1:
        raise ValueError(f"part de réduction hors de [0 ; 1] : {share}")
    at_risk = flags[flags["flag"] == "risque_reduction"].copy()
    factor = Decimal(str(share))
    at_risk["reduction_eur"] = [(u * factor).quantize(CENT, rounding=ROUND_HALF_UP) for u in at_risk["unconsumed"]]
    at_risk["year_applied"] = at_risk["year"] + 1
    return at_risk[["convention", "action", "year", "rate", "unconsumed", "reduction_eur", "year_applied"]].reset_index(drop=True)


def scenario(consumption: pd.DataFrame, threshold: float | None = None, share: float | None = None) -> pd.DataFrame:
    """The potential reductions of one scenario: flags at ``threshold`` (H01), reductions of ``share`` (H02)."""
    return potential_reductions(flag_under_consumption(consumption, threshold), share)


def threshold_sensitivity(consumption: pd.DataFrame, thresholds, share: float | None = None) -> pd.DataFrame:
    """For each threshold: how many action-years are at risk, which (``actions``: (convention, action, year)
    triples) and the State credits that could be reduced (``share`` of the unconsumed credits, H02)."""
    rows = []
    for threshold in thresholds:
        reductions = scenario(consumption, threshold, share)
        rows.append(
            {
                "threshold": threshold,
                "at_risk": len(reductions),
                "actions": tuple(zip(reductions["convention"], reductions["action"], reductions["year"])),
                "reduction_eur": sum(reductions["reduction_eur"], Decimal("0.00")),
            }
        )
    return pd.DataFrame(rows)


def explorer(consumption: pd.DataFrame, threshold: float | None = None, share: float | None = None):
    """An ipywidgets panel: threshold and reduction-share sliders (starting at H01 and H02), and the result."""
    import ipywidgets as widgets

    from analysis import display

    threshold_slider = widgets.FloatSlider(
        value=resolve(threshold, "under_consumption_threshold"), min=0.5, max=1.0, step=0.05, description="Seuil",
        readout_format=".0%",
    )
    share_slider = widgets.FloatSlider(
        value=resolve(share, "reduction_share"), min=0.0, max=1.0, step=0.1, description="Part réduite", readout_format=".0%"
    )
    result = widgets.HTML()

    def refresh(_change=None):
        reductions = scenario(consumption, threshold_slider.value, share_slider.value)
        total = display.eur(sum(reductions["reduction_eur"], Decimal("0.00")))
        result.value = (
            f"<p><b>{len(reductions)} action(s)-année(s) à risque ; réduction possible : {total}</b></p>"
            + display.reductions(reductions).to_html(index=False, border=0)
        )

    threshold_slider.observe(refresh, names="value")
    share_slider.observe(refresh, names="value")
    refresh()
    return widgets.VBox([widgets.HBox([threshold_slider, share_slider]), result])
