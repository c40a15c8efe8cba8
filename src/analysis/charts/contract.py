"""Charts of the contract as signed: planned budget per axis and year, agreement of the printed figures."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from analysis.charts.base import FUNDER_COLOURS, STATUS_COLOURS, euro_axis, tidy
from analysis.domain import FUNDER_LABELS, TABLE_SHORT_LABELS, grouping_label
from analysis.formatting import format_percent


def plot_budget_by_axis_year(table: pd.DataFrame, title: str):
    """Stacked bars of planned amounts per year and axis, one colour per funder.

    ``table`` is the output of :func:`analysis.summaries.budget_by_axis_year` (one convention).
    """
    funders = [f for f in FUNDER_COLOURS if f in table.columns]
    data = table.set_index(["axis", "year"])[funders].astype(float)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    group = grouping_label(str(table["convention"].iloc[0]))
    labels = [f"{group} {axis}\n{year}" for axis, year in data.index]
    bottom = pd.Series(0.0, index=data.index)
    for funder in funders:
        ax.bar(labels, data[funder], bottom=bottom, label=FUNDER_LABELS[funder], color=FUNDER_COLOURS[funder])
        bottom = bottom + data[funder]
    euro_axis(ax)
    ax.set_title(title)
    ax.set_ylabel("Montant prévu")
    ax.legend(title="Financeur", frameon=False)
    ax.tick_params(axis="x", labelsize=8)
    tidy(ax)
    fig.tight_layout()
    return fig


def agreement_matrix(checks: pd.DataFrame) -> pd.DataFrame:
    """Share of 'ok' checks per action (rows) and table (columns), for checks tied to an action."""
    scoped = checks[checks["action"].notna() & checks["table"].isin(TABLE_SHORT_LABELS)]
    matrix = scoped.assign(ok=scoped["status"] == "ok").pivot_table(index="action", columns="table", values="ok", aggfunc="mean")
    counts = scoped.pivot_table(index="action", columns="table", values="check_id", aggfunc="count")
    order = [t for t in TABLE_SHORT_LABELS if t in matrix.columns]
    return matrix[order], counts[order]


def plot_agreement(checks: pd.DataFrame, title: str = "Concordance des chiffres par action et par tableau"):
    """Heat map: share of agreeing checks per action and table; cells show 'agreeing / total'."""
    from matplotlib.colors import LinearSegmentedColormap

    share, counts = agreement_matrix(checks)
    cmap = LinearSegmentedColormap.from_list("accord", [STATUS_COLOURS["ecart"], "#FFCA00", STATUS_COLOURS["ok"]])
    fig, ax = plt.subplots(figsize=(10, 0.38 * len(share) + 1.8))
    image = ax.imshow(share.astype(float).to_numpy(), cmap=cmap, vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(share.shape[1]), [TABLE_SHORT_LABELS[t] for t in share.columns], rotation=30, ha="right")
    ax.set_yticks(range(share.shape[0]), [f"Action {a}" for a in share.index])
    for i in range(share.shape[0]):
        for j in range(share.shape[1]):
            n = counts.iat[i, j]
            if pd.notna(n):
                ok = round(share.iat[i, j] * n)
                colour = "white" if share.iat[i, j] < 0.5 else "black"
                ax.text(j, i, f"{ok}/{int(n)}", ha="center", va="center", fontsize=8, color=colour)
    bar = fig.colorbar(image, ax=ax, fraction=0.03)
    bar.set_label("Part des contrôles concordants")
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_percent(v)))
    ax.set_title(title)
    fig.tight_layout()
    return fig
