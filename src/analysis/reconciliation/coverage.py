"""Family 'couverture': years and actions present in one table and missing in another; dates."""

from __future__ import annotations

import re

import pandas as pd

from analysis.domain import ANNEX_TABLES, CLS, CONVENTION_YEARS, CONVENTIONS, FICHE_TABLE, FT
from analysis.reconciliation.facts import Facts

FAMILY = "couverture"

#: Tables that list the actions of each convention with an amount.
ACTION_TABLES = {CLS.code: [FICHE_TABLE[CLS.code], *ANNEX_TABLES], FT.code: ["ft_plan_action", FICHE_TABLE[FT.code]]}


def check_year_coverage(contract) -> list[dict]:
    """Each action's fiche budget has a line for every year of its convention, and none outside it."""
    facts = Facts.of(contract)
    rows = []
    for convention, years in CONVENTION_YEARS.items():
        table = FICHE_TABLE[convention]
        for action in facts.actions(convention):
            fiche = facts.pick("budget", table=table, row_type="line", action=action)
            printed = sorted({int(r["year"]) for r in fiche if r["year"] is not None})
            missing = [y for y in years if y not in printed]
            extra = [y for y in printed if y not in years]
            scope = facts.action_scope(FAMILY, convention, action, table=table)
            rows.append(
                scope.status(
                    f"couverture/{convention}/{action}/annees_fiche",
                    not missing and not extra,
                    f"Fiche {action} : années imprimées {', '.join(map(str, printed)) or 'aucune'} pour la période "
                    f"{years[0]}-{years[-1]}"
                    + (f" ; manquantes : {', '.join(map(str, missing))}" if missing else "")
                    + (f" ; hors période de la convention : {', '.join(map(str, extra))}" if extra else "")
                    + ".",
                    (None, fiche),
                    severity="elevee" if missing else "moyenne",
                )
            )
    return rows


def check_action_coverage(contract) -> list[dict]:
    """Each action appears with an amount in every table that lists actions and that the contract holds (the
    annexes of a transcribed deliberation; a contract typed in a contract workbook has its fiches only)."""
    facts = Facts.of(contract)
    rows = []
    for convention, tables in ACTION_TABLES.items():
        for table in tables:
            present = {r["action"] for r in facts.pick("budget", table=table, row_type="line")}
            if not present:  # a table the contract does not hold (a typed contract: its fiches only)
                continue
            for action in facts.actions(convention):
                scope = facts.action_scope(FAMILY, convention, action, table=table)
                rows.append(
                    scope.status(
                        f"couverture/{convention}/{action}/{table}",
                        action in present,
                        f"Action {action} : "
                        + ("présente" if action in present else "aucun montant imprimé")
                        + f" dans le tableau {table}.",
                    )
                )
    return rows


def start_date(text, signature_date: pd.Timestamp) -> pd.Timestamp | None:
    """Earliest start date from a printed start ('2024-02-01', '2024-09', '2ème trimestre 2024', 'signature…');
    a start « dès la signature » is ``signature_date`` (H03)."""
    if not isinstance(text, str):
        return None
    text = text.strip().lower()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return pd.Timestamp(text)
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
        return pd.Timestamp(text + "-01")
    quarter = re.search(r"([0-9])\S{0,8} trimestre ([0-9]{4})", text)  # bounded: linear time on any text
    if quarter:
        return pd.Timestamp(year=int(quarter.group(2)), month=3 * int(quarter.group(1)) - 2, day=1)
    if "signature" in text:
        return signature_date
    return None


def check_sub_action_dates(contract) -> list[dict]:
    """FT sub-actions whose start plus duration runs past the convention's end (31/12/2024, l. 5767-5769);
    ``gap_units`` counts the months past the end."""
    facts = Facts.of(contract)
    convention_end = pd.Timestamp(CONVENTIONS[FT.code].end)
    rows = []
    for sub in facts.sort("sub_actions", facts.pick("sub_actions", convention=FT.code), "action", "sub_action"):
        name = f"{sub['action']}-{sub['sub_action']}"
        check_id = f"couverture/ft/{sub['action']}/sous_action_{sub['sub_action']}/duree"
        scope = facts.action_scope(FAMILY, FT.code, sub["action"], table="sub_actions", year=2024)
        start = start_date(sub["start"], facts.choices.signature_date)
        if start is None or sub["duration_months"] is None:
            rows.append(scope.status(check_id, None, f"Sous-action {name} : début ou durée non imprimé(e).", (None, [sub])))
            continue
        end = start + pd.DateOffset(months=int(sub["duration_months"])) - pd.Timedelta(days=1)
        past = (end.year - convention_end.year) * 12 + end.month - convention_end.month if end > convention_end else 0
        rows.append(
            scope.status(
                check_id,
                past == 0,
                f"Sous-action {name} : début {start:%d/%m/%Y}, {int(sub['duration_months'])} mois, fin au plus tôt le "
                f"{end:%d/%m/%Y}"
                + (
                    f", soit {past} mois après la fin de la convention ({convention_end:%d/%m/%Y})."
                    if past
                    else ", dans la période de la convention."
                ),
                (None, [sub]),
                gap_units=float(past),
            )
        )
    return rows
