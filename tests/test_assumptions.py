"""The assumptions register: well-formed, used where it says, rendered in the README, overridable."""

import importlib
import re
from datetime import date
from pathlib import Path

import pytest

from analysis import assumptions
from analysis.domain import ROOT, SOURCE_FILE

README = ROOT / "README.md"
BEGIN, END = assumptions.README_BEGIN, assumptions.README_END


def test_ids_are_sequential_and_names_unique():
    items = assumptions.assumptions()
    assert [a.id for a in items] == [f"H{i:02d}" for i in range(1, len(items) + 1)]
    assert len({a.name for a in items}) == len(items)


def test_lookup_by_id_and_by_name_and_typed_values():
    assert assumptions.get("H15") is assumptions.get("manifest_threshold")
    assert assumptions.default("signature_date") == date(2024, 4, 15)
    assert assumptions.resolve(0.75, "manifest_threshold") == 0.75
    assert assumptions.resolve(None, "manifest_threshold") == assumptions.default("manifest_threshold")
    with pytest.raises(KeyError, match="hypothèse inconnue"):
        assumptions.get("H99")


def _resolve_dotted(path: str):
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(path)


def test_retired_entries_keep_their_id_and_are_no_longer_read():
    """Issue 14: the older rules (a threshold on paid credits, any justification removes the risk) are retired,
    never deleted: their IDs stay taken, no code reads them, and asking for their value is refused."""
    retired = {a.id for a in assumptions.assumptions() if not a.active}
    assert {"H01", "H10", "H13", "H14"} <= retired
    for item in assumptions.assumptions():
        if not item.active:
            assert item.used_in == () and item.retired.strip()
            with pytest.raises(KeyError, match="hypothèse retirée"):
                assumptions.default(item.name)
    library = Path(assumptions.__file__).parent
    code = "\n".join(p.read_text(encoding="utf-8") for p in library.rglob("*.py"))
    for item in assumptions.assumptions():
        if not item.active:
            assert f'"{item.name}"' not in code, f"{item.id} retirée mais encore lue"
    assert "**retirée**" in assumptions.markdown()


def test_an_active_entry_must_say_where_it_is_used(tmp_path: Path):
    entry = {f: "x" for f in ("id", "name", "value", "unit", "title", "reasoning", "source_lines")}
    text = "[[assumption]]\n" + "".join(f'{k} = "{v}"\n' for k, v in entry.items())
    bad = tmp_path / "assumptions.toml"
    bad.write_text(text + 'quality = "forte"\nimpact = "fort"\nused_in = []\n', encoding="utf-8")
    with pytest.raises(ValueError, match="doit dire où elle est utilisée"):
        assumptions.load_register(bad)


@pytest.mark.parametrize("item", [a for a in assumptions.assumptions() if a.active], ids=lambda a: a.id)
def test_used_in_points_at_code_that_reads_the_assumption(item):
    """Each place the register names exists, and one of them reads the assumption by its parameter name."""
    import inspect

    assert item.used_in, f"{item.id} : aucun usage déclaré"
    readers = []
    for path in item.used_in:
        obj = _resolve_dotted(path)
        text = inspect.getsource(inspect.getmodule(obj))
        readers.append(f'"{item.name}"' in text or f"'{item.name}'" in text)
    assert any(readers), f"{item.id} : aucun des usages déclarés ne lit « {item.name} » dans le registre"


@pytest.mark.skipif(not SOURCE_FILE.is_file(), reason="texte source partagé absent (../shared/source)")
def test_source_lines_exist_in_the_source():
    n_lines = len(SOURCE_FILE.read_text(encoding="utf-8").splitlines())
    for item in assumptions.assumptions():
        for number in re.findall(r"\d+", item.source_lines):
            assert 1 <= int(number) <= n_lines, f"{item.id} : ligne {number} hors du texte source"


def test_readme_shows_the_register_as_generated():
    text = README.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "README : bloc du registre des hypothèses absent"
    block = text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"
    assert block == assumptions.markdown(), "README : registre des hypothèses à régénérer (python -m analysis.assumptions)"


def test_register_table_has_every_field():
    table = assumptions.register_table()
    assert list(table.columns) == assumptions.FIELDS
    assert len(table) == len(assumptions.assumptions())
    assert not table[["id", "name", "title", "reasoning", "quality", "impact"]].isna().any().any()
    assert table["retired"].notna().sum() == sum(not a.active for a in assumptions.assumptions())


def test_a_broken_register_is_refused_in_french(tmp_path: Path):
    bad = tmp_path / "assumptions.toml"
    bad.write_text('[[assumption]]\nid = "H01"\nname = "x"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="champs manquants"):
        assumptions.load_register(bad)


def test_a_reading_is_one_of_its_declared_choices(tmp_path: Path):
    """The register states the readings a parameter may take; the assessment refuses any other (one list)."""
    from analysis.assessment.parameters import CHOICES, resolve_parameters

    assert CHOICES["period_cap"] == ("plafond_non_consomme", "somme_des_annees")
    with pytest.raises(ValueError, match="inconnue"):
        resolve_parameters(period_cap="au_hasard")
    entry = {f: "x" for f in ("id", "name", "unit", "title", "reasoning", "source_lines")}
    text = "[[assumption]]\n" + "".join(f'{k} = "{v}"\n' for k, v in entry.items())
    bad = tmp_path / "assumptions.toml"
    bad.write_text(text + 'value = "c"\nchoices = ["a", "b"]\nquality = "forte"\nimpact = "fort"\nused_in = ["x"]\n',
                   encoding="utf-8")
    with pytest.raises(ValueError, match="lectures déclarées"):
        assumptions.load_register(bad)
