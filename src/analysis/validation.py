"""Validate the raw CSV tables against their Frictionless descriptor, then type them.

The descriptor ``data/raw/datapackage.json`` is the single statement of the raw tables' schema.
The full ``frictionless`` library checks it in the test suite; this module enforces the same rules
(types, required fields, enums, minimum, pattern, primary and foreign keys) with pandas alone, so
that loading the contract costs little more than importing pandas.

Every problem found is collected, then reported at once in French, naming the file, the line of the
file and the column. Nothing is loaded when any problem is found.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

_INTEGER = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_CENTS = re.compile(r"^\d+\.\d{2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_money(column: str) -> bool:
    """Money columns end in ``_eur``: parsed to Decimal, exact to the cent."""
    return column.endswith("_eur")


@dataclass(frozen=True)
class Problem:
    """One validation problem, located in a file (line numbers count the header as line 1)."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.column is not None:
            where.append(f"colonne « {self.column} »")
        value = f"valeur « {self.value} » : " if self.value not in (None, "") else ""
        return f"{', '.join(where)} : {value}{self.reason}"


class ContractDataError(ValueError):
    """Raised when the raw contract tables are invalid; lists every problem, in French."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = (
            f"Données du contrat invalides : {n} problème{'s' if n > 1 else ''} "
            "trouvé{} ; rien n'a été chargé.".format("s" if n > 1 else "")
        )
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


def read_descriptor(data_dir: Path) -> dict:
    path = Path(data_dir) / "datapackage.json"
    if not path.is_file():
        raise ContractDataError([Problem(str(path), None, None, None, "fichier introuvable")])
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _read_raw(data_dir: Path, resource: dict, problems: list[Problem]) -> pd.DataFrame | None:
    """Read one CSV as strings ('' for empty cells); check its header against the schema."""
    name = resource["path"]
    path = Path(data_dir) / name
    if not path.is_file():
        problems.append(Problem(name, None, None, None, "fichier introuvable"))
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        problems.append(Problem(name, None, None, None, f"fichier illisible ({exc})"))
        return None
    expected = [f["name"] for f in resource["schema"]["fields"]]
    if list(frame.columns) != expected:
        missing = [c for c in expected if c not in frame.columns]
        extra = [c for c in frame.columns if c not in expected]
        detail = []
        if missing:
            detail.append("colonnes manquantes : " + ", ".join(missing))
        if extra:
            detail.append("colonnes inattendues : " + ", ".join(extra))
        if not detail:
            detail.append("colonnes dans un ordre différent du schéma")
        problems.append(Problem(name, 1, None, None, "en-tête invalide (" + " ; ".join(detail) + ")"))
        return None
    return frame


def _check_field(name: str, frame: pd.DataFrame, field: dict, problems: list[Problem]) -> None:
    col = field["name"]
    kind = field.get("type", "string")
    cons = field.get("constraints", {})
    enum = cons.get("enum")
    pattern = re.compile(cons["pattern"]) if "pattern" in cons else None
    minimum = cons.get("minimum")
    required = cons.get("required", False)
    for index, raw in enumerate(frame[col].tolist()):
        line = index + 2
        value = raw.strip()
        if value != raw:
            problems.append(Problem(name, line, col, raw, "espaces superflus en début ou fin de cellule"))
            continue
        if value == "":
            if required:
                problems.append(Problem(name, line, col, None, "valeur obligatoire manquante"))
            continue
        if kind in ("integer", "year") and not _INTEGER.match(value):
            problems.append(Problem(name, line, col, value, "nombre entier attendu"))
            continue
        if kind == "number" and not _NUMBER.match(value):
            problems.append(Problem(name, line, col, value, "nombre attendu (point décimal, sans espace ni €)"))
            continue
        if kind == "date" and not _DATE.match(value):
            problems.append(Problem(name, line, col, value, "date attendue au format AAAA-MM-JJ"))
            continue
        if enum is not None and value not in enum:
            allowed = ", ".join(str(e) for e in enum)
            problems.append(Problem(name, line, col, value, f"valeur non autorisée (attendu : {allowed})"))
            continue
        if pattern is not None and not pattern.fullmatch(value):
            problems.append(Problem(name, line, col, value, f"format invalide (motif attendu : {pattern.pattern})"))
            continue
        if minimum is not None and kind in ("integer", "year", "number") and Decimal(value) < Decimal(str(minimum)):
            reason = "montant négatif interdit" if minimum == 0 else f"valeur inférieure au minimum {minimum}"
            problems.append(Problem(name, line, col, value, reason))
            continue
        if kind == "number" and is_money(col) and not _CENTS.match(value):
            problems.append(Problem(name, line, col, value, "montant attendu en euros avec exactement deux décimales (ex. 618000.00)"))


def _key_tuples(frame: pd.DataFrame, fields: list[str]) -> list[tuple]:
    return list(zip(*(frame[f].tolist() for f in fields)))


def _check_primary_key(name: str, frame: pd.DataFrame, schema: dict, problems: list[Problem]) -> None:
    key = schema.get("primaryKey")
    if not key:
        return
    key = [key] if isinstance(key, str) else list(key)
    duplicated = frame.duplicated(subset=key, keep="first")
    for index in frame.index[duplicated]:
        first = frame.index[(frame[key] == frame.loc[index, key]).all(axis=1)][0]
        values = ", ".join(f"{k}={frame.loc[index, k]!s}" for k in key)
        problems.append(
            Problem(name, int(index) + 2, ", ".join(key), values, f"clé en double (déjà présente ligne {int(first) + 2})")
        )


def _check_foreign_keys(name: str, frame: pd.DataFrame, schema: dict, raw: dict, problems: list[Problem]) -> None:
    for fk in schema.get("foreignKeys", []):
        fields = [fk["fields"]] if isinstance(fk["fields"], str) else list(fk["fields"])
        ref = fk["reference"]
        ref_fields = [ref["fields"]] if isinstance(ref["fields"], str) else list(ref["fields"])
        target = raw.get(ref["resource"]) if ref["resource"] else frame
        if target is None:
            continue
        known = set(_key_tuples(target, ref_fields))
        # A reference with an empty part (e.g. a contract-level total without action) is not checked.
        for index, key in zip(frame.index, _key_tuples(frame, fields)):
            if "" not in key and key not in known:
                values = ", ".join(f"{f}={v}" for f, v in zip(fields, key))
                problems.append(
                    Problem(
                        name,
                        int(index) + 2,
                        ", ".join(fields),
                        values,
                        f"référence inconnue dans {ref['resource'] or name} ({', '.join(ref_fields)})",
                    )
                )


def _typed(frame: pd.DataFrame, schema: dict) -> pd.DataFrame:
    """Convert validated string columns to their types: categoricals, nullable integers, Decimal money."""
    out = {}
    for field in schema["fields"]:
        col = field["name"]
        kind = field.get("type", "string")
        values = [None if v == "" else v for v in frame[col].tolist()]
        enum = field.get("constraints", {}).get("enum")
        if kind in ("integer", "year"):
            out[col] = pd.array([None if v is None else int(v) for v in values], dtype="Int64")
        elif kind == "number" and is_money(col):
            out[col] = pd.Series([None if v is None else Decimal(v) for v in values], dtype=object)
        elif kind == "number":
            out[col] = pd.array([None if v is None else float(v) for v in values], dtype="Float64")
        elif enum is not None:
            out[col] = pd.Categorical(values, categories=list(enum))
        else:
            out[col] = pd.array(values, dtype="str")
    return pd.DataFrame(out)


def load_tables(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Validate every resource of the data package in ``data_dir`` and return typed frames by name.

    Raises :class:`ContractDataError` listing all problems; nothing is returned in that case.
    """
    descriptor = read_descriptor(data_dir)
    problems: list[Problem] = []
    raw: dict[str, pd.DataFrame] = {}
    for resource in descriptor["resources"]:
        frame = _read_raw(data_dir, resource, problems)
        if frame is None:
            continue
        for field in resource["schema"]["fields"]:
            _check_field(resource["path"], frame, field, problems)
        _check_primary_key(resource["path"], frame, resource["schema"], problems)
        raw[resource["name"]] = frame
    for resource in descriptor["resources"]:
        if resource["name"] in raw:
            _check_foreign_keys(resource["path"], raw[resource["name"]], resource["schema"], raw, problems)
    if problems:
        raise ContractDataError(problems)
    return {r["name"]: _typed(raw[r["name"]], r["schema"]) for r in descriptor["resources"]}
