"""The scenario panel's chart (notebook 04 and ``make app``): one convention and year under a scenario,
against the base, drawn fast enough to follow a slider (a bare Figure, no pyplot, no constrained layout)."""

from __future__ import annotations

import io

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.charts.base import FICTITIOUS_NOTICE, FLAG_COLOURS, GREY, NOT_APPLICABLE_COLOUR, percent_axis
from analysis.domain import label
from analysis.money import is_missing

#: Resolution of the panel's image (a screen, not a print).
PANEL_DPI = 90


def plot_scenario_consumption(result, base, convention: str, year: int) -> Figure:
    """Per action of ``convention`` in ``year``: the scenario's consumption rate (bar coloured by flag, the
    colours of every other chart), the base's (black tick) and the expected rate (grey diamond)."""
    c = result.consumption
    rows = c[(c["convention"] == convention) & (c["year"] == year)].iloc[::-1]
    b = base.consumption
    own = b[(b["convention"] == convention) & (b["year"] == year)]
    base_rate = dict(zip(own["action"], own["rate"]))
    height = 0.38 * len(rows) + 2.1
    fig = Figure(figsize=(8, height))
    ax = fig.add_subplot()
    positions = list(range(len(rows)))
    flags = [None if is_missing(f) else f for f in rows["flag"]]
    ax.barh(positions, rows["rate"].fillna(0), color=[FLAG_COLOURS.get(f, NOT_APPLICABLE_COLOUR) for f in flags])
    base_points = [(base_rate[a], y) for a, y in zip(rows["action"], positions)
                   if a in base_rate and not is_missing(base_rate[a])]
    if base_points:
        ax.scatter(*zip(*base_points), marker="|", s=300, color="black", zorder=3, label="Base")
    ax.scatter(rows["expected_rate"], positions, marker="D", s=18, color=GREY, zorder=3, label="Taux attendu")
    ax.set_yticks(positions, [f"Action {a}" for a in rows["action"]])
    percent_axis(ax)
    ax.set_xlim(0, max(1.1, float(rows["rate"].fillna(0).max()) + 0.05) if len(rows) else 1.1)
    ax.set_xlabel("Crédits État réalisés / crédits État disponibles")
    projected = " (projection)" if int(year) in getattr(result, "projected_years", ()) else ""
    text = f"{label('convention', convention)} {year}{projected} : consommation des crédits État"
    ax.set_title(text + (f"\n{FICTITIOUS_NOTICE}" if result.fictitious else ""), fontsize=10)
    present = [f for f in FLAG_COLOURS if f in set(flags)]
    handles = [Patch(color=FLAG_COLOURS[f], label=label("assessment_flag", f).split(" :")[0]) for f in present]
    ax.legend(handles=handles + ax.get_legend_handles_labels()[0], loc="upper center", bbox_to_anchor=(0.5, -0.16),
              ncol=2, frameon=False, fontsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    fig.subplots_adjust(left=0.13, right=0.97, top=1 - 0.65 / height, bottom=1.25 / height)  # no tight_layout: 2x faster
    return fig


def panel_png(fig: Figure) -> bytes:
    """A panel figure as PNG bytes (for an ipywidgets Image or a notebook)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PANEL_DPI)
    return buffer.getvalue()
