"""The financial report and the per-action statements of the CLS execution report (art. 2.3, l. 364-388).

:func:`financial_report` gives, per action, one row per year reported and one cumulated row over the
period: State credits available and executed, the Département's and other funders' executed amounts,
consumption against the expected rate, the flag of art. 2.2, the amounts exposed and under review, and the
justification, shown as « à apprécier par l'État » (the State judges whether it is *opérante*).

:func:`action_statement` writes the short factual statement of one action from these figures and its
indicators: templated French sentences, each figure taken from the tables, never invented prose.
"""

from __future__ import annotations

import pandas as pd

from analysis import display
from analysis.domain import ACHIEVEMENT_STATUS_LABELS, ASSESSMENT_FLAG_LABELS, CLS, MINIMUM_SHARE_HEADER, STATE_JUDGES_LABEL
from analysis.money import ZERO, total_or_none
from analysis.pack.tables import Amounts, action_rows

MONEY = ["Crédits État disponibles", "Montant État réalisé", "Crédits État non consommés", "Montant Département réalisé",
         "Autres financeurs réalisé", "Total réalisé", "Montant exposé", "Montant à apprécier par l'État"]
PERCENT = ["Taux de consommation", "Taux de consommation attendu", "Part du Département dans le réalisé"]
#: Column of the Département's share: shown with two decimals (a share just under 50 % never reads « 50,0 % »).
SHARE = "Part du Département dans le réalisé"


def _row(frame: pd.DataFrame, action: str, year: int) -> dict | None:
    hit = frame[(frame["action"] == action) & (frame["year"] == year)]
    return None if hit.empty else hit.iloc[0].to_dict()


def _value(row: dict | None, column: str):
    if row is None:
        return None
    value = row.get(column)
    return None if value is None or (isinstance(value, float) and value != value) or value is pd.NA else value


def justification_text(row: dict | None) -> str | None:
    """The justification of an action-year, said to be for the State to judge when it covers an exposure."""
    reason, text = _value(row, "gap_reason"), _value(row, "justification")
    given = " — ".join(str(t) for t in (reason, text) if t)
    if not given:
        return None
    if _value(row, "flag") == "justification_a_apprecier":
        return f"{STATE_JUDGES_LABEL} : {given}"
    return given


def _year_row(axis, action, title, year, row, other, minimum) -> dict:
    executed, cd = _value(row, "executed_state"), _value(row, "executed_departement")
    total = total_or_none([executed, cd, other]) if executed is not None else None
    return {"Axe": axis, "Action": action, "Intitulé de l'action": title, "Année": str(year),
            "Crédits État disponibles": _value(row, "available_state"), "Montant État réalisé": executed,
            "Crédits État non consommés": _value(row, "unconsumed_state"),
            "Montant Département réalisé": cd, "Autres financeurs réalisé": other, "Total réalisé": total,
            "Taux de consommation": _value(row, "rate"), "Taux de consommation attendu": _value(row, "expected_rate"),
            SHARE: _value(row, "departement_share"),
            MINIMUM_SHARE_HEADER: display.minimum_share(_value(row, "departement_share"), minimum) or None,
            "Constat (article 2.2)": ASSESSMENT_FLAG_LABELS.get(_value(row, "flag"), ""),
            "Montant exposé": _value(row, "amount_at_risk"), "Montant à apprécier par l'État": _value(row, "amount_under_review"),
            "Justification": justification_text(row)}


def period_label(position: dict) -> str:
    """« Cumul 2024-2025 », or over the reported years only, said: « Cumul 2024 (2025 non renseigné) »."""
    first, last = position["first"], position["last"]
    if position["complete"]:
        return f"Cumul {first}-{last}"
    done = display.list_text([str(y) for y in position["reported_years"]])
    missing = display.list_text([str(y) for y in position["missing_years"]])
    return f"Cumul {done} ({missing} non renseigné{'s' if len(position['missing_years']) > 1 else ''})"


def _period_row(years_rows: list[dict], position: dict, minimum) -> dict:
    """The period over the reported years, each euro once (:meth:`analysis.Assessment.position_over`)."""
    out = {k: years_rows[0][k] for k in ("Axe", "Action", "Intitulé de l'action")}
    reported = [r for r in years_rows if r["Montant État réalisé"] is not None]
    cd, other = (total_or_none(r[c] for r in reported) for c in ("Montant Département réalisé", "Autres financeurs réalisé"))
    share = None if position["departement_share"] != position["departement_share"] else position["departement_share"]
    rate = None if position["rate"] != position["rate"] else position["rate"]
    return {**out, "Année": period_label(position), "Crédits État disponibles": position["available_state"],
            "Montant État réalisé": position["executed_state"], "Crédits État non consommés": position["unconsumed_state"],
            "Montant Département réalisé": cd, "Autres financeurs réalisé": other,
            "Total réalisé": total_or_none([position["executed_state"], cd, other]) if reported else None,
            "Taux de consommation": rate, "Taux de consommation attendu": None, SHARE: share,
            MINIMUM_SHARE_HEADER: display.minimum_share(share, minimum) or None, "Constat (article 2.2)": "",
            "Montant exposé": position["amount_at_risk"], "Montant à apprécier par l'État": position["amount_under_review"],
            "Justification": None}


def financial_report(contract, execution, assessment, years: list[int]) -> pd.DataFrame:
    """Execution per CLS action and year, then over the period ``years[0]``-``years[-1]`` (see the module
    docstring): the period row counts each euro once and runs over the reported years only, and says so."""
    amounts = Amounts(contract, execution, CLS.code)
    cls = assessment.consumption[assessment.consumption["convention"] == CLS.code]
    positions = {r["action"]: r for r in assessment.position_over(years[0], years[-1]).to_dict("records")}
    minimum = assessment.parameters["cls_departement_min_share"]
    rows = []
    for axis, _, action, title in action_rows(contract, CLS.code):
        per_year = []
        for year in years:
            row = _row(cls, action, year)
            if row is not None:
                per_year.append(_year_row(axis, action, title, year, row, amounts.get(action, year, "executed", "autre"),
                                          minimum))
        rows += per_year
        if len(years) > 1 and per_year and action in positions:
            rows.append(_period_row(per_year, positions[action], minimum))
    frame = pd.DataFrame(rows)
    return frame.astype({c: object for c in MONEY if c in frame.columns})


# --------------------------------------------------------------------------------------------------
# Factual statements
# --------------------------------------------------------------------------------------------------


def _money_sentence(year_label: str, row: dict) -> str:
    executed, available = row["Montant État réalisé"], row["Crédits État disponibles"]
    if executed is None:
        return f"En {year_label}, le montant État réalisé n'est pas renseigné."
    text = f"En {year_label}, {display.eur(executed)} de crédits État réalisés"
    if available:
        text += f" sur {display.eur(available)} disponibles ({display.percent(row['Taux de consommation'])}"
        expected = row.get("Taux de consommation attendu")
        text += f" pour {display.percent(expected)} attendus)" if expected is not None else ")"
    flag = row.get("Constat (article 2.2)")
    text += f" : {flag[0].lower()}{flag[1:]}" if isinstance(flag, str) and flag else ""
    at_risk, review = row.get("Montant exposé") or ZERO, row.get("Montant à apprécier par l'État") or ZERO
    if at_risk > 0:
        text += f" ; {display.eur(at_risk)} exposés à une décision de l'État (non une somme due)"
    if review > 0:
        text += f" ; {display.eur(review)} dont la justification est à apprécier par l'État"
    return text + "."


def _indicator_sentence(year_label: str, statuses: pd.Series) -> str | None:
    if statuses.empty:
        return None
    counts = statuses.value_counts()
    reported = int(len(statuses) - counts.get("non_renseigne", 0))
    parts = [f"{int(counts[s])} « {ACHIEVEMENT_STATUS_LABELS[s].lower()} »" for s in ACHIEVEMENT_STATUS_LABELS
             if s != "non_renseigne" and counts.get(s, 0)]
    text = f"Indicateurs {year_label} : {reported} sur {len(statuses)} renseignés"
    return text + (f" ({display.list_text(parts)})." if parts else ".")


def action_statement(report_rows: pd.DataFrame, achievement: pd.DataFrame, years: list[int]) -> str:
    """The factual statement of one action: one sentence per year and for the period (money and indicators).

    ``report_rows``: the action's rows of :func:`financial_report`; ``achievement``: its indicators, one row
    per indicator and year (and the period rows, ``year`` = the period label, from ``achievement_over``).
    """
    sentences = []
    for record in report_rows.to_dict("records"):
        row = {k: _value(record, k) for k in record}
        sentences.append(_money_sentence(row["Année"].replace("Cumul ", "cumul "), row))
    for year in [*years, f"{years[0]}-{years[-1]}"]:
        statuses = achievement.loc[achievement["year"].astype(str) == str(year), "status"]
        sentence = _indicator_sentence(str(year), statuses)
        if sentence:
            sentences.append(sentence)
    return " ".join(sentences) if sentences else "Aucun chiffre d'exécution renseigné pour cette action."
