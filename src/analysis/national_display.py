"""The national view for reading: French tables, sentences and the national workbook (:class:`analysis.NationalView`).

Like :mod:`analysis.display` (whose value formats it uses), this module turns the roll-up's tidy frames into what a
person reads: French headers, labels for codes, money as ``1 234 567,00 €``, rates as ``77,3 %``, an empty cell for
a missing value. With ``numbers=False`` numbers stay numbers (for the national workbook, :func:`export_national`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import display, domain
from analysis.formatting import format_list
from analysis.money import is_missing
from analysis.rollup.sums import COUNT_COLUMNS, MONEY_COLUMNS

#: French header of every column of the national frames.
HEADERS = {
    "departement": "Code", "nom": "Département", "region_code": "Code région", "region": "Région",
    "reporting_status": "Bilans", "fictitious": "Données fictives",
    "cls_contract_state": "CLS : crédits État prévus au contrat",
    "cls_available_state": "CLS : crédits État disponibles",
    "cls_executed_state": "CLS : montant État réalisé",
    "cls_unconsumed_state": "CLS : crédits État non consommés",
    "cls_rate": "CLS : taux de consommation",
    "cls_amount_at_risk": "CLS : montant exposé",
    "cls_amount_under_review": "CLS : montant à apprécier par l'État",
    "cls_executed_departement": "CLS : montant Département réalisé",
    "cls_executed_autre": "CLS : autres financeurs réalisé",
    "cls_departement_share": "CLS : part du Département (réalisé)",
    "cls_signed_departement": "CLS : crédits Département signés",
    "cls_signed_total": "CLS : crédits signés (tous financeurs)",
    "cls_signed_share": "CLS : part du Département (signée)",
    "cls_min_share": "Part minimale (article 2.2)",
    "cls_below_minimum": "Règle des 50 % (H56)",
    "cls_actions": "CLS : actions",
    "cls_actions_reported": "CLS : actions renseignées",
    "cls_actions_under_minimum": "Actions sous 50 % (réalisé)",
    "cls_actions_signed_under_minimum": "Actions sous 50 % (signé)",
    "ft_contract_state": "France Travail : crédits État alloués",
    "ft_ceiling": "France Travail : plafonds des volets",
    "ft_eligible_executed": "France Travail : dépenses éligibles",
    "ft_due": "France Travail : dû par l'État",
    "ft_advance": "France Travail : avance versée",
    "ft_balance_due": "France Travail : solde à verser",
    "ft_refund_due": "France Travail : trop-perçu à reverser",
    "ft_volet2_cost": "France Travail : coût réalisé du volet 2",
    "ft_volet2_cofinancing": "France Travail : cofinancement du volet 2",
    "ft_volet2_share": "France Travail : part cofinancée du volet 2",
    "workbooks_expected": "Bilans attendus", "workbooks_received": "Bilans reçus", "workbooks_missing": "Bilans manquants",
    "cls_manifest": "Sous-consommations manifestes", "cls_under_review": "Justifications à apprécier",
    "indicators_critical": "Indicateurs critiques", "checks_ecart": "Écarts du rapprochement",
    "departements": "Départements", "departements_reporting": "Départements ayant transmis un bilan",
    "departements_without_workbook": "Départements sans aucun bilan",
    "departements_below_minimum": "Départements sous la règle des 50 %",
    # envelopes
    "convention": "Convention", "year": "Année", "envelope": "Enveloppe nationale", "contracted": "Crédits État des contrats",
    "gap": "Écart à l'enveloppe", "contracted_share": "Part de l'enveloppe contractualisée",
    "executed_state": "Montant État réalisé (bilans reçus)", "departements_reporting_envelope": "Départements ayant transmis",
    # indicators
    "indicator_id": "Indicateur", "label": "Libellé", "unit": "Unité", "rollup": "Consolidation",
    "with_result": "Départements avec un résultat", "target_sum": "Cible (somme)", "result_sum": "Résultat (somme)",
    "attainment": "Atteinte nationale", "attainment_q1": "Atteinte : 1er quartile",
    "attainment_median": "Atteinte : médiane", "attainment_q3": "Atteinte : 3e quartile",
    "result_min": "Résultat : minimum", "result_median": "Résultat : médiane", "result_max": "Résultat : maximum",
    # missing workbooks, statuses
    "missing": "Bilans attendus non reçus", "kind": "Nature", "status": "Statut", "count": "Nombre",
}
RATES = {"cls_rate": 1, "contracted_share": 1, "ft_volet2_share": 1, "attainment": 1, "attainment_q1": 1,
         "attainment_median": 1, "attainment_q3": 1}
SHARES = {"cls_departement_share", "cls_signed_share"}
MONEY = {*MONEY_COLUMNS, "envelope", "contracted", "gap", "executed_state"}
COUNTS = {*COUNT_COLUMNS, "departements", "departements_reporting", "departements_without_workbook",
          "departements_below_minimum", "with_result", "count", "departements_reporting_envelope"}
QUANTITIES = {"target_sum", "result_sum", "result_min", "result_median", "result_max"}
LABELLED = {"reporting_status": "reporting_status", "rollup": "indicator_rollup"}
KIND_LABELS = {"constat": "Constat du CLS (article 2.2)", "indicateur": "Statut d'indicateur"}
#: Columns of :func:`departements_table` by default.
DEPARTEMENT_VIEW = ["departement", "nom", "region", "reporting_status", "cls_contract_state", "cls_executed_state",
                    "cls_rate", "cls_amount_at_risk", "cls_amount_under_review", "cls_signed_share",
                    "cls_departement_share", "ft_due", "ft_balance_due", "ft_refund_due"]


def _writer(column: str, numbers: bool):
    if column in LABELLED:
        return lambda v: "" if is_missing(v) else domain.label(LABELLED[column], v)
    if column == "convention":
        return lambda v: {"total": "CLS et France Travail"}.get(v) or domain.CONVENTION_SHORT_LABELS.get(v, v)
    if column == "cls_below_minimum":
        return lambda v: "" if is_missing(v) else ("non respectée" if v else "respectée")
    if not numbers and (column in MONEY or column in RATES or column in SHARES or column in COUNTS or column in QUANTITIES
                        or column == "year"):
        return lambda v: None if is_missing(v) else (float(v) if column in QUANTITIES else v)
    if column in MONEY:
        return display.eur
    if column in RATES:
        return lambda v: display.percent(v, RATES[column])
    if column in SHARES or column == "cls_min_share":
        return lambda v: display.share(v, 0.5)
    if column in COUNTS:
        return display.count
    if column in QUANTITIES:
        return display.number
    if column == "year":
        return display.identifier
    if column == "fictitious":
        return display.yes_no
    return display.text


def table(frame: pd.DataFrame, columns=None, *, numbers: bool = True) -> pd.DataFrame:
    """Any frame of the national view, for reading (see the module docstring)."""
    columns = list(frame.columns) if columns is None else list(columns)
    missing = [c for c in columns if c not in HEADERS]
    if missing:
        raise KeyError(f"colonne(s) sans en-tête français : {', '.join(missing)}")
    cells = {HEADERS[c]: [_writer(c, numbers)(v) for v in frame[c].astype(object)] for c in columns}
    return pd.DataFrame(cells, index=pd.RangeIndex(len(frame)))


def departements_table(view, columns=None, *, numbers: bool = True) -> pd.DataFrame:
    """The départements, one row each (default columns: :data:`DEPARTEMENT_VIEW`)."""
    return table(view.departements, columns or DEPARTEMENT_VIEW, numbers=numbers)


def regions_table(view, *, numbers: bool = True) -> pd.DataFrame:
    """The regions, then the whole country."""
    columns = ["region", "departements", "departements_reporting", "cls_contract_state", "cls_executed_state", "cls_rate",
               "cls_amount_at_risk", "cls_amount_under_review", "departements_below_minimum", "ft_due", "ft_balance_due",
               "ft_refund_due"]
    frame = pd.concat([view.regions, view.nation.assign(region="France entière")], ignore_index=True)
    return table(frame, columns, numbers=numbers)


def envelopes_table(view, *, numbers: bool = True) -> pd.DataFrame:
    """The national envelopes of 2024 against the contracts."""
    frame = view.envelopes.rename(columns={"departements_reporting": "departements_reporting_envelope"})
    return table(frame, ["convention", "year", "envelope", "contracted", "gap", "contracted_share", "departements",
                         "executed_state", "departements_reporting_envelope"], numbers=numbers)


def missing_table(view, *, numbers: bool = True) -> pd.DataFrame:
    """Per département, the workbooks expected for the period and not received (« CLS 2026, CLS 2027 »)."""
    m = view.missing
    rows = [(code, g["nom"].iloc[0], g["region"].iloc[0],
             format_list([f"{domain.CONVENTION_SHORT_LABELS[c]} {y}" for c, y in zip(g["convention"], g["year"])]))
            for code, g in m.groupby("departement", sort=False)]
    frame = pd.DataFrame(rows, columns=["departement", "nom", "region", "missing"])
    frame = frame.merge(view.departements[["departement", "reporting_status"]], on="departement", how="left")
    return table(frame, ["departement", "nom", "region", "reporting_status", "missing"], numbers=numbers)


def ranking_table(view, column: str, n: int | None = None, *, extra=(), numbers: bool = True) -> pd.DataFrame:
    """The first ``n`` départements by ``column`` (H55), with their region and ``extra`` columns."""
    ranked = view.ranking(column, n)
    return table(ranked, ["departement", "nom", "region", column, *extra], numbers=numbers)


def indicators_table(view, year: int | None = None, *, numbers: bool = True) -> pd.DataFrame:
    """The national indicators (of ``year``, default the period's first) with a target or a result somewhere."""
    ind = view.indicators
    year = view.first if year is None else year
    ind = ind[(ind["year"] == year) & (ind["with_result"] > 0)]
    return table(ind, ["indicator_id", "label", "unit", "rollup", "departements", "with_result", "target_sum", "result_sum",
                       "attainment", "attainment_q1", "attainment_median", "attainment_q3"], numbers=numbers)


def status_table(view, kind: str) -> pd.DataFrame:
    """National counts of the CLS findings (``kind`` 'constat') or of the indicator statuses ('indicateur') of the
    period, per convention, in the order of the vocabulary."""
    s = view.statuses[view.statuses["kind"] == kind]
    order = domain.ASSESSMENT_FLAGS if kind == "constat" else domain.ACHIEVEMENT_STATUSES
    labels = "assessment_flag" if kind == "constat" else "status"
    counts = s.groupby(["convention", "status"])["count"].sum()
    rows = [(domain.CONVENTION_SHORT_LABELS[c], domain.label(labels, st) if labels != "status" else
             domain.ACHIEVEMENT_STATUS_LABELS[st], display.count(counts.get((c, st), 0)))
            for c in domain.CONVENTION_CODES for st in order if (c, st) in counts.index]
    return pd.DataFrame(rows, columns=["Convention", KIND_LABELS[kind], "Action-années" if kind == "constat" else
                                       "Indicateur-années"])


def _sum_text(value) -> str:
    return display.eur(value) if not is_missing(value) else "rien"


def nation_summary(view) -> str:
    """The whole country in a few sentences (Markdown): who reported, the CLS over the period, France Travail 2024."""
    n = view.nation.iloc[0]
    d = view.departements
    received = int((d["reporting_status"] != "aucun_bilan").sum())
    lines = [
        f"**{display.count(n['departements'])} départements**, période **{view.first}-{view.last}** : "
        f"{display.count(received)} ont transmis au moins un bilan, "
        f"{display.count((d['reporting_status'] == 'complet').sum())} tous les bilans attendus "
        f"({display.count(n['workbooks_received'])} bilans reçus sur {display.count(n['workbooks_expected'])} attendus ; "
        f"{display.count(n['departements_without_workbook'])} département(s) sans aucun bilan).",
        f"- **CLS** : {_sum_text(n['cls_contract_state'])} de crédits État prévus par les contrats sur la période ; sur "
        f"les années renseignées, {_sum_text(n['cls_executed_state'])} réalisés sur {_sum_text(n['cls_available_state'])} "
        f"disponibles ({display.percent(n['cls_rate'])}). Montant exposé : **{_sum_text(n['cls_amount_at_risk'])}** ; "
        f"à apprécier par l'État : **{_sum_text(n['cls_amount_under_review'])}** (chaque euro compté une fois, H45). "
        f"{display.count(n['departements_below_minimum'])} département(s) prévoient moins de 50 % de crédits du "
        f"Département pour au moins une action (H56).",
        f"- **France Travail 2024** : {_sum_text(n['ft_contract_state'])} alloués ; dû par l'État au vu des bilans "
        f"finals reçus : {_sum_text(n['ft_due'])}, dont {_sum_text(n['ft_balance_due'])} de soldes à verser et "
        f"{_sum_text(n['ft_refund_due'])} de trop-perçus à reverser.",
    ]
    return "\n".join(lines)


def inputs_note(view, folder=None) -> str:
    """What the view read (Markdown), and the fictitious-data notice when the workbooks are fictitious."""
    where = f"« {Path(folder).name} »" if folder else "le jeu national (data/processed/national)"
    parts = [f"Lu : {where}, {display.count(len(view.departements))} contrats de départements et leurs bilans "
             f"d'exécution ({display.count(view.nation.iloc[0]['workbooks_received'])} classeurs)."]
    if view.fictitious:
        parts.append("**DONNÉES FICTIVES** : jeu national généré par `analysis.synthetic` (codes et noms des "
                     "départements réels, chiffres inventés ; seul le contrat du Pas-de-Calais est réel, avec son "
                     "exécution fictive d'exemple). Aucun chiffre d'exécution de cette page n'est réel.")
    return " ".join(parts)


def export_national(view, path) -> Path:
    """The national workbook: France entière and regions, départements, envelopes, national indicators of each
    year, missing workbooks, findings and statuses; numbers kept as numbers (euro and percent formats)."""
    from analysis.xlsx import write_tables

    years = sorted(view.indicators["year"].unique()) if not view.indicators.empty else []
    sheets = {
        "Régions et France": regions_table(view, numbers=False),
        "Départements": table(view.departements, [c for c in view.departements.columns if c not in ("grid_x", "grid_y")],
                              numbers=False),
        "Enveloppes 2024": envelopes_table(view, numbers=False),
        **{f"Indicateurs {y}": indicators_table(view, int(y), numbers=False) for y in years},
        "Bilans manquants": missing_table(view, numbers=False),
        "Constats du CLS": status_table(view, "constat"),
        "Statuts des indicateurs": status_table(view, "indicateur"),
    }
    notice = (["DONNÉES FICTIVES — jeu national généré par analysis.synthetic : aucun chiffre d'exécution n'est réel."]
              if view.fictitious else [])
    titles = {name: [f"Vue nationale {view.first}-{view.last} — {name}", *notice] for name in sheets}
    money = [HEADERS[c] for c in MONEY]
    percent = [HEADERS[c] for c in (*RATES, *SHARES)]
    return write_tables(sheets, path, money_columns=money, share_columns=percent, titles=titles)
