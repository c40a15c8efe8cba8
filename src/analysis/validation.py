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

The loader is stricter than Frictionless in ways the descriptor cannot state: no space at either end
of a cell; numbers written plainly (``-1234.5``: no exponent, sign ``+``, space, ``_`` or ``€``; at most
15 digits before and 15 after the point; no signed zero such as ``-0.00``); money columns (``*_eur``)
with exactly two decimals; every table has at least one data row; no control character (NUL, escape
sequences, bidirectional overrides) anywhere in a file.

Hostile or broken files are refused before they can cost much (section « Reading files safely »): a
CSV file over :data:`MAX_FILE_BYTES`, CSV files over :data:`MAX_PACKAGE_BYTES` together, a descriptor
over :data:`MAX_DESCRIPTOR_BYTES`, a cell over :data:`MAX_CELL_CHARS` characters, anything but a
regular file (a named pipe is never waited on); a text that is not UTF-8 (named « encodage non UTF-8 »,
with the line of the first bad byte; UTF-16 and UTF-32 are recognised); a file separated by semicolons
or tabulations; unbalanced quotes. A UTF-8 byte order mark is accepted at the start of a CSV file
(spreadsheets write one; Frictionless accepts it too) and refused at the start of the descriptor (JSON
forbids it; so does Frictionless). Line ends may be LF, CRLF or CR.

Every per-cell and per-row cost is bounded: a CSV file is read record by record (a blank or malformed
row is counted, never kept), lengths are checked before any pattern runs, and the loader's own patterns
have no ambiguous repetition. The descriptor's ``pattern`` constraints run as written, after the length
constraints and within the cell limit; a pattern with nested repetition (« (a+)+ », « (a|ab)* »), whose
time can explode on one crafted cell, is refused: a descriptor from elsewhere must still be reviewed
like code (adjacent repetitions such as « [0-9]+[0-9]* » cost up to about a second per 10 000-character
cell).

Every problem found is collected, then reported at once in French, naming the file, the line of the
file and the column; the first :data:`MAX_PROBLEMS_SHOWN` problems are kept and listed, the others
only counted (H47). Nothing is loaded when any problem is found.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import operator
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from analysis.assumptions import default
from analysis.formatting import located, printable

DESCRIPTOR = "datapackage.json"

#: Largest CSV file read (bytes): 10 Mio, some 80 times the largest table of the contracts (such a
#: file is read or refused in about 2 s and 200 Mio of memory).
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Largest total of the CSV files of a folder (bytes): 20 Mio, some 70 times the contracts' tables.
MAX_PACKAGE_BYTES = 20 * 1024 * 1024
#: Largest descriptor read (bytes): 5 Mio, some 170 times the real one.
MAX_DESCRIPTOR_BYTES = 5 * 1024 * 1024
#: Longest cell (characters): 10 000, some 20 times the longest cell of the contracts.
MAX_CELL_CHARS = 10_000
#: Problems kept and written out in the error message (H47); the others are only counted.
MAX_PROBLEMS_SHOWN = int(default("contract_problems_listed"))
#: Longest cell read as a number before its reason is looked for (a number has at most 31 characters).
MAX_NUMBER_CHARS = 64
#: Records (lines) of a CSV file, blank ones included (H48): beyond, the file is refused without reading on.
MAX_ROWS = int(default("contract_max_rows"))
#: Longest value quoted in a problem (characters).
MAX_VALUE_SHOWN = 80

# Cell numbers: at most 15 digits before and 15 after the point: far below 10^15, they never overflow
# an int64 or a float64 (nor Python's limit on converting long digit strings).
_INTEGER = re.compile(r"-?[0-9]{1,15}")
_NUMBER = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")
_CENTS = re.compile(r"\A-?[0-9]+\.[0-9]{2}")  # \A: bounded time whatever the method (fullmatch here)
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
        line = None if self.line is None else f"ligne {self.line}"
        column = None if self.column is None else f"colonne « {self.column} »"
        return located((self.file, line, column), None if self.value in (None, "") else shown_value(self.value), self.reason)


#: Characters refused anywhere in a file: C0 and C1 controls but tab and line ends (a terminal would obey
#: escape sequences), and the bidirectional overrides and isolates (they reorder what a reader sees).
#: Messages escape them (and more) with :func:`analysis.formatting.printable`.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown_value(value: str) -> str:
    """A cell as quoted in a message: cut after :data:`MAX_VALUE_SHOWN` characters, with its length."""
    if len(value) <= MAX_VALUE_SHOWN:
        return value
    return f"{value[:MAX_VALUE_SHOWN]}… ({_count(len(value))} caractères)"


def _count(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def _plural(n: int) -> str:
    return "s" if n > 1 else ""


class Problems(list):
    """The problems found, in order: the first :data:`MAX_PROBLEMS_SHOWN` are kept, the others only counted
    (``omitted``), so that a file of millions of bad rows costs no more memory than a file of 200."""

    def __init__(self, problems=()):
        super().__init__()
        self.omitted = 0
        for problem in problems:
            self.append(problem)

    def append(self, problem: Problem) -> None:
        if len(self) < MAX_PROBLEMS_SHOWN:
            super().append(problem)
        else:
            self.omitted += 1

    def first(self, problem: Problem) -> None:
        """Keep ``problem`` at the head of the list whatever came before (a file refused as a whole)."""
        self.insert(0, problem)
        if len(self) > MAX_PROBLEMS_SHOWN:
            self.pop()
            self.omitted += 1


class ContractDataError(ValueError):
    """Raised when the raw contract tables are invalid; lists the problems, in French.

    ``problems`` keeps the first :data:`MAX_PROBLEMS_SHOWN` problems (H47), all written out in the message;
    ``omitted`` counts the others (the message ends with « … et N autres problèmes »).
    """

    def __init__(self, problems: list[Problem]):
        kept = problems if isinstance(problems, Problems) else Problems(problems)
        self.problems, self.omitted = list(kept), kept.omitted
        lines = [self.headline(len(self.problems) + self.omitted), *(f"  - {p}" for p in self.problems)]
        more = self.omitted
        if more > 0:
            lines.append(f"  … et {_count(more)} autre{_plural(more)} problème{_plural(more)} (seuls les "
                         f"{MAX_PROBLEMS_SHOWN} premiers sont listés)")
        super().__init__("\n".join(lines))

    @staticmethod
    def headline(n: int) -> str:
        return f"Données du contrat invalides : {_count(n)} problème{_plural(n)} trouvé{_plural(n)} ; rien n'a été chargé."


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
#: ``departement``: the INSEE code of the package's département (read by :func:`package_departement`).
_PACKAGE_KEYS = _METADATA | {"name", "id", "profile", "resources", "departement"}
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
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite():
            return number
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
        if not isinstance(value, str):
            raise ValueError("expression régulière (texte) attendue")
        # Exactly as Frictionless 5 reads it: ``^pattern$``. Wrap an alternation in a group ("(a|b)"):
        # "^a|b$" accepts anything that starts with a or ends with b, in both tools.
        regex = re.compile(f"^{value}$")
        if nested_repetition(value):
            raise ValueError(f"motif « {value[:80]} » refusé : répétition imbriquée (comme « (a+)+ » ou « (a|ab)* »), dont "
                             "le temps de vérification peut exploser sur une seule cellule piégée ; écrire une classe de "
                             "caractères (« [ab]* ») ou une répétition simple")
        return (lambda t: regex.match(t) is not None), lambda _t: f"format invalide (motif attendu : {value})"
    if name in ("minLength", "maxLength"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"longueur {value!r} non entière")
        compare = operator.ge if name == "minLength" else operator.le
        word = "court" if name == "minLength" else "long"
        return (lambda t: compare(len(t), value)), lambda _t: f"texte trop {word} ({name} = {value})"
    compare, template = _BOUNDS[name]
    bound = _parse(kind, value)
    if name == "minimum" and bound == 0:
        template = "montant négatif interdit" if money else "valeur négative interdite"
    return (lambda t: compare(t, bound)), lambda _t: template.format(value)


def nested_repetition(pattern: str) -> bool:
    """Whether a regular expression repeats something that itself repeats a variable number of times or
    alternates (``(a+)+``, ``(a?b)*``, ``(a|ab)+``, ``(a+){3}``): such a pattern can backtrack exponentially on
    a crafted text. A fixed count (``([0-9]{3} )*``) and alternatives of single characters, which Python
    reads as one character class (``(a|b)*``), are not ambiguous and do not count."""
    from re import _constants as sre
    from re import _parser

    repeats = (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT))

    def walk(items, repeated: bool) -> bool:
        for op, av in items:
            if op in repeats:
                if (repeated and av[0] != av[1]) or walk(av[2], repeated or av[1] > 1):
                    return True
            elif op is sre.BRANCH:
                if repeated or any(walk(branch, repeated) for branch in av[1]):
                    return True
            elif op is sre.SUBPATTERN and walk(av[-1], repeated):
                return True
            elif op in (sre.ASSERT, sre.ASSERT_NOT) and walk(av[1], repeated):
                return True
        return False

    return walk(_parser.parse(pattern), False)


def _compile_field(resource: str, field: Any, refusals: _Refusals) -> FieldSpec | None:
    if not isinstance(field, dict) or not isinstance(field.get("name"), str):
        refusals.add(_where(resource), f"champ sans nom ou mal formé : {field!r}")
        return None
    name, kind = field["name"], field.get("type", "string")
    where = _where(resource, name)
    refusals.keys(where, field, _FIELD_KEYS, "propriété de champ")
    if not isinstance(kind, str) or kind not in SUPPORTED_CONSTRAINTS:
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


#: Constraints checked first: a value's length is known before any pattern runs on it.
_FIRST = ("minLength", "maxLength")


def _compile_constraints(where: str, name: str, kind: str, constraints: dict, refusals: _Refusals) -> list[Check]:
    checks = []
    for cname, value in sorted(constraints.items(), key=lambda item: item[0] not in _FIRST):
        if cname not in SUPPORTED_CONSTRAINTS[kind]:
            supported = ", ".join(SUPPORTED_CONSTRAINTS[kind])
            refusals.add(where, f"contrainte « {cname} » non prise en charge pour le type {kind} (acceptées : {supported})")
        elif cname in ("required", "unique"):
            if not isinstance(value, bool):
                refusals.add(where, f"contrainte « {cname} » : vrai ou faux attendu, pas {value!r}")
        else:
            try:
                checks.append(_constraint_check(kind, is_money(name), cname, value))
            except (ValueError, TypeError, OverflowError, RecursionError, re.error) as exc:
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
    if path is None and isinstance(data, list) and len(data) > MAX_ROWS + 1:
        refusals.add(_where(name), f"« data » de plus de {_count(MAX_ROWS)} lignes (limite du chargeur, H48)")
        return None, None
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


_JSON_REASONS = {
    "Expecting value": "valeur attendue",
    "Expecting property name enclosed in double quotes": "nom de propriété entre guillemets doubles attendu (virgule en trop ?)",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendu",
    "Unterminated string starting at": "chaîne de caractères jamais refermée",
    "Invalid control character at": "caractère de contrôle dans une chaîne",
    "Invalid \\escape": "séquence d'échappement invalide",
    "Invalid \\uXXXX escape": "séquence d'échappement \\uXXXX invalide",
    "Extra data": "contenu après la fin du document JSON",
}


def _json_problem(exc: json.JSONDecodeError) -> Problem:
    reason = next((fr for en, fr in _JSON_REASONS.items() if exc.msg.startswith(en)), "syntaxe invalide")
    return Problem(DESCRIPTOR, exc.lineno, None, None, f"JSON illisible à la colonne {exc.colno} : {reason}")


@lru_cache(maxsize=8)
def compile_descriptor(text: str) -> tuple[TableSpec, ...]:
    """Compile the descriptor's JSON text into table specifications (cached: compiled once per text).

    Raises :class:`UnsupportedDescriptorError` listing everything the loader does not implement.
    """
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnsupportedDescriptorError([_json_problem(exc)]) from None
    except RecursionError:
        raise UnsupportedDescriptorError([Problem(DESCRIPTOR, None, None, None, "JSON trop imbriqué")]) from None
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


def _descriptor_text(data_dir: Path) -> str:
    """The descriptor of ``data_dir`` as text, read within bounds; a French error if it cannot be."""
    data_dir = Path(data_dir)
    path = data_dir / DESCRIPTOR
    problems: list[Problem] = []
    if not data_dir.is_dir():
        raise ContractDataError([Problem(str(data_dir), None, None, None, "dossier introuvable")])
    data = read_bounded(path, str(path), MAX_DESCRIPTOR_BYTES, problems)
    if data is None:
        raise ContractDataError(problems)
    text = decode_text(data, DESCRIPTOR, problems, bom=False)
    if text is None:
        raise UnsupportedDescriptorError(problems)
    return text


def compiled_descriptor(data_dir: Path) -> tuple[TableSpec, ...]:
    """The compiled descriptor of ``data_dir``; a French error if it is missing, unreadable or unsupported."""
    return compile_descriptor(_descriptor_text(data_dir))


# ------------------------------------------------------------------------------------------------
# The package's département (issue 17): the descriptor's top-level ``departement``, an INSEE code
# ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _declared_departement(text: str) -> tuple[Any, bool]:
    """(the descriptor's ``departement``, whether it declares one); the text is already known to compile."""
    descriptor = json.loads(text)
    return descriptor.get("departement"), "departement" in descriptor


def departement_problems(data_dir: Path) -> tuple[str | None, list[Problem]]:
    """(the package's département, []) or (None, [the problem]): the descriptor must declare
    ``departement``, the INSEE code of a département as text (``"62"``, ``"2A"``, ``"971"``,
    ``data/reference/departements.csv``). The descriptor must compile (:func:`compiled_descriptor`)."""
    from analysis.reference import departement_problem

    value, declared = _declared_departement(_descriptor_text(data_dir))
    if not declared:
        reason = ("propriété « departement » absente : le descripteur doit nommer le département du contrat par son "
                  "code INSEE, en texte (ex. \"departement\": \"62\")")
        return None, [Problem(DESCRIPTOR, None, None, None, reason)]
    reason = departement_problem(value)
    if reason is not None:
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)[:MAX_VALUE_SHOWN]
        return None, [Problem(DESCRIPTOR, None, None, shown, f"propriété « departement » : {reason}")]
    return value, []


def package_departement(data_dir: Path) -> str:
    """The INSEE code the package of ``data_dir`` declares; :class:`ContractDataError` (in French) otherwise."""
    value, problems = departement_problems(data_dir)
    if problems:
        raise ContractDataError(problems)
    return value


def check_layout(specs: tuple[TableSpec, ...], expected: dict[str, tuple[tuple[str, str], ...]],
                 optional: frozenset[str] = frozenset()) -> None:
    """Every resource of ``expected`` is declared (those of ``optional`` may be absent), with the same fields
    (name, type) in the same order.

    Raises :class:`UnsupportedDescriptorError` otherwise: a descriptor may tighten or relax constraints,
    not change the tables' layout that the code reads.
    """
    declared = {spec.name: layout(spec) for spec in specs}
    refusals = _Refusals()
    for name, fields in expected.items():
        if name not in declared and name in optional:
            continue
        if name not in declared:
            refusals.add(_where(name), "ressource absente ; le chargeur l'attend")
        elif declared[name] != fields:
            shown = ", ".join(f"{f} ({kind})" for f, kind in fields)
            refusals.add(_where(name), f"champs différents de ceux attendus par le chargeur : {shown}")
    if refusals.problems:
        raise UnsupportedDescriptorError(refusals.problems)


def layout(spec: TableSpec) -> tuple[tuple[str, str], ...]:
    """The fields of a resource as (name, type) pairs, in order."""
    return tuple((f.name, f.kind) for f in spec.fields)


# ------------------------------------------------------------------------------------------------
# Reading files safely: bounded size, UTF-8 text without control characters, CSV syntax in French
# ------------------------------------------------------------------------------------------------


def _mebibytes(n: int) -> str:
    """A limit in mebibytes, the French way: ``10 Mio``, ``0,5 Mio``."""
    return f"{n / 2**20:.1f}".replace(".", ",").removesuffix(",0") + " Mio"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "accès refusé"
    if isinstance(exc, IsADirectoryError):
        return "c'est un dossier"
    return f"erreur du système de fichiers (code {exc.errno})" if exc.errno else "erreur du système de fichiers"


#: Opening flags: never wait on a named pipe or a device put in place of a file; binary on Windows.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_bounded(path: Path, label: str, limit: int, problems: list[Problem]) -> bytes | None:
    """The bytes of the regular file ``path`` if it holds at most ``limit``; None and a problem otherwise.

    The file is opened once, its kind and size checked on the open file before reading, and no more
    than ``limit`` + 1 bytes are ever read.
    """
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        problems.append(Problem(label, None, None, None, "fichier introuvable"))
        return None
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in the name
        reason = _os_reason(exc) if isinstance(exc, OSError) else "nom de fichier invalide"
        problems.append(Problem(label, None, None, None, f"fichier illisible ({reason})"))
        return None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        problems.append(Problem(label, None, None, None, "pas un fichier ordinaire (dossier, tube ou périphérique)"))
        return None
    with os.fdopen(descriptor, "rb") as handle:
        size, data = info.st_size, b""
        if size <= limit:
            data = handle.read(limit + 1)  # the file may have grown since
            size = len(data)
    if size > limit:
        reason = f"fichier trop volumineux : {_count(size)} octets, au-delà de la limite du chargeur ({_mebibytes(limit)})"
        problems.append(Problem(label, None, None, None, reason))
        return None
    return data


def line_of(prefix: bytes | str) -> int:
    """The line (from 1) on which the text following ``prefix`` starts; LF, CRLF and CR each end a line."""
    lf, cr, crlf = (b"\n", b"\r", b"\r\n") if isinstance(prefix, bytes) else ("\n", "\r", "\r\n")
    return prefix.count(lf) + prefix.count(cr) - prefix.count(crlf) + 1


def _looks_utf16(data: bytes) -> bool:
    """Text in UTF-16 without a byte order mark: one byte in two of the sample is zero."""
    sample = data[:4096]
    return len(sample) >= 4 and max(sample[0::2].count(0), sample[1::2].count(0)) * 4 >= len(sample)


def _encoding_reason(data: bytes, offset: int) -> str:
    byte = data[offset]
    try:
        guess = f" (« {bytes([byte]).decode('cp1252')} » en Windows-1252 / Latin-1 ?)"
    except UnicodeDecodeError:
        guess = ""
    return f"encodage non UTF-8 : octet 0x{byte:02X} invalide{guess} ; enregistrer le fichier en UTF-8"


#: Byte order marks of the wide encodings (UTF-32 first: its little-endian mark starts like UTF-16's).
_WIDE_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}


def decode_text(data: bytes, label: str, problems: list[Problem], bom: bool) -> str | None:
    """The text of a file in UTF-8; None and a problem naming its line when it is not UTF-8 or holds a
    control character. ``bom``: a UTF-8 byte order mark is accepted (and dropped) at the start."""
    wide = next((name for mark, name in _WIDE_BOMS.items() if data.startswith(mark)), None)
    if wide is None and b"\x00" in data[:4096] and _looks_utf16(data):
        wide = "UTF-16 sans marque d'ordre des octets"
    if wide is not None:
        problems.append(Problem(label, 1, None, None, f"encodage non UTF-8 : {wide} ; enregistrer le fichier en UTF-8"))
        return None
    try:
        text = data.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(label, line_of(data[: exc.start]), None, None, _encoding_reason(data, exc.start)))
        return None
    if text.startswith("\ufeff"):
        reason = "marque d'ordre des octets (BOM) en tête du fichier, que JSON interdit : enregistrer en UTF-8 sans BOM"
        problems.append(Problem(label, 1, None, None, reason))
        return None
    control = _CONTROL.search(text)
    if control is not None:
        char = control.group()
        what = "octet nul (NUL)" if char == "\x00" else f"caractère de contrôle U+{ord(char):04X}"
        problems.append(Problem(label, line_of(text[: control.start()]), None, None, f"{what} interdit dans le fichier"))
        return None
    return text


def parse_csv(text: str, spec: TableSpec, problems: Problems) -> tuple[list | None, list, list[int], int] | None:
    """The records of a CSV text, read one by one: (header, rows, the file line where each row starts, how many
    data records were read). Only rows as wide as the header are kept: a blank or malformed row is a problem
    (counted beyond :data:`MAX_PROBLEMS_SHOWN`), never kept. None (and a problem) on a syntax error, a cell
    over :data:`MAX_CELL_CHARS` characters or a header that is not the schema's."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    long_cells = len(text) > MAX_CELL_CHARS
    width, label = len(spec.fields), spec.label
    header, rows, lines, start, count = None, [], [], 1, 0
    try:
        for record in reader:
            if long_cells and record and max(map(len, record)) > MAX_CELL_CHARS:
                problems.append(Problem(label, start, None, None, _too_long()))
                return None
            if header is None:
                header = record
                if not _check_header(spec, header, problems):
                    return None
            elif count == MAX_ROWS:
                problems.first(Problem(label, start, None, None, f"plus de {_count(MAX_ROWS)} lignes (limite du chargeur, H48) : "
                                                                 "fichier refusé sans lire la suite"))
                return None
            else:
                count += 1
                if len(record) == width:
                    rows.append(record)
                    lines.append(start)
                else:
                    reason = "ligne vide" if not record else _width_reason(record, width)
                    problems.append(Problem(label, start, None, None, reason))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(_syntax_problem(str(exc), start, reader.line_num, label))
        return None
    return header, rows, lines, count


def _too_long() -> str:
    return f"cellule de plus de {_count(MAX_CELL_CHARS)} caractères (limite du chargeur)"


def _syntax_problem(message: str, start: int, line: int, label: str) -> Problem:
    """The CSV syntax error ``message`` (seen at ``line``), in French, at the line where the faulty record starts."""
    seen = f" (erreur constatée ligne {line})" if line > start else ""
    if "field larger than field limit" in message:
        return Problem(label, start, None, None, _too_long())
    if "unexpected end of data" in message:
        reason = f"guillemet ouvert jamais refermé : le fichier se termine ligne {line} dans la cellule"
    elif "expected after" in message:
        reason = (
            "guillemet mal placé : un guillemet fermant doit être suivi d'une virgule ou d'une fin de ligne "
            f'(dans une cellule entre guillemets, un guillemet s\'écrit ""){seen}'
        )
    else:
        reason = f"syntaxe CSV invalide{seen}"
    return Problem(label, start, None, None, reason)


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


def _read_csv(data_dir: Path, spec: TableSpec, problems: Problems) -> tuple[list, list, int] | None:
    """The rows as wide as the header, the file line where each starts and how many data records the file
    has; None (and a problem) if the file is unusable."""
    data = read_bounded(Path(data_dir) / spec.path, spec.label, MAX_FILE_BYTES, problems)
    if data is None:
        return None
    text = decode_text(data, spec.label, problems, bom=True) if data else ""
    parsed = parse_csv(text, spec, problems) if text is not None else None
    if parsed is None:
        return None
    header, rows, lines, count = parsed
    if header is None:
        size = " (0 octet)" if not data else ""
        problems.append(Problem(spec.label, None, None, None, f"fichier vide{size} : en-tête attendu"))
        return None
    return rows, lines, count


#: Separators a spreadsheet may write instead of the comma, and their French names.
_SEPARATORS = {";": "point-virgule", "\t": "tabulation", "|": "barre verticale"}


def _separator(cells: list[str], width: int) -> str | None:
    """The name of the separator that would split ``cells`` (at most half the ``width`` expected) into
    ``width`` cells, if any: a row written with another separator reads as one or a few cells."""
    if 2 * len(cells) > width:
        return None
    text = ",".join(cells)
    for separator, name in _SEPARATORS.items():
        if text.count(separator) >= width - len(cells):
            return f"« {printable(separator)} » ({name})"
    return None


def _names(names: list[str]) -> str:
    shown = ", ".join(shown_value(n) for n in names[:10])
    return shown + (f" … (+{_count(len(names) - 10)})" if len(names) > 10 else "")


def _check_header(spec: TableSpec, header: list[str], problems: list[Problem]) -> bool:
    expected = [f.name for f in spec.fields]
    if list(header) == expected:
        return True
    separator = _separator(header, len(expected))
    if separator is not None:
        reason = f"séparateur {separator} au lieu de la virgule : enregistrer le fichier en CSV séparé par des virgules"
        problems.append(Problem(spec.label, 1, None, None, reason))
        return False
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    twice = sorted({c for c in header if header.count(c) > 1}) if len(header) <= 2 * len(expected) else []
    detail = []
    for names, what in ((missing, "manquantes"), (extra, "inattendues"), (twice, "en double")):
        if names:
            detail.append(f"colonnes {what} : {_names(names)}")
    if not detail:
        detail.append("colonnes dans un ordre différent du schéma")
    problems.append(Problem(spec.label, 1, None, None, "en-tête invalide (" + " ; ".join(detail) + ")"))
    return False


def _width_reason(row: list[str], width: int) -> str:
    """Why a row of the wrong width is refused, with the likely cause."""
    n = len(row)
    if n > width:
        more = n - width
        return f"{n} cellules au lieu de {width} ({more} de trop : virgule hors guillemets ?)"
    separator = _separator(row, width)
    cause = f"séparateur {separator} au lieu de la virgule ?" if separator else "virgule manquante ?"
    return f"{n} cellule{_plural(n)} au lieu de {width} ({width - n} manquante{_plural(width - n)} : {cause})"


def _same_width(spec: TableSpec, rows: list, lines: list[int], problems: list[Problem]) -> tuple[list, list[int]]:
    """The rows (written in the descriptor) as wide as the header; blank or malformed rows are problems."""
    width = len(spec.fields)
    kept, kept_lines = [], []
    for row, line in zip(rows, lines):
        if len(row) == width:
            kept.append(row)
            kept_lines.append(line)
        else:
            problems.append(Problem(spec.label, line, None, None, "ligne vide" if not row else _width_reason(row, width)))
    return kept, kept_lines


_TYPE_REASONS = {"integer": "nombre entier attendu", "number": "nombre attendu"}
_CONVERTERS = {"integer": (_INTEGER, int), "number": (_NUMBER, Decimal)}
_UNBOUNDED = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_SCIENTIFIC = re.compile(r"\A[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+")
#: Characters that betray a number written for a person, and what to write instead (first found wins).
_NUMBER_HINTS = (
    ("€", "sans symbole €"),
    ("+", "sans signe +"),
    ("_", "sans séparateur de milliers « _ »"),
    (" ", "sans espace : séparateur de milliers ?"),
    ("\u00a0", "sans espace : séparateur de milliers ?"),
    ("\u202f", "sans espace : séparateur de milliers ?"),
    (",", "point décimal et non virgule, sans séparateur de milliers : 618000.00"),
)


def _number_reason(kind: str, raw: str) -> str:
    """Why ``raw`` is not a plainly written number of type ``kind``, naming the likely cause."""
    base = _TYPE_REASONS[kind]
    if raw != raw.strip():
        return "espaces superflus en début ou fin de cellule"
    if _UNBOUNDED.fullmatch(raw):
        if kind == "integer" and "." in raw:
            return f"{base} (sans décimales)"
        return f"{base} (trop de chiffres : 15 au plus avant le point et 15 après)"
    if len(raw) > MAX_NUMBER_CHARS:
        return f"{base} ({_count(len(raw))} caractères : trop long pour un nombre)"
    if _SCIENTIFIC.fullmatch(raw):
        return f"{base} (notation scientifique non admise : écrire le nombre en chiffres, par exemple 1000)"
    hint = next((hint for char, hint in _NUMBER_HINTS if char in raw), None)
    return f"{base} ({hint})" if hint else base


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
        if raw[0] == "-" and value == 0:
            return value, "zéro précédé d'un signe moins : écrire le zéro sans signe"
    else:
        return None, _number_reason(field.kind, raw)
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


def _read_table(data_dir: Path, spec: TableSpec, problems: Problems) -> Table | None:
    if spec.data is not None:
        if not _check_header(spec, spec.data[0], problems):
            return None
        count = len(spec.data) - 1
        rows, lines = _same_width(spec, list(spec.data[1:]), list(range(2, len(spec.data) + 1)), problems)
    else:
        read = _read_csv(data_dir, spec, problems)
        if read is None:
            return None
        rows, lines, count = read
    if not count:
        problems.append(Problem(spec.label, None, None, None, "aucune ligne de données, seulement l'en-tête (fichier tronqué ?)"))
        return None
    columns = [list(c) for c in zip(*rows)] if rows else [[] for _ in spec.fields]
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


def _check_total_size(data_dir: Path, specs: tuple[TableSpec, ...]) -> None:
    """Refuse, before reading any, CSV files that together exceed :data:`MAX_PACKAGE_BYTES`."""
    total = 0
    for spec in specs:
        try:
            path = data_dir / spec.path if spec.path is not None else None
            total += path.stat().st_size if path is not None and path.is_file() else 0
        except (OSError, ValueError):
            pass  # reported when the file is read
    if total > MAX_PACKAGE_BYTES:
        limit = _mebibytes(MAX_PACKAGE_BYTES)
        reason = f"fichiers CSV trop volumineux : {_count(total)} octets au total, au-delà de la limite du chargeur ({limit})"
        raise ContractDataError([Problem(str(data_dir), None, None, None, reason)])


def load_tables(data_dir: Path, expected: dict[str, tuple[tuple[str, str], ...]] | None = None,
                optional: frozenset[str] = frozenset()) -> dict[str, pd.DataFrame]:
    """Validate every resource of the data package in ``data_dir`` and return typed frames by name.

    Raises :class:`UnsupportedDescriptorError` before reading any table if the descriptor asks for a
    rule the loader does not implement, or lacks a resource of ``expected`` (name -> (field, type)
    pairs, see :func:`check_layout`; those of ``optional`` may be absent, and are then absent from the
    result), and :class:`ContractDataError` listing all problems of the data; nothing is returned in
    either case.
    """
    specs = compiled_descriptor(Path(data_dir))
    if expected is not None:
        check_layout(specs, expected, optional)
    _check_total_size(Path(data_dir), specs)
    problems = Problems()
    tables: dict[str, Table] = {}
    for spec in specs:
        table = _read_table(Path(data_dir), spec, problems)
        if table is not None:
            tables[spec.name] = table
    return _checked_frames(tables, problems)


# ------------------------------------------------------------------------------------------------
# Rows held in memory (issue 17: a contract typed in a workbook is checked by the same rules)
# ------------------------------------------------------------------------------------------------


def empty_frame(spec: TableSpec) -> pd.DataFrame:
    """The typed frame of ``spec`` with no row (same columns and dtypes as a loaded table)."""
    return _frame(Table(spec, [], {f.name: [] for f in spec.fields}, {f.name: set() for f in spec.fields}))


def load_rows(specs: tuple[TableSpec, ...], rows: dict[str, list[list[str]]], label: str) -> dict[str, pd.DataFrame]:
    """Validate rows held in memory exactly as :func:`load_tables` validates the files of a package, and return
    typed frames by name.

    ``rows`` maps a resource of ``specs`` to its rows, each a list of cells written as in a CSV file (``""`` for
    an empty cell), in the order of the resource's fields; a resource written in the descriptor (``data``) is
    read from it, a resource absent from ``rows`` is left out (with the foreign keys that reference it).
    Problems name ``label`` and the resource (« classeur.xlsx, table « actions », ligne 3 ») and are raised
    together as :class:`ContractDataError`; nothing is returned then.
    """
    problems = Problems()
    tables: dict[str, Table] = {}
    for spec in specs:
        if spec.data is None and spec.name not in rows:
            continue
        if spec.data is None:
            header = tuple(f.name for f in spec.fields)
            spec = spec._replace(data=(header, *(tuple(r) for r in rows[spec.name])), path=None,
                                 label=f"{label}, table « {spec.name} »")
        table = _read_table(Path("."), spec, problems)
        if table is not None:
            tables[spec.name] = table
    return _checked_frames(tables, problems)


def _checked_frames(tables: dict, problems) -> dict:
    """The tables as frames once their foreign keys hold; every problem found so far raised in one French error."""
    for table in tables.values():
        _check_foreign_keys(table, tables, problems)
    if problems:
        raise ContractDataError(problems)
    return {name: _frame(table) for name, table in tables.items()}


def control_character(text: str) -> str | None:
    """The control character of ``text`` that a contract file refuses (named in French), or None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    char = found.group()
    return "octet nul (NUL)" if char == "\x00" else f"caractère de contrôle U+{ord(char):04X}"
