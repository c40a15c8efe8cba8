"""The financial report and the per-action statements of the CLS execution report (art. 2.3, l. 364-388).

:func:`financial_report` gives, per action, one row per year reported and one cumulated row over the
period: State credits available and executed, the Département's and other funders' executed amounts,
consumption against the expected rate, the flag of art. 2.2, the amounts exposed and under review, and the
justification, shown as « à apprécier par l'État » (the State judges whether it is *opérante*).

:func:`action_statement` writes the short factual statement of one action from these figures and its
indicators: templated French sentences, each figure taken from the tables, never invented prose.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis import display
from analysis.domain import ACHIEVEMENT_STATUS_LABELS, ASSESSMENT_FLAG_LABELS, STATE_JUDGES_LABEL
from analysis.money import ZERO, total_or_none
from analysis.pack.tables import Amounts, action_rows

MONEY = ["Crédits État disponibles", "Montant État réalisé", "Montant Département réalisé", "Autres financeurs réalisé",
         "Total réalisé", "Montant exposé", "Montant à apprécier par l'État"]
PERCENT = ["Taux de consommation", "Taux de consommation attendu", "Part du Département dans le réalisé"]


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


def _year_row(axis, action, title, year, row, other) -> dict:
    executed, cd = _value(row, "executed_state"), _value(row, "executed_departement")
    total = total_or_none([executed, cd, other])
    return {"Axe": axis, "Action": action, "Intitulé de l'action": title, "Année": str(year),
            "Crédits État disponibles": _value(row, "available_state"), "Montant État réalisé": executed,
            "Montant Département réalisé": cd, "Autres financeurs réalisé": other, "Total réalisé": total,
            "Taux de consommation": _value(row, "rate"), "Taux de consommation attendu": _value(row, "expected_rate"),
            "Part du Département dans le réalisé": _value(row, "departement_share"),
            "Constat (article 2.2)": ASSESSMENT_FLAG_LABELS.get(_value(row, "flag"), ""),
            "Montant exposé": _value(row, "amount_at_risk"), "Montant à apprécier par l'État": _value(row, "amount_under_review"),
            "Justification": justification_text(row)}


def _cumulated_row(years_rows: list[dict], label: str) -> dict:
    """Sum over the period; available = the years' credits without the carry-overs received after the first
    year (they are credits of an earlier year of the period, counted once)."""
    out = {k: years_rows[0][k] for k in ("Axe", "Action", "Intitulé de l'action")}
    out["Année"] = label
    for column in MONEY:
        out[column] = total_or_none(r[column] for r in years_rows)
    carried = total_or_none(_value(r.get("_row"), "carried_in_state") for r in years_rows[1:])
    if out["Crédits État disponibles"] is not None:
        out["Crédits État disponibles"] -= carried or ZERO
    available, executed = out["Crédits État disponibles"], out["Montant État réalisé"]
    out["Taux de consommation"] = float(executed / available) if available and executed is not None else None
    cd, total = out["Montant Département réalisé"], out["Total réalisé"]
    out["Part du Département dans le réalisé"] = float(cd / total) if cd is not None and total else None
    return out


def financial_report(contract, execution, consumption: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Execution per CLS action and year, then cumulated over ``years`` (see the module docstring)."""
    amounts = Amounts(contract, execution, "cls")
    cls = consumption[consumption["convention"] == "cls"]
    label = f"Cumul {years[0]}-{years[-1]}"
    rows = []
    for axis, _, action, title in action_rows(contract, "cls"):
        per_year = []
        for year in years:
            row = _row(cls, action, year)
            if row is None:
                continue
            per_year.append({**_year_row(axis, action, title, year, row, amounts.get(action, year, "executed", "autre")),
                             "_row": row})
        rows += per_year
        if len(per_year) > 1:
            rows.append(_cumulated_row(per_year, label))
    frame = pd.DataFrame(rows).drop(columns=["_row"], errors="ignore")
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


def total_of(frame: pd.DataFrame, column: str) -> Decimal | None:
    """Sum of a money column over the yearly rows of :func:`financial_report` (cumulated rows left out)."""
    yearly = frame[~frame["Année"].str.startswith("Cumul")]
    return total_or_none(yearly[column])
