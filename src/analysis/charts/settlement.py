"""France Travail 2024, from :attr:`analysis.assessment.Assessment.settlement` and ``cofinancing``: the
settlement (advance, what is due per volet, balance or refund on the total) and the volet 2 co-financing.

France Travail has no n+1 reduction and no carry-over: the State pays an advance at signature and settles
once, on the total, after the final report (art. 6). The split of the advance per volet is for display only.
"""

from __future__ import annotations

from matplotlib.patches import Patch

from analysis.charts.base import (
    ERROR,
    GREEN,
    GREY,
    NAVY,
    ORANGE,
    WARNING,
    action_key,
    euro_axis,
    euros,
    figure,
    footer,
    percent_axis,
    tidy,
    title,
)
from analysis.charts.credits import money
from analysis.domain import (
    AMOUNT_BASIS_LABELS,
    COFINANCING_READING_LABELS,
    FT,
    FT_STATE_SHARE_READING_LABELS,
    INELIGIBILITY_REASON_LABELS,
)
from analysis.formatting import format_percent
from analysis.money import total

ADVANCE_COLOUR, SHARE_COLOUR, BALANCE_COLOUR, REFUND_COLOUR = "#8585F6", "#B1B1F9", GREEN, "#CE0500"


def settlement_rows(assessment):
    """(volet rows, total row) of the France Travail settlement (French error when there is none)."""
    s = assessment.settlement
    if s.empty:
        raise ValueError("France Travail : aucun bilan final 2024, le solde ne peut pas être calculé")
    return s[s["row_type"] == "volet"], s[s["row_type"] == "total"].iloc[0]


def draw_bars(ax, bars: list[tuple]) -> None:
    """Bars (label, bottom, height, style, text); style: a colour, ('outline',) or ('hatch', colour)."""
    top = max(float(b[1]) + float(b[2]) for b in bars) or 1.0
    for i, (_label, bottom, height, style, text) in enumerate(bars):
        kwargs = {"color": style, "edgecolor": style}
        if style == "outline":
            kwargs = {"color": "white", "edgecolor": "black", "linewidth": 1.2}
        elif isinstance(style, tuple):
            kwargs = {"color": "white", "edgecolor": style[1], "hatch": "///", "linewidth": 1}
        ax.bar(i, float(height), bottom=float(bottom), width=0.68, **kwargs)
        ax.text(i, float(bottom) + float(height) + top * 0.02, text, ha="center", va="bottom", fontsize=7.5)
    ax.set_xticks(range(len(bars)), [b[0] for b in bars], fontsize=7.5)
    ax.set_ylim(0, top * 1.15)
    euro_axis(ax)
    ax.tick_params(axis="y", labelsize=7.5)
    tidy(ax)


def volet_bars(row) -> list[tuple]:
    return [
        ("Coût éligible\nréalisé", 0, money(row["eligible_executed"]), GREY, euros(row["eligible_executed"])),
        ("Part État du\ncoût éligible", 0, money(row["state_share"]), SHARE_COLOUR, euros(row["state_share"])),
        ("Plafond\n(art. 4.1)", 0, money(row["ceiling"]), "outline", euros(row["ceiling"])),
        ("Dû par l'État", 0, money(row["due"]), NAVY, euros(row["due"])),
        ("Avance\n(répartition\nindicative)", 0, money(row["advance_share"]), ("hatch", ADVANCE_COLOUR),
         euros(row["advance_share"])),
    ]


def total_bars(total) -> list[tuple]:
    advance, due = money(total["advance"]), money(total["due"])
    balance, refund = money(total["balance_due"]), money(total["refund_due"])
    if balance > 0:
        outcome = ("Solde à verser\npar l'État", advance, balance, BALANCE_COLOUR, f"+{euros(balance)}")
    elif refund > 0:
        outcome = ("Trop-perçu\nà rembourser", due, refund, REFUND_COLOUR, f"−{euros(refund)}")
    else:
        outcome = ("Ni solde ni\ntrop-perçu", advance, 0, GREY, euros(0))
    alt_balance, alt_refund = money(total["balance_due_alternative"]), money(total["refund_due_alternative"])
    alt = (f"solde {euros(alt_balance)}" if alt_balance > 0 else f"trop-perçu {euros(alt_refund)}" if alt_refund > 0
           else "ni solde ni trop-perçu")
    return [
        ("Avance versée\n(signature)", 0, advance, ADVANCE_COLOUR, euros(advance)),
        outcome,
        ("Dû par l'État", 0, due, NAVY, euros(due)),
        (f"Dû, autre\nlecture (H24) :\n{alt}", 0, money(total["due_alternative"]), ("hatch", NAVY),
         euros(total["due_alternative"])),
    ]


def plot_settlement(assessment):
    """France Travail 2024: per volet, the eligible cost, the State share, the ceiling, what is due and the
    display-only share of the advance; on the total, the advance, the balance or the refund, and what is due
    (also under the other reading of the State share of volet 2, H24)."""
    volets, total = settlement_rows(assessment)
    fig, axes = figure(1, len(volets) + 1, 5.0 * (len(volets) + 1), 5.0)
    for ax, (_, row) in zip(axes[0], volets.iterrows()):
        draw_bars(ax, volet_bars(row))
        ax.set_title(f"Volet {row['volet']}", fontsize=9.5, loc="left")
    ax = axes[0][-1]
    draw_bars(ax, total_bars(total))
    ax.set_title("Total de la convention : un seul solde", fontsize=9.5, loc="left")
    reading = FT_STATE_SHARE_READING_LABELS.get(total["reading"], str(total["reading"])).lower()
    footer(fig, text="Le solde (ou le trop-perçu) se calcule une seule fois, sur le total (art. 6) ; la part de "
                     f"l'avance par volet n'est qu'une répartition pour l'affichage.\nPart État du volet 2 lue comme "
                     f"{reading} ; chaque volet est plafonné, sans transfert entre volets.")
    title(fig, f"France Travail {FT.start.year} : avance, dû, solde ou trop-perçu", assessment.fictitious)
    return fig


def plot_ft_cofinancing(assessment):
    """France Travail volet 2: the Département's share of the total cost, planned and executed, without and
    with the valorised FSE+, against the 50 % of art. 3.3 (judged on the volet as a whole)."""
    c = assessment.cofinancing
    if c.empty:
        raise ValueError("France Travail : aucun cofinancement du volet 2 à montrer")
    rows = c.iloc[::-1]
    minimum = float(rows["minimum_share"].iloc[0])
    fig, axes = figure(1, 1, 9, 0.55 * len(rows) + 2.2)
    ax = axes[0][0]
    labels = [f"{AMOUNT_BASIS_LABELS[b]}\n{COFINANCING_READING_LABELS[r]}" for b, r in zip(rows["basis"], rows["reading"])]
    colours = [GREEN if h else ORANGE for h in rows["holds"]]
    ax.barh(range(len(rows)), rows["share"], color=colours, height=0.6)
    for i, (share, cost) in enumerate(zip(rows["share"], rows["cofinancing"])):
        ax.text(share - 0.01, i, f"{format_percent(share, 2)} ({euros(cost)})", va="center", ha="right", fontsize=8,
                color="white", fontweight="bold")
    ax.axvline(minimum, color="black", linewidth=1)
    ax.text(minimum, len(rows) - 0.45, f" {format_percent(minimum)} (art. 3.3)", fontsize=8, va="bottom")
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.set_xlim(0, max(0.7, float(rows["share"].max()) + 0.1))
    ax.set_ylim(-0.6, len(rows) - 0.1)
    percent_axis(ax)
    ax.set_xlabel("Part du coût total du volet 2 apportée par le Département", fontsize=8)
    tidy(ax)
    title(fig, f"France Travail {FT.start.year} : cofinancement du volet 2 par le Département", assessment.fictitious)
    footer(fig, text=f"Vert : la règle des {format_percent(minimum)} tient dans cette lecture ; orange : elle ne tient "
                     "pas. La règle porte sur le volet entier, pas sur chaque action.")
    return fig


#: Colours of an expense's eligibility (:attr:`analysis.Assessment.expenses`), by reason.
ELIGIBILITY_COLOURS = {"eligible": GREEN, "art_4_2": ERROR, "hors_periode": WARNING}


def plot_ft_eligibility(assessment):
    """France Travail spending per fiche action, from the expense statement: eligible, not eligible under
    art. 4.2, not eligible because outside the convention's period (stacked bars; the assessment's own
    line-by-line eligibility, the same amounts as the settlement deducts)."""
    lines = assessment.expenses
    if lines.empty:
        raise ValueError("France Travail : aucun état des dépenses dans les bilans lus")
    actions = sorted(set(lines["action"]), key=action_key)
    by_action = {a: lines[lines["action"] == a] for a in actions}
    parts = {
        "eligible": ("Éligible", [total(g["eligible_eur"]) for g in by_action.values()]),
        **{reason: (f"Non éligible : {INELIGIBILITY_REASON_LABELS[reason]}",
                    [total(g.loc[g["reason"] == reason, "ineligible_eur"]) for g in by_action.values()])
           for reason in ("art_4_2", "hors_periode")},
    }
    fig, axes = figure(1, 1, 9, 4.6)
    ax = axes[0][0]
    bottom = [0.0] * len(actions)
    for key, (_label, values) in parts.items():
        heights = [float(v) for v in values]
        ax.bar(range(len(actions)), heights, bottom=bottom, color=ELIGIBILITY_COLOURS[key], width=0.62)
        bottom = [b + h for b, h in zip(bottom, heights)]
    ax.set_xticks(range(len(actions)), actions, fontsize=8)
    ax.set_xlabel("Fiche action", fontsize=8)
    euro_axis(ax)
    tidy(ax)
    footer(fig, [Patch(color=ELIGIBILITY_COLOURS[k], label=label) for k, (label, _) in parts.items()], 1)
    title(fig, f"France Travail {FT.start.year} : état des dépenses et éligibilité", assessment.fictitious)
    return fig
