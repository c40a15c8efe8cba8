"""Charts of the national view (:class:`analysis.NationalView`): the tile map of the départements, the envelopes, the
regions, the rankings and the distributions. Every chart of fictitious data says « DONNÉES FICTIVES » in its title.

The tile map places each département in its cell of ``data/reference/departements.csv`` (``grid_x``, ``grid_y``: a
hand-made grid, see that folder's README), the five overseas départements in a row apart; a département without a
value is a grey cell with a hatch, never a zero.
"""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.patches import Patch, Rectangle

from analysis.charts.base import (
    AMBER,
    ERROR,
    GREEN,
    GREY,
    LIGHT_GREY,
    NAVY,
    ORANGE,
    euro_axis,
    euro_tick,
    figure,
    footer,
    percent_axis,
    tidy,
    title,
    wrap,
)
from analysis.domain import CLS, FT
from analysis.formatting import format_percent

#: Colours of a département's reporting status (analysis.domain.REPORTING_STATUSES).
REPORTING_COLOURS = {"complet": GREEN, "partiel": AMBER, "aucun_bilan": ERROR}
REPORTING_LABELS = {"complet": "Tous les bilans attendus reçus", "partiel": "Des bilans manquent",
                    "aucun_bilan": "Aucun bilan reçu"}
#: Colours of the Département's share against the minimum of article 2.2.
SHARE_COLOURS = {True: ORANGE, False: GREEN}
OVERSEAS_ROW = 15


def _cell(ax, x: int, y: int, colour, code: str, missing: bool = False) -> None:
    ax.add_patch(Rectangle((x, -y), 0.94, 0.94, facecolor=LIGHT_GREY if missing else colour, edgecolor="white",
                           hatch="///" if missing else None, linewidth=0.6))
    rgb = mcolors.to_rgb(LIGHT_GREY if missing else colour)
    dark = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 0.55
    ax.text(x + 0.47, -y + 0.47, code, ha="center", va="center", fontsize=7, color="white" if dark else "#1E1E1E")


def _frame(ax, d) -> None:
    ax.set_xlim(-0.3, d["grid_x"].max() + 1.2)
    ax.set_ylim(-OVERSEAS_ROW - 0.3, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.text(-0.2, -OVERSEAS_ROW + 1.15, "Outre-mer", fontsize=8, color="#3A3A3A", va="bottom")


def plot_tile_map(view, column: str, heading: str, *, kind: str = "money", note: str | None = None):
    """The départements on their tiles, coloured by ``column`` of ``view.departements``: ``kind`` 'money' (a scale in
    euros, from 0), 'rate' (a scale in percent), 'status' (the reporting status) or 'minimum' (whether the
    Département's share falls short of article 2.2)."""
    d = view.departements
    fig, axes = figure(1, 1, 7.6, 10.2)
    ax = axes[0][0]
    handles, scale = [], None
    if kind in ("money", "rate"):
        values = np.array([np.nan if v is None or v != v else float(v) for v in d[column]], dtype=float)
        top = np.nanmax(values) if np.isfinite(values).any() else 1.0
        scale = mcolors.Normalize(vmin=0.0, vmax=max(top, 1e-9) if kind == "money" else max(1.0, top))
        cmap = mcolors.LinearSegmentedColormap.from_list("national", ["#F5F5FE", "#6A6AF4", NAVY])
        for (x, y, code), v in zip(d[["grid_x", "grid_y", "departement"]].itertuples(index=False), values):
            _cell(ax, x, y, cmap(scale(v)) if np.isfinite(v) else None, code, missing=not np.isfinite(v))
        bar = fig.colorbar(ScalarMappable(norm=scale, cmap=cmap), ax=ax, orientation="horizontal", fraction=0.035, pad=0.01)
        bar.ax.tick_params(labelsize=7)
        (euro_axis if kind == "money" else percent_axis)(bar.ax, axis="x")
    else:
        colours = REPORTING_COLOURS if kind == "status" else SHARE_COLOURS
        labels = REPORTING_LABELS if kind == "status" else {True: "Moins de 50 % pour au moins une action",
                                                             False: "Au moins 50 % pour chaque action"}
        for x, y, code, v in d[["grid_x", "grid_y", "departement", column]].itertuples(index=False):
            _cell(ax, x, y, colours.get(v, GREY), code)
        handles = [Patch(color=colours[k], label=labels[k]) for k in colours if k in set(d[column])]
    if (kind in ("money", "rate")) and not all(np.isfinite(values)):
        handles.append(Patch(facecolor=LIGHT_GREY, hatch="///", edgecolor="white", label="Non renseigné"))
    _frame(ax, d)
    title(fig, heading, view.fictitious)
    footer(fig, handles, min(3, len(handles)) or 1, note)
    return fig


def plot_envelopes(view):
    """The national envelopes of 2024 against the State credits of the contracts, per convention."""
    e = view.envelopes[view.envelopes["convention"] != "total"]
    names = {CLS.code: "Contrats locaux des solidarités", FT.code: "Conventions France Travail"}
    fig, axes = figure(1, 1, 8, 3.2)
    ax = axes[0][0]
    for i, row in enumerate(e.itertuples(index=False)):
        ax.barh(i + 0.18, float(row.envelope), height=0.34, color=LIGHT_GREY, edgecolor=GREY)
        ax.barh(i - 0.18, float(row.contracted or 0), height=0.34, color=NAVY)
        share = float(row.contracted or 0) / float(row.envelope)
        ax.text(float(row.contracted or 0), i - 0.18, f"  {euro_tick(float(row.contracted or 0))} ({format_percent(share)})",
                va="center", fontsize=8)
        ax.text(float(row.envelope), i + 0.18, f"  {euro_tick(float(row.envelope))}", va="center", fontsize=8)
    ax.set_yticks(range(len(e)), [names.get(c, c) for c in e["convention"]], fontsize=8)
    euro_axis(ax, "x")
    ax.set_xlim(0, float(e["envelope"].max()) * 1.25)
    tidy(ax)
    title(fig, "Enveloppes nationales 2024 et crédits État des contrats", view.fictitious)
    footer(fig, [Patch(color=LIGHT_GREY, label="Enveloppe nationale 2024"), Patch(color=NAVY, label="Crédits État 2024 "
                 "prévus par les contrats")], 2, "Enveloppes : instructions DGCS/SD1B/2023/169 et DGEFP/DPE/2023/192 "
                 "(sources publiques, hors délibération).")
    return fig


def plot_regions(view):
    """CLS amounts exposed and under review per region over the period (stacked), largest first."""
    r = view.regions.assign(total=[float(a or 0) + float(b or 0) for a, b in zip(view.regions["cls_amount_at_risk"],
                                                                                 view.regions["cls_amount_under_review"])])
    r = r.sort_values("total", kind="stable")
    fig, axes = figure(1, 1, 8.5, 0.36 * len(r) + 2.2)
    ax = axes[0][0]
    at_risk = [float(v or 0) for v in r["cls_amount_at_risk"]]
    review = [float(v or 0) for v in r["cls_amount_under_review"]]
    ax.barh(range(len(r)), at_risk, color=ERROR)
    ax.barh(range(len(r)), review, left=at_risk, color=ORANGE)
    ax.set_yticks(range(len(r)), list(r["region"]), fontsize=8)
    euro_axis(ax, "x")
    tidy(ax)
    title(fig, f"CLS {view.first}-{view.last} : montants exposés et à apprécier par région", view.fictitious)
    footer(fig, [Patch(color=ERROR, label="Montant exposé"), Patch(color=ORANGE, label="À apprécier par l'État")], 2,
           "Sommes exactes des départements de chaque région, chaque euro compté une fois sur la période (H45).")
    return fig


def plot_ranking(view, n: int | None = None):
    """The départements with the largest CLS amounts at stake (exposed and under review) over the period."""
    d = view.departements.assign(total=[float(a or 0) + float(b or 0) for a, b in zip(
        view.departements["cls_amount_at_risk"], view.departements["cls_amount_under_review"])])
    top = d.sort_values("total", ascending=False, kind="stable").head(n or 10).iloc[::-1]
    fig, axes = figure(1, 1, 8.5, 0.34 * len(top) + 2.2)
    ax = axes[0][0]
    at_risk = [float(v or 0) for v in top["cls_amount_at_risk"]]
    ax.barh(range(len(top)), at_risk, color=ERROR)
    ax.barh(range(len(top)), [float(v or 0) for v in top["cls_amount_under_review"]], left=at_risk, color=ORANGE)
    ax.set_yticks(range(len(top)), [f"{n_} ({c})" for n_, c in zip(top["nom"], top["departement"])], fontsize=8)
    euro_axis(ax, "x")
    tidy(ax)
    title(fig, f"CLS {view.first}-{view.last} : les départements aux montants en jeu les plus élevés", view.fictitious)
    footer(fig, [Patch(color=ERROR, label="Montant exposé"), Patch(color=ORANGE, label="À apprécier par l'État")], 2)
    return fig


def plot_distributions(view):
    """Two distributions across départements: the CLS consumption rate over the period, and the Département's share
    of the amounts spent against the 50 % of article 2.2 (signed shares marked)."""
    d = view.departements
    fig, axes = figure(1, 2, 10, 3.8)
    left, right = axes[0]
    rates = d["cls_rate"].dropna().astype(float)
    left.hist(rates, bins=np.linspace(max(0.0, rates.min() - 0.02), min(1.0, rates.max() + 0.02), 16), color=NAVY)
    left.set_xlabel("Taux de consommation des crédits État du CLS (années renseignées)", fontsize=8)
    percent_axis(left, decimals=0)
    shares = d["cls_departement_share"].astype(float)
    signed = d["cls_signed_share"].astype(float)
    order = np.argsort(shares.to_numpy(), kind="stable")
    right.scatter(shares.to_numpy()[order], range(len(d)), s=10, color=NAVY, label="Réalisé")
    right.scatter(signed.to_numpy()[order], range(len(d)), s=14, marker="|", color=ERROR, label="Signé")
    right.axvline(0.5, color="black", linewidth=1)
    right.set_yticks([])
    right.set_xlabel("Part du Département (crédits de toutes les actions du CLS)", fontsize=8)
    percent_axis(right, decimals=0)
    for ax in (left, right):
        ax.tick_params(labelsize=7)
        tidy(ax)
    title(fig, "Distributions entre départements", view.fictitious)
    footer(fig, [Patch(color=NAVY, label="Part réalisée"), Patch(color=ERROR, label="Part signée")], 2,
           "Un point par département ; trait vertical : minimum de 50 % de l'article 2.2 (lu action par action, H56).")
    return fig


def plot_national_indicators(view, year: int):
    """National indicators of ``year``: the national attainment (sum of results over sum of targets, H54) and the
    spread of the départements' attainment (first to third quartile, median)."""
    ind = view.indicators[(view.indicators["year"] == year) & (view.indicators["with_result"] > 0)]
    ind = ind.iloc[::-1]
    fig, axes = figure(1, 1, 9, 0.42 * len(ind) + 2.2)
    ax = axes[0][0]
    y = np.arange(len(ind))
    ax.hlines(y, ind["attainment_q1"], ind["attainment_q3"], color=GREY, linewidth=3)
    ax.scatter(ind["attainment_median"], y, color=GREY, s=22, zorder=3)
    ax.scatter(ind["attainment"], y, color=NAVY, marker="D", s=26, zorder=4)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_yticks(y, [wrap(f"{i} — {label}", 70, 2) for i, label in zip(ind["indicator_id"], ind["label"])], fontsize=7)
    percent_axis(ax, decimals=0)
    tidy(ax)
    title(fig, f"Indicateurs nationaux {year} : atteinte des cibles", view.fictitious)
    footer(fig, [Patch(color=NAVY, label="France entière (somme des résultats / somme des cibles)"),
                 Patch(color=GREY, label="Départements : médiane et quartiles")], 1)
    return fig
