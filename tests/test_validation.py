"""Bad raw tables stop the load with a French error naming the file, the line and the column."""

import csv
import shutil

import pytest

import analysis
from analysis import ContractDataError
from analysis.loading import DEFAULT_DATA_DIR


@pytest.fixture
def raw(tmp_path):
    target = tmp_path / "raw"
    shutil.copytree(DEFAULT_DATA_DIR, target)
    return target


def read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def set_cell(path, data_index, column, value):
    """Change one cell; return the file line number (header = line 1) of the changed row."""
    header, rows = read(path)
    rows[data_index][header.index(column)] = value
    write(path, header, rows)
    return data_index + 2


def load_error(raw) -> ContractDataError:
    with pytest.raises(ContractDataError) as info:
        analysis.load_contract(raw)
    return info.value


@pytest.mark.parametrize(
    ("file", "column", "value", "reason"),
    [
        ("budget_figures.csv", "year", "deux mille", "nombre entier attendu"),
        ("budget_figures.csv", "amount_eur", "618 000,00", "nombre attendu"),
        ("budget_figures.csv", "amount_eur", "-618000.00", "montant négatif interdit"),
        ("budget_figures.csv", "amount_eur", "618000.001", "exactement deux décimales"),
        ("budget_figures.csv", "action", "9.9", "format invalide (motif attendu : [1-4]\\.[1-8])"),
        ("budget_figures.csv", "funder", "region", "valeur non autorisée"),
        ("indicators.csv", "label", "", "valeur obligatoire manquante"),
        ("indicator_values.csv", "indicator_id", "cls-X-0", "référence inconnue dans indicators"),
        ("indicator_values.csv", "measure", "cible", "valeur non autorisée"),
        ("sub_actions.csv", "places", "12.5", "nombre entier attendu"),
        ("actions.csv", "title", " Titre avec espace", "espaces superflus"),
    ],
)
def test_bad_cell_is_reported_with_file_line_and_column(raw, file, column, value, reason):
    line = set_cell(raw / file, 3, column, value)
    message = str(load_error(raw))
    assert "rien n'a été chargé" in message
    assert f"{file}, ligne {line}, colonne « {column} »" in message
    assert reason in message


def test_unknown_action_names_both_key_columns(raw):
    # An action is identified by (convention, action): 1.8 matches the pattern but is no CLS action.
    line = set_cell(raw / "budget_figures.csv", 3, "action", "1.8")
    message = str(load_error(raw))
    assert (
        f"budget_figures.csv, ligne {line}, colonne « convention, action » : valeur « convention=cls, action=1.8 » : "
        "référence inconnue dans la ressource « scopes » de datapackage.json (convention, action)"
    ) in message


def test_duplicate_key_names_both_lines(raw):
    header, rows = read(raw / "indicators.csv")
    write(raw / "indicators.csv", header, rows + [rows[4]])
    message = str(load_error(raw))
    assert f"indicators.csv, ligne {len(rows) + 2}, colonne « indicator_id »" in message
    assert "clé en double (déjà présente ligne 6)" in message


def test_every_problem_is_listed_at_once(raw):
    set_cell(raw / "budget_figures.csv", 0, "amount_eur", "-1.00")
    set_cell(raw / "actions.csv", 0, "axis", "")
    error = load_error(raw)
    assert len(error.problems) == 2
    assert "2 problèmes" in str(error)


def test_renamed_header_is_rejected(raw):
    header, rows = read(raw / "actions.csv")
    header[header.index("title")] = "titre"
    write(raw / "actions.csv", header, rows)
    message = str(load_error(raw))
    assert "actions.csv, ligne 1" in message and "colonnes manquantes : title" in message and "inattendues : titre" in message


def test_missing_file_is_named(raw):
    (raw / "rules.csv").unlink()
    assert "rules.csv : fichier introuvable" in str(load_error(raw))


def test_missing_descriptor_is_named(tmp_path):
    assert "datapackage.json : fichier introuvable" in str(load_error(tmp_path))


def test_valid_copy_loads(raw):
    assert len(analysis.load_contract(raw).actions) == 19
