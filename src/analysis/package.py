"""Writing a contract package: the folder of CSV files and its ``datapackage.json`` that
:func:`analysis.load_contract` reads back (issue 17).

``write_contract_package(contract, folder)`` writes every non-empty table of the contract as a CSV file
(UTF-8, comma-separated, one header line; amounts with exactly two decimals, numbers written plainly, an
empty cell for a missing value: the format of ``data/raw``, see its README) and a descriptor derived from
the project's own (:func:`package_descriptor`): the same resources and fields, so that the strict loader
reads it like ``data/raw``, with

- ``departement``: the contract's INSEE code;
- only the resources that have rows (the transcription tables of a printed document, which a contract typed
  in a workbook does not have, are left out: :data:`analysis.loading.OPTIONAL_RESOURCES`);
- ``scopes`` (the keys of the tables whose action may be empty) generated from the contract's actions;
- two constraints relaxed for a contract that is not a transcription: ``source_line`` (the line of a
  transcribed text) may be empty, and action codes may run beyond the Pas-de-Calais ones (``1.1`` … ``99.99``).

Every file is written atomically (a temporary file of the folder, then a rename), the descriptor last: a
failed write leaves the previous descriptor, which still reads the previous files that it names. Nothing is
ever written in ``data/raw``.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd

from analysis.domain import CONVENTION_CODES
from analysis.loading import CONTRACT_RESOURCES, DEFAULT_DATA_DIR, OPTIONAL_RESOURCES, Contract
from analysis.money import is_missing
from analysis.reference import check_departement, departement_name
from analysis.validation import DESCRIPTOR, is_money
from analysis.xlsx import write_atomic

#: Action codes of a package written here: axis and rank from 1 to 99 (« 1.1 », « 2.10 »).
ACTION_PATTERN = r"[1-9][0-9]?\.[1-9][0-9]?"
#: Convention codes of the ``scopes`` resource (each convention as a whole, with an empty action).
SCOPE_CONVENTIONS = (*CONVENTION_CODES, "deliberation")
_CENT = Decimal("0.01")


def _frames(contract: Contract) -> dict[str, pd.DataFrame]:
    """The contract's tables by resource name, as the descriptor names them."""
    budget = contract.budget.drop(columns=["phase"])
    return {
        "actions": contract.actions, "budget_figures": budget, "sub_actions": contract.sub_actions,
        "indicators": contract.indicators, "indicator_values": contract.indicator_values,
        "text_amounts": contract.text_amounts, "ft_financing_plan": contract.financing_plan,
        "table_columns": contract.table_columns, "imputations": contract.imputations, "rules": contract.rules,
    }


def _relaxed(resource: str, field: dict) -> dict:
    """A field of the project's descriptor as a written package declares it (see the module docstring); the France
    Travail financing plan, a transcription of the Pas-de-Calais document, keeps its own codes."""
    field = json.loads(json.dumps(field))
    constraints = field.get("constraints", {})
    if field["name"] == "source_line":
        constraints.pop("required", None)
    if field["name"] == "action" and "pattern" in constraints and resource != "ft_financing_plan":
        constraints["pattern"] = ACTION_PATTERN
    return field


def package_descriptor(departement: str, actions, resources: list[str]) -> dict:
    """The descriptor of a package of ``departement`` (INSEE code) whose ``actions`` are the (convention,
    action) pairs, holding ``resources`` (see the module docstring)."""
    code = check_departement(departement)
    project = json.loads((DEFAULT_DATA_DIR / DESCRIPTOR).read_text(encoding="utf-8"))
    name = departement_name(code)
    out = []
    for resource in project["resources"]:
        if resource["name"] not in resources and resource["name"] != "scopes":
            continue
        fields = [_relaxed(resource["name"], f) for f in resource["schema"]["fields"]]
        resource = {**resource, "schema": {**resource["schema"], "fields": fields}}
        if resource["name"] == "scopes":
            keys = [[str(c), str(a)] for c, a in actions]
            resource["data"] = [["convention", "action"], *([c, ""] for c in SCOPE_CONVENTIONS), *keys]
            resource["description"] = ("Référence des clés étrangères (convention, action) des tables dont l'action peut "
                                       "être vide, générée depuis actions.csv par analysis.write_contract_package.")
        out.append(resource)
    return {
        "name": f"contrats-solidarites-{code.lower()}",
        "departement": code,
        "title": f"Contrats de l'État et du Département : {name} ({code})",
        "description": "Paquet de contrat écrit par analysis.write_contract_package (format de data/raw, voir le README "
                       "du projet, « Paquets de contrat »).",
        "profile": "tabular-data-package",
        "resources": out,
    }


def _cell(value, kind: str, money: bool, where: str) -> str:
    """One value written as the strict loader reads it (``""`` for a missing value)."""
    if is_missing(value):
        return ""
    if money:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
        if amount != amount.quantize(_CENT):
            raise ValueError(f"{where} : montant {amount} non exact au centime : impossible de l'écrire sans l'arrondir")
        return f"{amount.quantize(_CENT):f}"
    if kind == "integer":
        return str(int(value))
    if kind == "number":
        number = Decimal(repr(float(value))) if not isinstance(value, Decimal) else value
        text = f"{number.normalize():f}"
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def _csv_bytes(frame: pd.DataFrame, fields: list[dict], name: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = [f["name"] for f in fields]
    writer.writerow(names)
    kinds = [(f["name"], f.get("type", "string"), is_money(f["name"]) and f.get("type") == "number") for f in fields]
    for index, row in enumerate(frame[names].itertuples(index=False), start=2):
        writer.writerow([_cell(v, kind, money, f"{name}.csv, ligne {index}, colonne « {field} »")
                         for v, (field, kind, money) in zip(row, kinds)])
    return buffer.getvalue().encode("utf-8")


def write_contract_package(contract: Contract, folder) -> Path:
    """Write ``contract`` as a package in ``folder`` (created if needed) and return the descriptor's path.

    The package reads back with :func:`analysis.load_contract` into the same tables (every figure exact,
    Decimal amounts to the cent). The contract must name its département (``contract.departement``, an INSEE
    code) and have actions, budget lines and rules; a French ``ValueError`` says what is missing.
    """
    folder = Path(folder)
    frames = _frames(contract)
    empty = [name for name in CONTRACT_RESOURCES if frames[name].empty and name not in OPTIONAL_RESOURCES]
    if empty:
        raise ValueError(f"contrat incomplet : table(s) {', '.join(empty)} sans aucune ligne ; rien n'a été écrit")
    resources = [name for name in CONTRACT_RESOURCES if not frames[name].empty]
    descriptor = package_descriptor(contract.departement, zip(contract.actions["convention"], contract.actions["action"]),
                                    resources)
    files = {}
    for resource in descriptor["resources"]:
        if resource["name"] in frames:
            files[resource["path"]] = _csv_bytes(frames[resource["name"]], resource["schema"]["fields"], resource["name"])
    for path, data in files.items():  # every file checked and built before anything is written
        write_atomic(folder / path, data)
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    return write_atomic(folder / DESCRIPTOR, text.encode("utf-8"))
