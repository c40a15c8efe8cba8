"""Charts (matplotlib), with French labels and number formats. Each function returns the Figure.

Plotting libraries are imported here only, so that loading the data stays cheap.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from analysis.domain import FLAG_LABELS, FUNDER_LABELS, TABLE_SHORT_LABELS, grouping_label, label
from analysis.formatting import format_number, format_percent

FUNDER_COLOURS = {"etat": "#000091", "departement": "#E1000F", "autre": "#A0A0A0"}
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
    ax.spines[["top", "right"]].set_visible(False)
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


FLAG_COLOURS = {
    "conforme": STATUS_COLOURS["ok"],
    "montee_en_charge": "#6A6AF4",
    "justifiee": "#FFCA00",
    "risque_reduction": STATUS_COLOURS["ecart"],
}


def plot_consumption(flags: pd.DataFrame, convention: str, year: int, threshold: float, fictitious: bool = True):
    """Horizontal bars: State credits executed as a share of credits paid, per action, coloured by flag."""
    from matplotlib.patches import Patch

    data = flags[(flags["convention"] == convention) & (flags["year"] == year) & flags["rate"].notna()]
    data = data.sort_values("action", ascending=False)
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(data) + 1.6))
    ax.barh([f"Action {a}" for a in data["action"]], data["rate"] * 100, color=[FLAG_COLOURS[f] for f in data["flag"]])
    ax.axvline(threshold * 100, color="black", linestyle="--", linewidth=1)
    ax.text(threshold * 100, len(data) - 0.4, f" seuil {format_percent(threshold)}", fontsize=8, va="bottom")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{format_number(v)} %"))
    ax.set_xlim(0, 110)
    ax.set_xlabel("Crédits État réalisés / crédits État versés")
    title = f"{label('convention', convention)} {year} : consommation des crédits État"
    ax.set_title(title + (f"\n{FICTITIOUS_NOTE}" if fictitious else ""), color="black")
    present = [f for f in FLAG_LABELS if f in set(data["flag"].astype(str))]
    ax.legend(handles=[Patch(color=FLAG_COLOURS[f], label=FLAG_LABELS[f]) for f in present], loc="upper center",
              bbox_to_anchor=(0.5, -0.18 if len(data) > 5 else -0.3), frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_targets_vs_results(progress: pd.DataFrame, action: str, fictitious: bool = True):
    """One panel per indicator of ``action``: yearly targets (line) and results (points)."""
    data = progress[progress["action"] == action]
    ids = list(dict.fromkeys(data["indicator_id"]))
    fig, axes = plt.subplots(1, len(ids), figsize=(4.2 * len(ids), 3.6), squeeze=False)
    for ax, iid in zip(axes[0], ids):
        d = data[data["indicator_id"] == iid].sort_values("year")
        years = d["year"].astype(int)
        ax.plot(years, d["target"].astype(float), marker="s", markersize=5, linestyle="--", color="#000091", label="Cible")
        has = d["result"].notna()
        ax.plot(years[has], d.loc[has, "result"].astype(float), "o", color="#E1000F", label="Résultat")
        ax.set_xticks(sorted(years.unique()))
        label = str(d["label"].iloc[0])
        ax.set_title(label if len(label) < 60 else label[:57] + "…", fontsize=8, wrap=True)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_number(v)))
        top = pd.concat([d["target"], d["result"]]).astype(float).max()
        ax.set_ylim(0, (top if top == top and top > 0 else 1) * 1.25)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].legend(frameon=False, fontsize=8, loc="lower left")
    note = f" — {FICTITIOUS_NOTE}" if fictitious else ""
    fig.suptitle(f"Action {action} : cibles et résultats par année{note}", fontsize=10)
    fig.tight_layout()
    return fig
