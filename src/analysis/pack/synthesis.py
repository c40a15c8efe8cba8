"""The one-page global synthesis of a pack, the reconciliation findings still open, and the assumptions used.

The synthesis is a two-column list (« Rubrique », « Élément ») with the figure of each line in « Montant »
(euros) or « Nombre »: totals, counts per flag and per indicator status, and the main gaps — the
:data:`H42 <analysis.assumptions>` largest amounts exposed or under review, then the critical indicators.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis import display
from analysis.assumptions import default, get
from analysis.domain import ACHIEVEMENT_STATUS_LABELS, ASSESSMENT_FLAG_LABELS, CLS, CONVENTION_LABELS, INDICATOR_FAMILY_LABELS
from analysis.money import ZERO, total_or_none
from analysis.pack.tables import Amounts

SYNTHESIS_COLUMNS = ["Rubrique", "Élément", "Montant", "Nombre"]


def line(section: str, item: str, amount=None, count=None) -> dict:
    return {"Rubrique": section, "Élément": item, "Montant": amount, "Nombre": count}


def synthesis_frame(lines: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(lines, columns=SYNTHESIS_COLUMNS).astype({"Montant": object, "Nombre": "Int64"})


def flag_lines(consumption: pd.DataFrame, years: list[int]) -> list[dict]:
    """Number of CLS action-years per flag, for each year."""
    out = []
    cls = consumption[consumption["convention"] == CLS.code]
    for year in years:
        flags = cls.loc[cls["year"] == year, "flag"].value_counts()
        for flag, text in ASSESSMENT_FLAG_LABELS.items():
            if flags.get(flag, 0):
                out.append(line(f"Constats {year} (article 2.2)", text, count=int(flags[flag])))
    return out


def status_lines(achievement: pd.DataFrame, label: str, section: str) -> list[dict]:
    """Number of indicators per status (``achievement`` restricted to one year or one period)."""
    counts = achievement["status"].value_counts()
    return [line(f"{section} {label}", text, count=int(counts.get(code, 0))) for code, text in ACHIEVEMENT_STATUS_LABELS.items()
            if counts.get(code, 0)]


def main_gaps(consumption: pd.DataFrame, years: list[int], n: int | None = None, reductions: dict | None = None) -> list[dict]:
    """The ``n`` (H42) largest amounts exposed or under review, per action and year, largest first; beside an
    amount, the reduction an avenant already applied to the next year's credits (``reductions``:
    (action, year) -> (next year, amount), :func:`avenant_reductions`)."""
    n = int(default("pack_main_gaps")) if n is None else n
    cls = consumption[(consumption["convention"] == CLS.code) & consumption["year"].isin(years)]
    gaps = []
    for row in cls.to_dict("records"):
        at_risk, review = row["amount_at_risk"] or ZERO, row["amount_under_review"] or ZERO
        if at_risk > 0 or review > 0:
            kind = "exposé" if at_risk > 0 else "à apprécier par l'État"
            text = (f"Action {row['action']} ({row['year']}) : {display.percent(row['rate'])} consommés pour "
                    f"{display.percent(row['expected_rate'])} attendus ; montant {kind}")
            applied = (reductions or {}).get((row["action"], int(row["year"])))
            if applied:
                text += (f" (l'avenant {applied[0]} a déjà notifié {display.eur(applied[1])} de moins que la prévision "
                         "du contrat)")
            gaps.append((-(at_risk + review), row["year"], row["action"], line("Principaux écarts", text, at_risk + review)))
    return [g[-1] for g in sorted(gaps, key=lambda g: g[:3])[:n]]


def avenant_reductions(contract, execution, years: list[int]) -> dict:
    """(action, year n) -> (n + 1, amount) for each CLS action whose State credits of n + 1, notified by avenant
    (the n or n + 1 workbook's avenant sheet), are below the contract's forecast (l. 300-318): a reduction the
    State has already applied, shown beside the amount exposed in n (art. 2.2, l. 331-335). Years after 2027
    are outside the contract."""
    amounts = Amounts(contract, execution, CLS.code)
    actions = contract.actions.loc[contract.actions["convention"] == CLS.code, "action"]
    out = {}
    for year in years:
        if year + 1 > CLS.end.year:
            continue
        for action in actions:
            notified, planned = amounts.get(action, year + 1, "notified"), amounts.get(action, year + 1, "planned")
            if notified is not None and planned is not None and notified < planned:
                out[(action, year)] = (year + 1, planned - notified)
    return out


def critical_indicators(achievement: pd.DataFrame, label: str) -> list[dict]:
    crit = achievement[achievement["status"] == "critique"]
    return [line("Indicateurs critiques", f"{_indicator_name(r)} ({label}) : résultat {display.number(r['result'])} pour "
                 f"une cible de {display.number(r['target'])}") for r in crit.to_dict("records")]


def _indicator_name(row: dict) -> str:
    """« Action 3.2 : « Nombre de jeunes reçus » » or « Indicateur national : « … » », never an identifier."""
    where = f"Action {row['action']}" if isinstance(row.get("action"), str) else INDICATOR_FAMILY_LABELS[row["family"]]
    return f"{where} : « {row['label']} »"


def finding_lines(to_clear: pd.DataFrame, document: pd.DataFrame) -> list[dict]:
    """The Synthèse's count of execution findings to clear and of the signed document's inconsistencies."""
    cleared = to_clear[to_clear["Statut"].notna()] if "Statut" in to_clear.columns else to_clear
    return [line("Rapprochement", "Constats des bilans d'exécution à lever avant transmission", count=len(cleared)),
            line("Rapprochement", "Incohérences du document signé (pour information, rien à lever)", count=len(document))]


def open_findings(checks: pd.DataFrame, convention: str) -> pd.DataFrame:
    """The reconciliation findings still open for ``convention`` (gaps and unverifiable checks), most severe
    first, for reading (French headers, amounts as numbers)."""
    order = {"elevee": 0, "moyenne": 1, "faible": 2, "information": 3, "aucune": 4}
    own = checks[(checks["status"] != "ok") & (checks["convention"].astype(str) == convention)].copy()
    own["_order"] = [order.get(str(s), 5) for s in own["severity"]]
    own["_gap"] = [-abs(float(g)) if g is not None and g == g else 0.0 for g in own["gap_eur"]]
    own = own.sort_values(["_order", "_gap", "check_id"], kind="stable")
    columns = ["check_id", "family", "table", "action", "year", "expected", "computed", "gap_eur", "status", "severity",
               "explication"]
    return display.checks(own, columns, numbers=False)


def assumptions_table(ids: list[str]) -> pd.DataFrame:
    """The assumptions a pack rests on: ID, title, value, source lines, quality and impact."""
    rows = []
    for ident in ids:
        item = get(ident)
        rows.append({"Hypothèse": item.id, "Intitulé": item.title, "Valeur retenue": item.value_label(),
                     "Lignes du texte source": item.source_lines or "", "Qualité": item.quality, "Impact": item.impact})
    return pd.DataFrame(rows)


def money_total(values) -> Decimal:
    return total_or_none(values) or ZERO


def convention_title(convention: str) -> str:
    return CONVENTION_LABELS[convention]
