"""The packs' figures (matplotlib, French labels), saved by :mod:`analysis.pack.run`."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from analysis.formatting import format_number

FICTITIOUS = "DONNÉES FICTIVES (exemple)"
COLOURS = {"etat": "#000091", "available": "#B6CFF5", "eligible": "#18753C", "art_4_2": "#CE0500", "hors_periode": "#B34000"}


def _euros(value, _pos=None) -> str:
    if abs(value) >= 1_000_000:
        return f"{format_number(value / 1_000_000, 1)} M€"
    return f"{format_number(value / 1000, 0)} k€"


def plot_cls_execution(report: pd.DataFrame, years: list[int], fictitious: bool):
    """State credits available and executed per CLS action and year (bars), from the financial report."""
    yearly = report[report["Année"].isin([str(y) for y in years])]
    actions = list(dict.fromkeys(yearly["Action"]))
    fig, axes = plt.subplots(1, len(years), figsize=(5.2 * len(years), 4.2), sharey=True, squeeze=False)
    for ax, year in zip(axes[0], years):
        rows = yearly[yearly["Année"] == str(year)].set_index("Action").reindex(actions)
        x = range(len(actions))
        available = [float(v) if v is not None and v == v else 0.0 for v in rows["Crédits État disponibles"]]
        executed = [float(v) if v is not None and v == v else 0.0 for v in rows["Montant État réalisé"]]
        ax.bar(x, available, color=COLOURS["available"], label="Crédits État disponibles")
        ax.bar(x, executed, width=0.5, color=COLOURS["etat"], label="Montant État réalisé")
        ax.set_xticks(list(x), actions, fontsize=8)
        ax.set_title(f"{year}")
        ax.yaxis.set_major_formatter(FuncFormatter(_euros))
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].legend(frameon=False, fontsize=8, loc="upper right")
    title = "CLS : crédits État disponibles et réalisés par action"
    fig.suptitle(f"{title} — {FICTITIOUS}" if fictitious else title, fontsize=11)
    fig.tight_layout()
    return fig


def plot_ft_eligibility(lines: pd.DataFrame, fictitious: bool):
    """France Travail spending per action: eligible, excluded by art. 4.2, outside 2024 (stacked bars)."""
    actions = sorted(set(lines["action"]))
    parts = {
        "eligible": ("Éligible", [sum(float(v) for v in lines.loc[lines["action"] == a, "eligible_eur"]) for a in actions]),
        "art_4_2": ("Non éligible : article 4.2", [
            sum(float(v) for v in lines.loc[(lines["action"] == a) & (lines["reason"] == "art_4_2"), "ineligible_eur"])
            for a in actions]),
        "hors_periode": ("Non éligible : hors de 2024", [
            sum(float(v) for v in lines.loc[(lines["action"] == a) & (lines["reason"] == "hors_periode"), "ineligible_eur"])
            for a in actions]),
    }
    fig, ax = plt.subplots(figsize=(8, 4.2))
    bottom = [0.0] * len(actions)
    for key, (label, values) in parts.items():
        ax.bar(actions, values, bottom=bottom, color=COLOURS[key], label=label)
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.yaxis.set_major_formatter(FuncFormatter(_euros))
    ax.set_xlabel("Fiche action")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8)
    title = "France Travail 2024 : état des dépenses et éligibilité"
    ax.set_title(f"{title} — {FICTITIOUS}" if fictitious else title, fontsize=11)
    fig.tight_layout()
    return fig
