"""State credits, from :attr:`analysis.assessment.Assessment.consumption`: consumption against the expected
rate, the waterfall of the CLS credits per axis and year, and the Département's share per CLS action.

The conventions are kept apart: each figure shows one convention. France Travail rows carry no flag (no n+1
reduction: the final report's balance settles the year, see :mod:`analysis.charts.settlement`).
"""

from __future__ import annotations

from decimal import Decimal

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.charts.base import (
    FLAG_COLOURS,
    GREEN,
    GREY,
    NAVY,
    NOT_APPLICABLE_COLOUR,
    ORANGE,
    PURPLE,
    action_key,
    euro_axis,
    euros,
    figure,
    footer,
    keur,
    percent_axis,
    tidy,
    title,
)
from analysis.domain import (
    ASSESSMENT_FLAG_LABELS,
    CLS,
    CONVENTION_SHORT_LABELS,
    FLAG_NOT_APPLICABLE_LABEL,
    grouping_label,
)
from analysis.formatting import format_list, format_percent
from analysis.money import ZERO, is_missing

#: Colour of the State credits available (the executed amount is navy, as the State's funder colour).
AVAILABLE_COLOUR = "#B6CFF5"
#: Right end of the rate axis: room for the labels after the bars.
RATE_AXIS_END = 1.65


def convention_rows(assessment, convention: str):
    """The consumption rows of ``convention`` (French error when there are none)."""
    c = assessment.consumption
    rows = c[c["convention"] == convention]
    if rows.empty:
        raise ValueError(f"{CONVENTION_SHORT_LABELS[convention]} : aucun bilan d'exécution dans l'évaluation")
    return rows


def money(value) -> Decimal:
    """An amount of a frame as a Decimal, 0 when missing."""
    return ZERO if is_missing(value) else Decimal(value)


def _rate_label(row) -> str:
    """The text after a bar: the rate (and the expected one when below 100 %), the amount exposed or under review."""
    text = format_percent(row["rate"])
    if row["expected_rate_source"] == "declaree":
        text += f" (attendu {format_percent(row['expected_rate'])}, déclaré au bilan)"
    elif row["expected_rate"] < 1:
        text += f" (attendu {format_percent(row['expected_rate'])})"
    if money(row["amount_at_risk"]) > 0:
        text += f" · exposé : {euros(row['amount_at_risk'])}"
    if money(row["amount_under_review"]) > 0:
        text += f" · à apprécier : {euros(row['amount_under_review'])}"
    return text


def _year_title(rows, year: int, cls: bool) -> str:
    if not cls:
        return f"{year} : pas de réduction en n+1, le solde du bilan final règle l'année"
    at_risk = sum((money(v) for v in rows["amount_at_risk"]), ZERO)
    review = sum((money(v) for v in rows["amount_under_review"]), ZERO)
    return f"{year} : exposé {euros(at_risk)} ; à apprécier par l'État {euros(review)}"


def consumption_panel(ax, rows, actions: list, cls: bool) -> None:
    """Bars of one year: the rate per action (colour of its flag), the expected rate (black tick)."""
    position = {a: len(actions) - 1 - i for i, a in enumerate(actions)}
    for _, row in rows.iterrows():
        y = position[row["action"]]
        if is_missing(row["rate"]):
            ax.text(0.01, y, "montant réalisé non renseigné", va="center", fontsize=7.5, color=GREY, style="italic")
            continue
        colour = FLAG_COLOURS.get(row["flag"], GREY) if cls else NOT_APPLICABLE_COLOUR
        ax.barh(y, min(row["rate"], RATE_AXIS_END), color=colour, height=0.62)
        ax.plot([row["expected_rate"]], [y], marker="|", markersize=15, markeredgewidth=2.2, color="black")
        end = max(row["rate"], row["expected_rate"]) + 0.03
        ax.text(end, y, _rate_label(row), va="center", fontsize=7.5)
    ax.set_yticks(range(len(actions)), [f"Action {a}" for a in reversed(actions)], fontsize=8)
    ax.set_xlim(0, RATE_AXIS_END)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    percent_axis(ax)
    ax.axvline(1.0, color=GREY, linewidth=0.6, linestyle=":")
    ax.set_xlabel("Crédits État réalisés / crédits État disponibles (versés ou notifiés, et report reçu)" if cls else
                  "Crédits État réalisés / montant alloué à l'action (art. 4.1)", fontsize=8)
    tidy(ax)


def plot_consumption(assessment, convention: str):
    """Consumption of State credits per action, one panel per reported year: the rate (bar, coloured by
    the CLS flag), the expected rate (tick) and the amount exposed or to be assessed by the State."""
    rows = convention_rows(assessment, convention)
    years = sorted(set(rows["year"].astype(int)))
    actions = sorted(set(rows["action"]), key=action_key)
    cls = convention == CLS.code
    fig, axes = figure(1, len(years), max(6.6 * len(years), 11), 0.42 * len(actions) + 3.0, sharey=True)
    for ax, year in zip(axes[0], years):
        own = rows[rows["year"] == year]
        consumption_panel(ax, own, actions, cls)
        ax.set_title(_year_title(own, year, cls), fontsize=9, loc="left")
    expected = Line2D([], [], marker="|", markersize=12, markeredgewidth=2.2, linestyle="none", color="black",
                      label="Taux de consommation attendu (trajectoire)")
    if cls:
        present = set(rows["flag"].dropna()) - {"non_renseigne"}
        handles = [Patch(color=FLAG_COLOURS[f], label=label) for f, label in ASSESSMENT_FLAG_LABELS.items() if f in present]
    else:
        handles = [Patch(color=NOT_APPLICABLE_COLOUR, label=FLAG_NOT_APPLICABLE_LABEL)]
    footer(fig, [*handles, expected], 2)
    title(fig, f"{CONVENTION_SHORT_LABELS[convention]} : consommation des crédits État par action, contre le taux attendu",
          assessment.fictitious)
    return fig


# ------------------------------------------------------------------------------------------------
# Waterfall of the CLS State credits, per axis and year
# ------------------------------------------------------------------------------------------------

#: Bars of the waterfall: (code, label, kind). 'total' bars start at 0, 'delta' bars float from the running
#: total, 'part' bars are readings of the unconsumed credits (they may overlap: carried-over credits can be
#: the ones exposed), drawn narrower from 0.
WATERFALL_STEPS = [
    ("planned_contract", "Prévu au\ncontrat", "total"),
    ("avenant", "Avenant", "delta"),
    ("notified", "Crédits\nnotifiés", "total"),
    ("paid_gap", "Versé −\nnotifié", "delta"),
    ("carried_in", "Report\nreçu de n−1", "delta"),
    ("available", "Crédits\ndisponibles", "total"),
    ("executed", "Réalisé", "delta"),
    ("unconsumed", "Non\nconsommé", "total"),
    ("carried_out", "dont reporté\nsur n+1", "part"),
    ("at_risk", "dont\nexposé", "part"),
    ("under_review", "dont à apprécier\npar l'État", "part"),
]
PART_COLOURS = {"carried_out": PURPLE, "at_risk": FLAG_COLOURS["sous_consommation_manifeste"],
                "under_review": FLAG_COLOURS["justification_a_apprecier"]}


def waterfall_amounts(rows) -> dict:
    """The amounts of the waterfall of some consumption rows (all with an executed amount), as Decimals."""
    def total(column):
        return sum((money(v) for v in rows[column]), ZERO)

    notified, available, carried_in = total("planned_state"), total("available_state"), total("carried_in_state")
    return {
        "planned_contract": total("planned_contract"), "avenant": notified - total("planned_contract"),
        "notified": notified, "paid_gap": available - carried_in - notified, "carried_in": carried_in,
        "available": available, "executed": -total("executed_state"), "unconsumed": total("unconsumed_state"),
        "carried_out": total("carried_out_state"), "at_risk": total("amount_at_risk"),
        "under_review": total("amount_under_review"),
    }


def waterfall_bars(amounts: dict) -> list[tuple]:
    """(label, bottom, height, colour, text, width) of each bar; 'Versé − notifié' only when not zero."""
    bars, running = [], Decimal(0)
    for code, label, kind in WATERFALL_STEPS:
        value = amounts[code]
        if code == "paid_gap" and value == 0:
            continue
        if kind == "total":
            running = value
            colour = {"unconsumed": ORANGE, "available": NAVY}.get(code, "#7B7B9E")
            bars.append((label, 0.0, float(value), colour, keur(value), 0.7))
        elif kind == "delta":
            colour = "#2E6DB4" if code == "executed" else (GREEN if value >= 0 else FLAG_COLOURS["sous_consommation_manifeste"])
            bars.append((label, float(min(running, running + value)), abs(float(value)), colour, keur(value, signed=True), 0.7))
            running += value
        else:
            bars.append((label, 0.0, float(value), PART_COLOURS[code], keur(value), 0.45))
    return bars


def waterfall_panel(ax, rows, heading: str) -> None:
    """One axis-year: the bars of :func:`waterfall_bars`, values in k€ above them."""
    reported = rows[rows["executed_state"].notna()]
    bars = waterfall_bars(waterfall_amounts(reported))
    top = max(b[1] + b[2] for b in bars) or 1.0
    for i, (_label, bottom, height, colour, text, width) in enumerate(bars):
        ax.bar(i, height, bottom=bottom, color=colour, width=width, hatch="//" if width < 0.7 else None,
               edgecolor="white" if width < 0.7 else colour, linewidth=0)
        ax.text(i, bottom + height + top * 0.02, text, ha="center", va="bottom", fontsize=7.5)
    ax.set_xticks(range(len(bars)), [b[0] for b in bars], fontsize=7.5)
    ax.axvline(len(bars) - 3.5, color=GREY, linewidth=0.6, linestyle=":")
    ax.set_ylim(0, top * 1.16)
    euro_axis(ax)
    ax.tick_params(axis="y", labelsize=7.5)
    left_out = sorted(set(rows["action"]) - set(reported["action"]), key=action_key)
    if left_out:
        heading += f" (hors action {format_list(left_out)} : montant réalisé non renseigné)"
    ax.set_title(heading, fontsize=9, loc="left")
    tidy(ax)


def plot_waterfall(assessment, year: int):
    """CLS State credits of ``year``, one panel per axis: planned by the contract → notified (avenant) →
    available (with the carry-in) → executed → unconsumed, and what of it is carried over, exposed or to be
    assessed by the State. Actions without an executed amount are left out (and named)."""
    rows = convention_rows(assessment, CLS.code)
    rows = rows[rows["year"] == year]
    if rows.empty:
        raise ValueError(f"CLS : aucun bilan d'exécution pour {year}")
    axes_codes = sorted(set(rows["axis"]), key=action_key)
    fig, axes = figure(len(axes_codes), 1, 11, 3.0 * len(axes_codes) + 1.6)
    for ax, axis in zip(axes[:, 0], axes_codes):
        waterfall_panel(ax, rows[rows["axis"] == axis], f"{grouping_label(CLS.code)} {axis}")
    kind = "remboursement des sommes indues (art. 5)" if year == CLS.end.year else "réduction possible en n+1 (art. 2.2)"
    footer(fig, text=f"Les barres « dont » (hachurées) sont des lectures des crédits non consommés et peuvent se "
                     f"recouvrir : un crédit reporté peut aussi être exposé. Exposé : {kind}, une exposition, pas une "
                     "somme due.")
    title(fig, f"CLS {year} : des crédits État prévus aux crédits non consommés, par axe", assessment.fictitious)
    return fig


# ------------------------------------------------------------------------------------------------
# The Département's share of what each CLS action spent, against the 50 % of art. 2.2
# ------------------------------------------------------------------------------------------------

YEAR_MARKERS = ["o", "s", "^", "D"]


def plot_departement_share(assessment):
    """CLS: the Département's share of each action's executed spending, per year, against the minimum of
    art. 2.2 (at least 50 % of the credits of each action). A control for information: the rule is on the
    credits allotted; a shortfall on executed amounts feeds the art. 5 review."""
    rows = convention_rows(assessment, CLS.code)
    minimum = float(assessment.parameters["cls_departement_min_share"])
    actions = sorted(set(rows["action"]), key=action_key)
    years = sorted(set(rows["year"].astype(int)))
    fig, axes = figure(1, 1, 9, 0.42 * len(actions) + 2.4)
    ax = axes[0][0]
    shares = rows["departement_share"].dropna()
    span = max(0.06, abs(shares - minimum).max() + 0.015) if len(shares) else 0.06
    for k, year in enumerate(years):
        own = rows[(rows["year"] == year) & rows["departement_share"].notna()]
        offsets = [len(actions) - 1 - actions.index(a) + (k - (len(years) - 1) / 2) * 0.22 for a in own["action"]]
        colours = [GREEN if s >= minimum else ORANGE for s in own["departement_share"]]
        ax.scatter(own["departement_share"], offsets, c=colours, marker=YEAR_MARKERS[k % 4], s=46, zorder=3)
    ax.axvline(minimum, color="black", linewidth=1)
    ax.text(minimum, len(actions) - 0.45, f" minimum {format_percent(minimum)} (art. 2.2)", fontsize=8, va="bottom")
    ax.set_xlim(minimum - span, minimum + span)
    ax.set_ylim(-0.6, len(actions) - 0.1)
    ax.set_yticks(range(len(actions)), [f"Action {a}" for a in reversed(actions)], fontsize=8)
    percent_axis(ax, decimals=0)
    ax.set_xlabel("Part du Département dans le montant réalisé de l'action (tous financeurs)", fontsize=8)
    ax.grid(axis="y", color="#EEEEEE")
    tidy(ax)
    handles = [Line2D([], [], marker=YEAR_MARKERS[k % 4], linestyle="none", color=GREY, label=str(y))
               for k, y in enumerate(years)]
    handles += [Patch(color=GREEN, label=f"Au moins {format_percent(minimum)}"),
                Patch(color=ORANGE, label=f"Moins de {format_percent(minimum)} (pour information)")]
    title(fig, "CLS : part du Département dans le réalisé de chaque action", assessment.fictitious)
    footer(fig, handles, len(handles), "L'article 2.2 porte sur les crédits dévolus à chaque action (prévus) ; sur le "
                                       "réalisé, c'est un contrôle pour information, qui nourrit le bilan de l'article 5.")
    return fig


# ------------------------------------------------------------------------------------------------
# CLS credits available and executed, per action and year (the execution report)
# ------------------------------------------------------------------------------------------------


def plot_cls_execution(assessment, years: list[int]):
    """State credits available (wide bar) and executed (narrow bar) per CLS action, one panel per year of
    ``years``: the figures of the execution report's « Bilan financier ». An action-year not reported is no
    bar at all (a blank is never a zero), and says so."""
    rows = convention_rows(assessment, CLS.code)
    rows = rows[rows["year"].isin(years)]
    actions = sorted(set(rows["action"]), key=action_key)
    fig, axes = figure(1, len(years), max(5.4 * len(years), 8), 4.6, sharey=True)
    for ax, year in zip(axes[0], years):
        own = rows[rows["year"] == year].set_index("action")
        for x, action in enumerate(actions):
            if action not in own.index or is_missing(own.at[action, "executed_state"]):
                ax.text(x, 0, "non\nrenseigné", ha="center", va="bottom", fontsize=6.5, color=GREY, style="italic")
                continue
            ax.bar(x, float(money(own.at[action, "available_state"])), color=AVAILABLE_COLOUR, width=0.8)
            ax.bar(x, float(money(own.at[action, "executed_state"])), color=NAVY, width=0.42)
        ax.set_xticks(range(len(actions)), actions, fontsize=8)
        ax.set_xlabel("Action", fontsize=8)
        ax.set_title(str(year), fontsize=9, loc="left")
        euro_axis(ax)
        tidy(ax)
    handles = [Patch(color=AVAILABLE_COLOUR, label="Crédits État disponibles (versés ou notifiés, et report reçu)"),
               Patch(color=NAVY, label="Montant État réalisé")]
    footer(fig, handles, 2)
    title(fig, "CLS : crédits État disponibles et réalisés par action", assessment.fictitious)
    return fig


def plot_threshold_sensitivity(frame, register_threshold: float, fictitious: bool):
    """CLS amounts exposed and to be assessed by the State (stacked bars) under each threshold of manifest
    under-consumption (:func:`analysis.scenarios.threshold_sensitivity`), the register's threshold marked."""
    fig, axes = figure(1, 1, 9, 4.4)
    ax = axes[0][0]
    x = [float(t) for t in frame["threshold"]]
    width = 0.8 * (min(b - a for a, b in zip(x, x[1:])) if len(x) > 1 else 0.1)
    at_risk = [float(money(v)) for v in frame["amount_at_risk"]]
    review = [float(money(v)) for v in frame["amount_under_review"]]
    ax.bar(x, at_risk, width=width, color=FLAG_COLOURS["sous_consommation_manifeste"])
    ax.bar(x, review, width=width, bottom=at_risk, color=FLAG_COLOURS["justification_a_apprecier"])
    ax.axvline(register_threshold, color="black", linewidth=1, linestyle="--")
    ax.set_xticks(x)
    percent_axis(ax)
    euro_axis(ax)
    ax.set_xlabel("Seuil de sous-consommation manifeste (part du taux attendu)", fontsize=8)
    tidy(ax)
    handles = [Patch(color=FLAG_COLOURS["sous_consommation_manifeste"], label="Montant exposé"),
               Patch(color=FLAG_COLOURS["justification_a_apprecier"], label="Montant à apprécier par l'État"),
               Line2D([], [], color="black", linestyle="--", label="Seuil du registre")]
    footer(fig, handles, 3, text="Toutes les années lues du CLS ; les autres règles restent celles du registre.")
    title(fig, "CLS : montants en jeu selon le seuil de sous-consommation manifeste", fictitious)
    return fig
