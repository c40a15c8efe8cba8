"""The reference tables every contract package shares (``data/reference/``, see its README).

- :func:`departements` — the 101 départements (INSEE code, name, region code and name), from
  ``departements.csv`` (INSEE, Code officiel géographique 2024). A package's descriptor names its
  département by this code (``"62"``, ``"2A"``, ``"971"``): :func:`check_departement` says why another
  value is refused, in French.
- :func:`national_indicators` — the 15 national indicators of the CLS model (``cls-N-01`` … ``cls-N-15``),
  the vocabulary the contracts of every département share.

The files are the project's own (never written by code); they are read once per process, by column name
(columns may be added to the right, e.g. the grid position of a tile map).
"""

from __future__ import annotations

import csv
from functools import cache

from analysis.domain import REFERENCE_DIR
from analysis.formatting import printable

DEPARTEMENTS_FILE = REFERENCE_DIR / "departements.csv"
NATIONAL_INDICATORS_FILE = REFERENCE_DIR / "indicateurs_nationaux_cls.csv"
#: Longest value quoted back in a message about a département code.
_SHOWN = 20


@cache
def _rows(path) -> tuple[dict, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(dict(row) for row in csv.DictReader(handle))


def departements():
    """The 101 départements as a DataFrame (text columns ``code``, ``nom``, ``region_code``, ``region``, and any
    column added to the file), in the file's order (INSEE order)."""
    import pandas as pd

    return pd.DataFrame(list(_rows(DEPARTEMENTS_FILE)), dtype="str")


@cache
def departement_codes() -> frozenset[str]:
    """The INSEE codes of the 101 départements."""
    return frozenset(row["code"] for row in _rows(DEPARTEMENTS_FILE))


@cache
def departement_codes_in_order() -> tuple[str, ...]:
    """The INSEE codes in the file's order (01 … 95, 2A and 2B after 29, then 971 … 976)."""
    return tuple(row["code"] for row in _rows(DEPARTEMENTS_FILE))


def departement_name(code: str) -> str:
    """The name of the département ``code`` (``'62'`` -> ``'Pas-de-Calais'``); KeyError if unknown."""
    for row in _rows(DEPARTEMENTS_FILE):
        if row["code"] == code:
            return row["nom"]
    raise KeyError(code)


def departement_problem(value) -> str | None:
    """Why ``value`` is not the INSEE code of a département, in French (None when it is one)."""
    if not isinstance(value, str):
        shown = "rien" if value is None else f"{type(value).__name__} {printable(str(value)[:_SHOWN])}"
        return f"code INSEE attendu en texte (ex. « 62 », « 2A », « 971 »), pas {shown}"
    if value not in departement_codes():
        hint = " (sans espace)" if value.strip() in departement_codes() else ""
        hint = hint or (" (écrire le code sur deux chiffres : « 0" + value + " »)" if value.isascii() and value.isdigit()
                        and len(value) == 1 else "")
        return (f"code INSEE de département inconnu{hint} : les 101 codes sont ceux de data/reference/departements.csv "
                "(« 01 » … « 95 », « 2A », « 2B », « 971 » … « 976 »)")
    return None


def check_departement(value) -> str:
    """``value`` when it is the INSEE code of a département; a French ``ValueError`` naming it otherwise."""
    reason = departement_problem(value)
    if reason is not None:
        shown = printable(str(value)[:_SHOWN]) if value is not None else ""
        raise ValueError(f"département « {shown} » refusé : {reason}")
    return value


def national_indicators():
    """The 15 national indicators of the CLS model: ``code``, ``axe``, ``thematique``, ``libelle``, ``unite``,
    ``sens`` (text), in the model's order."""
    import pandas as pd

    return pd.DataFrame(list(_rows(NATIONAL_INDICATORS_FILE)), dtype="str")
