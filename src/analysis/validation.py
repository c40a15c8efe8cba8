"""Validate the raw tables against their Frictionless descriptor, then type them.

The descriptor ``data/raw/datapackage.json`` is the single statement of the raw tables' schema. The
full ``frictionless`` library checks it in the test suite; this module applies every rule the
descriptor declares with the standard library and pandas alone, so that loading the contract costs
little more than importing pandas:

- field types ``string``, ``integer`` and ``number``;
- constraints ``required``, ``unique``, ``enum``, ``pattern``, ``minLength``, ``maxLength``,
  ``minimum``, ``maximum``, ``exclusiveMinimum`` and ``exclusiveMaximum``;
- primary keys, and foreign keys to another resource or to the same one, with Frictionless 5's rule
  for empty parts: a key is skipped only when *all* its parts are empty; a partly empty key must be
  found as it is (an empty part matches an empty part of the referenced table);
- resources read from a CSV file (``path``) or written in the descriptor (``data``).

The descriptor is compiled once (:func:`compile_descriptor`) before any file is read. A feature the
loader does not implement (another field type, constraint, CSV dialect, missing-value list, form of
foreign key…) stops it with :class:`UnsupportedDescriptorError`, naming the resource and the field:
a rule is never silently ignored.

The loader is stricter than Frictionless in three ways, which the descriptor cannot state: no space at
either end of a cell; numbers written plainly (``-1234.5``: no exponent, sign ``+``, space or ``€``);
money columns (``*_eur``) with exactly two decimals.

Every problem found is collected, then reported at once in French, naming the file, the line of the
file and the column. Nothing is loaded when any problem is found.
"""

from __future__ import annotations

import csv
import io
import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

DESCRIPTOR = "datapackage.json"

_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_CENTS = re.compile(r"-?[0-9]+\.[0-9]{2}")
_TEXT = pd.api.types.pandas_dtype("str")  # resolved once: looking a dtype up by name is slow


def is_money(column: str) -> bool:
    """Money columns end in ``_eur``: parsed to Decimal, exact to the cent."""
    return column.endswith("_eur")


# ------------------------------------------------------------------------------------------------
# Problems and errors
# ------------------------------------------------------------------------------------------------


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


def _plural(n: int) -> str:
    return "s" if n > 1 else ""


class ContractDataError(ValueError):
    """Raised when the raw contract tables are invalid; lists every problem, in French."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join([self.headline(len(self.problems)), *(f"  - {p}" for p in self.problems)]))

    @staticmethod
    def headline(n: int) -> str:
        return f"Données du contrat invalides : {n} problème{_plural(n)} trouvé{_plural(n)} ; rien n'a été chargé."


class UnsupportedDescriptorError(ContractDataError):
    """Raised before any file is read when ``datapackage.json`` asks for something the loader does not do."""

    @staticmethod
    def headline(n: int) -> str:
        return (
            f"Descripteur {DESCRIPTOR} invalide ou non pris en charge par le chargeur : {n} point{_plural(n)} "
            "à corriger ; rien n'a été chargé."
        )


# ------------------------------------------------------------------------------------------------
# Compiling the descriptor: every rule becomes a precompiled check, or the loader refuses to start
# ------------------------------------------------------------------------------------------------

#: Constraints implemented for each field type (Frictionless 5 accepts the same ones, plus ``unique``).
SUPPORTED_CONSTRAINTS = {
    "string": ("required", "unique", "enum", "pattern", "minLength", "maxLength"),
    "integer": ("required", "unique", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"),
    "number": ("required", "unique", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"),
}
#: Descriptive keys, read by people and ignored by the loader; any other key must be implemented.
_METADATA = {"title", "description", "licenses", "sources", "homepage", "version", "keywords", "contributors", "created"}
_PACKAGE_KEYS = _METADATA | {"name", "id", "profile", "resources"}
_RESOURCE_KEYS = _METADATA | {"name", "path", "data", "profile", "format", "mediatype", "encoding", "schema"}
_SCHEMA_KEYS = _METADATA | {"fields", "primaryKey", "foreignKeys", "missingValues"}
_FIELD_KEYS = _METADATA | {"name", "type", "format", "constraints", "example"}
#: Keys whose only implemented value is fixed (a CSV in UTF-8 with the default dialect, "" as missing).
_FIXED = {
    "profile": ("tabular-data-package", "tabular-data-resource"),
    "format": ("csv",),
    "mediatype": ("text/csv",),
    "encoding": ("utf-8",),
    "missingValues": ([""],),
}
_BOUNDS = {
    "minimum": (operator.ge, "valeur inférieure au minimum {}"),
    "maximum": (operator.le, "valeur supérieure au maximum {}"),
    "exclusiveMinimum": (operator.gt, "valeur inférieure ou égale au minimum exclu {}"),
    "exclusiveMaximum": (operator.lt, "valeur supérieure ou égale au maximum exclu {}"),
}

# The compiled specifications are named tuples rather than dataclasses: they cost less to define,
# and the import of this module counts in the cost of every load.

#: A check tells whether a typed, non-empty value keeps a rule, and says why not in French.
Check = tuple[Callable[[Any], bool], Callable[[Any], str]]


class FieldSpec(NamedTuple):
    """One column, its type and its precompiled checks (applied in order; one problem per cell)."""

    name: str
    kind: str
    required: bool
    unique: bool
    checks: tuple[Check, ...]
    categories: pd.CategoricalDtype | None


class ForeignKey(NamedTuple):
    fields: tuple[str, ...]
    resource: str
    ref_fields: tuple[str, ...]


class TableSpec(NamedTuple):
    """One resource: where its rows come from, its fields and its keys."""

    name: str
    label: str
    path: str | None
    data: tuple[tuple[str, ...], ...] | None
    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]


class _Refusals:
    """Collects what the descriptor asks and the loader cannot do, each naming resource and field."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, reason: str) -> None:
        self.problems.append(Problem(DESCRIPTOR, None, None, None, f"{where} : {reason}"))

    def keys(self, where: str, mapping: dict, allowed: set[str], what: str) -> None:
        for key in sorted(set(mapping) - allowed):
            self.add(where, f"propriété « {key} » non prise en charge ({what})")
        for key, values in _FIXED.items():
            if key in mapping and key in allowed and mapping[key] not in values:
                shown = " ou ".join(json.dumps(v, ensure_ascii=False) for v in values)
                found = json.dumps(mapping[key], ensure_ascii=False)
                self.add(where, f"« {key} » vaut {found} ; seul {shown} est pris en charge")


def _where(resource: str, field: str | None = None) -> str:
    return f"ressource « {resource} »" + (f", champ « {field} »" if field else "")


def _parse(kind: str, raw: Any) -> Any:
    """A descriptor value (enum item, bound) read as a cell of ``kind`` would be; ValueError if it cannot be."""
    text = raw if isinstance(raw, str) else json.dumps(raw)
    if kind == "string" and isinstance(raw, str):
        return raw
    if kind == "integer" and not isinstance(raw, bool) and _INTEGER.fullmatch(text):
        return int(text)
    if kind == "number" and not isinstance(raw, bool):
        try:
            return Decimal(text)
        except InvalidOperation:
            pass
    raise ValueError(f"valeur {text} illisible comme {kind}")


def _constraint_check(kind: str, money: bool, name: str, value: Any) -> Check:
    """Compile one constraint (other than required and unique) of a field of type ``kind``."""
    if name == "enum":
        if not isinstance(value, list) or not value or len({json.dumps(v) for v in value}) != len(value):
            raise ValueError("liste non vide de valeurs distinctes attendue")
        allowed = frozenset(_parse(kind, v) for v in value)
        shown = ", ".join(str(v) for v in value)
        return allowed.__contains__, lambda _t: f"valeur non autorisée (attendu : {shown})"
    if name == "pattern":
        # Exactly as Frictionless 5 reads it: ``^pattern$``. Wrap an alternation in a group ("(a|b)"):
        # "^a|b$" accepts anything that starts with a or ends with b, in both tools.
        regex = re.compile(f"^{value}$")
        return (lambda t: regex.match(t) is not None), lambda _t: f"format invalide (motif attendu : {value})"
    if name in ("minLength", "maxLength"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"longueur {value!r} non entière")
        compare = operator.ge if name == "minLength" else operator.le
        word = "courte" if name == "minLength" else "longue"
        return (lambda t: compare(len(t), value)), lambda _t: f"texte trop {word} ({name} = {value})"
    compare, template = _BOUNDS[name]
    bound = _parse(kind, value)
    if name == "minimum" and bound == 0:
        template = "montant négatif interdit" if money else "valeur négative interdite"
    return (lambda t: compare(t, bound)), lambda _t: template.format(value)


def _compile_field(resource: str, field: Any, refusals: _Refusals) -> FieldSpec | None:
    if not isinstance(field, dict) or not isinstance(field.get("name"), str):
        refusals.add(_where(resource), f"champ sans nom ou mal formé : {field!r}")
        return None
    name, kind = field["name"], field.get("type", "string")
    where = _where(resource, name)
    refusals.keys(where, field, _FIELD_KEYS, "propriété de champ")
    if kind not in SUPPORTED_CONSTRAINTS:
        refusals.add(where, f"type « {kind} » non pris en charge (types pris en charge : {', '.join(SUPPORTED_CONSTRAINTS)})")
        return None
    if field.get("format", "default") != "default":
        refusals.add(where, f"format « {field['format']} » non pris en charge (seul « default » l'est)")
    constraints = field.get("constraints", {})
    if not isinstance(constraints, dict):
        refusals.add(where, "« constraints » doit être un objet")
        return None
    checks = _compile_constraints(where, name, kind, constraints, refusals)
    if is_money(name) and kind == "number":
        checks.append(((lambda t: _CENTS.fullmatch(str(t)) is not None), _cents_reason))
    enum = constraints.get("enum") if kind == "string" else None
    text_enum = isinstance(enum, list) and all(isinstance(v, str) for v in enum) and len(set(enum)) == len(enum)
    categories = _categories(tuple(enum)) if text_enum else None
    required, unique = constraints.get("required") is True, constraints.get("unique") is True
    return FieldSpec(name, kind, required, unique, tuple(checks), categories)


def _compile_constraints(where: str, name: str, kind: str, constraints: dict, refusals: _Refusals) -> list[Check]:
    checks = []
    for cname, value in constraints.items():
        if cname not in SUPPORTED_CONSTRAINTS[kind]:
            supported = ", ".join(SUPPORTED_CONSTRAINTS[kind])
            refusals.add(where, f"contrainte « {cname} » non prise en charge pour le type {kind} (acceptées : {supported})")
        elif cname in ("required", "unique"):
            if not isinstance(value, bool):
                refusals.add(where, f"contrainte « {cname} » : vrai ou faux attendu, pas {value!r}")
        else:
            try:
                checks.append(_constraint_check(kind, is_money(name), cname, value))
            except (ValueError, TypeError, re.error) as exc:
                refusals.add(where, f"contrainte « {cname} » invalide ({exc})")
    return checks


@cache
def _categories(values: tuple[str, ...]) -> pd.CategoricalDtype:
    """One categorical type per list of values (several tables share the conventions, funders…)."""
    return pd.CategoricalDtype(list(values))


def _cents_reason(_value: Any) -> str:
    return "montant attendu en euros avec exactement deux décimales (ex. 618000.00)"


def _key_list(value: Any) -> tuple[str, ...] | None:
    """A key written as one field name or a list of names; None for any other form."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _compile_foreign_key(resource: str, fk: Any, names: set[str], refusals: _Refusals) -> ForeignKey | None:
    where = _where(resource) + ", clé étrangère"
    ref = fk.get("reference") if isinstance(fk, dict) else None
    if not isinstance(ref, dict) or set(fk) != {"fields", "reference"} or set(ref) != {"resource", "fields"}:
        refusals.add(where, f"forme non prise en charge (attendu : fields et reference {{resource, fields}}) : {fk!r}")
        return None
    fields, ref_fields = _key_list(fk["fields"]), _key_list(ref["fields"])
    if fields is None or ref_fields is None or len(fields) != len(ref_fields) or not isinstance(ref["resource"], str):
        refusals.add(where, f"champs mal formés ou de longueurs différentes : {fk!r}")
        return None
    for name in sorted(set(fields) - names):
        refusals.add(where, f"champ « {name} » absent du schéma")
    return ForeignKey(fields, ref["resource"] or resource, ref_fields)


def _source(name: str, resource: dict, refusals: _Refusals) -> tuple[str | None, tuple | None]:
    """Where the rows are: a CSV path beside the descriptor, or inline rows (header first)."""
    path, data = resource.get("path"), resource.get("data")
    if isinstance(path, str) and data is None and path and not Path(path).is_absolute() and ".." not in Path(path).parts:
        return path, None
    if path is None and isinstance(data, list) and data and all(isinstance(row, list) for row in data):
        return None, tuple(tuple("" if cell is None else str(cell) for cell in row) for row in data)
    refusals.add(_where(name), "« path » (un fichier CSV du dossier, unique) ou « data » (lignes, en-tête d'abord) attendu")
    return None, None


def _compile_resource(resource: Any, refusals: _Refusals) -> TableSpec | None:
    if not isinstance(resource, dict) or not isinstance(resource.get("name"), str):
        refusals.add("ressource", f"ressource sans nom ou mal formée : {str(resource)[:80]}")
        return None
    name = resource["name"]
    refusals.keys(_where(name), resource, _RESOURCE_KEYS, "propriété de ressource")
    path, data = _source(name, resource, refusals)
    schema = resource.get("schema")
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        refusals.add(_where(name), "« schema » avec une liste « fields » attendu")
        return None
    refusals.keys(_where(name) + ", schéma", schema, _SCHEMA_KEYS, "propriété de schéma")
    fields = [_compile_field(name, f, refusals) for f in schema["fields"]]
    names = {f.name for f in fields if f is not None}
    primary_key = _key_list(schema["primaryKey"]) if "primaryKey" in schema else ()
    if primary_key is None or set(primary_key) - names:
        refusals.add(_where(name), f"clé primaire mal formée ou sur un champ absent : {schema.get('primaryKey')!r}")
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        refusals.add(_where(name), "« foreignKeys » doit être une liste")
        fks = []
    foreign_keys = [_compile_foreign_key(name, fk, names, refusals) for fk in fks]
    label = path if path is not None else f"{DESCRIPTOR} (ressource « {name} »)"
    fields = tuple(f for f in fields if f is not None)
    return TableSpec(name, label, path, data, fields, primary_key or (), tuple(fk for fk in foreign_keys if fk is not None))


def _check_references(specs: list[TableSpec], refusals: _Refusals) -> None:
    """Resource names are unique and every foreign key points to existing fields of an existing resource."""
    by_name: dict[str, TableSpec] = {}
    for spec in specs:
        if spec.name in by_name:
            refusals.add(_where(spec.name), "nom de ressource en double")
        by_name[spec.name] = spec
    for spec in specs:
        for fk in spec.foreign_keys:
            target = by_name.get(fk.resource)
            if target is None:
                refusals.add(_where(spec.name) + ", clé étrangère", f"ressource « {fk.resource} » inconnue")
                continue
            for name in sorted(set(fk.ref_fields) - {f.name for f in target.fields}):
                refusals.add(_where(spec.name) + ", clé étrangère", f"champ « {name} » absent de « {fk.resource} »")


@lru_cache(maxsize=8)
def compile_descriptor(text: str) -> tuple[TableSpec, ...]:
    """Compile the descriptor's JSON text into table specifications (cached: compiled once per text).

    Raises :class:`UnsupportedDescriptorError` listing everything the loader does not implement.
    """
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnsupportedDescriptorError([Problem(DESCRIPTOR, exc.lineno, None, None, f"JSON illisible ({exc.msg})")]) from None
    refusals = _Refusals()
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        refusals.add("paquet", "un objet avec une liste « resources » est attendu")
        raise UnsupportedDescriptorError(refusals.problems)
    refusals.keys("paquet", descriptor, _PACKAGE_KEYS, "propriété de paquet")
    specs = [_compile_resource(r, refusals) for r in descriptor["resources"]]
    specs = [s for s in specs if s is not None]
    _check_references(specs, refusals)
    if refusals.problems:
        raise UnsupportedDescriptorError(refusals.problems)
    return tuple(specs)


def compiled_descriptor(data_dir: Path) -> tuple[TableSpec, ...]:
    """The compiled descriptor of ``data_dir``; a French error if it is missing, unreadable or unsupported."""
    path = Path(data_dir) / DESCRIPTOR
    if not path.is_file():
        raise ContractDataError([Problem(str(path), None, None, None, "fichier introuvable")])
    return compile_descriptor(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------------
# Reading and checking the rows
# ------------------------------------------------------------------------------------------------


class Table(NamedTuple):
    """One resource read and checked: file lines, typed values by column (None when empty or unreadable)."""

    spec: TableSpec
    lines: list[int]
    typed: dict[str, list]
    bad: dict[str, set[int]]

    def key(self, fields: tuple[str, ...]) -> list[tuple]:
        return list(zip(*(self.typed[f] for f in fields)))

    def is_clean(self, index: int, fields: tuple[str, ...]) -> bool:
        return not any(index in self.bad[f] for f in fields)


def _read_csv(data_dir: Path, spec: TableSpec, problems: list[Problem]) -> tuple[list, list, list] | None:
    """Header, rows and the file line where each row starts; None (and a problem) if the file is unusable."""
    path = Path(data_dir) / spec.path
    if not path.is_file():
        problems.append(Problem(spec.label, None, None, None, "fichier introuvable"))
        return None
    try:
        text = path.read_text(encoding="utf-8")
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        if text.count("\n") + (not text.endswith("\n")) == len(records):
            lines = list(range(1, len(records) + 1))  # one line per record: no cell spans lines
        else:
            lines = _record_lines(text)
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(Problem(spec.label, None, None, None, f"fichier illisible ({exc})"))
        return None
    if not records:
        problems.append(Problem(spec.label, None, None, None, "fichier vide (en-tête attendu)"))
        return None
    return records[0], records[1:], lines[1:]


def _record_lines(text: str) -> list[int]:
    """The file line where each record starts, when a quoted cell spans several lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    lines, start = [], 1
    for _ in reader:
        lines.append(start)
        start = reader.line_num + 1
    return lines


def _check_header(spec: TableSpec, header: list[str], problems: list[Problem]) -> bool:
    expected = [f.name for f in spec.fields]
    if list(header) == expected:
        return True
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    detail = []
    if missing:
        detail.append("colonnes manquantes : " + ", ".join(missing))
    if extra:
        detail.append("colonnes inattendues : " + ", ".join(extra))
    if not detail:
        detail.append("colonnes dans un ordre différent du schéma")
    problems.append(Problem(spec.label, 1, None, None, "en-tête invalide (" + " ; ".join(detail) + ")"))
    return False


def _columns(spec: TableSpec, rows: list, lines: list[int], problems: list[Problem]) -> tuple[list, list[int]]:
    """Rows as columns of strings; blank rows and rows with a wrong number of cells are problems."""
    width = len(spec.fields)
    if all(len(row) == width for row in rows):
        return [list(c) for c in zip(*rows)] if rows else [[] for _ in range(width)], lines
    kept, kept_lines = [], []
    for row, line in zip(rows, lines):
        if len(row) == width:
            kept.append(row)
            kept_lines.append(line)
        elif not row:
            problems.append(Problem(spec.label, line, None, None, "ligne vide"))
        else:
            problems.append(Problem(spec.label, line, None, None, f"{len(row)} cellules au lieu de {width}"))
    columns = [list(c) for c in zip(*kept)] if kept else [[] for _ in range(width)]
    return columns, kept_lines


_TYPE_REASONS = {"integer": "nombre entier attendu", "number": "nombre attendu (point décimal, sans espace ni €)"}
_CONVERTERS = {"integer": (_INTEGER, int), "number": (_NUMBER, Decimal)}


def _read_value(field: FieldSpec, raw: str) -> tuple[Any, str | None]:
    """One cell: its typed value (None when empty or unreadable) and why it is refused (None if it is not).

    The rules are tried in order and the first one broken is the reason. As in Frictionless, a value
    that breaks a constraint keeps its typed value (so that keys referencing it still resolve).
    """
    if raw == "":
        return None, "valeur obligatoire manquante" if field.required else None
    if field.kind == "string":
        value = raw
    elif _CONVERTERS[field.kind][0].fullmatch(raw):
        value = _CONVERTERS[field.kind][1](raw)
    else:
        return None, "espaces superflus en début ou fin de cellule" if raw != raw.strip() else _TYPE_REASONS[field.kind]
    if raw != raw.strip():
        return value, "espaces superflus en début ou fin de cellule"
    for keeps, reason in field.checks:
        if not keeps(value):
            return value, reason(value)
    return value, None


def _check_column(spec: TableSpec, field: FieldSpec, values: list[str], lines: list[int], problems: list[Problem]):
    """Typed values of one column and the indices of its bad cells (one problem per cell at most).

    Every rule is applied once per *distinct* value of the column (most columns repeat a few codes),
    then the verdicts are spread over the cells with dictionary look-ups.
    """
    verdicts = {raw: _read_value(field, raw) for raw in set(values)}
    typed = [verdicts[raw][0] for raw in values]
    refused = {raw for raw, (_, reason) in verdicts.items() if reason is not None}
    bad = {i for i, raw in enumerate(values) if raw in refused} if refused else set()
    for i in sorted(bad):
        problems.append(Problem(spec.label, lines[i], field.name, values[i] or None, verdicts[values[i]][1]))
    if field.unique:
        first: dict[Any, int] = {}
        for i, value in enumerate(typed):
            if value is not None and i not in bad and first.setdefault(value, i) != i:
                bad.add(i)
                reason = f"valeur en double (déjà présente ligne {lines[first[value]]})"
                problems.append(Problem(spec.label, lines[i], field.name, values[i], reason))
    return typed, bad


def _shown(fields: tuple[str, ...], values: tuple) -> str:
    return ", ".join(f"{k}={'' if v is None else v}" for k, v in zip(fields, values))


def _check_primary_key(table: Table, problems: list[Problem]) -> None:
    key = table.spec.primary_key
    if not key:
        return
    first: dict[tuple, int] = {}
    for index, values in enumerate(table.key(key)):
        if first.setdefault(values, index) == index or not table.is_clean(index, key):
            continue
        reason = f"clé en double (déjà présente ligne {table.lines[first[values]]})"
        problems.append(Problem(table.spec.label, table.lines[index], ", ".join(key), _shown(key, values), reason))
    empty = first.get((None,) * len(key))
    if empty is not None and table.is_clean(empty, key):
        problems.append(Problem(table.spec.label, table.lines[empty], ", ".join(key), None, "clé primaire entièrement vide"))


def _check_foreign_keys(table: Table, tables: dict[str, Table], problems: list[Problem]) -> None:
    """Frictionless 5's rule: a key with every part empty is skipped; any other must exist as it is."""
    for fk in table.spec.foreign_keys:
        target = tables.get(fk.resource)
        if target is None:
            continue  # the referenced resource could not be read: already a problem
        known = {k for k in target.key(fk.ref_fields) if any(v is not None for v in k)}
        where = target.spec.path or f"la ressource « {target.spec.name} » de {DESCRIPTOR}"
        for index, values in enumerate(table.key(fk.fields)):
            if values in known or all(v is None for v in values) or not table.is_clean(index, fk.fields):
                continue
            reason = f"référence inconnue dans {where} ({', '.join(fk.ref_fields)})"
            shown = _shown(fk.fields, values)
            problems.append(Problem(table.spec.label, table.lines[index], ", ".join(fk.fields), shown, reason))


def _read_table(data_dir: Path, spec: TableSpec, problems: list[Problem]) -> Table | None:
    if spec.data is not None:
        header, rows, lines = spec.data[0], list(spec.data[1:]), list(range(2, len(spec.data) + 1))
    else:
        read = _read_csv(data_dir, spec, problems)
        if read is None:
            return None
        header, rows, lines = read
    if not _check_header(spec, header, problems):
        return None
    columns, lines = _columns(spec, rows, lines, problems)
    typed, bad = {}, {}
    for field, values in zip(spec.fields, columns):
        typed[field.name], bad[field.name] = _check_column(spec, field, values, lines, problems)
    table = Table(spec, lines, typed, bad)
    _check_primary_key(table, problems)
    return table


# ------------------------------------------------------------------------------------------------
# Typed frames
# ------------------------------------------------------------------------------------------------


def _array(field: FieldSpec, typed: list):
    """One column as a pandas array: categorical (enum), nullable Int64/Float64, Decimal money, text."""
    if field.categories is not None:
        code = {c: i for i, c in enumerate(field.categories.categories)}
        return pd.Categorical.from_codes([-1 if t is None else code[t] for t in typed], dtype=field.categories)
    values = np.array(typed, dtype=object)
    if field.kind == "number" and is_money(field.name):
        return values  # exact Decimal
    mask = pd.isna(values)
    if field.kind == "string":
        values[mask] = np.nan  # pandas' missing text; converting an array is much faster than a list
        return pd.array(values, dtype=_TEXT)
    values[mask] = 0
    if field.kind == "integer":
        return pd.arrays.IntegerArray(values.astype(np.int64), mask)
    return pd.arrays.FloatingArray(values.astype(np.float64), mask)


def _frame(table: Table) -> pd.DataFrame:
    return pd.DataFrame({f.name: _array(f, table.typed[f.name]) for f in table.spec.fields})


def load_tables(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Validate every resource of the data package in ``data_dir`` and return typed frames by name.

    Raises :class:`UnsupportedDescriptorError` before reading any table if the descriptor asks for a
    rule the loader does not implement, and :class:`ContractDataError` listing all problems of the
    data; nothing is returned in either case.
    """
    specs = compiled_descriptor(Path(data_dir))
    problems: list[Problem] = []
    tables: dict[str, Table] = {}
    for spec in specs:
        table = _read_table(Path(data_dir), spec, problems)
        if table is not None:
            tables[spec.name] = table
    for table in tables.values():
        _check_foreign_keys(table, tables, problems)
    if problems:
        raise ContractDataError(problems)
    return {name: _frame(table) for name, table in tables.items()}
