"""The assumptions register: every analysis choice, with its ID, value, reasoning, source line and rating.

The register is one machine-readable file, ``assumptions.toml`` beside this module. Library parameters
take their default from it::

    from analysis.assumptions import default
    def consumption_frame(ledger, threshold=None):
        threshold = default("manifest_threshold") if threshold is None else threshold

so that a choice is written once, can be overridden per call, and is cited by its ID (H01…) in the
notebooks and the README. ``python -m analysis.assumptions`` prints the register as a Markdown table
(the README's copy is checked against it by the tests).
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

REGISTER_FILE = Path(__file__).with_name("assumptions.toml")

FIELDS = ["id", "name", "value", "unit", "title", "reasoning", "source_lines", "quality", "impact", "used_in", "retired"]
RATINGS_QUALITY = ["forte", "moyenne", "faible"]
RATINGS_IMPACT = ["fort", "moyen", "faible"]


@dataclass(frozen=True)
class Assumption:
    """One analysis choice of the register."""

    id: str
    name: str
    value: object
    unit: str
    title: str
    reasoning: str
    source_lines: str
    quality: str
    impact: str
    used_in: tuple[str, ...]
    retired: str | None = None
    #: The readings a parameter may take (its value first among them), for a choice between readings.
    choices: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        """Whether the library still applies it (a retired entry keeps its ID, never reused)."""
        return self.retired is None

    def value_text(self) -> str:
        """The value as a person reads it (« oui », « 85 % », « 12 000 € », a date the French way)."""
        return _display_value(self)

    def value_label(self) -> str:
        """The value in words, for a reader of a pack: a reading or a method by its French label (« écart sous la
        trajectoire attendue… », never ``ecart_trajectoire``), the twin indicators (H29) by their actions,
        anything else as :meth:`value_text`."""
        from analysis.domain import ASSUMPTION_VALUE_LABELS

        if isinstance(self.value, str) and self.value in ASSUMPTION_VALUE_LABELS:
            return ASSUMPTION_VALUE_LABELS[self.value]
        if self.name == "twin_indicators":
            locals_ = [p.split("=")[0].strip() for p in str(self.value).split(";")]
            named = [f"n°{i.rsplit('-', 1)[1]} de l'action {i.split('-')[2]}" for i in locals_ if i.count("-") == 3]
            return (f"{len(named)} indicateurs de l'annexe 1 repris tels quels par leur fiche action : "
                    f"{', '.join(named)}") if named else self.value_text()
        if self.unit == "année":
            return str(self.value)
        return self.value_text()

    def cite(self) -> str:
        """A short French citation for a notebook or a label: ``H01 (seuil de sous-consommation : 0,9)``."""
        return f"{self.id} ({self.title[0].lower()}{self.title[1:]})"


def _parse(entry: dict, where: str) -> Assumption:
    missing = [f for f in FIELDS if f not in entry and f != "retired"]
    if missing:
        raise ValueError(f"{where} : champs manquants dans le registre des hypothèses : {', '.join(missing)}")
    if entry["quality"] not in RATINGS_QUALITY or entry["impact"] not in RATINGS_IMPACT:
        raise ValueError(f"{where} : note de qualité ou d'impact inconnue ({entry['quality']}, {entry['impact']})")
    value = entry["value"]
    if entry["unit"] == "date":
        value = date.fromisoformat(value)
    unknown = set(entry) - set(FIELDS) - {"retired", "choices"}
    if unknown:
        raise ValueError(f"{where} : champs inconnus dans le registre des hypothèses : {', '.join(sorted(unknown))}")
    if entry.get("retired") is None and not entry["used_in"]:
        raise ValueError(f"{where} : une hypothèse en vigueur doit dire où elle est utilisée (used_in)")
    choices = tuple(entry.get("choices", ()))
    if choices and value not in choices:
        raise ValueError(f"{where} : la valeur « {value} » n'est pas l'une des lectures déclarées ({', '.join(choices)})")
    return Assumption(**{**entry, "value": value, "used_in": tuple(entry["used_in"]), "choices": choices})


@cache
def load_register(path: Path = REGISTER_FILE) -> tuple[Assumption, ...]:
    with path.open("rb") as handle:
        entries = tomllib.load(handle)["assumption"]
    items = tuple(_parse(e, f"{path.name}, hypothèse {e.get('id', i + 1)}") for i, e in enumerate(entries))
    for key in ("id", "name"):
        seen = [getattr(a, key) for a in items]
        if len(seen) != len(set(seen)):
            raise ValueError(f"{path.name} : {key} en double dans le registre des hypothèses")
    return items


def assumptions() -> list[Assumption]:
    """Every assumption of the register, in ID order."""
    return list(load_register())


def get(key: str) -> Assumption:
    """One assumption, by ID (``'H15'``) or by parameter name (``'manifest_threshold'``)."""
    for item in load_register():
        if key in (item.id, item.name):
            return item
    raise KeyError(f"hypothèse inconnue : {key}")


def default(name: str):
    """The default value of the parameter ``name`` (the value of its assumption); a retired one is refused."""
    item = get(name)
    if not item.active:
        raise KeyError(f"hypothèse retirée : {item.id} ({item.retired})")
    return item.value


def resolve(value, name: str):
    """``value`` when given, else the register's default for ``name``: the idiom for overridable parameters."""
    return default(name) if value is None else value


def register_table() -> pd.DataFrame:
    """The register as a DataFrame (one row per assumption, columns :data:`FIELDS`)."""
    rows = [{f: getattr(a, f) for f in FIELDS} for a in load_register()]
    frame = pd.DataFrame(rows, columns=FIELDS)
    frame["used_in"] = [", ".join(u) for u in frame["used_in"]]
    return frame


def _display_value(item: Assumption) -> str:
    from analysis.formatting import format_number, format_percent

    value = item.value
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if item.unit == "part":
        return format_percent(value)
    if isinstance(value, (int, float)):
        return format_number(value) + (" €" if item.unit == "euros" else "")
    return str(value)


def markdown() -> str:
    """The register as a French Markdown table (rendered into the README)."""
    lines = [
        "| ID | hypothèse | valeur | justification | lignes source | qualité | impact | utilisée par |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for a in load_register():
        used = ", ".join(f"`{u.removeprefix('analysis.')}`" for u in a.used_in)
        if not a.active:
            used = f"**retirée** : {a.retired}"
        cells = [a.id, a.title, _display_value(a), a.reasoning, a.source_lines or "—", a.quality, a.impact, used]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


README_BEGIN, README_END = "<!-- registre-des-hypotheses:debut -->", "<!-- registre-des-hypotheses:fin -->"


def update_readme(readme: Path) -> bool:
    """Rewrite the register block of ``readme`` (between the two markers); True when it changed."""
    text = readme.read_text(encoding="utf-8")
    if README_BEGIN not in text or README_END not in text:
        raise ValueError(f"{readme} : marqueurs du registre des hypothèses absents ({README_BEGIN} … {README_END})")
    head, rest = text.split(README_BEGIN, 1)
    tail = rest.split(README_END, 1)[1]
    new = f"{head}{README_BEGIN}\n{markdown()}{README_END}{tail}"
    if new == text:
        return False
    tmp = readme.with_name(readme.name + ".tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(readme)
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.assumptions`` prints the register; ``--readme FILE`` rewrites FILE's copy."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--readme"] and len(args) == 2:
        changed = update_readme(Path(args[1]))
        print(f"{args[1]} : registre des hypothèses {'mis à jour' if changed else 'déjà à jour'}")
    else:
        sys.stdout.write(markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
