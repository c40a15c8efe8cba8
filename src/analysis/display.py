"""The display layer: every table a person reads, in French.

Analysis modules (:mod:`~analysis.summaries`, :mod:`~analysis.consumption`, :mod:`~analysis.scenarios`,
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
from analysis.formatting import format_date, format_eur, format_list, format_number, format_percent

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
    "reduction_eur": "Réduction possible en n+1",
    "year_applied": "Année de la réduction",
    "threshold": "Seuil",
    "share": "Part réduite",
    "at_risk": "Actions-années à risque",
    "actions": "Lesquelles",
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
    "flag": "flag",
    "direction": "direction",
}
#: Columns of exact amounts in euros.
MONEY = frozenset(
    {"amount_eur", "expected", "computed", "gap_eur", "planned", "paid", "executed", "unconsumed", "reduction_eur",
     "planned_state", "planned_total", "total", *domain.FUNDERS}
)
#: Columns of rates (shares of 1), with the decimals shown.
PERCENT = {"rate": 1, "ramp_up_rate": 1, "attainment": 1, "threshold": 0, "share": 0}
#: Identifiers written as plain integers (a year, a line number).
IDENTIFIERS = frozenset({"year", "year_applied", "first_year", "last_year", "source_line", "template_version"})
#: Counts (French thousands separator).
COUNTS = frozenset({"at_risk", "n_groups", "n_actions", "n_indicators"})
#: Measured quantities: integers without decimals, other values with theirs (up to 2).
QUANTITIES = frozenset({"gap_units", "value", "target", "result"})
#: Yes / no columns.
BOOLEANS = frozenset({"fictitious", "calculated"})
#: Columns kept as numbers for a spreadsheet (``numbers=False``).
NUMERIC = MONEY | PERCENT.keys() | IDENTIFIERS | COUNTS | QUANTITIES

#: Headers of the money columns of the checks (euro format in a spreadsheet).
MONEY_HEADERS = [HEADERS[c] for c in ("expected", "computed", "gap_eur")]
#: The columns of a consumption table, in reading order (those present are shown).
CONSUMPTION_COLUMNS = [
    "convention", "action", "year", "planned", "paid", "executed", "unconsumed", "rate", "ramp_up_rate", "flag",
    "gap_reason", "justification",
]

# ------------------------------------------------------------------------------------------------
# One value
# ------------------------------------------------------------------------------------------------


def is_missing(value) -> bool:
    """True for None, NaN, ``pd.NA`` and ``NaT`` (and False for containers such as tuples)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def eur(value) -> str:
    """An amount in euros, the French way (``1 234 567,00 €``); empty when missing."""
    return "" if is_missing(value) else format_eur(value)


def percent(value, decimals: int = 1) -> str:
    """A rate as a French percentage (``0.773`` → ``77,3 %``); empty when missing."""
    return "" if is_missing(value) else format_percent(float(value), decimals)


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


def action_list(items) -> str:
    """(convention, action, year) triples as ``CLS 1.4 (2024), France Travail 2.6 (2024)``."""
    if is_missing(items):
        return ""
    return ", ".join(f"{domain.label('convention', c)} {a} ({identifier(y)})" for c, a, y in items)


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
    kinds = ((IDENTIFIERS, identifier), (COUNTS, count), (QUANTITIES, number), (BOOLEANS, yes_no), ({"actions"}, action_list))
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


def consumption(frame: pd.DataFrame, columns=None) -> pd.DataFrame:
    """State credits consumed per action and year, with the flag (:mod:`analysis.consumption`), for reading."""
    return table(frame, columns or [c for c in CONSUMPTION_COLUMNS if c in frame.columns])


def reductions(frame: pd.DataFrame) -> pd.DataFrame:
    """The potential reductions of one scenario (:func:`analysis.scenarios.potential_reductions`)."""
    return table(frame)


def sensitivity(frame: pd.DataFrame) -> pd.DataFrame:
    """Actions at risk and credits in play per threshold (:func:`analysis.scenarios.threshold_sensitivity`)."""
    return table(frame, [c for c in ("threshold", "share", "at_risk", "actions", "reduction_eur") if c in frame.columns])


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


def attainment(frame: pd.DataFrame) -> pd.DataFrame:
    """Attainment of the targets per action (rows) and year (columns), as percentages."""
    years = sorted({int(y) for y in frame["year"].dropna()})
    keyed = frame.assign(_key=frame["year"].astype("Int64"))
    names = {year: f"{HEADERS['year']} {year}" for year in years}
    return _wide(keyed, ["action"], names, "attainment", percent)


def indicator_targets(frame: pd.DataFrame) -> pd.DataFrame:
    """Baseline and yearly targets of indicators (long, :func:`analysis.summaries.indicator_targets`), one row each."""
    measure, year = frame["measure"].astype(str), frame["year"].astype("Int64")
    keyed = frame.assign(_key=list(zip(measure, year)))
    order = sorted(set(keyed["_key"]), key=lambda k: (domain.MEASURES.index(k[0]), k[1]))
    names = {key: f"{domain.label('measure', key[0])} {key[1]}" for key in order}
    return _wide(keyed, ["indicator_id", "label"], names, "value", number)

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
    "refund_due_alternative", "cost", "valorised", "cofinancing",
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
        not_cls = [str(c) != "cls" for c in frame["convention"]]
        out[name] = [domain.FLAG_NOT_APPLICABLE_LABEL if other else cell for other, cell in zip(not_cls, out[name])]
    return out


def settlement(frame: pd.DataFrame, columns=None, *, numbers: bool = True) -> pd.DataFrame:
    """:attr:`analysis.assessment.Assessment.settlement` (France Travail 2024), for reading."""
    renames = {"row_type": "settlement_row", "reading": "ft_state_share"}
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


def _settlement_outcome(balance, refund) -> str:
    if balance > 0:
        return f"Solde à verser par l'État : {eur(balance)}."
    if refund > 0:
        return f"Trop-perçu à rembourser à l'État : {eur(refund)}."
    return "Ni solde ni trop-perçu : l'avance couvre exactement le dû."


def end_of_contract(frame: pd.DataFrame, columns=None, *, numbers: bool = True) -> pd.DataFrame:
    """:attr:`analysis.assessment.Assessment.end_of_contract` (CLS at 31/12/2027), headed « Axe »."""
    return _assessment_table(frame, END_DISPLAY_COLUMNS, columns, {"row_type": "end_row"}, convention="cls", numbers=numbers)


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
    critical = list(own.loc[status == "critique", "indicator_id"])
    no_result, no_target = own["result"].isna(), own["target"].isna()
    text = (f"{domain.label('convention', convention)} {year} : {count(len(own))} indicateurs, dont "
            f"{count((~no_result & ~no_target).sum())} avec un résultat et une cible : {list_text(words)}. ")
    if critical:
        text += f"Critiques : {list_text(critical)}. "
    return text + (f"Sans résultat dans le bilan : {count((no_result & ~no_target).sum())} ; sans cible imprimée : "
                   f"{count(no_target.sum())} (non renseignés, jamais comptés comme zéro).")


def _flag_item(row) -> str:
    """``1.2 (2025 ; exposé : 258 807,60 €)``."""
    parts = [identifier(row["year"])]
    if not is_missing(row["amount_at_risk"]) and row["amount_at_risk"] > 0:
        parts.append(f"exposé : {eur(row['amount_at_risk'])}")
    if not is_missing(row["amount_under_review"]) and row["amount_under_review"] > 0:
        parts.append(f"à apprécier : {eur(row['amount_under_review'])}")
    return f"{row['action']} ({' ; '.join(parts)})"


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
                             "amount_at_risk": sum(part["amount_at_risk"], Decimal("0.00")),
                             "amount_under_review": sum(part["amount_under_review"], Decimal("0.00"))})
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
