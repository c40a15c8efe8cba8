"""The contract tables of a contract workbook's lines (issue 17): each filled line checked and named by its
cell, then the tables built and validated by the strict loader's own rules, each problem named by its cell.

What a line becomes:

- « Actions » -> ``actions``; « Crédits » -> ``budget_figures`` (the fiche budget of its convention,
  ``cls_fiche_budget`` or ``ft_fiche_budget``, phase 'approved', ``quantity`` 'planned', ``column_label``
  the funder and its detail);
- « Indicateurs nationaux » and « Indicateurs » -> ``indicators`` (the printed table follows the family:
  national indicators ``cls_annexe10``, CLS local ``cls_annexe1``, other CLS ``cls_fiche_indicateurs``, France
  Travail pilotage ``ft_annexe4``, other France Travail ``ft_fiche_indicateurs``) and ``indicator_values``
  (baseline at 31/12/2023, targets 2024-2027);
- « Volets France Travail » -> ``text_amounts`` of the convention (art. 4.1: the ceiling of each volet and
  their sum, the amount allocated; art. 6: the advance, that sum times the rule ``ft_advance_rate``, to the
  cent, H44);
- « Règles et dates » -> ``rules`` (a date as an ISO text, a number written plainly).

A text is kept as typed without the blanks at its ends (the contract files refuse them); an empty source
becomes the workbook's cell (« contrat.xlsx, feuille « Crédits », ligne 7 »).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from analysis.assumptions import default
from analysis.domain import CLS, CONVENTION_SHORT_LABELS, FICHE_TABLE, FT
from analysis.loading import contract_from_tables
from analysis.money import cents
from analysis.package import package_descriptor
from analysis.reference import national_indicators
from analysis.validation import ContractDataError, compile_descriptor, control_character, load_rows
from analysis.workbooks.contract_layout import (
    BASELINE_YEAR,
    DIRECTION_CHOICES,
    FAMILY_CHOICES,
    FUNDER_CHOICES,
    REQUIRED_RULES,
    SHEET_ACTIONS,
    SHEET_CREDITS,
    SHEET_INDICATORS,
    SHEET_NATIONAL,
    SHEET_RULES,
    SHEET_VOLETS,
    TARGET_YEARS,
    UNIT_CHOICES,
    VOLETS,
    ContractTemplate,
    convention_choices,
)
from analysis.workbooks.contract_reader import Line
from analysis.workbooks.errors import ProblemLog

_FUNDER_HEADINGS = {"etat": "Etat", "departement": "Conseil départemental", "autre": "Autres"}


def _plain(value) -> str:
    """A parsed value as a contract CSV cell holds it."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, float):
        return f"{Decimal(repr(value)).normalize():f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass
class Tables:
    """The rows of each resource (CSV cells as text) and, for each row, where its cells are in the workbook."""

    file: str
    log: ProblemLog
    rows: dict = field(default_factory=dict)
    origins: dict = field(default_factory=dict)
    #: The cells that could not be read (sheet, cell): already a problem, never reported again.
    unread: set = field(default_factory=set)

    def add(self, resource: str, line: Line, cells: dict, where: dict) -> None:
        """A row of ``resource`` from ``line``: ``cells`` field -> value, ``where`` field -> the sheet field holding it
        (a field not in ``where`` is named by the line's first cell)."""
        letters = {f: line.letters[where.get(f, f)] for f in cells if where.get(f, f) in line.letters}
        first = next(iter(line.letters.values()))
        for name, value in cells.items():
            reason = control_character(value) if isinstance(value, str) else None
            if reason is not None:
                self.log.add(line.sheet, f"{letters.get(name, first)}{line.row}", value, f"{reason} interdit")
        self.rows.setdefault(resource, []).append({f: _plain(v) for f, v in cells.items()})
        self.origins.setdefault(resource, []).append((line.sheet, line.row, letters, first))
        self.unread.update((line.sheet, f"{line.letters[f]}{line.row}") for f in line.failed)

    def source(self, line: Line) -> dict:
        """The provenance cells of a line: its source (the workbook's cell when none is typed), line and notes."""
        v = line.values
        typed = v.get("source")
        return {"source": typed or f"{self.file}, feuille « {line.sheet} », ligne {line.row}",
                "source_line": v.get("source_line"), "notes": v.get("notes")}


def _duplicate(seen: dict, key, line: Line, cell_field: str, log: ProblemLog, what: str) -> bool:
    if key in seen:
        log.add(line.sheet, line.cell(cell_field), line.values.get(cell_field), f"{what} ligne {seen[key]}")
        return True
    seen[key] = line.row
    return False


def _missing(line: Line, fields: tuple[str, ...], log: ProblemLog) -> bool:
    """Whether a required cell of the line is empty (a problem) or could not be read (already one)."""
    absent = [f for f in fields if line.values.get(f) is None]
    for f in absent:
        if f not in line.failed:
            log.add(line.sheet, line.cell(f), None, "valeur obligatoire manquante (ligne commencée)")
    return bool(absent)


# --------------------------------------------------------------------------------------------------
# Actions and credits
# --------------------------------------------------------------------------------------------------


def _actions(tables: Tables, lines: list[Line], conventions: dict) -> dict:
    """The ``actions`` rows; returns (convention, action) -> axis."""
    seen, axes = {}, {}
    for line in lines:
        v = line.values
        convention = conventions.get(v.get("convention"))
        key = (convention, v.get("action"))
        if v.get("action") is not None and _duplicate(seen, key, line, "action", tables.log, "action déjà saisie"):
            continue
        axes[key] = v.get("axis")
        tables.add("actions", line, {"convention": convention, "axis": v.get("axis"), "axis_label": v.get("axis_label"),
                                     "action": v.get("action"), "title": v.get("title"), **tables.source(line)}, {})
    if not lines:
        tables.log.add(SHEET_ACTIONS, None, None, "aucune action saisie : le contrat doit avoir au moins une action")
    return axes


def _credits(tables: Tables, lines: list[Line], conventions: dict, axes: dict) -> None:
    seen = {}
    for line in lines:
        v = line.values
        convention = conventions.get(v.get("convention"))
        funder = FUNDER_CHOICES.get(v.get("funder"))
        if _missing(line, ("convention", "action", "year", "funder"), tables.log):
            continue
        if (convention, v["action"]) not in axes:
            tables.log.add(line.sheet, line.cell("action"), v["action"], f"action inconnue : absente de la feuille "
                           f"« {SHEET_ACTIONS} » pour le contrat {v['convention']}")
            continue
        detail = v.get("funder_detail")
        if _duplicate(seen, (convention, v["action"], v["year"], funder, detail), line, "amount", tables.log,
                      "crédit de même action, année, financeur et précision déjà saisi"):
            continue
        heading = _FUNDER_HEADINGS[funder] + (f" ({detail})" if detail else "")
        tables.add("budget_figures", line, {
            "convention": convention, "table": FICHE_TABLE[convention], "action": v["action"],
            "axis": axes[(convention, v["action"])], "year": v["year"], "row_type": "line", "column_label": heading,
            "funder": funder, "funder_detail": detail, "quantity": "planned", "amount_eur": v.get("amount"),
            **tables.source(line)}, {"amount_eur": "amount", "column_label": "funder", "axis": "action"})
    if not lines:
        tables.log.add(SHEET_CREDITS, None, None, "aucun crédit saisi : le contrat doit prévoir au moins un montant")


# --------------------------------------------------------------------------------------------------
# Indicators and their values
# --------------------------------------------------------------------------------------------------


def _values(tables: Tables, line: Line, ident: str) -> None:
    v = line.values
    measures = [("baseline", BASELINE_YEAR, "baseline"), *((f"target_{y}", y, "target") for y in TARGET_YEARS)]
    for column, year, measure in measures:
        if v.get(column) is not None:
            tables.add("indicator_values", line, {
                "indicator_id": ident, "year": year, "measure": measure, "value": v[column], "value_text": None,
                **{**tables.source(line), "notes": None}}, {"value": column, "year": column, "measure": column})


def _national(tables: Tables, lines: list[Line]) -> None:
    vocabulary = national_indicators().set_index("code")
    for line in lines:
        code = line.key
        ref = vocabulary.loc[code]
        provenance = tables.source(line)
        if provenance["notes"] is None:  # the theme and axis, as the national template prints them
            provenance["notes"] = f"Thématique : « {ref['thematique']} ». Axe {ref['axe']} (modèle national)."
        tables.add("indicators", line, {
            "convention": CLS.code, "indicator_id": code, "action": None, "label": ref["libelle"], "family": "national",
            "table": "cls_annexe10", "unit": ref["unite"], "direction": ref["sens"], "ref_indicator": None,
            **provenance}, {"indicator_id": "indicator_id", "label": "label", "unit": "unit"})
        _values(tables, line, code)


def _table_of(convention: str, family: str) -> str:
    if convention == FT.code:
        return "ft_annexe4" if family == "pilotage" else "ft_fiche_indicateurs"
    return "cls_annexe1" if family == "local" else "cls_fiche_indicateurs"


def _indicator_known(tables: Tables, line: Line, convention, axes: dict, reserved: set[str]) -> bool:
    v, log = line.values, tables.log
    if v.get("indicator_id") in reserved:
        log.add(line.sheet, line.cell("indicator_id"), v["indicator_id"], f"code réservé à un indicateur national : le "
                f"renseigner dans la feuille « {SHEET_NATIONAL} »")
        return False
    if v.get("action") is not None and (convention, v["action"]) not in axes:
        log.add(line.sheet, line.cell("action"), v["action"], f"action inconnue : absente de la feuille « {SHEET_ACTIONS} » "
                f"pour le contrat {v.get('convention')}")
        return False
    if FAMILY_CHOICES.get(v.get("family")) == "national" and v.get("action") is None:
        log.add(line.sheet, line.cell("action"), None, "un indicateur de famille nationale ici est la part d'une action : "
                f"donner l'action (les 15 indicateurs nationaux sont dans la feuille « {SHEET_NATIONAL} »)")
        return False
    return True


def _indicators(tables: Tables, lines: list[Line], conventions: dict, axes: dict, national: set[str], seen: dict,
                known: set) -> None:
    for line in lines:
        v = line.values
        convention, family = conventions.get(v.get("convention")), FAMILY_CHOICES.get(v.get("family"))
        ident = v.get("indicator_id")
        if ident is not None and _duplicate(seen, ident, line, "indicator_id", tables.log, "indicateur déjà saisi"):
            continue
        if not _indicator_known(tables, line, convention, axes, national):
            continue
        if v.get("ref_indicator") is not None and v["ref_indicator"] not in known:
            tables.log.add(line.sheet, line.cell("ref_indicator"), v["ref_indicator"], "indicateur de référence inconnu")
            continue
        table = _table_of(convention, family) if convention and family else None
        tables.add("indicators", line, {
            "convention": convention, "indicator_id": ident, "action": v.get("action"), "label": v.get("label"),
            "family": family, "table": table, "unit": v.get("unit"), "direction": DIRECTION_CHOICES.get(v.get("direction")),
            "ref_indicator": v.get("ref_indicator"), **tables.source(line)}, {"table": "family"})
        if ident is not None:
            _values(tables, line, ident)


def _all_indicators(tables: Tables, lines: list[Line], national_lines: list[Line], conventions: dict, axes: dict) -> None:
    """The indicators in the order of the printed contract (the order of an execution workbook's rows): the
    CLS local indicators, the national ones, the other CLS indicators, then France Travail's."""
    national = {line.key for line in national_lines}
    seen, known = {}, national | {line.values.get("indicator_id") for line in lines}
    first = [conventions.get(line.values.get("convention")) == CLS.code and FAMILY_CHOICES.get(line.values.get("family"))
             == "local" for line in lines]
    _indicators(tables, [line for line, f in zip(lines, first) if f], conventions, axes, national, seen, known)
    _national(tables, national_lines)
    _indicators(tables, [line for line, f in zip(lines, first) if not f], conventions, axes, national, seen, known)


# --------------------------------------------------------------------------------------------------
# France Travail ceilings, rules
# --------------------------------------------------------------------------------------------------


def _amounts(tables: Tables, lines: list[Line], rules: dict) -> None:
    """The ceiling of each volet (art. 4.1), the amount allocated (their sum) and the advance (art. 6): H52."""
    if default("ft_allocated_amount") != "somme_des_plafonds":
        raise ValueError("H52 : seule la lecture « somme_des_plafonds » du montant France Travail alloué est prise en charge")
    year, total, last = FT.start.year, Decimal(0), None
    for line in lines:
        ceiling = line.values.get("ceiling")
        if ceiling is None:
            if line.filled:
                _missing(line, ("ceiling",), tables.log)
            continue
        total, last = total + ceiling, line
        tables.add("text_amounts", line, {
            "convention": FT.code, "document": "ft_convention", "article": "4.1", "scope": "volet", "axis": line.key,
            "action": None, "year": year, "label": f"plafond de l'État, {VOLETS[line.key].split(' — ')[0].lower()}",
            "amount_eur": ceiling, **tables.source(line)}, {"amount_eur": "ceiling", "axis": "line"})
    if last is None:
        tables.log.add(SHEET_VOLETS, None, None, "aucun plafond de volet saisi : le solde France Travail ne peut pas être "
                                                 "calculé sans le plafond de l'État de chaque volet (article 4.1)")
        return
    derived = {"source": f"{tables.file}, feuille « {SHEET_VOLETS} » (calculé)", "source_line": None, "notes": None}
    tables.add("text_amounts", last, {
        "convention": FT.code, "document": "ft_convention", "article": "4.1", "scope": "contract", "axis": None,
        "action": None, "year": year, "label": "montant État alloué (somme des plafonds des volets)", "amount_eur": total,
        **derived}, {"amount_eur": "ceiling"})
    rate = rules.get("ft_advance_rate")
    if rate is not None:
        tables.add("text_amounts", last, {
            "convention": FT.code, "document": "ft_convention", "article": "Article 6", "scope": "advance", "axis": None,
            "action": None, "year": year, "label": "avance à la signature (taux de la règle ft_advance_rate)",
            "amount_eur": cents(total * Decimal(repr(rate)) / 100), **derived}, {"amount_eur": "ceiling"})


def _rule_value(tables: Tables, line: Line) -> str | None:
    """The rule's value as ``rules.csv`` holds it (a date as ISO text), or None; inconsistent cells are problems."""
    v, log = line.values, tables.log
    unit = UNIT_CHOICES.get(v.get("unit"))
    if v.get("date") is not None and v.get("value") is not None:
        log.add(line.sheet, line.cell("value"), v["value"], "une valeur ou une date, pas les deux")
    elif v.get("date") is not None and unit != "date":
        log.add(line.sheet, line.cell("unit"), v.get("unit"), "une date demande l'unité « date »")
    elif v.get("value") is not None and unit == "date":
        log.add(line.sheet, line.cell("date"), None, "unité « date » : saisir la date dans la colonne Date")
    else:
        return v.get("date") if v.get("date") is not None else v.get("value")
    return None


def _rules(tables: Tables, lines: list[Line], conventions: dict, models: tuple[str, ...]) -> dict:
    """The ``rules`` rows; returns rule_id -> value."""
    seen, values = {}, {}
    for line in lines:
        v = line.values
        if v.get("rule_id") is not None and _duplicate(seen, v["rule_id"], line, "rule_id", tables.log, "règle déjà saisie"):
            continue
        convention = conventions.get(v.get("convention"))
        value = _rule_value(tables, line)
        values[v.get("rule_id")] = value
        tables.add("rules", line, {
            "rule_id": v.get("rule_id"), "convention": convention, "document": v.get("document") or
            (f"{convention}_convention" if convention else None), "article": v.get("article"), "rule": v.get("rule"),
            "value": value, "unit": UNIT_CHOICES.get(v.get("unit")), **tables.source(line)}, {"value": "value"})
    for model in models:
        for rule_id in REQUIRED_RULES[model]:
            if values.get(rule_id) is None:
                tables.log.add(SHEET_RULES, None, rule_id, f"règle obligatoire absente ou sans valeur pour le "
                               f"{CONVENTION_SHORT_LABELS[model]} : une ligne « {rule_id} » avec son pourcentage")
    return values


# --------------------------------------------------------------------------------------------------
# Everything, validated by the strict loader's rules
# --------------------------------------------------------------------------------------------------


def _translate(error: ContractDataError, tables: Tables, labels: dict) -> None:
    """The loader's problems on the tables, named by their workbook cells."""
    for problem in error.problems:
        resource = labels.get(problem.file)
        origins = tables.origins.get(resource, [])
        index = (problem.line or 0) - 2
        if resource is None or not 0 <= index < len(origins):
            tables.log.add(None, None, problem.value, f"{problem.file} : {problem.reason}")
            continue
        sheet, row, letters, first = origins[index]
        name = (problem.column or "").split(", ")[0]
        where = f"{letters.get(name, first)}{row}"
        if (sheet, where) not in tables.unread:
            tables.log.add(sheet, where, problem.value, problem.reason)
    tables.log.count(error.omitted)


def contract_of_lines(template: ContractTemplate, lines: dict[str, list[Line]], path: Path, log: ProblemLog):
    """The :class:`analysis.Contract` of the workbook's lines (None when a problem was found: see ``log``)."""
    tables = Tables(path.name, log)
    conventions = convention_choices(template.models)
    filled = {name: [line for line in ls if line.filled] for name, ls in lines.items()}
    axes = _actions(tables, filled[SHEET_ACTIONS], conventions)
    _credits(tables, filled[SHEET_CREDITS], conventions, axes)
    _all_indicators(tables, filled[SHEET_INDICATORS], lines.get(SHEET_NATIONAL, []), conventions, axes)
    rules = _rules(tables, filled[SHEET_RULES], conventions, template.models)
    if SHEET_VOLETS in template.sheets:
        _amounts(tables, lines.get(SHEET_VOLETS, []), rules)
    # the loader's rules run on what was built even after a problem: every cell at fault is named at once
    descriptor = package_descriptor(template.departement, [k for k in axes if None not in k], list(tables.rows))
    specs = compile_descriptor(json.dumps(descriptor, ensure_ascii=False))
    labels = {f"{path.name}, table « {name} »": name for name in tables.rows}
    rows = {name: [[r[f.name] for f in next(s for s in specs if s.name == name).fields] for r in rs]
            for name, rs in tables.rows.items()}
    try:
        typed = load_rows(specs, rows, path.name)
    except ContractDataError as error:
        _translate(error, tables, labels)
        return None
    return None if log else contract_from_tables(typed, path, template.departement)
