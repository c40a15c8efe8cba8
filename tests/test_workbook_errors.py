"""A corpus of malformed execution workbooks: each is rejected with a French error naming sheet and cell.

Every case starts from a valid filled workbook (the fictitious CLS 2024 scenario), breaks one thing the
way an analyst or a file system might, and checks that :func:`read_execution` raises ``WorkbookError``
with the expected sheet, cell and reason, and that nothing is loaded.
"""

import datetime
import shutil
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from hostile import at

from analysis.example import scenario_entries
from analysis.workbooks import (
    SHEET_AMENDMENT,
    SHEET_FINANCE,
    SHEET_INDICATORS,
    SHEET_META,
    WorkbookError,
    export_template,
    load_execution,
    read_execution,
    template_layout,
)

F, IND, A, M = SHEET_FINANCE, SHEET_INDICATORS, SHEET_AMENDMENT, SHEET_META


@pytest.fixture(scope="module")
def valid(contract, tmp_path_factory):
    """A valid filled CLS 2024 workbook and an FT 2024 one."""
    folder = tmp_path_factory.mktemp("valid")
    cls = export_template(contract, "cls", 2024, folder / "cls_2024.xlsx", prefill=scenario_entries(contract, "cls", 2024))
    ft = export_template(contract, "ft", 2024, folder / "ft_2024.xlsx", prefill=scenario_entries(contract, "ft", 2024))
    read_execution(cls, contract)  # sanity: the starting point is accepted
    return {"cls": cls, "ft": ft}


@pytest.fixture(scope="module")
def layout(contract):
    return template_layout(contract, "cls", 2024)


def edit(path, change):
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)


def setter(sheet, key, field, value):
    """Mutation writing ``value`` into the cell of (sheet, key, field); returns (mutation, cell)."""
    def mutate(path, layout):
        cell = at(layout, sheet, key, field)
        edit(path, lambda wb: wb[sheet].__setitem__(cell, value))
        return cell
    return mutate


def raw(sheet, cell, value):
    def mutate(path, layout):
        edit(path, lambda wb: wb[sheet].__setitem__(cell, value))
        return cell
    return mutate


def write_bytes(data):
    def mutate(path, layout):
        path.write_bytes(data)
        return None
    return mutate


def not_an_xlsx_zip(path, layout):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("notes.txt", "ceci n'est pas un classeur")


def delete_sheet(name):
    def mutate(path, layout):
        edit(path, lambda wb: wb.remove(wb[name]))
    return mutate


def rename_sheet(path, layout):
    def change(wb):
        wb[F].title = "Execution"
    edit(path, change)


def merge(path, layout):
    first = at(layout, F, "1.2", "paid")
    last = at(layout, F, "1.2", "executed_etat")
    edit(path, lambda wb: wb[F].merge_cells(f"{first}:{last}"))
    return f"{first}:{last}"


def insert_duplicate_row(path, layout):
    def change(wb):
        ws = wb[F]
        ws.insert_rows(7)
        for col in range(1, ws.max_column + 1):
            ws.cell(7, col).value = ws.cell(6, col).value
    edit(path, change)
    return "B7"


def duplicate_indicator(path, layout):
    def change(wb):
        ws = wb[IND]
        ws.insert_rows(9)
        for col in range(1, ws.max_column + 1):
            ws.cell(9, col).value = ws.cell(5, col).value
    edit(path, change)
    return "A9"


def insert_column(path, layout):
    edit(path, lambda wb: wb[F].insert_cols(5))
    return "E4"


def delete_column(path, layout):
    edit(path, lambda wb: wb[F].delete_cols(6))
    return "F4"


def insert_row_above_headers(path, layout):
    edit(path, lambda wb: wb[IND].insert_rows(2))
    return "A4"


def delete_row(path, layout):
    edit(path, lambda wb: wb[A].delete_rows(7))
    return None


def add_row_below(path, layout):
    def change(wb):
        ws = wb[F]
        ws.cell(ws.max_row + 2, 8).value = 1000
    edit(path, change)
    return None


def meta_value(key, value):
    def mutate(path, layout):
        def change(wb):
            ws = wb[M]
            for row in ws.iter_rows():
                if row[0].value == key:
                    row[1].value = value
        edit(path, change)
    return mutate


def rename_extension(path, layout):
    target = path.with_suffix(".xls")
    path.rename(target)
    return target


# (id, mutation, read kwargs, expected sheet, expected cell (True: the one the mutation returns), reason fragment)
CASES = [
    ("fichier_vide", write_bytes(b""), {}, None, None, "fichier vide"),
    ("texte_renomme_xlsx", write_bytes(b"action;montant\n1.1;618000\n"), {}, None, None,
     "n'est pas un classeur Excel .xlsx"),
    ("zip_sans_classeur", not_an_xlsx_zip, {}, None, None, "illisible ou endommagé"),
    ("extension_xls", rename_extension, {}, None, None, "extension « .xls » non prise en charge"),
    ("feuille_indicateurs_supprimee", delete_sheet(IND), {}, IND, None, "feuille absente"),
    ("feuille_avenant_supprimee", delete_sheet(A), {}, A, None, "feuille absente"),
    ("feuille_renommee", rename_sheet, {}, F, None, "feuilles inattendues : « Execution »"),
    ("metadonnees_supprimees", delete_sheet(M), {}, M, None, "métadonnées du modèle absente"),
    ("texte_dans_montant", setter(F, "1.1", "paid", "beaucoup"), {}, F, True, "nombre attendu"),
    ("texte_dans_resultat", setter(IND, "cls-L-1.1-1", "result", "n.c."), {}, IND, True, "nombre attendu"),
    ("montant_negatif", setter(F, "1.3", "executed_departement", -5000), {}, F, True, "montant négatif interdit"),
    ("montant_negatif_en_texte", setter(A, "1.5", "notified", "-1 000,00 €"), {}, A, True, "montant négatif interdit"),
    ("resultat_negatif", setter(IND, "cls-N-04", "result", -3), {}, IND, True, "valeur négative interdite"),
    ("taux_hors_bornes", setter(F, "3.1", "ramp_up", "150 %"), {}, F, True, "taux attendu entre 0 % et 100 %"),
    ("pourcentage_dans_montant", setter(F, "1.1", "paid", "50 %"), {}, F, True, "pourcentage inattendu"),
    ("plus_de_deux_decimales", setter(F, "1.1", "executed_departement", "12,345"), {}, F, True, "au centime près"),
    ("date_dans_montant", setter(F, "1.2", "paid", datetime.datetime(2024, 12, 31)), {}, F, True, "date ou heure"),
    ("booleen_dans_montant", setter(F, "1.2", "paid", True), {}, F, True, "VRAI/FAUX"),
    ("formule_dans_saisie", setter(F, "1.2", "executed_departement", "=1000+2000"), {}, F, True,
     "formule dans une cellule de saisie"),
    ("motif_hors_liste", setter(F, "3.3", "gap_reason", "Parce que"), {}, F, True, "motif hors de la liste"),
    ("action_inconnue", raw(F, "B8", "9.9"), {}, F, True, "action inconnue"),
    ("action_autre_convention", raw(A, "B6", "2.3"), {}, A, True, "code d'une autre convention"),
    ("indicateur_inconnu", raw(IND, "A6", "cls-L-9.9-9"), {}, IND, True, "indicateur inconnu"),
    ("ligne_copiee_en_double", raw(F, "B6", "1.1"), {}, F, True, "ligne en double : « 1.1 » figure déjà en B5"),
    ("ligne_inseree_en_double", insert_duplicate_row, {}, F, True, "ligne en double : « 1.2 » figure déjà en B6"),
    ("indicateur_en_double", duplicate_indicator, {}, IND, True, "ligne en double"),
    ("ligne_supprimee", delete_row, {}, A, None, "supprimée ou déplacée"),
    ("ligne_ajoutee_sous_le_tableau", add_row_below, {}, F, None, "ligne ajoutée"),
    ("contenu_hors_tableau", raw(F, "Z9", "note perso"), {}, F, True, "hors du tableau"),
    ("montant_prevu_verrouille_modifie", raw(F, "D5", 1), {}, F, True,
     "cellule verrouillée modifiée : « 618\u00a0000,00\u00a0€ » attendu"),
    ("intitule_verrouille_modifie", raw(F, "C6", "Autre titre"), {}, F, True, "cellule verrouillée modifiée"),
    ("cible_verrouillee_modifiee", raw(IND, "F5", 1), {}, IND, True, "cellule verrouillée modifiée"),
    ("formule_remplacee_par_valeur", raw(F, "J5", 0), {}, F, True, "formule remplacée par une valeur"),
    ("formule_modifiee", raw(F, "M5", "=I5"), {}, F, True, "formule modifiée"),
    ("sous_total_modifie", raw(F, "H10", "=SUM(H5:H8)"), {}, F, True, "formule modifiée"),
    ("en_tete_renomme", raw(F, "H4", "Crédits versés"), {}, F, True,
     "en-tête modifié ou renommé : « Crédits État versés 2024 » attendu"),
    ("colonne_inseree", insert_column, {}, F, True, "colonne insérée"),
    ("colonne_supprimee", delete_column, {}, F, True, "supprimée"),
    ("ligne_inseree_au_dessus_des_en_tetes", insert_row_above_headers, {}, IND, True, "en-têtes trouvés ligne 5"),
    ("cellules_fusionnees_sur_saisie", merge, {}, F, True, "cellules fusionnées sur des colonnes de saisie"),
    ("realise_superieur_aux_credits_verses", setter(F, "1.1", "executed_etat", Decimal("700000")), {}, F, True,
     "dépasse les crédits État versés"),
    ("report_superieur_aux_non_consommes", setter(F, "1.1", "carry_over_etat", Decimal("600000")), {}, F, True,
     "dépasse les crédits État non consommés"),
    ("mauvaise_annee", lambda path, layout: None, {"year": 2025}, M, "B5",
     "classeur de l'exercice 2024 alors que l'exercice 2025 est attendu"),
    ("mauvaise_convention", "ft", {"convention": "cls"}, M, "B4", "classeur de la convention « Convention France Travail 2024 »"),
    ("annee_des_metadonnees_modifiee", meta_value("annee", 2025), {"year": 2024}, M, "B5",
     "alors que l'exercice 2024 est attendu"),
    ("version_du_modele", meta_value("version", "0"), {}, M, "B3", "version du modèle non prise en charge"),
    ("pas_un_modele_du_projet", meta_value("modele", "autre.chose"), {}, M, "B2", "pas un modèle d'exécution"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_malformed_workbook_is_rejected_with_a_located_french_error(case, contract, valid, layout, tmp_path):
    name, mutate, kwargs, sheet, cell, fragment = case
    source = valid["ft"] if mutate == "ft" else valid["cls"]
    path = tmp_path / f"{name}.xlsx"
    shutil.copy(source, path)
    returned = None if mutate == "ft" else mutate(path, layout)
    if isinstance(returned, type(path)):
        path = returned
    if cell is True:
        cell = returned
    with pytest.raises(WorkbookError) as caught:
        read_execution(path, contract, **kwargs)
    error = caught.value
    message = str(error)
    assert message.startswith("Classeur d'exécution refusé") and "rien n'a été chargé" in message
    assert isinstance(error, ValueError) and error.problems
    matches = [p for p in error.problems if p.sheet == sheet and (cell is None or p.cell == cell) and fragment in str(p)]
    assert matches, message
    problem = matches[0]
    assert problem.file == path.name and str(problem).startswith(path.name)
    if sheet is not None:
        assert f"feuille « {sheet} »" in message
    if cell is not None:
        assert (f"cellule {cell}" in message) or (f"cellules {cell}" in message)


def test_corpus_is_large_enough():
    assert len(CASES) >= 25


def test_every_problem_is_listed_at_once(contract, valid, layout, tmp_path):
    path = shutil.copy(valid["cls"], tmp_path / "plusieurs.xlsx")

    def change(wb):
        wb[F][at(layout, F, "1.1", "paid")] = "n.c."
        wb[F][at(layout, F, "1.4", "executed_departement")] = -1
        wb[IND][at(layout, IND, "cls-L-3.2-1", "result")] = "beaucoup"
        wb[A][at(layout, A, "4.1", "notified")] = "12 000,999"
        wb[F]["H4"] = "Autre en-tête"
    edit(path, change)
    with pytest.raises(WorkbookError) as caught:
        read_execution(path, contract, year=2025)
    cells = {(p.sheet, p.cell) for p in caught.value.problems}
    assert {
        (F, at(layout, F, "1.1", "paid")), (F, at(layout, F, "1.4", "executed_departement")),
        (IND, at(layout, IND, "cls-L-3.2-1", "result")), (A, at(layout, A, "4.1", "notified")), (F, "H4"), (M, "B5"),
    } <= cells
    assert "6 problèmes trouvés" in str(caught.value) or len(caught.value.problems) >= 6


def test_missing_file_is_named(contract, tmp_path):
    with pytest.raises(WorkbookError, match="absent.xlsx : fichier introuvable"):
        read_execution(tmp_path / "absent.xlsx", contract)


def test_one_bad_workbook_in_a_folder_loads_nothing(contract, valid, tmp_path):
    shutil.copy(valid["cls"], tmp_path / "a_bon.xlsx")
    bad = shutil.copy(valid["ft"], tmp_path / "b_mauvais.xlsx")
    edit(bad, lambda wb: wb[F].__setitem__("H5", "beaucoup"))
    with pytest.raises(WorkbookError) as caught:
        load_execution(contract, tmp_path)
    assert [p.file for p in caught.value.problems] == ["b_mauvais.xlsx"]
    expected = "b_mauvais.xlsx, feuille « Exécution financière », cellule H5 : valeur « beaucoup » : nombre attendu"
    assert expected in str(caught.value)
