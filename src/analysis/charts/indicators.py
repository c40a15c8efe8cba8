"""Targets against results, from :attr:`analysis.assessment.Assessment.achievement`.

- :func:`plot_indicators`: small multiples, one panel per indicator of an action (or of the indicators
  without action: the CLS national matrix of Annexe 10, the France Travail steering indicators): the
  2023 baseline, the yearly targets, the results coloured by status, and every missing result of a
  reported year marked (never drawn as a zero);
- :func:`plot_all_indicators`: the same for every action of a convention, then its indicators without action;
- :func:`plot_attainment_heatmap`: capped attainment, one row per indicator and one column per reported year.

A year is *reported* when the assessment holds consumption rows of the convention for it (a workbook was
read), else when any of the convention's indicators has a result that year
(:func:`analysis.display.reported_years`).
"""

from __future__ import annotations

from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from analysis.charts.base import (
    ACHIEVEMENT_COLOURS,
    GREY,
    LIGHT_GREY,
    NAVY,
    action_key,
    figure,
    footer,
    number_axis,
    tidy,
    title,
    wrap,
)
from analysis.display import reported_years
from analysis.domain import (
    ACHIEVEMENT_STATUS_LABELS,
    CLS,
    CONVENTION_SHORT_LABELS,
    CONVENTION_YEARS,
    DIRECTION_LABELS,
    FT,
    TIME_BASIS_LABELS,
)
from analysis.formatting import format_percent
from analysis.money import is_missing

#: The year of the baseline (« situation au 31/12/2023 »).
BASELINE_YEAR = 2023
#: Name of the indicators without action, per convention.
WITHOUT_ACTION = {
    CLS.code: "indicateurs nationaux (annexe 10)",
    FT.code: "indicateurs de pilotage (annexe 4)",
}


def indicator_rows(assessment, convention: str, action=None):
    """The achievement rows of the indicators of ``action`` (None: the indicators without action)."""
    a = assessment.achievement
    own = a[a["convention"] == convention]
    rows = own[own["action"].isna()] if action is None else own[own["action"] == action]
    if rows.empty:
        what = WITHOUT_ACTION[convention] if action is None else f"action {action}"
        raise ValueError(f"{CONVENTION_SHORT_LABELS[convention]} : aucun indicateur pour {what}")
    return rows


def _panel_meta(row) -> str:
    """The small line under a panel: unit, time basis, direction when it is not « higher is better » (a reader
    knows an indicator by its label, in the panel's title; never by its code)."""
    unit = [] if is_missing(row["unit"]) else [str(row["unit"])]
    parts = [*unit, TIME_BASIS_LABELS.get(row["time_basis"], str(row["time_basis"])).lower()]
    if row["direction"] != "up":
        parts.append(DIRECTION_LABELS.get(row["direction"], str(row["direction"])).lower())
    return " · ".join(parts)


def sentence(text) -> str:
    """A label as printed, with a capital first letter (some source labels start in lower case)."""
    text = " ".join(str(text).split())
    return text[:1].upper() + text[1:]


def shares_note(assessment, indicator_id: str) -> str:
    """Which fiche indicators are counted as ``indicator_id`` (H29): « somme des fiches 1.1, 1.2 et 1.3 » for
    the shares of a national indicator, « repris par la fiche 1.4 » for a copy; '' when none."""
    shares = getattr(assessment, "indicator_shares", None)
    if shares is None or shares.empty:
        return ""
    own = shares[shares["counted_as"] == indicator_id].drop_duplicates("indicator_id")
    parts = sorted(own.loc[own["link"] == "part", "action"], key=action_key)
    copies = sorted(own.loc[own["link"] == "copie", "action"], key=action_key)
    notes = []
    if parts:
        notes.append(f"somme des fiches {', '.join(parts[:-1])} et {parts[-1]}" if len(parts) > 1 else f"fiche {parts[0]}")
    notes += [f"repris par la fiche {a}" for a in copies]
    return " · ".join(notes)


def indicator_panel(ax, rows, reported: list[int], years: list[int], note: str = "") -> None:
    """One indicator: baseline (2023), targets (dashes), results coloured by status, missing results marked;
    ``note`` (the fiche indicators counted as it, :func:`shares_note`) goes under the panel."""
    rows = rows.sort_values("year")
    first = rows.iloc[0]
    values = [v for v in [first["baseline"], *rows["target"], *rows["result"]] if not is_missing(v)]
    if not is_missing(first["baseline"]):
        ax.plot([BASELINE_YEAR], [first["baseline"]], "D", color=GREY, markersize=5, zorder=3, clip_on=False)
    targets = rows[rows["target"].notna()]
    ax.plot(targets["year"], targets["target"], linestyle="--", marker="_", markersize=12, color=NAVY, linewidth=1)
    done = rows[rows["result"].notna()]
    ax.scatter(done["year"], done["result"], c=[ACHIEVEMENT_COLOURS[s] for s in done["status"]], s=42, zorder=4,
               edgecolors="white", linewidths=0.6, clip_on=False)
    band = blended_transform_factory(ax.transData, ax.transAxes)
    for year in rows.loc[rows["result"].isna() & rows["year"].isin(reported), "year"]:
        ax.axvspan(year - 0.32, year + 0.32, color=LIGHT_GREY, zorder=0)
        ax.text(year, 0.04, "non\nrenseigné", transform=band, ha="center", va="bottom", fontsize=6.5, color="#3A3A3A")
    top = max(values) if values else 0.0
    ax.set_ylim(0, (top if top > 0 else 1.0) * 1.18)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    if not values:
        ax.text(0.5, 0.6, "Ni situation de départ,\nni cible imprimées", transform=ax.transAxes, ha="center",
                va="center", fontsize=7.5, color="#3A3A3A", style="italic")
        ax.set_yticks([])
    ax.set_xlim(BASELINE_YEAR - 0.5, years[-1] + 0.5)
    ax.set_xticks([BASELINE_YEAR, *years], [str(y) for y in [BASELINE_YEAR, *years]], fontsize=7.5)
    ax.tick_params(axis="y", labelsize=7.5)
    number_axis(ax)
    ax.set_title(wrap(sentence(first["label"]), 44), fontsize=8.5, loc="left")
    ax.set_xlabel(wrap(" · ".join(t for t in (_panel_meta(first), note) if t), 60), fontsize=7, color="#3A3A3A")
    ax.set_gid(str(first["indicator_id"]))  # which indicator a panel draws, for a test or an SVG reader
    ax.set_ylabel(str(first["unit"]) if not is_missing(first["unit"]) else "", fontsize=7.5)
    tidy(ax)


def _legend_handles(statuses: set, any_missing: bool) -> list:
    handles = [
        Line2D([], [], marker="D", linestyle="none", color=GREY, label=f"Situation {BASELINE_YEAR}"),
        Line2D([], [], linestyle="--", marker="_", markersize=12, color=NAVY, label="Cible de l'année"),
    ]
    handles += [
        Line2D([], [], marker="o", linestyle="none", color=ACHIEVEMENT_COLOURS[s], label=f"Résultat : {label.lower()}")
        for s, label in ACHIEVEMENT_STATUS_LABELS.items() if s in statuses and s != "non_renseigne"
    ]
    if any_missing:
        handles.append(Patch(color=LIGHT_GREY, label="Résultat non renseigné (année du bilan)"))
    return handles


def plot_indicators(assessment, convention: str, action=None):
    """Small multiples of the indicators of ``action`` of ``convention`` (None: the indicators without
    action), one panel per indicator; three panels a row (four for the indicators without action)."""
    rows = indicator_rows(assessment, convention, action)
    ids = list(dict.fromkeys(rows["indicator_id"]))
    ncols = min(len(ids), 3 if action is not None else 4)
    nrows = -(-len(ids) // ncols)
    fig, axes = figure(nrows, ncols, max(4.0 * ncols + 0.4, 8.4), 3.0 * nrows + 1.3)
    reported, years = reported_years(assessment, convention), CONVENTION_YEARS[convention]
    for ax, iid in zip(axes.flat, ids):
        indicator_panel(ax, rows[rows["indicator_id"] == iid], reported, years, shares_note(assessment, iid))
    for ax in axes.flat[len(ids):]:
        fig.delaxes(ax)
    missing = rows["result"].isna() & rows["year"].isin(reported)
    footer(fig, _legend_handles(set(rows["status"]), missing.any()), 4)
    what = f"action {action}" if action is not None else WITHOUT_ACTION[convention]
    title(fig, f"{CONVENTION_SHORT_LABELS[convention]}, {what} : cibles et résultats par année", assessment.fictitious)
    return fig


def plot_all_indicators(assessment, convention: str) -> list:
    """:func:`plot_indicators` for every action of ``convention`` with indicators (in action order), then
    for its indicators without action: every indicator of the convention is drawn once."""
    a = assessment.achievement
    actions = sorted(set(a.loc[(a["convention"] == convention) & a["action"].notna(), "action"]), key=action_key)
    figures = [plot_indicators(assessment, convention, action) for action in actions]
    if (a.loc[a["convention"] == convention, "action"].isna()).any():
        figures.append(plot_indicators(assessment, convention, None))
    return figures


def attainment_scale(near_band: float, late_band: float, cap: float) -> tuple[ListedColormap, BoundaryNorm]:
    """Colour scale of capped attainment, in the status bands: « critique » below ``late_band`` (H26),
    « en retard » below ``near_band`` (H25), « proche » below 100 %, « atteint » from 100 % to the cap (H27)."""
    bounds = [0.0, late_band, near_band, 1.0, max(cap, 1.0) + 1e-9]
    colours = [ACHIEVEMENT_COLOURS[s] for s in ("critique", "en_retard", "proche", "atteint")]
    return ListedColormap(colours).with_extremes(bad=LIGHT_GREY), BoundaryNorm(bounds, len(colours))


def band_labels(parameters: dict) -> list[str]:
    """The status bands of the colour scale, in words: « Critique\n< 65 % » …"""
    late, near = format_percent(parameters["late_band"]), format_percent(parameters["near_band"])
    ranges = [f"< {late}", f"{late} à {near}", f"{near} à 100 %", "100 %"]
    statuses = ["critique", "en_retard", "proche", "atteint"]
    return [f"{ACHIEVEMENT_STATUS_LABELS[s]}\n{r}" for s, r in zip(statuses, ranges)]


def heatmap_matrix(assessment, convention: str):
    """Capped attainment, one row per indicator (by action in the contract's order, then those without
    action) and one column per reported year; the row labels, the actions and where a target is missing."""
    a = assessment.achievement
    own = a[(a["convention"] == convention) & a["year"].isin(reported_years(assessment, convention))]
    if own.empty:
        raise ValueError(f"{CONVENTION_SHORT_LABELS[convention]} : aucune année de bilan, pas de taux d'atteinte à montrer")
    first = own.drop_duplicates("indicator_id").reset_index(drop=True)
    order = sorted(first.itertuples(), key=lambda r: (action_key(r.action), r.Index))
    ids = [r.indicator_id for r in order]
    matrix = own.pivot(index="indicator_id", columns="year", values="attainment").reindex(ids)
    no_target = own.pivot(index="indicator_id", columns="year", values="target").reindex(ids).isna()
    labels = [f"{'' if is_missing(r.action) else f'{r.action} · '}{wrap(sentence(r.label), 64, 1)}" for r in order]
    return matrix, labels, [r.action for r in order], no_target


def _cell_text(value: float, no_target: bool) -> str:
    if value == value:
        return format_percent(value)
    return "sans cible" if no_target else "n.r."


def plot_attainment_heatmap(assessment, convention: str):
    """Capped attainment of every indicator of ``convention`` (rows) per reported year (columns), coloured
    by status band; a missing result is a grey « n.r. » cell (« sans cible » without a target), never a zero."""
    matrix, labels, actions, no_target = heatmap_matrix(assessment, convention)
    p = assessment.parameters
    cmap, norm = attainment_scale(p["near_band"], p["late_band"], p["attainment_cap"])
    fig, axes = figure(1, 1, 6.4 + 1.1 * matrix.shape[1], 0.24 * len(matrix) + 2.4)
    ax = axes[0][0]
    image = ax.imshow(matrix.to_numpy(dtype=float), cmap=cmap, norm=norm, aspect="auto")
    ax.set_xticks(range(matrix.shape[1]), [str(y) for y in matrix.columns])
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(labels)), labels, fontsize=7.5)
    for i, row in enumerate(matrix.to_numpy(dtype=float)):
        for j, value in enumerate(row):
            dark = value == value and (value < p["late_band"] or value >= 1.0)
            ax.text(j, i, _cell_text(value, no_target.iat[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if dark else "black" if value == value else "#3A3A3A")
    for i in range(1, len(actions)):
        if actions[i] != actions[i - 1] and not (is_missing(actions[i]) and is_missing(actions[i - 1])):
            ax.axhline(i - 0.5, color="white", linewidth=2.5)
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    bar = fig.colorbar(image, ax=ax, fraction=0.08, shrink=min(1.0, 12 / max(len(labels), 1)), aspect=20)
    bar.set_ticks([(a + b) / 2 for a, b in zip(norm.boundaries[:-1], norm.boundaries[1:])], labels=band_labels(p))
    bar.ax.tick_params(labelsize=7.5, length=0)
    bar.set_label(f"Taux d'atteinte de la cible (plafonné à {format_percent(p['attainment_cap'])})", fontsize=8)
    title(fig, f"{CONVENTION_SHORT_LABELS[convention]} : atteinte des cibles par indicateur et par année", assessment.fictitious)
    footer(fig, text="Couleur : statut de l'indicateur. n.r. : résultat non renseigné dans le bilan (jamais compté "
                     "comme zéro). Lignes groupées par action, puis les indicateurs sans action.")
    return fig
