"""The display layer: every table a person reads, in French.

Analysis modules (:mod:`~analysis.summaries`, :mod:`~analysis.assessment`, :mod:`~analysis.scenarios`,
:mod:`~analysis.reconciliation`) return tidy frames whose columns are codes (``'convention'``, ``'paid'``,
``'status'`` …) and whose cells hold codes and exact numbers. This module, and only this one, turns them
into what a person reads:

- a French header for every column code (one dictionary, :data:`HEADERS`); the grouping column is
  « Axe » for the CLS, « Volet » for France Travail and « Axe / volet » when a table mixes both;
- a French label for every code, from :mod:`analysis.domain` (``'ft'`` → « France Travail »,
  ``'ecart'`` → « Écart »);
- money as ``1 234 567,00 €``, rates as ``77,3 %``, integers without decimals, and an empty cell for
  every missing value (never ``NaN``, ``<NA>`` or ``None``).

:func:`table` formats any tidy frame of the library; the other functions choose the columns of one kind
of table (:func:`checks`, :func:`consumption`, :func:`sensitivity` …) or reshape it for reading
(:func:`check_counts`, :func:`attainment`, :func:`indicator_targets`). With ``numbers=False`` numbers
stay numbers (for a spreadsheet, see :func:`export_reconciliation`); only codes and headers are translated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path

import pandas as pd

from analysis import domain
from analysis.domain import CLS
from analysis.formatting import escape_markdown, format_date, format_eur, format_list, format_number, format_percent
from analysis.money import ZERO, is_missing

# ------------------------------------------------------------------------------------------------
# Headers: one dictionary for every column code of the library
# ------------------------------------------------------------------------------------------------

#: French header of every column code a user-facing table can hold.
HEADERS: dict[str, str] = {
    # scope of a figure
    "convention": "Convention",
    "axis": "Axe / volet",
    "axis_label": "Intitulé de l'axe ou du volet",
    "action": "Action",
    "title": "Intitulé",
    "year": "Année",
    "funder": "Financeur",
    "funder_detail": "Précision sur le financeur",
    "phase": "Phase",
    "table": "Tableau",
    "row_type": "Type de ligne",
    "column_label": "Colonne imprimée",
    "quantity": "Grandeur",
    "amount_eur": "Montant",
    "source": "Source",
    "source_line": "Ligne du texte source",
    "notes": "Remarques",
    # reconciliation checks
    "check_id": "Contrôle",
    "family": "Famille",
    "expected": "Montant imprimé",
    "computed": "Montant recalculé ou comparé",
    "gap_eur": "Écart (€)",
    "gap_units": "Écart (unités)",
    "status": "Statut",
    "severity": "Gravité",
    "source_expected": "Source (imprimé)",
    "source_computed": "Source (recalculé ou comparé)",
    "explication": "Explication",
    # consumption of State credits and reduction scenarios
    "planned": "Part État prévue",
    "paid": "Crédits État versés",
    "executed": "Montant État réalisé",
    "unconsumed": "Crédits État non consommés",
    "rate": "Taux de consommation",
    "ramp_up_rate": "Montée en charge prévue",
    "gap_reason": "Motif de l'écart",
    "justification": "Justification",
    "flag": "Constat",
    "threshold": "Seuil",
    "share": "Part réduite",
    # indicators
    "indicator_id": "Indicateur",
    "label": "Libellé",
    "unit": "Unité",
    "direction": "Sens de lecture",
    "measure": "Mesure",
    "value": "Valeur",
    "target": "Cible",
    "result": "Résultat",
    "attainment": "Taux d'atteinte",
    # contract overview
    "n_groups": "Axes ou volets",
    "n_actions": "Actions",
    "n_indicators": "Indicateurs",
    "n_fiche_copies": "Repris par une fiche action (non recomptés)",
    "n_fiche_shares": "Parts par fiche action (non recomptées)",
    "first_year": "Première année",
    "last_year": "Dernière année",
    "planned_state": "Part État prévue",
    "planned_total": "Total prévu (tous financeurs)",
    # execution workbooks
    "file": "Fichier",
    "template_version": "Version du modèle",
    "fictitious": "Données fictives",
    "calculated": "Formules calculées par un tableur",
    # wide budget tables: one column per funder, and their total
    **domain.FUNDER_LABELS,
    "total": "Total",
}

#: Columns whose cells are codes, and the kind of label (:data:`analysis.domain.LABELS`) they take.
LABELLED = {
    "convention": "convention",
    "funder": "funder",
    "phase": "phase",
    "table": "table",
    "row_type": "row_type",
    "quantity": "quantity",
    "measure": "measure",
    "family": "family",
    "status": "status",
    "severity": "severity",
    "flag": "assessment_flag",
    "direction": "direction",
}
#: Columns of exact amounts in euros.
MONEY = frozenset(
    {"amount_eur", "expected", "computed", "gap_eur", "planned", "paid", "executed", "unconsumed",
     "planned_state", "planned_total", "total", *domain.FUNDERS}
)
#: Columns of rates (shares of 1), with the decimals shown.
PERCENT = {"rate": 1, "ramp_up_rate": 1, "attainment": 1, "threshold": 0, "share": 0}
#: Identifiers written as plain integers (a year, a line number).
IDENTIFIERS = frozenset({"year", "first_year", "last_year", "source_line", "template_version"})
#: Counts (French thousands separator).
COUNTS = frozenset({"n_groups", "n_actions", "n_indicators", "n_fiche_copies", "n_fiche_shares"})
#: Measured quantities: integers without decimals, other values with theirs (up to 2).
QUANTITIES = frozenset({"gap_units", "value", "target", "result"})
#: Yes / no columns.
BOOLEANS = frozenset({"fictitious", "calculated"})
#: Columns kept as numbers for a spreadsheet (``numbers=False``).
NUMERIC = MONEY | PERCENT.keys() | IDENTIFIERS | COUNTS | QUANTITIES

#: Headers of the money columns of the checks (euro format in a spreadsheet).
MONEY_HEADERS = [HEADERS[c] for c in ("expected", "computed", "gap_eur")]

# ------------------------------------------------------------------------------------------------
# One value
# ------------------------------------------------------------------------------------------------


def eur(value) -> str:
    """An amount in euros, the French way (``1 234 567,00 €``); empty when missing."""
    return "" if is_missing(value) else format_eur(value)


def percent(value, decimals: int = 1) -> str:
    """A rate as a French percentage (``0.773`` → ``77,3 %``); empty when missing."""
    return "" if is_missing(value) else format_percent(float(value), decimals)


def share(value, minimum) -> str:
    """A share read against a minimum (the Département's 50 %): two decimals within one point of it, so that
    49,96 % never reads « 50,0 % »; one decimal elsewhere."""
    if is_missing(value):
        return ""
    return format_percent(float(value), 2 if abs(float(value) - float(minimum)) < 0.01 else 1)


def minimum_share(value, minimum) -> str:
    """« conforme » or « non conforme (article 2.2, lignes 348-350) » for the Département's share; empty when unknown."""
    from analysis.assessment.consumption import meets_minimum_share

    verdict = meets_minimum_share(value, minimum)
    return "" if verdict is None else domain.MINIMUM_SHARE_LABELS[verdict]


def number(value) -> str:
    """A measured quantity: ``4.0`` → ``4``, ``12.5`` → ``12,5``, ``1250`` → ``1 250``; empty when missing."""
    if is_missing(value):
        return ""
    exact = Decimal(str(value))
    if exact == exact.to_integral_value():
        return format_number(exact, 0)
    text = format_number(exact, 2)
    return text.rstrip("0").rstrip(",")


def count(value) -> str:
    """A count (``1 250``); empty when missing."""
    return "" if is_missing(value) else format_number(int(value))


def identifier(value) -> str:
    """A year or a line number, as a plain integer (``2024``); empty when missing."""
    return "" if is_missing(value) else str(int(value))


def yes_no(value) -> str:
    """« oui » / « non »; empty when missing."""
    return "" if is_missing(value) else ("oui" if bool(value) else "non")


def text(value) -> str:
    """Free text as is; empty when missing."""
    return "" if is_missing(value) else str(value)


def date_text(value) -> str:
    """A date in words (``15 avril 2024``); empty when missing."""
    return "" if is_missing(value) else format_date(value)


def list_text(items) -> str:
    """Items joined the French way (``1, 3 et 4``)."""
    return format_list(items)


def formatter(column) -> Callable[[object], str]:
    """The function that writes the cells of ``column`` for reading."""
    if column in LABELLED:
        kind = LABELLED[column]
        return lambda value: domain.label(kind, value)
    if column in MONEY:
        return eur
    if column in PERCENT:
        decimals = PERCENT[column]
        return lambda value: percent(value, decimals)
    kinds = ((IDENTIFIERS, identifier), (COUNTS, count), (QUANTITIES, number), (BOOLEANS, yes_no))
    return next((write for columns, write in kinds if column in columns), text)


# ------------------------------------------------------------------------------------------------
# Headers that depend on the conventions of a table
# ------------------------------------------------------------------------------------------------


def conventions_of(frame: pd.DataFrame, convention: str | None = None) -> list[str]:
    """The conventions a table is about: ``convention`` when given, else those of its 'convention' column."""
    if convention is not None:
        return [convention]
    if "convention" not in frame.columns:
        return []
    present = {str(c) for c in frame["convention"].dropna()}
    return [c for c in domain.CONVENTION_CODES if c in present]


def header(column, conventions: Iterable[str] = ()) -> str:
    """The French header of a column code; the grouping columns are named after the table's conventions."""
    groupings = {domain.CONVENTIONS[c].grouping for c in conventions}
    if column in ("axis", "axis_label") and len(groupings) == 1:
        (grouping,) = groupings
        return grouping.capitalize() if column == "axis" else domain.GROUPING_TITLE_LABELS[grouping]
    if column not in HEADERS:
        raise KeyError(f"colonne sans en-tête français : {column!r} (à ajouter à analysis.display.HEADERS)")
    return HEADERS[column]


# ------------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------------


def _raw(value):
    """A cell kept as a number for a spreadsheet: missing values become None, Decimals stay exact."""
    return None if is_missing(value) else value


def table(frame: pd.DataFrame, columns=None, *, convention: str | None = None, numbers: bool = True) -> pd.DataFrame:
    """Any tidy frame of the library, ready to read: French headers, labels, French number formats.

    ``columns`` chooses and orders the columns (default: all). The grouping column is headed after the
    conventions present in the frame (or ``convention``). With ``numbers=False``, numbers are kept as
    values (for a spreadsheet); codes are still translated and missing values are None.
    A column without a French header raises ``KeyError``: every column a user reads is named in French.
    """
    conventions = conventions_of(frame, convention)
    columns = list(frame.columns) if columns is None else list(columns)
    headers = [header(c, conventions) for c in columns]
    if len(set(headers)) != len(headers):
        raise ValueError(f"deux colonnes porteraient le même en-tête : {headers}")
    cells = {}
    for column, name in zip(columns, headers):
        values = frame[column].astype(object)
        write = _raw if not numbers and column in NUMERIC else formatter(column)
        cells[name] = [write(v) for v in values]
    return pd.DataFrame(cells, columns=headers, index=pd.RangeIndex(len(frame)))


def _without_convention(frame: pd.DataFrame, columns=None) -> list[str]:
    """The columns to show of a one-convention table: the convention is said by the grouping header."""
    return [c for c in (columns or frame.columns) if c != "convention" or len(conventions_of(frame)) > 1]


def overview(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.summaries.contract_overview`, for reading."""
    return table(frame)


def actions(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.summaries.actions_by_axis` (one convention), headed « Axe » or « Volet »."""
    return table(frame, _without_convention(frame))


def budget(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.summaries.budget_by_axis_year`: one column per funder, headed « Axe » or « Volet »."""
    return table(frame, _without_convention(frame))


def checks(frame: pd.DataFrame, columns=None, *, numbers: bool = True) -> pd.DataFrame:
    """Reconciliation checks (rows of :func:`analysis.reconcile`), every column or those chosen."""
    return table(frame, columns, numbers=numbers)


def check_counts(frame: pd.DataFrame, *, numbers: bool = True) -> pd.DataFrame:
    """Number of checks per family (rows) and status (columns), with totals, labelled in French."""
    family, status = frame["family"].astype(str), frame["status"].astype(str)
    families = [f for f in domain.CHECK_FAMILIES if f in set(family)] + sorted(set(family) - set(domain.CHECK_FAMILIES))
    statuses = [s for s in domain.CHECK_STATUSES if s in set(status)]
    counts = pd.crosstab(family, status).reindex(index=families, columns=statuses, fill_value=0)
    total = HEADERS["total"]
    counts[total] = counts.sum(axis=1)
    counts.loc[total] = counts.sum(axis=0)
    write = count if numbers else int
    out = pd.DataFrame({HEADERS["family"]: [domain.label("family", f) if f != total else f for f in counts.index]})
    for column in counts.columns:
        name = domain.label("status", column) if column != total else column
        out[name] = [write(v) for v in counts[column]]
    return out


def describe(check: pd.Series) -> str:
    """One French sentence for a check row, with both figures."""
    if is_missing(check["expected"]) and is_missing(check["computed"]):
        return check["explication"]
    return (
        f"{check['explication']} Imprimé : {eur(check['expected'])} ; "
        f"recalculé : {eur(check['computed'])} ; écart : {eur(check['gap_eur'])}."
    )


def export_reconciliation(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write the checks to an Excel workbook: the gaps first (largest first), every check, and the counts.

    Headers and codes are in French; amounts stay numbers (euro format in the spreadsheet).
    """
    from analysis.reconciliation import findings
    from analysis.xlsx import write_tables

    widths = {HEADERS[c]: w for c, w in (("explication", 80), ("source_expected", 45), ("source_computed", 45), ("check_id", 45))}
    return write_tables(
        {
            "Écarts": checks(findings(frame), numbers=False),
            "Tous les contrôles": checks(frame, numbers=False),
            "Synthèse": check_counts(frame, numbers=False),
        },
        path,
        money_columns=MONEY_HEADERS,
        widths=widths,
    )


def _wide(frame: pd.DataFrame, index: list[str], column_names: dict, values: str, write) -> pd.DataFrame:
    """One row per ``index`` value and one column per key of ``column_names`` (in that order), from the
    ``_key`` and ``values`` columns of a long frame; cells written by ``write``."""
    cells: dict[tuple, dict] = {}
    for row in frame[[*index, "_key", values]].itertuples(index=False):
        cells.setdefault(tuple(row[:-2]), {}).setdefault(row[-2], row[-1])
    rows = sorted(cells)
    out = table(pd.DataFrame(rows, columns=index), index)
    for key, name in column_names.items():
        out[name] = [write(cells[r].get(key)) for r in rows]
    return out


def indicator_targets(frame: pd.DataFrame) -> pd.DataFrame:
    """Baseline and yearly targets of indicators (long, :func:`analysis.summaries.indicator_targets`), one row each."""
    measure, year = frame["measure"].astype(str), frame["year"].astype("Int64")
    keyed = frame.assign(_key=list(zip(measure, year)))
    order = sorted(set(keyed["_key"]), key=lambda k: (domain.MEASURES.index(k[0]), k[1]))
    names = {key: f"{domain.label('measure', key[0])} {key[1]}" for key in order}
    wide = _wide(keyed, ["indicator_id", "label"], names, "value", number)
    return wide.drop(columns=[HEADERS["indicator_id"]])  # a reader knows an indicator by its label

# ------------------------------------------------------------------------------------------------
# Assessment (issue 9, :func:`analysis.assess`): consumption, France Travail settlement, CLS end of
# contract, France Travail co-financing, targets against results. Columns whose codes share a name with
# another vocabulary ('flag', 'status', 'reading', 'row_type', 'share') are renamed before formatting.
# ------------------------------------------------------------------------------------------------

HEADERS.update({
    "planned_state_source": "Origine du montant prévu",
    "notified_state": "Crédits État notifiés (avenant)",
    "carried_in_state": "Report reçu de l'année précédente (État)",
    "paid_state": "Crédits État versés",
    "available_state": "Crédits État disponibles",
    "executed_state": "Montant État réalisé",
    "unconsumed_state": "Crédits État non consommés",
    "carried_out_state": "Report sur l'année suivante (État)",
    "expected_rate": "Taux de consommation attendu",
    "expected_rate_source": "Origine du taux attendu",
    "executed_departement": "Montant Département réalisé",
    "departement_share": "Part du Département dans le réalisé",
    "assessment_flag": "Constat",
    "amount_at_risk": "Montant exposé",
    "amount_under_review": "Montant à apprécier par l'État",
    "risk_kind": "Nature du risque",
    "settlement_row": "Ligne",
    "volet": "Volet",
    "ceiling": "Plafond de la convention",
    "executed_total": "Coût réalisé (tous financeurs)",
    "ineligible": "Dépenses non éligibles",
    "eligible_executed": "Coût éligible réalisé",
    "cofinancing_executed": "Cofinancement réalisé (Département et autres)",
    "state_share": "Part État du coût éligible",
    "state_share_alternative": "Part État (autre lecture)",
    "due": "Dû par l'État",
    "due_alternative": "Dû par l'État (autre lecture)",
    "advance_share": "Part de l'avance (affichage seulement)",
    "advance": "Avance versée",
    "balance_due": "Solde à verser par l'État",
    "refund_due": "Trop-perçu à rembourser à l'État",
    "balance_due_alternative": "Solde (autre lecture)",
    "refund_due_alternative": "Trop-perçu (autre lecture)",
    "ft_state_share": "Lecture de la part État",
    "unreported_actions": "Actions sans montant réalisé",
    "ft_forfait_reading": "Lecture du forfait du volet 1",
    "due_forfait_alternative": "Dû par l'État (autre lecture du forfait)",
    "balance_due_forfait_alternative": "Solde (autre lecture du forfait)",
    "refund_due_forfait_alternative": "Trop-perçu (autre lecture du forfait)",
    "end_row": "Ligne",
    "last_year": "Dernière année renseignée",
    "final": "Position définitive (2027 renseigné)",
    "basis": "Base",
    "cofinancing_reading": "Lecture du cofinancement",
    "cost": "Coût total du volet",
    "valorised": "FSE+ valorisé",
    "cofinancing": "Cofinancement compté",
    "cofinancing_share": "Part du coût total",
    "minimum_share": "Minimum (article 3.3)",
    "holds": "Règle respectée",
    "time_basis": "Base de temps",
    "baseline": "Situation au 31/12/2023",
    "attainment_raw": "Taux d'atteinte (brut)",
    "progress_from_baseline": "Chemin parcouru depuis 2023",
    "achievement_status": "Statut",
})
LABELLED.update({
    "planned_state_source": "planned_source",
    "expected_rate_source": "expected_rate_source",
    "assessment_flag": "assessment_flag",
    "risk_kind": "risk_kind",
    "settlement_row": "settlement_row",
    "end_row": "end_row",
    "ft_state_share": "ft_state_share",
    "ft_forfait_reading": "ft_forfait_reading",
    "basis": "amount_basis",
    "cofinancing_reading": "cofinancing_reading",
    "time_basis": "time_basis",
    "achievement_status": "achievement_status",
})
MONEY = MONEY | {
    "notified_state", "carried_in_state", "paid_state", "available_state", "executed_state", "unconsumed_state",
    "carried_out_state", "executed_departement", "amount_at_risk", "amount_under_review", "ceiling", "executed_total",
    "ineligible", "eligible_executed", "cofinancing_executed", "state_share", "state_share_alternative", "due",
    "due_alternative", "advance_share", "advance", "balance_due", "refund_due", "balance_due_alternative",
    "refund_due_alternative", "cost", "valorised", "cofinancing", "due_forfait_alternative",
    "balance_due_forfait_alternative", "refund_due_forfait_alternative",
}
PERCENT.update({"expected_rate": 1, "departement_share": 1, "cofinancing_share": 2, "minimum_share": 0,
                "attainment_raw": 1, "progress_from_baseline": 0})
IDENTIFIERS = IDENTIFIERS | {"last_year"}
QUANTITIES = QUANTITIES | {"baseline"}
BOOLEANS = BOOLEANS | {"final", "holds"}
NUMERIC = MONEY | PERCENT.keys() | IDENTIFIERS | COUNTS | QUANTITIES

#: Columns of :func:`assessment_consumption`, in reading order.
ASSESSMENT_CONSUMPTION_COLUMNS = [
    "convention", "axis", "action", "year", "planned_contract", "planned_state", "planned_state_source", "carried_in_state",
    "available_state",
    "executed_state", "rate", "expected_rate", "expected_rate_source", "unconsumed_state", "carried_out_state",
    "departement_share", "assessment_flag", "amount_at_risk", "amount_under_review", "risk_kind", "justification",
]
SETTLEMENT_DISPLAY_COLUMNS = [
    "settlement_row", "volet", "ceiling", "executed_total", "ineligible", "eligible_executed", "cofinancing_executed",
    "state_share", "due", "advance_share", "advance", "balance_due", "refund_due", "ft_state_share", "due_alternative",
    "balance_due_alternative", "refund_due_alternative", "unreported_actions",
]
END_DISPLAY_COLUMNS = [
    "end_row", "axis", "action", "planned_state", "executed_state", "last_year", "unconsumed_state", "carried_out_state",
    "final", "amount_at_risk", "risk_kind",
]
COFINANCING_DISPLAY_COLUMNS = [
    "basis", "cofinancing_reading", "cost", "departement", "valorised", "cofinancing", "cofinancing_share", "minimum_share",
    "holds",
]
ACHIEVEMENT_COLUMNS = [
    "convention", "action", "indicator_id", "label", "family", "unit", "direction", "time_basis", "year", "baseline",
    "target", "result", "attainment", "attainment_raw", "progress_from_baseline", "achievement_status",
]
_ASSESSMENT_RENAMES = {"flag": "assessment_flag", "status": "achievement_status", "share": "cofinancing_share"}


def _assessment_table(frame: pd.DataFrame, default_columns: list[str], columns=None, renames=None, **kwargs) -> pd.DataFrame:
    """An assessment frame for reading: its shared column names renamed to their own vocabulary first."""
    renamed = frame.rename(columns={**_ASSESSMENT_RENAMES, **(renames or {})})
    chosen = columns or [c for c in default_columns if c in renamed.columns]
    return table(renamed, [_ASSESSMENT_RENAMES.get(c, (renames or {}).get(c, c)) for c in chosen], **kwargs)


def assessment_consumption(frame: pd.DataFrame, columns=None, *, numbers: bool = True) -> pd.DataFrame:
    """:attr:`analysis.assessment.Assessment.consumption`, for reading: a France Travail row shows that the
    CLS flag does not apply to it (the balance of the final report settles its consumption)."""
    out = _assessment_table(frame, ASSESSMENT_CONSUMPTION_COLUMNS, columns, numbers=numbers)
    name = HEADERS["assessment_flag"]
    if name in out.columns:
        not_cls = [str(c) != CLS.code for c in frame["convention"]]
        out[name] = [domain.FLAG_NOT_APPLICABLE_LABEL if other else cell for other, cell in zip(not_cls, out[name])]
    return out


def settlement(frame: pd.DataFrame, columns=None, *, numbers: bool = True) -> pd.DataFrame:
    """:attr:`analysis.assessment.Assessment.settlement` (France Travail 2024), for reading."""
    renames = {"row_type": "settlement_row", "reading": "ft_state_share", "forfait_reading": "ft_forfait_reading"}
    return _assessment_table(frame, SETTLEMENT_DISPLAY_COLUMNS, columns, renames, numbers=numbers)


def settlement_summary(frame: pd.DataFrame) -> str:
    """The France Travail settlement in French words: what is due, the advance, the balance or the refund,
    and the same under the other reading of the State share of volet 2 (H24)."""
    if frame.empty:
        return "Aucun bilan final France Travail 2024 : le solde ne peut pas être calculé."
    total = frame[frame["row_type"] == "total"].iloc[0]
    volets = frame[frame["row_type"] == "volet"]
    parts = list_text([f"volet {v} : {eur(d)}" for v, d in zip(volets["volet"], volets["due"])])
    reading = domain.label("ft_state_share", total["reading"]).lower()
    text = (f"Dû par l'État sur le bilan final : {eur(total['due'])} ({parts} ; part État du volet 2 lue comme "
            f"{reading}, chaque volet plafonné). Avance versée à la signature : {eur(total['advance'])}. ")
    text += _settlement_outcome(total["balance_due"], total["refund_due"])
    alternative = _settlement_outcome(total["balance_due_alternative"], total["refund_due_alternative"])
    return text + f" Avec l'autre lecture, dû : {eur(total['due_alternative'])} ; {alternative[0].lower()}{alternative[1:]}"


def forfait_summary(frame: pd.DataFrame) -> str:
    """The France Travail settlement under the other reading of the volet 1 forfait (H49), in French words."""
    if frame.empty:
        return ""
    total = frame[frame["row_type"] == "total"].iloc[0]
    volet = frame[frame["row_type"] == "volet"].iloc[0]
    other = "forfait" if total["forfait_reading"] == "cout_plafonne" else "cout_plafonne"
    outcome = _settlement_outcome(total["balance_due_forfait_alternative"], total["refund_due_forfait_alternative"])
    return (f"Forfait du volet 1 lu comme « {domain.label('ft_forfait_reading', total['forfait_reading']).lower()} » : "
            f"{eur(volet['due'])} dus au titre du volet 1. Lu comme « "
            f"{domain.label('ft_forfait_reading', other).lower()} » : {eur(volet['due_forfait_alternative'])} ; dû "
            f"total {eur(total['due_forfait_alternative'])} ; {outcome[0].lower()}{outcome[1:]}")


def _settlement_outcome(balance, refund) -> str:
    if balance > 0:
        return f"Solde à verser par l'État : {eur(balance)}."
    if refund > 0:
        return f"Trop-perçu à rembourser à l'État : {eur(refund)}."
    return "Ni solde ni trop-perçu : l'avance couvre exactement le dû."


def end_of_contract(frame: pd.DataFrame, columns=None, *, numbers: bool = True) -> pd.DataFrame:
    """:attr:`analysis.assessment.Assessment.end_of_contract` (CLS at 31/12/2027), headed « Axe »."""
    return _assessment_table(frame, END_DISPLAY_COLUMNS, columns, {"row_type": "end_row"}, convention=CLS.code, numbers=numbers)


def cofinancing(frame: pd.DataFrame, columns=None, *, numbers: bool = True) -> pd.DataFrame:
    """:attr:`analysis.assessment.Assessment.cofinancing` (France Travail volet 2), for reading."""
    return _assessment_table(frame, COFINANCING_DISPLAY_COLUMNS, columns, {"reading": "cofinancing_reading"}, numbers=numbers)


def achievement(frame: pd.DataFrame, columns=None, *, numbers: bool = True) -> pd.DataFrame:
    """:attr:`analysis.assessment.Assessment.achievement`, for reading (a missing result stays empty)."""
    return _assessment_table(frame, ACHIEVEMENT_COLUMNS, columns, numbers=numbers)


# ------------------------------------------------------------------------------------------------
# Assessment, for the notebooks' prose (issue 9, notebooks 02 and 03): counts and sentences computed from
# the assessment frames, so that no figure of the prose is typed.
# ------------------------------------------------------------------------------------------------

HEADERS.update({"planned_contract": "Crédits État prévus au contrat", "n_total": "Total"})
MONEY = MONEY | {"planned_contract"}
NUMERIC = NUMERIC | {"planned_contract"}


def reported_years(assessment, convention: str) -> list[int]:
    """Years of ``convention`` assessed: those of its consumption rows (a workbook was read), else those
    where one of its indicators has a result."""
    c = assessment.consumption
    years = {int(y) for y in c.loc[c["convention"] == convention, "year"]}
    if not years:
        a = assessment.achievement
        years = {int(y) for y in a.loc[(a["convention"] == convention) & a["result"].notna(), "year"]}
    return sorted(years)


def status_counts(assessment) -> pd.DataFrame:
    """Indicators per status (columns), per convention and reported year (rows), with the total."""
    a = assessment.achievement
    rows = []
    for convention in domain.CONVENTION_CODES:
        for year in reported_years(assessment, convention):
            own = a[(a["convention"] == convention) & (a["year"] == year)]
            counts = {s: int((own["status"] == s).sum()) for s in domain.ACHIEVEMENT_STATUSES}
            rows.append({"convention": convention, "year": year, **counts, "n_total": len(own)})
    frame = pd.DataFrame(rows, columns=["convention", "year", *domain.ACHIEVEMENT_STATUSES, "n_total"])
    out = table(frame, ["convention", "year"])
    for status in domain.ACHIEVEMENT_STATUSES:
        out[domain.label("achievement_status", status)] = [count(v) for v in frame[status]]
    out[HEADERS["n_total"]] = [count(v) for v in frame["n_total"]]
    return out


def achievement_summary(assessment, convention: str, year: int) -> str:
    """One paragraph on the indicators of ``convention`` in ``year``: how many have a result, per status,
    which are critical, and how many have no result or no target."""
    a = assessment.achievement
    own = a[(a["convention"] == convention) & (a["year"] == year)]
    if own.empty:
        return f"{domain.label('convention', convention)} {year} : aucun indicateur."
    status = own["status"]
    words = [f"{count((status == s).sum())} « {domain.label('achievement_status', s).lower()} »"
             for s in domain.ACHIEVEMENT_STATUSES[:-1]]
    critical = [f"« {escape_markdown(label)} »" for label in dict.fromkeys(own.loc[status == "critique", "label"])]
    no_result, no_target = own["result"].isna(), own["target"].isna()
    text = (f"{domain.label('convention', convention)} {year} : {count(len(own))} indicateurs, dont "
            f"{count((~no_result & ~no_target).sum())} avec un résultat et une cible : {list_text(words)}. ")
    if critical:
        text += f"Critiques : {list_text(critical)}. "
    return text + (f"Sans résultat dans le bilan : {count((no_result & ~no_target).sum())} ; sans cible imprimée : "
                   f"{count(no_target.sum())} (non renseignés, jamais comptés comme zéro).")


def achievement_summaries(assessment) -> str:
    """:func:`achievement_summary` of every convention and year assessed, one paragraph each."""
    return "\n\n".join(achievement_summary(assessment, c, y) for c in domain.CONVENTION_CODES
                       for y in reported_years(assessment, c))


def _flag_item(row) -> str:
    """``1.2 (2025 ; exposé : 258 807,60 €)``."""
    parts = [identifier(row["year"])]
    if not is_missing(row["amount_at_risk"]) and row["amount_at_risk"] > 0:
        parts.append(f"exposé : {eur(row['amount_at_risk'])}")
    if not is_missing(row["amount_under_review"]) and row["amount_under_review"] > 0:
        parts.append(f"à apprécier : {eur(row['amount_under_review'])}")
    return f"{escape_markdown(row['action'])} ({' ; '.join(parts)})"


def flag_summary(frame: pd.DataFrame) -> str:
    """The CLS flags of :attr:`analysis.assessment.Assessment.consumption` as a Markdown list: for each flag
    present, its label, how many action-years and which (with the amount exposed or to be assessed)."""
    cls = frame[frame["convention"] == domain.CLS.code]
    lines = []
    for flag in domain.ASSESSMENT_FLAGS:
        rows = cls[cls["flag"] == flag]
        if not rows.empty:
            items = [_flag_item(row) for _, row in rows.iterrows()]
            lines.append(f"- **{domain.label('assessment_flag', flag)}** ({count(len(rows))}) : {list_text(items)}.")
    return "\n".join(lines) if lines else "Aucune action-année du CLS évaluée."


def exposure_by_year(frame: pd.DataFrame) -> pd.DataFrame:
    """CLS amounts exposed and to be assessed by the State, per year and kind of risk (for reading)."""
    cls = frame[frame["convention"] == domain.CLS.code]
    rows = []
    for year, own in cls.groupby("year", sort=True):
        for kind in domain.RISK_KINDS:
            part = own[own["risk_kind"] == kind]
            if not part.empty:
                rows.append({"year": year, "risk_kind": kind, "n_actions": len(part),
                             "amount_at_risk": sum(part["amount_at_risk"], ZERO),
                             "amount_under_review": sum(part["amount_under_review"], ZERO)})
    return table(pd.DataFrame(rows, columns=["year", "risk_kind", "n_actions", "amount_at_risk", "amount_under_review"]))


def cofinancing_summary(frame: pd.DataFrame) -> str:
    """France Travail volet 2 co-financing in words: the Département's share, planned and executed, without
    and with the valorised FSE+, and which reading makes the 50 % rule hold."""
    if frame.empty:
        return "Aucun cofinancement du volet 2 à apprécier."
    parts = []
    for basis, own in frame.groupby("basis", sort=False):
        shares = {r: row for r, row in zip(own["reading"], own.to_dict("records"))}
        holding = [f"« {domain.label('cofinancing_reading', r)} »" for r in domain.COFINANCING_READINGS
                   if r in shares and shares[r]["holds"]]
        verdict = (f"la règle tient dans la lecture {list_text(holding)}" if holding else "la règle ne tient dans aucune lecture")
        values = list_text([f"{percent(shares[r]['share'], 2)} ({domain.label('cofinancing_reading', r)})"
                            for r in domain.COFINANCING_READINGS if r in shares])
        parts.append(f"{domain.label('amount_basis', basis)} : {values} ; {verdict}.")
    minimum = percent(frame["minimum_share"].iloc[0], 0)
    return f"Part du coût total du volet 2 apportée par le Département (minimum {minimum}, article 3.3). " + " ".join(parts)

# ------------------------------------------------------------------------------------------------
# Scenarios (issue 11, :mod:`analysis.scenarios`): results side by side, what a scenario changes, and the
# flag table of a scenario. A comparison's frames are long (one row per result); these tables put the
# results side by side, one column per result, headed « … — <nom du scénario> ».
# ------------------------------------------------------------------------------------------------

def assumption_id(name: str) -> str:
    """The register's ID of an assumption, by its parameter name (« H02 »): IDs may be renumbered, names stay."""
    from analysis.assumptions import get

    return get(name).id


def assumption_ids(*names: str) -> str:
    """« H31-H33 » for consecutive IDs, else « H30, H34 »."""
    ids = [assumption_id(n) for n in names]
    numbers = [int(i[1:]) for i in ids]
    if len(ids) > 1 and numbers == list(range(numbers[0], numbers[0] + len(ids))):
        return f"{ids[0]}-{ids[-1]}"
    return ", ".join(ids)


HEADERS.update({
    "scenario": "Scénario",
    "reduction_estimate": f"Réduction estimée en n+1 (part réduite, {assumption_id('reduction_share')})",
    "projected": "Année projetée",
    "assumption": "Hypothèse du scénario",
    "setting": "Valeur",
})
#: What each measure of a comparison is called in a side-by-side header.
SCENARIO_MEASURES = {
    "amount_at_risk": "Montant exposé",
    "amount_under_review": "À apprécier par l'État",
    "reduction_estimate": "Réduction estimée en n+1",
    "flag": "Constat",
    "status": "Statut",
    "attainment": "Taux d'atteinte",
}
#: Row label of a total over the axes, and of a total over the years.
SCENARIO_ALL_AXES, SCENARIO_ALL_YEARS = "Total", "Toutes années"


def scenario_header(measure: str, name: str) -> str:
    """« Montant exposé — Axe 3 réduit »."""
    return f"{SCENARIO_MEASURES.get(measure, HEADERS.get(measure, measure))} — {name}"


def scenario_year(year, projected=None) -> str:
    """« 2025 », « 2026 (projection) », « Toutes années »."""
    if is_missing(year):
        return SCENARIO_ALL_YEARS
    return f"{int(year)} (projection)" if projected is True else str(int(year))


def _key(value):
    """A cell as a dictionary key: every missing value None, numbers as Python numbers."""
    if is_missing(value):
        return None
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer() else value


def _side_by_side(frame: pd.DataFrame, names, keys: list[str], measures: list[str], write: dict,
                  blank="") -> pd.DataFrame:
    """One row per key, one column per (measure, result), cells written by ``write[measure]`` (``blank``
    where a result has no such row)."""
    rows = {}
    for record in frame.to_dict("records"):
        key = tuple(_key(record[k]) for k in keys)
        target = rows.setdefault(key, {})
        for measure in measures:
            target[scenario_header(measure, record["scenario"])] = write[measure](record[measure])
    columns = [scenario_header(m, n) for n in names for m in measures]
    body = pd.DataFrame(list(rows.values()), columns=columns, dtype=object)
    return body.where(body.notna(), blank)


def scenario_exposure(comparison, *, years=None, numbers: bool = True) -> pd.DataFrame:
    """CLS amounts at risk, under review and the estimated n+1 reduction, per axis and year (``years``: those
    to show, None for all), then over all years; one column per result, and the change of the amount at risk
    against the first result."""
    e = comparison.exposure
    if years is not None:
        e = e[e["year"].isna() | e["year"].isin(list(years))]
    order = sorted(range(len(e)), key=lambda i: (is_missing(e["year"].iloc[i]), _key(e["year"].iloc[i]) or 0,
                                                  is_missing(e["axis"].iloc[i]), _key(e["axis"].iloc[i]) or ""))
    e = e.iloc[order]
    write = {m: (eur if numbers else _raw) for m in ("amount_at_risk", "amount_under_review", "reduction_estimate")}
    body = _side_by_side(e, comparison.names, ["year", "axis"], list(write), write, "" if numbers else None)
    first = e[e["scenario"] == comparison.names[0]]
    keys = list(dict.fromkeys((_key(y), _key(a)) for y, a in zip(e["year"], e["axis"])))
    projected = {(_key(y), _key(a)): p for y, a, p in zip(e["year"], e["axis"], e["projected"]) if p is True}
    head = pd.DataFrame({
        HEADERS["year"]: [scenario_year(y, projected.get((y, a))) for y, a in keys],
        domain.grouping_label(CLS.code): [SCENARIO_ALL_AXES if is_missing(a) else str(a) for _, a in keys],
    })
    out = pd.concat([head, body], axis=1)
    reference = {(_key(y), _key(a)): v for y, a, v in zip(first["year"], first["axis"], first["amount_at_risk"])}
    for name in comparison.names[1:]:
        own = e[e["scenario"] == name]
        values = {(_key(y), _key(a)): v for y, a, v in zip(own["year"], own["axis"], own["amount_at_risk"])}
        change = [values[k] - reference[k] if k in values and k in reference else None for k in keys]
        out[f"Écart du montant exposé — {name}"] = [eur(c) if numbers else _raw(c) for c in change]
    return out


def scenario_flags(comparison, *, numbers: bool = True) -> pd.DataFrame:
    """The CLS action-years whose flag or exposure differs between results, side by side."""
    f = comparison.flags
    money = eur if numbers else _raw
    write = {"flag": lambda code: domain.label("assessment_flag", code) if not is_missing(code) else "Pas de ligne",
             "amount_at_risk": money, "amount_under_review": money}
    body = _side_by_side(f, comparison.names, ["action", "year"], list(write), write, "" if numbers else None)
    keys = list(dict.fromkeys((a, _key(y)) for a, y in zip(f["action"], f["year"])))
    projected = {(a, _key(y)) for a, y, p in zip(f["action"], f["year"], f["projected"]) if p is True}
    head = pd.DataFrame({HEADERS["action"]: [a for a, _ in keys],
                         HEADERS["year"]: [scenario_year(y, (a, y) in projected) for a, y in keys]})
    return pd.concat([head, body], axis=1)


def scenario_settlement(comparison, *, numbers: bool = True) -> pd.DataFrame:
    """The France Travail 2024 settlement of each result: due, advance, balance or refund."""
    columns = ["scenario", "due", "advance", "balance_due", "refund_due"]
    return table(comparison.settlement, columns, numbers=numbers)


def scenario_statuses(comparison, *, numbers: bool = True) -> pd.DataFrame:
    """The indicator-years whose status differs between results, side by side."""
    s = comparison.statuses
    write = {"status": lambda code: domain.label("achievement_status", code),
             "attainment": (lambda v: percent(v)) if numbers else _raw}
    body = _side_by_side(s, comparison.names, ["indicator_id", "year"], ["status", "attainment"], write,
                         "" if numbers else None)
    keys = list(dict.fromkeys((i, lab, _key(y)) for i, lab, y in zip(s["indicator_id"], s["label"], s["year"])))
    head = pd.DataFrame({HEADERS["indicator_id"]: [k[0] for k in keys], HEADERS["label"]: [k[1] for k in keys],
                         HEADERS["year"]: [scenario_year(k[2]) for k in keys]})
    return pd.concat([head, body], axis=1)


def _signed_percent(value) -> str:
    return ("+" if value > 0 else "") + percent(value, 0)


def _signed_eur(value) -> str:
    return ("+" if value > 0 else "") + eur(value)


def scenario_overrides(scenario) -> list[tuple[str, str]]:
    """What a scenario changes against the base, in French (hypothesis, value), with the register's IDs."""
    s, out = scenario, []
    for field, name, register in (("threshold", "Seuil de sous-consommation manifeste", "manifest_threshold"),
                                  ("tolerance", "Tolérance", "consumption_tolerance"),
                                  ("near_band", "Bande « proche de la cible »", "near_band"),
                                  ("late_band", "Bande « en retard »", "late_band"),
                                  ("reduction_share", "Part du montant exposé réduite en n+1", "reduction_share")):
        if getattr(s, field) is not None:
            out.append((f"{name} ({assumption_id(register)})", percent(getattr(s, field), 0)))
    if s.materiality_floor is not None:
        out.append((f"Seuil de matérialité ({assumption_id('materiality_floor')})", eur(s.materiality_floor)))
    for o in s.executed:
        value = eur(o.amount) if o.amount is not None else f"{percent(o.rate)} des crédits disponibles"
        out.append((f"Montant État réalisé, {domain.label('convention', o.convention)} {o.action} ({o.year})", value))
    for d in s.decisions:
        out.append((f"Justification, CLS {d.action} ({d.year})", domain.label("scenario_decision", d.decision)))
    for a in s.avenants:
        scope = f"axe {a.axis}" if a.axis is not None else f"action {a.action}"
        value = _signed_percent(a.percent) if a.percent is not None else _signed_eur(a.amount)
        out.append((f"Avenant {a.year}, {scope} ({assumption_id('avenant_changes_paid')})", value))
    if s.projection:
        ids = assumption_ids("projection_rate_default", "projection_carry_over", "reduction_in_projection")
        out.append((f"Projection des années sans bilan ({ids})", "oui"))
    out += [(f"Taux de consommation projeté, action {a}", percent(r)) for a, r in s.projection_rates]
    for field, name in (("projection_carry_over", "Report des années projetées"),
                        ("reduction_in_projection", "Réduction retirée des crédits projetés"),
                        ("avenant_changes_paid", "Les crédits versés suivent l'avenant")):
        value = getattr(s, field)
        if value is not None:
            out.append((f"{name} ({assumption_id(field)})", yes_no(value) if isinstance(value, bool) else text(value)))
    return out or [("Aucune modification", "résultats de analysis.assess sur les bilans chargés")]


def scenario_description(comparison) -> pd.DataFrame:
    """Every result of a comparison with what its scenario changes (one row per change)."""
    rows = []
    for name, scenario in zip(comparison.names, comparison.scenarios):
        from_assess = [("Aucune modification", "résultats de analysis.assess sur les bilans chargés")]
        rows += [(name, h, v) for h, v in (scenario_overrides(scenario) if scenario is not None else from_assess)]
    return pd.DataFrame(rows, columns=[HEADERS["scenario"], HEADERS["assumption"], HEADERS["setting"]])


#: Columns of :func:`scenario_consumption`, in reading order.
SCENARIO_CONSUMPTION_COLUMNS = ["action", "available_state", "executed_state", "rate", "expected_rate", "unconsumed_state",
                                "flag", "amount_at_risk", "amount_under_review", "justification"]


def scenario_consumption(result, convention: str, year: int, columns=None, *, numbers: bool = True) -> pd.DataFrame:
    """The flag table of one convention and year of a scenario's result (a projected year says so)."""
    c = result.consumption
    rows = c[(c["convention"] == convention) & (c["year"] == year)]
    columns = columns or SCENARIO_CONSUMPTION_COLUMNS
    out = assessment_consumption(rows, columns, numbers=numbers)
    if int(year) in getattr(result, "projected_years", ()):
        out.insert(1, HEADERS["year"], scenario_year(year, True))
    return out


def export_scenario_comparison(comparison, path: str | Path) -> Path:
    """Write a comparison to an Excel workbook in French: the scenarios, the amounts exposed, the flags that
    changed, the France Travail settlement and the indicator statuses that changed (amounts stay numbers)."""
    from analysis.xlsx import write_tables

    sheets = {
        "Scénarios": scenario_description(comparison),
        "Montants exposés": scenario_exposure(comparison, numbers=False),
        "Constats modifiés": scenario_flags(comparison, numbers=False),
        "Solde France Travail": scenario_settlement(comparison, numbers=False),
        "Indicateurs modifiés": scenario_statuses(comparison, numbers=False),
    }
    money = [h for frame in sheets.values() for h in frame.columns
             if h.split(" — ")[0] in {"Montant exposé", "À apprécier par l'État", "Réduction estimée en n+1"}
             or h.startswith("Écart du montant exposé") or h in {HEADERS[c] for c in ("due", "advance", "balance_due",
                                                                                      "refund_due")}]
    percent_columns = [h for frame in sheets.values() for h in frame.columns if h.startswith("Taux d'atteinte — ")]
    return write_tables(sheets, path, money_columns=money, percent_columns=percent_columns,
                        widths={HEADERS["assumption"]: 60, HEADERS["setting"]: 45, HEADERS["label"]: 60})


#: The register's assumptions a scenario rests on or changes, by name (cited by ID in notebook 04).
SCENARIO_ASSUMPTIONS = ("reduction_share", "manifest_threshold", "consumption_tolerance", "cls_available_basis",
                        "exposure_basis", "end_of_contract_claim", "near_band", "late_band", "materiality_floor",
                        "projection_rate_default", "projection_carry_over", "reduction_in_projection", "avenant_changes_paid")


def scenario_assumptions(names=SCENARIO_ASSUMPTIONS) -> str:
    """The assumptions of the register a scenario rests on, as a Markdown list (ID, title, default value)."""
    from analysis.assumptions import get, register_table

    table = register_table().set_index("id")
    lines = []
    for name in names:
        item = get(name)
        key = item.id
        value = item.value
        shown = percent(value, 0) if item.unit == "part" else (eur(value) if item.unit == "euros" else
                                                                  yes_no(value) if isinstance(value, bool) else None)
        lines.append(f"- **{key}** — {table.at[key, 'title']}" + (f" (par défaut : {shown})" if shown else ""))
    return "\n".join(lines)


def scenario_summary(comparison, name: str | None = None) -> str:
    """What a scenario changes against the first result, in French sentences (Markdown)."""
    base_name = comparison.names[0]
    name = name or comparison.names[-1]
    at_risk, base = comparison.total(name), comparison.total(base_name)
    review, review_base = comparison.total(name, "amount_under_review"), comparison.total(base_name, "amount_under_review")
    reduction = comparison.total(name, "reduction_estimate")
    scenario = comparison.scenarios[comparison.names.index(name)]
    share = scenario.reduction_share if scenario is not None and scenario.reduction_share is not None else None
    if share is None:
        from analysis.assumptions import default

        share = default("reduction_share")
    e = comparison.exposure
    years = sorted({int(y) for y in e.loc[(e["scenario"] == name) & e["year"].notna(), "year"]})
    text = (f"Dans le scénario « {escape_markdown(name)} », le **montant exposé** du CLS ({years[0]}-{years[-1]}) est de "
            f"**{eur(at_risk)}**, contre {eur(base)} dans « {escape_markdown(base_name)} » ({_signed_eur(at_risk - base)}). "
            f"Le montant **à apprécier par l'État** (justifications) est de {eur(review)} (contre {eur(review_base)}). "
            "Si l'État réduit "
            f"{percent(share, 0)} du montant exposé à une réduction en n+1 ({assumption_id('reduction_share')}), la "
            f"réduction serait de {eur(reduction)}.")
    last = e[(e["scenario"] == name) & e["axis"].isna() & (e["year"] == domain.CLS.end.year)]
    if len(last):
        text += (f" En {domain.CLS.end.year}, dernière année du contrat, {eur(last['amount_at_risk'].iloc[0])} de crédits "
                 "non consommés seraient exposés à une demande de remboursement (article 5) : un maximum, pas une somme due.")
    s = comparison.settlement.set_index("scenario")
    if name in s.index and base_name in s.index:
        balance, balance_base = s.at[name, "balance_due"], s.at[base_name, "balance_due"]
        refund = s.at[name, "refund_due"]
        outcome = f"un solde à verser de {eur(balance)}" if balance > 0 else f"un trop-perçu à rembourser de {eur(refund)}"
        text += f" France Travail 2024 : {outcome} (base : solde de {eur(balance_base)})."
    return text


# ---------------------------------------------------------------------------------------------
# A page for readers: what it read, its tables without row numbers
# ---------------------------------------------------------------------------------------------

#: What a page built on the embedded example says first (it always says it).
FICTITIOUS_WARNING = (
    "> **Attention : les chiffres d'exécution de cette page sont FICTIFS.** Aucun bilan d'exécution des deux "
    "contrats n'est public : les classeurs lus ont été générés par `analysis.example` pour montrer la démarche ; "
    "seuls les montants prévus, les cibles et les règles viennent de la délibération. Pour produire cette page sur "
    "de vrais bilans : `make report EXECUTION=dossier/ OUT=sortie/` (voir le README)."
)


def inputs_note(execution, paths=()) -> str:
    """In French Markdown, what a page read: each workbook (its name as text, its convention and year), where
    from (the example, or the folders and files given, by their last name), the warning of a fictitious
    page, and the files that were not read. Every name is escaped: a file name is never markup."""
    w = execution.workbooks
    read = ", ".join(f"« {escape_markdown(f)} » ({domain.label('convention', c)} {int(y)})"
                     for f, c, y in zip(w["file"], w["convention"], w["year"]))
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else (paths or ()))]
    origin = ("l'exemple embarqué (data/examples)" if not paths
              else list_text([f"« {escape_markdown(p.name or str(p))} »" for p in paths]))
    lines = [FICTITIOUS_WARNING, ""] if bool(w["fictitious"].any()) else []
    lines.append(f"Bilans d'exécution lus dans {origin} : {read}.")
    notes = execution.warnings
    skipped = [f"« {escape_markdown(f)} » : {escape_markdown(r)}"
               for f, r, s in zip(notes["file"], notes["reason"], notes["sheet"]) if is_missing(s) or not str(s).strip()]
    if skipped:
        lines.append(f"\nFichiers non lus : {' ; '.join(skipped)}.")
    return "\n".join(lines)


def _reading_html(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, max_rows=pd.get_option("display.max_rows"), border=0, classes="dataframe")


def _reading_text(frame: pd.DataFrame) -> str:
    return frame.to_string(index=False, max_rows=pd.get_option("display.max_rows"))


def for_readers(shell=None) -> None:
    """Show every table of this notebook without pandas' row numbers (in the notebook and its HTML page),
    text escaped as HTML: one call in a notebook's first cell. Outside IPython, nothing happens."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks
            return
        shell = get_ipython()
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    formatters["text/html"].for_type(pd.DataFrame, _reading_html)
    formatters["text/plain"].for_type(pd.DataFrame, lambda frame, printer, cycle: printer.text(_reading_text(frame)))


def threshold_sensitivity(frame: pd.DataFrame, register_threshold: float) -> pd.DataFrame:
    """:func:`analysis.scenarios.threshold_sensitivity` for reading: one row per threshold (the register's
    marked), the action-years per flag and the amounts exposed and to be assessed by the State."""
    h15 = assumption_id("manifest_threshold")
    threshold = [percent(t, 0) + (" (registre)" if abs(t - register_threshold) < 1e-9 else "") for t in frame["threshold"]]
    out = pd.DataFrame({f"Seuil de sous-consommation manifeste ({h15})": threshold})
    for flag in ("conforme", "a_surveiller", "justification_a_apprecier", "sous_consommation_manifeste"):
        out[domain.label("assessment_flag", flag)] = [count(v) for v in frame[flag]]
    out[HEADERS["amount_at_risk"]] = [eur(v) for v in frame["amount_at_risk"]]
    out[HEADERS["amount_under_review"]] = [eur(v) for v in frame["amount_under_review"]]
    return out


def _first(frame: pd.DataFrame, mask) -> pd.Series | None:
    hit = frame[mask]
    return None if hit.empty else hit.iloc[0]


def credit_examples(consumption: pd.DataFrame) -> str:
    """Three CLS action-years of the assessment that show how the credits are read (Markdown list): one that
    received a carry-over, one whose credits an avenant notified, one whose fiche starts during the year."""
    cls = consumption[(consumption["convention"] == domain.CLS.code) & consumption["executed_state"].notna()]
    lines = []
    row = _first(cls, [not is_missing(v) and v > 0 for v in cls["carried_in_state"]])
    if row is not None:
        lines.append(
            f"- Action {row['action']} en {identifier(row['year'])} : {eur(row['paid_state'])} versés et "
            f"{eur(row['carried_in_state'])} reportés de l'année précédente, soit {eur(row['available_state'])} "
            f"disponibles ; le Département en réalise {eur(row['executed_state'])}, soit {percent(row['rate'])} des "
            f"crédits disponibles, contre un taux attendu de {percent(row['expected_rate'], 0)} "
            f"(« {domain.label('expected_rate_source', row['expected_rate_source'])} »).")
    row = _first(cls, cls["planned_state_source"] == "avenant")
    if row is not None:
        lines.append(
            f"- Action {row['action']} en {identifier(row['year'])} : le contrat prévoyait "
            f"{eur(row['planned_contract'])}, l'avenant notifie {eur(row['notified_state'])} ; avec le report de "
            f"{eur(row['carried_in_state'] if not is_missing(row['carried_in_state']) else ZERO)}, "
            f"{eur(row['available_state'])} sont disponibles.")
    row = _first(cls, (cls["expected_rate"] < 1) & (cls["expected_rate_source"] == "dates_fiches"))
    if row is not None:
        lines.append(
            f"- Action {row['action']} en {identifier(row['year'])} : la fiche fait démarrer des sous-actions en cours "
            f"d'année ; le taux attendu est {percent(row['expected_rate'])} "
            f"(« {domain.label('expected_rate_source', row['expected_rate_source'])} »).")
    return "\n".join(lines) if lines else "Aucune action-année du CLS n'a de montant réalisé dans les bilans lus."


def departement_shares(assessment, first: int, last: int) -> pd.DataFrame:
    """The Département's share of each CLS action's actual spending against the 50 % of art. 2.2 (l. 348-350),
    per year and over the period (each euro once): the share (two decimals within one point of 50 %) and
    « conforme » or « non conforme »; empty where the action-year is not reported."""
    minimum = assessment.parameters["cls_departement_min_share"]
    c = assessment.consumption
    cls = c[(c["convention"] == domain.CLS.code) & c["year"].between(first, last)]
    period = assessment.position_over(first, last).set_index("action")
    rows = []
    for action in period.index:
        row = {HEADERS["action"]: action}
        for year in range(first, last + 1):
            hit = cls[(cls["action"] == action) & (cls["year"] == year)]
            value = hit["departement_share"].iloc[0] if len(hit) else None
            row[f"{year}"] = " — ".join(t for t in (share(value, minimum), minimum_share(value, minimum)) if t)
        value = period.at[action, "departement_share"]
        row[f"{first}-{last}"] = " — ".join(t for t in (share(value, minimum), minimum_share(value, minimum)) if t)
        rows.append(row)
    return pd.DataFrame(rows)


def period_summary(assessment, first: int, last: int) -> str:
    """The CLS over a period in one sentence (Markdown): credits available, executed and unconsumed, the amounts
    exposed and to be assessed by the State, each euro once (H45), and the actions it leaves out."""
    p = assessment.position_over(first, last)
    gaps = [f"{escape_markdown(a)} ({list_text([str(y) for y in m])})" for a, m in zip(p["action"], p["missing_years"]) if m]
    text = (f"Sur {first}-{last}, chaque euro compté une fois ({assumption_id('period_exposure_cap')}) : "
            f"{eur(sum(v for v in p['available_state'] if not is_missing(v)))} de crédits État disponibles (report reçu "
            f"compté au début de la période), {eur(sum(v for v in p['executed_state'] if not is_missing(v)))} réalisés, "
            f"{eur(sum(v for v in p['unconsumed_state'] if not is_missing(v)))} non consommés ; montant exposé "
            f"**{eur(sum(p['amount_at_risk'], ZERO))}**, à apprécier par l'État **{eur(sum(p['amount_under_review'], ZERO))}** "
            "(jamais plus que les crédits non consommés de la période).")
    return text + (f" Années non renseignées, jamais comptées : {list_text(gaps)}." if gaps else "")
