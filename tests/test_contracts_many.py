"""Many départements (issue 17): the reference table of the 101 départements, the package's ``departement``
checked by the strict loader, packages written by ``write_contract_package``, ``load_contracts`` (one package per
sub-folder) and ``load_executions_by_departement`` (one folder of workbooks per INSEE code)."""

import dataclasses
import json
import shutil

import pandas as pd
import pytest

import analysis
from analysis.domain import EXAMPLES_DIR, RAW_DIR
from analysis.reference import departement_name, departements, national_indicators
from analysis.validation import ContractDataError

# --------------------------------------------------------------------------------------------------
# The reference tables
# --------------------------------------------------------------------------------------------------


def test_the_101_departements_and_their_18_regions():
    d = departements()
    assert list(d.columns[:4]) == ["code", "nom", "region_code", "region"]
    assert len(d) == 101 and d["code"].is_unique and d["nom"].is_unique
    overseas = d[d["code"].str.len() == 3]
    assert list(overseas["code"]) == ["971", "972", "973", "974", "976"] and len(d) - len(overseas) == 96
    regions = d.groupby("region_code")["region"].agg(set)
    assert len(regions) == 18 and all(len(names) == 1 for names in regions)
    assert sorted(regions.index) == ["01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76",
                                     "84", "93", "94"]
    assert set(d.loc[d["region_code"] == "94", "code"]) == {"2A", "2B"}
    assert d.set_index("code").loc["62", "region"] == "Hauts-de-France" and departement_name("01") == "Ain"
    assert len(d[d["region_code"] == "28"]) == 5  # Normandie: Calvados, Eure, Manche, Orne, Seine-Maritime


def test_the_national_indicators_are_those_of_the_printed_annex_10(contract):
    vocabulary = national_indicators()
    assert list(vocabulary["code"]) == [f"cls-N-{n:02d}" for n in range(1, 16)]
    annex = contract.indicators[contract.indicators["table"] == "cls_annexe10"]
    assert list(annex["label"]) == list(vocabulary["libelle"])
    assert list(annex["unit"]) == list(vocabulary["unite"]) and list(annex["direction"]) == list(vocabulary["sens"])


# --------------------------------------------------------------------------------------------------
# The package's département, checked by the strict loader
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def raw(tmp_path):
    target = tmp_path / "raw"
    shutil.copytree(RAW_DIR, target)
    return target


def set_departement(folder, value=None, drop=False):
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    if drop:
        del descriptor["departement"]
    else:
        descriptor["departement"] = value
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")


def test_the_shipped_package_is_the_pas_de_calais(contract):
    assert contract.departement == "62"
    assert json.loads((RAW_DIR / "datapackage.json").read_text(encoding="utf-8"))["departement"] == "62"


@pytest.mark.parametrize(("value", "drop", "expected"), [
    (None, True, "propriété « departement » absente"),
    ("99", False, "code INSEE de département inconnu"),
    ("2a", False, "code INSEE de département inconnu"),
    ("6", False, "écrire le code sur deux chiffres : « 06 »"),
    (62, False, "code INSEE attendu en texte"),
    ("6\u202e2", False, "caractère de contrôle U+202E"),  # refused with the descriptor's text
])
def test_a_package_without_a_known_departement_is_refused(raw, value, drop, expected):
    set_departement(raw, value, drop)
    with pytest.raises(ContractDataError) as info:
        analysis.load_contract(raw)
    message = str(info.value)
    assert "rien n'a été chargé" in message and "datapackage.json" in message and expected in message
    assert "\u202e" not in message


def test_the_departement_and_the_tables_are_refused_together(raw):
    set_departement(raw, "99")
    budget = raw / "budget_figures.csv"
    budget.write_text(budget.read_text(encoding="utf-8").replace("618000.00", "618 000,00", 1), encoding="utf-8")
    with pytest.raises(ContractDataError) as info:
        analysis.load_contract(raw)
    assert [p.file for p in info.value.problems] == ["datapackage.json", "budget_figures.csv"]
    assert "2 problèmes trouvés" in str(info.value)


def test_a_package_may_leave_out_the_transcription_of_a_printed_document(raw, contract):
    path = raw / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    gone = {"text_amounts", "table_columns", "ft_financing_plan", "imputations", "sub_actions"}
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] not in gone]
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    for name in gone:
        (raw / f"{name}.csv").unlink()
    loaded = analysis.load_contract(raw)
    for attribute in ("text_amounts", "table_columns", "financing_plan", "imputations", "sub_actions"):
        frame, full = getattr(loaded, attribute), getattr(contract, attribute)
        assert frame.empty and list(frame.dtypes.astype(str)) == list(full.dtypes.astype(str)), attribute
    pd.testing.assert_frame_equal(loaded.budget, contract.budget)


def test_the_required_tables_stay_required(raw):
    path = raw / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "rules"]
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ContractDataError, match="ressource « rules » : ressource absente"):
        analysis.load_contract(raw)


# --------------------------------------------------------------------------------------------------
# Packages written by write_contract_package
# --------------------------------------------------------------------------------------------------


def test_the_pas_de_calais_package_is_written_as_it_was_transcribed(contract, tmp_path):
    analysis.write_contract_package(contract, tmp_path / "62")
    for csv in RAW_DIR.glob("*.csv"):
        if csv.name != "table_columns.csv":  # one cell quoted without need in the transcription
            assert (tmp_path / "62" / csv.name).read_bytes() == csv.read_bytes(), csv.name
    loaded = analysis.load_contract(tmp_path / "62")
    for name in ("actions", "budget", "sub_actions", "indicators", "indicator_values", "text_amounts", "financing_plan",
                 "table_columns", "imputations", "rules"):
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(contract, name), obj=name)


def test_a_package_is_never_written_without_a_departement_nor_into_data_raw(contract, tmp_path):
    with pytest.raises(ValueError, match="département"):
        analysis.write_contract_package(dataclasses.replace(contract, departement=None), tmp_path / "x")
    assert not (tmp_path / "x").exists()
    with pytest.raises(ValueError, match="écriture refusée"):
        analysis.write_contract_package(contract, RAW_DIR / "copie")
    assert not (RAW_DIR / "copie").exists()


# --------------------------------------------------------------------------------------------------
# load_contracts: one package per sub-folder
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def packages(tmp_path, contract):
    folder = tmp_path / "contrats"
    shutil.copytree(RAW_DIR, folder / "pas-de-calais")
    analysis.write_contract_package(dataclasses.replace(contract, departement="2B"), folder / "2B")
    analysis.write_contract_package(dataclasses.replace(contract, departement="01"), folder / "ain")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / "LISEZMOI.txt").write_text("dossier des contrats", encoding="utf-8")
    return folder


def test_load_contracts_maps_each_departement_to_its_contract(packages):
    contracts = analysis.load_contracts(packages)
    assert list(contracts) == ["01", "2B", "62"]  # INSEE order, whatever the sub-folders' names
    assert {code: c.departement for code, c in contracts.items()} == {"01": "01", "2B": "2B", "62": "62"}
    assert contracts["2B"].source_dir == packages / "2B"


def test_two_packages_of_one_departement_are_both_refused_naming_both(packages, contract):
    analysis.write_contract_package(dataclasses.replace(contract, departement="62"), packages / "62")
    with pytest.raises(ContractDataError) as info:
        analysis.load_contracts(packages)
    message = str(info.value)
    assert "« 62 » et « pas-de-calais » sont refusés" in message or "« pas-de-calais » et « 62 » sont refusés" in message


def test_every_rejected_package_is_listed_in_one_error(packages):
    set_departement(packages / "2B", "20")
    budget = packages / "ain" / "budget_figures.csv"
    budget.write_text(budget.read_text(encoding="utf-8").replace("618000.00", "618 000,00", 1), encoding="utf-8")
    (packages / "vide").mkdir()
    with pytest.raises(ContractDataError) as info:
        analysis.load_contracts(packages)
    files = {p.file for p in info.value.problems}
    assert files == {"2B/datapackage.json", "ain/budget_figures.csv", "vide"}
    assert "rien n'a été chargé" in str(info.value)


def test_a_folder_without_any_package_is_refused(tmp_path):
    with pytest.raises(ContractDataError, match="aucun paquet de contrat"):
        analysis.load_contracts(tmp_path)
    with pytest.raises(ContractDataError, match="dossier introuvable"):
        analysis.load_contracts(tmp_path / "absent")


# --------------------------------------------------------------------------------------------------
# load_executions_by_departement: one folder of workbooks per INSEE code
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def bilans(tmp_path):
    folder = tmp_path / "bilans"
    shutil.copytree(EXAMPLES_DIR, folder / "62", ignore=shutil.ignore_patterns("*.md"))
    (folder / "01").mkdir(parents=True)
    (folder / "01" / "notes.txt").write_text("rien encore", encoding="utf-8")
    return folder


def test_each_departement_is_read_against_its_own_contract(bilans, contract):
    contracts = {"01": dataclasses.replace(contract, departement="01"), "62": contract, "2B": contract}
    result = analysis.load_executions_by_departement(contracts, bilans)
    assert list(result.executions) == ["62"] and result.without == ("01", "2B")
    assert "62" in result and len(result["62"].workbooks) == 3
    pd.testing.assert_frame_equal(result["62"].budget, analysis.load_execution(contract).budget)


def test_a_stray_folder_or_a_rejected_workbook_rejects_everything(bilans, contract):
    shutil.copytree(bilans / "62", bilans / "99")
    (bilans / "62" / "execution_FICTIVE_ft_2024.xlsx").write_bytes(b"pas un classeur")
    with pytest.raises(analysis.WorkbookError) as info:
        analysis.load_executions_by_departement({"62": contract}, bilans)
    files = {p.file for p in info.value.problems}
    assert files == {"99", "62/execution_FICTIVE_ft_2024.xlsx"}
    assert "code INSEE de département inconnu" in str(info.value)
