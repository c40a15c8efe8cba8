"""Charts (matplotlib), with French labels and number formats. Each function returns the Figure.

Plotting libraries are imported here only, so that loading the data stays cheap.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from analysis.formatting import format_number

FUNDER_COLOURS = {"État": "#000091", "Département": "#E1000F", "Autres financeurs": "#A0A0A0"}
STATUS_COLOURS = {"ok": "#18753C", "ecart": "#CE0500", "non_verifiable": "#B34000"}
FICTITIOUS_NOTE = "Données d'exécution FICTIVES (exemple)"


def euro_axis(ax, axis: str = "y") -> None:
    """Format an axis in euros the French way, in millions above 1 M€."""

    def fmt(value, _pos):
        if abs(value) >= 1_000_000:
            return f"{format_number(value / 1_000_000, 1)} M€"
        return f"{format_number(value, 0)} €"

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(fmt))


def plot_budget_by_axis_year(table: pd.DataFrame, title: str):
    """Stacked bars of planned amounts per year and axis, one colour per funder.

    ``table`` is the output of :func:`analysis.summaries.budget_by_axis_year`.
    """
    funders = [f for f in FUNDER_COLOURS if f in table.columns]
    data = table.set_index(["Axe", "Année"])[funders].astype(float)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    labels = [f"Axe {axis}\n{year}" for axis, year in data.index]
    bottom = pd.Series(0.0, index=data.index)
    for funder in funders:
        ax.bar(labels, data[funder], bottom=bottom, label=funder, color=FUNDER_COLOURS[funder])
        bottom = bottom + data[funder]
    euro_axis(ax)
    ax.set_title(title)
    ax.set_ylabel("Montant prévu")
    ax.legend(title="Financeur", frameon=False)
    ax.tick_params(axis="x", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
