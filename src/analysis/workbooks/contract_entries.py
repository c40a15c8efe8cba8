"""A contract as the entries of its contract workbook: (sheet, row key, field) -> value (issue 17).

:func:`contract_entries` is the inverse of :func:`~analysis.workbooks.contract_reader.read_contract_workbook`:
what it writes reads back into the same figures (actions and axes with their labels, the fiche budgets per
action, year and funder, the indicators with their baseline and targets, the France Travail ceilings, the
rules). What the workbook cannot hold is refused with a French ``ValueError`` rather than left out silently;
only the empty cells of the document (a result column printed empty) and the transcription of the printed
document (sub-actions, amounts in the prose, financing plan, lettered columns, imputations, printed totals)
are not carried.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from analysis.domain import CONVENTION_SHORT_LABELS, FT, FUNDER_LABELS
from analysis.money import is_missing
from analysis.workbooks import contract_layout as layout

_DIRECTION_LABELS = {code: label for label, code in layout.DIRECTION_CHOICES.items()}
_FAMILY_LABELS = {code: label for label, code in layout.FAMILY_CHOICES.items()}
#: The printed table of the national indicators (CLS annexe 10), held by the sheet « Indicateurs nationaux ».
NATIONAL_TABLE = "cls_annexe10"


def _value(value):
    """A table value as a cell holds it: None when missing, numbers as int or float, Decimal kept, text kept."""
    if is_missing(value):
        return None
    if isinstance(value, (Decimal, str)):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _numbered(sheet: str, records: list[dict]) -> dict:
    """Entries of ``records`` written on the numbered lines of ``sheet``, in order."""
    if len(records) > layout.LINES[sheet]:
        raise ValueError(f"feuille « {sheet} » : {len(records)} lignes à écrire, le modèle en compte {layout.LINES[sheet]}")
    return {(sheet, str(n), field): value for n, record in enumerate(records, start=1)
            for field, value in record.items() if value is not None}


def _provenance(row) -> dict:
    return {"source": _value(row.source), "source_line": _value(row.source_line), "notes": _value(row.notes)}


def _actions(contract) -> dict:
    records = [{"convention": CONVENTION_SHORT_LABELS[str(r.convention)], "axis": _value(r.axis),
                "axis_label": _value(r.axis_label), "action": _value(r.action), "title": _value(r.title), **_provenance(r)}
               for r in contract.actions.itertuples(index=False)]
    return _numbered(layout.SHEET_ACTIONS, records)


def _credits(contract, models) -> dict:
    records = []
    for model in models:
        for r in contract.planned_budget(model).itertuples(index=False):
            records.append({"convention": CONVENTION_SHORT_LABELS[model], "action": _value(r.action), "year": _value(r.year),
                            "funder": FUNDER_LABELS[str(r.funder)], "funder_detail": _value(r.funder_detail),
                            "amount": r.amount_eur, **_provenance(r)})
    return _numbered(layout.SHEET_CREDITS, records)


def _values_by_indicator(contract) -> dict:
    """indicator_id -> {field: value} of the baseline and the targets; a value the workbook cannot hold is refused."""
    out: dict[str, dict] = {}
    refused = []
    for r in contract.indicator_values.itertuples(index=False):
        if is_missing(r.value):
            continue  # an empty printed cell (the result columns of the CLS annexe 1)
        year, measure = int(r.year), str(r.measure)
        if measure == "baseline" and year == layout.BASELINE_YEAR:
            field = "baseline"
        elif measure == "target" and year in layout.TARGET_YEARS:
            field = f"target_{year}"
        else:
            refused.append(f"{r.indicator_id} ({measure} {year})")
            continue
        out.setdefault(str(r.indicator_id), {})[field] = _value(r.value)
    if refused:
        raise ValueError(f"valeurs d'indicateurs que le classeur du contrat ne peut pas contenir (situation de départ "
                         f"{layout.BASELINE_YEAR}, cibles {layout.TARGET_YEARS[0]}-{layout.TARGET_YEARS[-1]} seulement) : "
                         f"{', '.join(refused[:10])}")
    return out


def _indicators(contract, template: layout.ContractTemplate) -> dict:
    values = _values_by_indicator(contract)
    ind = contract.indicators
    entries, records = {}, []
    sheets = template.sheets
    national = {row.key for row in sheets[layout.SHEET_NATIONAL].rows} if layout.SHEET_NATIONAL in sheets else set()
    for r in ind.itertuples(index=False):
        ident = str(r.indicator_id)
        if str(r.table) == NATIONAL_TABLE:
            if ident not in national:
                raise ValueError(f"indicateur national « {ident} » absent du référentiel des 15 indicateurs nationaux "
                                 "(data/reference/indicateurs_nationaux_cls.csv)")
            row = {**values.get(ident, {}), **_provenance(r)}
            entries.update({(layout.SHEET_NATIONAL, ident, f): v for f, v in row.items() if v is not None})
            continue
        records.append({"convention": CONVENTION_SHORT_LABELS[str(r.convention)], "indicator_id": ident,
                        "action": _value(r.action), "label": _value(r.label), "family": _FAMILY_LABELS[str(r.family)],
                        "unit": _value(r.unit), "direction": _DIRECTION_LABELS.get(_value(r.direction)),
                        "ref_indicator": _value(r.ref_indicator), **values.get(ident, {}), **_provenance(r)})
    entries.update(_numbered(layout.SHEET_INDICATORS, records))
    return entries


def _volets(contract) -> dict:
    t = contract.text_amounts
    own = t[(t["convention"] == FT.code) & (t["document"] == "ft_convention") & (t["scope"] == "volet")]
    entries = {}
    for r in own.itertuples(index=False):
        row = {"ceiling": r.amount_eur, **_provenance(r)}
        entries.update({(layout.SHEET_VOLETS, str(r.axis), f): v for f, v in row.items() if v is not None})
    return entries


def _rule_value(rule_id: str, value, unit) -> dict:
    if is_missing(value):
        return {}
    text = str(value)
    try:
        if unit == "date":
            return {"date": datetime.date.fromisoformat(text)}
        number = Decimal(text)
    except (ValueError, ArithmeticError):
        raise ValueError(f"règle « {rule_id} » : valeur « {text[:40]} » illisible comme "
                         f"{'date ISO' if unit == 'date' else 'nombre'}") from None
    return {"value": int(number) if number == number.to_integral_value() else float(number)}


def _rules(contract) -> dict:
    records = []
    for r in contract.rules.itertuples(index=False):
        unit = _value(r.unit)
        records.append({"rule_id": r.rule_id, "convention": CONVENTION_SHORT_LABELS[str(r.convention)], "rule": r.rule,
                        **_rule_value(r.rule_id, r.value, unit), "unit": unit, "document": _value(r.document),
                        "article": _value(r.article), **_provenance(r)})
    return _numbered(layout.SHEET_RULES, records)


def contract_entries(contract, template: layout.ContractTemplate) -> dict:
    """The entries (sheet, key, field) -> value that write ``contract`` into ``template``'s workbook."""
    entries = {**_actions(contract), **_credits(contract, template.models), **_indicators(contract, template),
               **_rules(contract)}
    if layout.SHEET_VOLETS in template.sheets:
        entries.update(_volets(contract))
    return entries


__all__ = ["contract_entries"]
