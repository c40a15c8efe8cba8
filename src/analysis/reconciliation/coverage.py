"""Family 'couverture': years and actions present in one table and missing in another; dates."""

from __future__ import annotations

import re

import pandas as pd

from analysis.reconciliation.base import (
    _actions,
    _axis_of,
    _fiche_lines,
    _pick,
    _status_row,
    _where,
)

CONVENTION_YEARS = {"cls": [2024, 2025, 2026, 2027], "ft": [2024]}
CONVENTION_END = {"ft": pd.Timestamp("2024-12-31")}
#: Earliest possible start of a sub-action "from the signature": the day of the deliberation.
SIGNATURE_DATE = pd.Timestamp("2024-04-15")


def check_year_coverage(contract) -> list[dict]:
    """Each action's fiche budget has a line for every year of its convention, and none outside it."""
    rows = []
    for convention, years in CONVENTION_YEARS.items():
        fiche = _fiche_lines(contract, f"{convention}_fiche_budget")
        for action in _actions(contract, convention):
            printed = sorted(int(y) for y in _pick(fiche, action=action)["year"].dropna().unique())
            missing = [y for y in years if y not in printed]
            extra = [y for y in printed if y not in years]
            rows.append(
                _status_row(
                    f"couverture/{convention}/{action}/annees_fiche",
                    not missing and not extra,
                    f"Fiche {action} : années imprimées {', '.join(map(str, printed)) or 'aucune'} pour la période "
                    f"{years[0]}-{years[-1]}"
                    + (f" ; manquantes : {', '.join(map(str, missing))}" if missing else "")
                    + (f" ; hors période de la convention : {', '.join(map(str, extra))}" if extra else "")
                    + ".",
                    severity="elevee" if missing else "moyenne",
                    convention=convention,
                    table=f"{convention}_fiche_budget",
                    axis=_axis_of(contract).get(action),
                    action=action,
                    source_computed=_where(_pick(fiche, action=action)),
                )
            )
    return rows


def check_action_coverage(contract) -> list[dict]:
    """Each action appears with an amount in every table that lists actions."""
    b = contract.budget
    tables = {"cls": ["cls_fiche_budget", "cls_a3_prev_2024", "cls_a3_exec_2024", "cls_a3_prev_2025"], "ft": ["ft_plan_action", "ft_fiche_budget"]}
    rows = []
    for convention, names in tables.items():
        for table in names:
            present = set(_pick(b, table=table, row_type="line")["action"].dropna())
            for action in _actions(contract, convention):
                rows.append(
                    _status_row(
                        f"couverture/{convention}/{action}/{table}",
                        action in present,
                        f"Action {action} : " + ("présente" if action in present else "aucun montant imprimé") + f" dans le tableau {table}.",
                        convention=convention,
                        table=table,
                        axis=_axis_of(contract).get(action),
                        action=action,
                    )
                )
    return rows


def _start_date(text) -> pd.Timestamp | None:
    """Earliest start date from a printed start ('2024-02-01', '2024-09', '2ème trimestre 2024', 'signature…')."""
    if not isinstance(text, str):
        return None
    text = text.strip().lower()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return pd.Timestamp(text)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return pd.Timestamp(text + "-01")
    quarter = re.search(r"(\d)\S* trimestre (\d{4})", text)
    if quarter:
        return pd.Timestamp(year=int(quarter.group(2)), month=3 * int(quarter.group(1)) - 2, day=1)
    if "signature" in text:
        return SIGNATURE_DATE
    return None


def check_sub_action_dates(contract) -> list[dict]:
    """FT sub-actions whose start plus duration runs past the convention's end (31/12/2024)."""
    subs = contract.sub_actions[contract.sub_actions["convention"] == "ft"]
    rows = []
    for _, sub in subs.sort_values(["action", "sub_action"]).iterrows():
        start = _start_date(sub["start"])
        scope = dict(convention="ft", table="sub_actions", axis=_axis_of(contract).get(sub["action"]), action=sub["action"], year=2024)
        where = _where(subs[subs.index == sub.name])
        if start is None or pd.isna(sub["duration_months"]):
            rows.append(
                {
                    "check_id": f"couverture/ft/{sub['action']}/sous_action_{sub['sub_action']}/duree",
                    "family": "couverture",
                    "status": "non_verifiable",
                    "severity": "faible",
                    "source_computed": where,
                    "explication": f"Sous-action {sub['action']}-{sub['sub_action']} : début ou durée non imprimé(e).",
                    **scope,
                }
            )
            continue
        end = start + pd.DateOffset(months=int(sub["duration_months"])) - pd.Timedelta(days=1)
        past = (end.year - 2024) * 12 + end.month - 12 if end > CONVENTION_END["ft"] else 0
        row = _status_row(
            f"couverture/ft/{sub['action']}/sous_action_{sub['sub_action']}/duree",
            past == 0,
            f"Sous-action {sub['action']}-{sub['sub_action']} : début {start:%d/%m/%Y}, {int(sub['duration_months'])} mois, "
            f"fin au plus tôt le {end:%d/%m/%Y}"
            + (f", soit {past} mois après la fin de la convention (31/12/2024)." if past else ", dans la période de la convention."),
            source_computed=where,
            **scope,
        )
        row["gap_units"] = float(past)
        rows.append(row)
    return rows
