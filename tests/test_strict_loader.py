"""The contract loader and ``frictionless validate`` refuse the same broken copies of the data.

Each case copies ``data/raw`` and alters one cell, one row or the descriptor. The loader must raise
``ContractDataError`` (a French message naming file, line and column) and Frictionless must report
errors on the same rows of the same resources. Both accept the pristine copy. The loader also refuses
to start on a descriptor feature it does not implement, and the committed descriptor is exactly what
``tools/build_datapackage.py`` produces.
"""

import csv
import json
import runpy
import shutil

import pytest

import analysis
from analysis.loading import DEFAULT_DATA_DIR
from analysis.validation import MAX_PROBLEMS_SHOWN, ContractDataError, UnsupportedDescriptorError

frictionless = pytest.importorskip("frictionless")

ROOT = DEFAULT_DATA_DIR.parents[1]


@pytest.fixture
def raw(tmp_path):
    target = tmp_path / "raw"
    shutil.copytree(DEFAULT_DATA_DIR, target, ignore=shutil.ignore_patterns("execution"))
    return target


def edit_csv(path, edit):
    """Apply ``edit(header, rows)`` to a CSV file (rows are lists of strings, edited in place)."""
    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    edit(header, rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


def set_cell(file, index, column, value):
    def edit(header, rows):
        rows[index][header.index(column)] = value

    return lambda raw: edit_csv(raw / file, edit)


def duplicate_row(file, index):
    return lambda raw: edit_csv(raw / file, lambda header, rows: rows.append(list(rows[index])))


def edit_field(resource, field, **constraints):
    """Add or change constraints of one field in the copied descriptor."""

    def mutate(raw):
        path = raw / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        schema = next(r["schema"] for r in descriptor["resources"] if r["name"] == resource)
        target = next(f for f in schema["fields"] if f["name"] == field)
        target.setdefault("constraints", {}).update(constraints)
        path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")

    return mutate


def loader_rows(raw, counted=None):
    """(resource, line) of every problem the loader keeps (the first 200, H47); empty when it loads. ``counted``
    (a list), when given, receives how many more problems it counted without keeping them."""
    paths = {r["path"]: r["name"] for r in json.loads((raw / "datapackage.json").read_text())["resources"] if "path" in r}
    try:
        analysis.load_contract(raw)
    except ContractDataError as error:
        message = str(error)
        assert message.startswith("Données du contrat invalides") and "rien n'a été chargé" in message
        for index, problem in enumerate(error.problems):
            # every problem names file, line and column, in French; the message writes out the first ones
            assert problem.file in paths and problem.line is not None and problem.column is not None, problem
            assert str(problem).startswith(f"{problem.file}, ligne {problem.line}, colonne « {problem.column} »")
            assert (str(problem) in message) == (index < MAX_PROBLEMS_SHOWN)
        if counted is not None:
            counted.append(error.omitted)
        return {(paths[p.file], p.line) for p in error.problems}
    return set()


def frictionless_rows(raw):
    """(resource, row number) of every error ``frictionless validate`` reports; empty when valid."""
    report = frictionless.validate(str(raw / "datapackage.json"), limit_errors=10_000)
    assert not report.errors, [e.message for e in report.errors]  # the descriptor itself is valid
    return {(task.name, error.row_number) for task in report.tasks for error in task.errors}


CASES = {
    "année au-dessus du maximum": set_cell("budget_figures.csv", 3, "year", "2031"),
    "financeur hors énumération": set_cell("budget_figures.csv", 3, "funder", "region"),
    "clé primaire en double": duplicate_row("indicators.csv", 4),
    "règle en double (rules.csv)": duplicate_row("rules.csv", 3),
    "imputation en double (imputations.csv)": duplicate_row("imputations.csv", 2),
    "imputation sans code en double (clé partiellement vide)": duplicate_row("imputations.csv", 4),
    "ligne CLS portant une action France Travail": set_cell("budget_figures.csv", 3, "action", "2.4"),
    "action CLS inconnue": set_cell("sub_actions.csv", 0, "action", "1.8"),
    "action sur une ligne de la délibération": set_cell("text_amounts.csv", 0, "action", "1.1"),
    "action CLS dans le plan de financement FT": set_cell("ft_financing_plan.csv", 1, "action", "1.1"),
    "motif d'identifiant de règle": set_cell("rules.csv", 2, "rule_id", "Règle-1"),
    "valeur obligatoire manquante": set_cell("indicators.csv", 3, "label", ""),
    "montant négatif": set_cell("budget_figures.csv", 0, "amount_eur", "-618000.00"),
    "nombre de places décimal": set_cell("sub_actions.csv", 0, "places", "12.5"),
    "indicateur de référence inconnu": set_cell("indicators.csv", 45, "ref_indicator", "cls-N-99"),
    "maximum abaissé dans le descripteur": edit_field("budget_figures", "year", maximum=2024),
    "unicité déclarée sur des doublons": edit_field("budget_figures", "source_line", unique=True),
    "longueur maximale déclarée": edit_field("actions", "action", maxLength=2),
}


@pytest.mark.parametrize("mutate", CASES.values(), ids=CASES.keys())
def test_loader_and_frictionless_refuse_the_same_rows(raw, mutate):
    mutate(raw)
    omitted = []
    refused = loader_rows(raw, omitted)
    assert refused, "the loader accepted a broken copy"
    expected = frictionless_rows(raw)
    # the loader keeps the first 200 problems and counts the others (H47): each one is a row Frictionless refuses,
    # and every row Frictionless refuses is kept or counted (one problem per row in these cases)
    assert refused <= expected and len(refused) + omitted[0] == len(expected)


ACCEPTED = {
    "copie intacte": lambda raw: None,
    "total de convention (action vide) passé de CLS à FT": set_cell("budget_figures.csv", 182, "convention", "ft"),
}


@pytest.mark.parametrize("mutate", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_loader_and_frictionless_accept_valid_copies(raw, mutate):
    mutate(raw)
    assert loader_rows(raw) == set() == frictionless_rows(raw)


def test_a_year_above_the_maximum_is_named_in_french(raw):
    set_cell("budget_figures.csv", 3, "year", "2031")(raw)
    with pytest.raises(ContractDataError) as info:
        analysis.load_contract(raw)
    expected = "budget_figures.csv, ligne 5, colonne « year » : valeur « 2031 » : valeur supérieure au maximum 2027"
    assert expected in str(info.value)


def test_a_cls_row_with_an_ft_action_is_named_in_french(raw):
    set_cell("budget_figures.csv", 3, "action", "2.4")(raw)
    with pytest.raises(ContractDataError) as info:
        analysis.load_contract(raw)
    assert (
        "budget_figures.csv, ligne 5, colonne « convention, action » : valeur « convention=cls, action=2.4 » : "
        "référence inconnue dans la ressource « scopes » de datapackage.json (convention, action)"
    ) in str(info.value)


def edit_descriptor(raw, edit):
    path = raw / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    edit(resources)
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")


def field(resources, resource, name):
    return next(f for f in resources[resource]["schema"]["fields"] if f["name"] == name)


UNSUPPORTED = {
    "type date": (
        lambda r: field(r, "sub_actions", "start").update(type="date"),
        "ressource « sub_actions », champ « start » : type « date » non pris en charge",
    ),
    "contrainte inconnue": (
        lambda r: field(r, "budget_figures", "year")["constraints"].update(multipleOf=1),
        "ressource « budget_figures », champ « year » : contrainte « multipleOf » non prise en charge pour le type integer",
    ),
    "contrainte d'un autre type": (
        lambda r: field(r, "budget_figures", "year")["constraints"].update(pattern="20[0-9]{2}"),
        "ressource « budget_figures », champ « year » : contrainte « pattern » non prise en charge pour le type integer",
    ),
    "nombre à la française": (
        lambda r: field(r, "budget_figures", "amount_eur").update(decimalChar=","),
        "ressource « budget_figures », champ « amount_eur » : propriété « decimalChar » non prise en charge",
    ),
    "valeurs manquantes du schéma": (
        lambda r: r["rules"]["schema"].update(missingValues=["", "NA"]),
        "ressource « rules », schéma : « missingValues » vaut",
    ),
    "dialecte CSV": (
        lambda r: r["actions"].update(dialect={"delimiter": ";"}),
        "ressource « actions » : propriété « dialect » non prise en charge",
    ),
    "clé étrangère sans ressource": (
        lambda r: r["indicators"]["schema"]["foreignKeys"][1]["reference"].pop("resource"),
        "ressource « indicators », clé étrangère : forme non prise en charge",
    ),
    "clé étrangère vers une ressource inconnue": (
        lambda r: r["sub_actions"]["schema"]["foreignKeys"][0]["reference"].update(resource="fiches"),
        "ressource « sub_actions », clé étrangère : ressource « fiches » inconnue",
    ),
}


@pytest.mark.parametrize(("edit", "expected"), UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_unsupported_descriptor_feature_stops_the_loader_before_reading(raw, edit, expected):
    edit_descriptor(raw, edit)
    (raw / "budget_figures.csv").unlink()  # never reached: the descriptor is refused first
    with pytest.raises(UnsupportedDescriptorError) as info:
        analysis.load_contract(raw)
    message = str(info.value)
    assert message.startswith("Descripteur datapackage.json invalide ou non pris en charge")
    assert "rien n'a été chargé" in message and expected in message
    assert "fichier introuvable" not in message


def test_every_resource_has_a_primary_key_that_holds_on_the_data():
    # A duplicated row is refused only where a key is declared: every resource declares one.
    resources = json.loads((DEFAULT_DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    assert [r["name"] for r in resources if not r["schema"].get("primaryKey")] == []
    tables = analysis.validation.load_tables(DEFAULT_DATA_DIR)
    for resource in resources:
        key = resource["schema"]["primaryKey"]
        assert not tables[resource["name"]].duplicated(subset=key).any(), resource["name"]


def test_committed_descriptor_is_what_the_build_script_writes():
    package = runpy.run_path(str(ROOT / "tools" / "build_datapackage.py"))["PACKAGE"]
    expected = json.dumps(package, ensure_ascii=False, indent=2) + "\n"
    assert (DEFAULT_DATA_DIR / "datapackage.json").read_text(encoding="utf-8") == expected


def test_scopes_list_every_action_and_every_convention_as_a_whole(contract):
    scopes = analysis.validation.load_tables(DEFAULT_DATA_DIR)["scopes"]
    with_action = scopes[scopes["action"].notna()]
    assert sorted(zip(with_action["convention"], with_action["action"])) == sorted(
        zip(contract.actions["convention"], contract.actions["action"])
    )
    assert sorted(scopes.loc[scopes["action"].isna(), "convention"]) == ["cls", "deliberation", "ft"]
