"""Scenario files (issue 11): save then load gives the same scenario; a malformed or hostile file gives a clear
French error naming the file and the field, never a traceback of the parser."""

import json
import os
from decimal import Decimal

import pytest

from analysis.scenarios import (
    AvenantChange,
    Decision,
    ExecutedOverride,
    Scenario,
    ScenarioError,
    dumps,
    file_name,
    load,
    loads,
    save,
    saved,
)
from analysis.scenarios import files as scenario_files

FULL = Scenario(
    name="Axe 3 réduit, 2026-2027 au rythme actuel",
    description="Préparation de la réunion avec la préfecture (exemple fictif).",
    threshold=0.6, tolerance=0.2, near_band=0.9, late_band=0.5, reduction_share=0.5,
    materiality_floor=Decimal("1000.00"),
    executed=(ExecutedOverride("cls", "3.1", 2025, rate=0.6), ExecutedOverride("ft", "2.3", 2024, amount=Decimal("1200000.50"))),
    decisions=(Decision("3.3", 2024, "rejetee"), Decision("3.3", 2025, "acceptee")),
    avenants=(AvenantChange(2026, axis="3", percent=-0.1), AvenantChange(2025, action="1.2", amount=Decimal("-50000.00"))),
    projection=True, projection_rates=(("1.2", 0.8), ("4.1", 1.0)), projection_carry_over="aucun",
    reduction_in_projection=False, avenant_changes_paid=False,
)


def test_save_then_load_gives_the_same_scenario(tmp_path, contract):
    path = save(FULL, directory=tmp_path, contract=contract)
    assert path == tmp_path / "axe-3-reduit-2026-2027-au-rythme-actuel.json"
    assert load(path, contract) == FULL
    assert saved(tmp_path) == [path]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind


def test_the_base_round_trips_and_is_small(tmp_path, contract):
    path = save(Scenario(), tmp_path / "base.json")
    assert json.loads(path.read_text(encoding="utf-8")) == {"format": "analysis.scenario", "version": 1, "name": "Base"}
    assert load(path, contract) == Scenario() and load(path, contract).is_base()


def test_file_is_readable_json_with_exact_amounts():
    data = json.loads(dumps(FULL))
    assert data["executed"][1] == {"convention": "ft", "action": "2.3", "year": 2024, "amount": "1200000.50"}
    assert data["materiality_floor"] == "1000.00" and data["threshold"] == 0.6
    assert data["projection_rates"] == {"1.2": 0.8, "4.1": 1.0}
    assert dumps(FULL) == dumps(loads(dumps(FULL)))


def test_saving_is_atomic(tmp_path, monkeypatch):
    target = save(Scenario(name="avant"), tmp_path / "s.json")
    before = target.read_bytes()

    def broken(src, dst):
        raise OSError("disque plein")

    monkeypatch.setattr(scenario_files.os, "replace", broken)
    with pytest.raises(OSError):
        save(FULL, target)
    assert target.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["s.json"]


def test_file_names():
    assert file_name("Axe 3 réduit de 10 %") == "axe-3-reduit-de-10.json"
    assert file_name("../../etc/passwd") == "etc-passwd.json"
    with pytest.raises(ScenarioError, match="nom"):
        file_name("« »")


def _write(tmp_path, content) -> str:
    path = tmp_path / "hostile.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _doc(**fields) -> str:
    return json.dumps({"format": "analysis.scenario", "version": 1, "name": "x", **fields})


HOSTILE = [
    ("{not json", None, "JSON mal formé à la ligne 1"),
    ('{"format": "analysis.scenario", "version": 1, "name": "x", "threshold": NaN}', None, "nombre fini"),
    ('{"format": "analysis.scenario", "version": 1, "name": "x", "name": "y"}', "name", "clé en double"),
    ("[" * 100_000 + "]" * 100_000, None, "JSON trop imbriqué"),
    (b"\xff\xfe\x00{", None, "UTF-8"),
    (" " * (300 * 1024), None, "fichier trop gros"),
    ('{"format": "analysis.scenario", "version": 1, "name": "x", "threshold": 1' + "0" * 5000 + "}", None, "nombre illisible"),
    ("[]", None, "objet JSON"),
    (json.dumps({"format": "autre chose", "version": 1, "name": "x"}), "format", "n'est pas un scénario"),
    (json.dumps({"format": "analysis.scenario", "version": 2, "name": "x"}), "version", "version 2 inconnue"),
    (json.dumps({"format": "analysis.scenario", "version": 1}), "name", "champ obligatoire absent"),
    (_doc(seuil=0.5), "seuil", "champ inconnu"),
    (_doc(threshold="0.5"), "threshold", "un nombre est attendu"),
    (_doc(threshold=True), "threshold", "un nombre est attendu"),
    (_doc(threshold=1.5), "threshold", "entre 0 et 1"),
    (_doc(materiality_floor="-5.00"), "materiality_floor", "montant négatif"),
    (_doc(materiality_floor="12.345"), "materiality_floor", "illisible"),
    (_doc(materiality_floor="1e999"), "materiality_floor", "illisible"),
    (_doc(materiality_floor="NaN"), "materiality_floor", "illisible"),
    (_doc(executed={"action": "3.1"}), "executed", "une liste est attendue"),
    (_doc(executed=[{"convention": "cls", "action": "3.1", "year": "2025", "rate": 0.6}]), "executed[0].year", "entier"),
    (_doc(executed=[{"convention": "cls", "action": "3.1", "year": 2025, "rate": 0.6, "x": 1}]), "executed[0].x", "inconnu"),
    (_doc(executed=[{"convention": "cls", "action": "9.9", "year": 2025, "rate": 0.6}]), "executed[0].action",
     "« 9.9 » inconnue (CLS)"),
    (_doc(executed=[{"convention": "cls", "action": "3.1", "year": 2031, "rate": 0.6}]), "executed[0].year", "2031 refusée"),
    (_doc(executed=[{"convention": "xx", "action": "3.1", "year": 2025, "rate": 0.6}]), "executed[0].convention",
     "convention « xx » inconnue"),
    (_doc(executed=[{"convention": "cls", "action": "3.1", "year": 2025, "rate": 0.6}] * 2), "executed[1]", "déjà modifiée"),
    (_doc(executed=[{"convention": "cls", "action": "3.1", "year": 2025}] * 2001), "executed", "trop d'éléments"),
    (_doc(decisions=[{"action": "3.3", "year": 2024, "decision": "peut-être"}]), "decisions[0].decision", "inconnue"),
    (_doc(decisions=[{"action": "2.3", "year": 2024, "decision": "rejetee"}]), "decisions[0].action", "France Travail"),
    (_doc(avenants=[{"year": 2024, "axis": "3", "percent": -0.1}]), "avenants[0].year", "2024 refusée"),
    (_doc(avenants=[{"year": 2026, "axis": "2", "percent": -0.1}]), "avenants[0].axis", "axe « 2 » inconnu"),
    (_doc(avenants=[{"year": 2026, "axis": "3", "action": "3.1", "percent": -0.1}]), "avenants[0]", "soit un axe"),
    (_doc(avenants=[{"year": 2026, "axis": "3"}]), "avenants[0]", "soit un pourcentage"),
    (_doc(projection="oui"), "projection", "vrai ou faux"),
    (_doc(projection_rates={"1.2": 9}), "projection_rates.1.2", "entre 0 et 1.5"),
    (_doc(projection_carry_over="tout"), "projection_carry_over", "lecture « tout » inconnue"),
    (_doc(description="x" * 5000), "description", "texte trop long"),
    (_doc(name=["liste"]), "name", "un texte est attendu"),
]


@pytest.mark.parametrize("content, field, reason", HOSTILE, ids=range(len(HOSTILE)))
def test_malformed_or_hostile_files_give_a_french_error_naming_file_and_field(tmp_path, contract, content, field, reason):
    path = _write(tmp_path, content)
    with pytest.raises(ScenarioError) as caught:
        load(path, contract)
    message = str(caught.value)
    assert message.startswith("fichier de scénario « hostile.json »"), message
    assert reason in message, message
    if field:
        assert f"champ « {field} »" in message, message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__ or caught.value.__context__ is None


def test_missing_file(tmp_path, contract):
    with pytest.raises(ScenarioError, match="« absent.json » : fichier introuvable"):
        load(tmp_path / "absent.json", contract)


def test_nothing_unreadable_is_saved(tmp_path, contract):
    with pytest.raises(ScenarioError, match="action « 9.9 » inconnue"):
        save(Scenario(name="faux", executed=(ExecutedOverride("cls", "9.9", 2024, rate=0.5),)), directory=tmp_path,
             contract=contract)
    assert saved(tmp_path) == []
