"""Scenarios as small JSON files under ``data/processed/scenarios/`` (git-ignored).

The file mirrors :class:`~analysis.scenarios.model.Scenario` field by field; amounts in euros are written
as strings (``"-50000.00"``) so that they stay exact, rates as numbers::

    {"format": "analysis.scenario", "version": 1, "name": "Axe 3 réduit", "threshold": 0.6,
     "executed": [{"convention": "cls", "action": "3.1", "year": 2025, "rate": 0.6}],
     "decisions": [{"action": "3.3", "year": 2024, "decision": "rejetee"}],
     "avenants": [{"year": 2026, "axis": "3", "percent": -0.1}],
     "projection": true, "projection_rates": {"1.2": 0.8}, "materiality_floor": "1000.00"}

Reading never trusts the file: its size, nesting, keys, types and values are checked, and any problem
raises a French :class:`~analysis.scenarios.model.ScenarioError` naming the file and the field, never a
traceback of the parser. Writing is atomic (a temporary file, then a rename).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path

from analysis.domain import SCENARIOS_DIR
from analysis.money import cents
from analysis.scenarios.model import AvenantChange, Decision, ExecutedOverride, Scenario, ScenarioError, validate

FORMAT, VERSION = "analysis.scenario", 1
#: Limits of a scenario file: bytes, items of a list, characters of a text.
MAX_BYTES, MAX_ITEMS, MAX_TEXT = 256 * 1024, 2000, 2000
_MONEY = re.compile(r"-?\d{1,12}(\.\d{1,2})?")
_TOP = {
    "format", "version", "name", "description", "threshold", "tolerance", "near_band", "late_band", "reduction_share",
    "materiality_floor", "executed", "decisions", "avenants", "projection", "projection_rates", "projection_carry_over",
    "reduction_in_projection", "avenant_changes_paid",
}
_SHARES = ("threshold", "tolerance", "near_band", "late_band", "reduction_share")
_FLAGS = ("reduction_in_projection", "avenant_changes_paid")


# ------------------------------------------------------------------------------------------------
# Scenario -> JSON
# ------------------------------------------------------------------------------------------------


def _money_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _drop_none(item: dict) -> dict:
    return {k: v for k, v in item.items() if v is not None}


def to_dict(scenario: Scenario) -> dict:
    """The JSON-ready form of ``scenario`` (settings left to the register are omitted)."""
    out = {"format": FORMAT, "version": VERSION, "name": scenario.name, "description": scenario.description or None}
    out |= {name: getattr(scenario, name) for name in _SHARES}
    out["materiality_floor"] = _money_text(scenario.materiality_floor)
    out["executed"] = [_drop_none({"convention": o.convention, "action": o.action, "year": o.year,
                                   "amount": _money_text(o.amount), "rate": o.rate}) for o in scenario.executed] or None
    out["decisions"] = [{"action": d.action, "year": d.year, "decision": d.decision} for d in scenario.decisions] or None
    out["avenants"] = [_drop_none({"year": a.year, "axis": a.axis, "action": a.action, "percent": a.percent,
                                   "amount": _money_text(a.amount)}) for a in scenario.avenants] or None
    out["projection"] = scenario.projection or None
    out["projection_rates"] = dict(scenario.projection_rates) or None
    out |= {name: getattr(scenario, name) for name in ("projection_carry_over", *_FLAGS)}
    return _drop_none(out)


def dumps(scenario: Scenario) -> str:
    """``scenario`` as JSON text (UTF-8, indented, one trailing newline)."""
    return json.dumps(to_dict(scenario), ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------------------------------------------------
# JSON -> Scenario: every value checked
# ------------------------------------------------------------------------------------------------


def _pairs(pairs: list[tuple[str, object]]) -> dict:
    out = {}
    for key, value in pairs:
        if key in out:
            raise ScenarioError(key, "clé en double dans un même objet JSON")
        out[key] = value
    return out


def _refuse_constant(name: str):
    raise ScenarioError(None, f"valeur « {name} » refusée : un nombre fini est attendu")


def _text(value, where: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise ScenarioError(where, f"un texte est attendu, pas {type(value).__name__}")
    if len(value) > limit:
        raise ScenarioError(where, f"texte trop long ({len(value)} caractères, au plus {limit})")
    return value


def _integer(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(where, f"un nombre entier est attendu, pas {value!r}")
    return value


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise ScenarioError(where, f"un nombre est attendu, pas {value!r}")
    try:
        return float(value)
    except (OverflowError, ValueError) as exc:
        raise ScenarioError(where, f"nombre illisible {value!r}") from exc


def _money(value, where: str) -> Decimal:
    """An amount in euros: a string such as "-50000.00" (or a JSON number), at most 2 decimals."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ScenarioError(where, f"un montant en euros est attendu (texte « 1234.56 »), pas {value!r}")
    text = value.strip() if isinstance(value, str) else str(value)
    if len(text) > 20 or not _MONEY.fullmatch(text):
        raise ScenarioError(where, f"montant « {text[:40]} » illisible (attendu : chiffres, point décimal, au plus 2 décimales)")
    try:
        return cents(Decimal(text))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid decimals
        raise ScenarioError(where, f"montant « {text} » illisible") from exc


def _boolean(value, where: str) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(where, f"vrai ou faux (true / false) attendu, pas {value!r}")
    return value


def _items(value, where: str, kind) -> list:
    if not isinstance(value, list):
        raise ScenarioError(where, "une liste est attendue")
    if len(value) > MAX_ITEMS:
        raise ScenarioError(where, f"trop d'éléments ({len(value)}, au plus {MAX_ITEMS})")
    return [kind(item, f"{where}[{i}]") for i, item in enumerate(value)]


def _object(value, where: str, required: set[str], optional: set[str]) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(where, "un objet JSON ({…}) est attendu")
    unknown = sorted(set(value) - required - optional)
    if unknown:
        raise ScenarioError(f"{where}.{unknown[0]}" if where else unknown[0], "champ inconnu")
    absent = sorted(required - set(value))
    if absent:
        raise ScenarioError(f"{where}.{absent[0]}" if where else absent[0], "champ obligatoire absent")
    return value


def _optional(item: dict, key: str, where: str, parse):
    return None if item.get(key) is None else parse(item[key], f"{where}.{key}" if where else key)


def _executed(value, where: str) -> ExecutedOverride:
    item = _object(value, where, {"convention", "action", "year"}, {"amount", "rate"})
    return ExecutedOverride(
        convention=_text(item["convention"], f"{where}.convention", 10), action=_text(item["action"], f"{where}.action", 20),
        year=_integer(item["year"], f"{where}.year"), amount=_optional(item, "amount", where, _money),
        rate=_optional(item, "rate", where, _number),
    )


def _decision(value, where: str) -> Decision:
    item = _object(value, where, {"action", "year", "decision"}, set())
    return Decision(_text(item["action"], f"{where}.action", 20), _integer(item["year"], f"{where}.year"),
                    _text(item["decision"], f"{where}.decision", 20))


def _avenant(value, where: str) -> AvenantChange:
    item = _object(value, where, {"year"}, {"axis", "action", "percent", "amount"})
    return AvenantChange(
        year=_integer(item["year"], f"{where}.year"), axis=_optional(item, "axis", where, lambda v, w: _text(v, w, 10)),
        action=_optional(item, "action", where, lambda v, w: _text(v, w, 20)),
        percent=_optional(item, "percent", where, _number), amount=_optional(item, "amount", where, _money),
    )


def _rates(value, where: str) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, dict) or len(value) > MAX_ITEMS:
        raise ScenarioError(where, "un objet {action: taux} est attendu")
    return tuple((_text(k, where, 20), _number(v, f"{where}.{k}")) for k, v in value.items())


def from_dict(data, contract=None) -> Scenario:
    """The scenario a JSON document describes (French :class:`ScenarioError` on any problem); checked
    against ``contract`` (actions, axes, years) when one is given."""
    data = _object(data, "", {"format", "version", "name"}, _TOP)
    if data["format"] != FORMAT:
        raise ScenarioError("format", f"« {str(data['format'])[:40]} » n'est pas un scénario (attendu : {FORMAT})")
    if _integer(data["version"], "version") != VERSION:
        raise ScenarioError("version", f"version {data['version']} inconnue (attendu : {VERSION})")
    scenario = Scenario(
        name=_text(data["name"], "name", 120), description=_text(data.get("description", ""), "description"),
        **{name: _optional(data, name, "", _number) for name in _SHARES},
        materiality_floor=_optional(data, "materiality_floor", "", _money),
        executed=tuple(_items(data.get("executed", []), "executed", _executed)),
        decisions=tuple(_items(data.get("decisions", []), "decisions", _decision)),
        avenants=tuple(_items(data.get("avenants", []), "avenants", _avenant)),
        projection=_boolean(data.get("projection", False), "projection"),
        projection_rates=_rates(data.get("projection_rates", {}), "projection_rates"),
        projection_carry_over=_optional(data, "projection_carry_over", "", lambda v, w: _text(v, w, 20)),
        **{name: _optional(data, name, "", _boolean) for name in _FLAGS},
    )
    return scenario if contract is None else validate(scenario, contract)


def loads(text: str | bytes, contract=None, *, file: str | None = None) -> Scenario:
    """The scenario of a JSON text (``file`` names it in errors); see :func:`from_dict`."""
    try:
        if isinstance(text, bytes):
            if len(text) > MAX_BYTES:
                raise ScenarioError(None, f"fichier trop gros ({len(text)} octets, au plus {MAX_BYTES})")
            text = text.decode("utf-8-sig")
        if len(text) > MAX_BYTES:
            raise ScenarioError(None, f"texte trop long ({len(text)} caractères, au plus {MAX_BYTES})")
        try:
            data = json.loads(text, object_pairs_hook=_pairs, parse_float=Decimal, parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:
            raise ScenarioError(None, f"JSON mal formé à la ligne {exc.lineno}, colonne {exc.colno}") from None
        except RecursionError:
            raise ScenarioError(None, "JSON trop imbriqué") from None
        except ValueError as exc:
            if isinstance(exc, ScenarioError):
                raise
            raise ScenarioError(None, "nombre illisible ou trop long dans le JSON") from None
        return from_dict(data, contract)
    except UnicodeDecodeError:
        raise ScenarioError(None, "le fichier n'est pas un texte UTF-8", file) from None
    except ScenarioError as exc:
        raise (exc.in_file(file) if file else exc) from None


# ------------------------------------------------------------------------------------------------
# Files
# ------------------------------------------------------------------------------------------------


def file_name(name: str) -> str:
    """The file name of a scenario: its name without accents, lower case, words joined by '-' (``.json``)."""
    ascii_name = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    if not slug:
        raise ScenarioError("name", f"nom « {name} » inutilisable pour un fichier (lettres ou chiffres attendus)")
    return f"{slug}.json"


def save(scenario: Scenario, path: str | Path | None = None, *, directory: str | Path | None = None, contract=None) -> Path:
    """Write ``scenario`` atomically to ``path`` (default: ``<directory>/<file_name(name)>``, the directory
    defaulting to ``data/processed/scenarios``); returns the path. Checked against ``contract`` when
    given, and always read back before being written (nothing unreadable is saved)."""
    text = dumps(scenario)
    loads(text, contract)
    target = Path(path) if path is not None else Path(directory or SCENARIOS_DIR) / file_name(scenario.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp", delete=False)
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return target


def load(path: str | Path, contract=None) -> Scenario:
    """The scenario saved in ``path``, checked against ``contract`` (default: the embedded contract)."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(None, "fichier introuvable", path.name)
    with path.open("rb") as handle:
        raw = handle.read(MAX_BYTES + 1)
    if contract is None:
        from analysis.loading import load_contract

        contract = load_contract()
    return loads(raw, contract, file=path.name)


def saved(directory: str | Path | None = None) -> list[Path]:
    """The scenario files of ``directory`` (default ``data/processed/scenarios``), by name."""
    folder = Path(directory or SCENARIOS_DIR)
    return sorted(p for p in folder.glob("*.json") if p.is_file()) if folder.is_dir() else []
