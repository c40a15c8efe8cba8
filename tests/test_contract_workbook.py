"""The contract workbook (issue 17): a département's contract typed in the national template.

- the Pas-de-Calais contract goes through the workbook and back with every figure unchanged (the typed tables
  compared Decimal-exact), then through a package written and read by the strict loader;
- a contract typed from a blank template for another département (three axes numbered 1, 2, 3, a Département
  share below 50 % on one action) loads, and ``analysis.assess`` runs on it with an execution workbook
  exported from it and filled with ``fill_template``;
- hostile workbooks (a formula typed, text in an amount, too many cells, a bad INSEE code…) are refused with
  the cell named, by the execution workbook's machinery (``tests/hostile.py``); small files generated here.
"""

import datetime
import shutil
import zipfile
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from hostile import formatted_cells, inline_texts, planted_formulas

import analysis
from analysis.workbooks.contract_layout import (
    SHEET_ACTIONS,
    SHEET_CREDITS,
    SHEET_INDICATORS,
    SHEET_META,
    SHEET_RULES,
    build_contract_template,
)
from analysis.workbooks.layout import HEADER_ROW

#: Sheet parts of a CLS + France Travail contract workbook (sheet1 is « Lisez-moi »).
PARTS = {SHEET_ACTIONS: "xl/worksheets/sheet2.xml", SHEET_CREDITS: "xl/worksheets/sheet3.xml",
         SHEET_INDICATORS: "xl/worksheets/sheet5.xml", SHEET_RULES: "xl/worksheets/sheet7.xml",
         SHEET_META: "xl/worksheets/sheet8.xml"}
BOTH = build_contract_template(("cls", "ft"), "62")


def cell(sheet: str, line: int, field: str) -> str:
    """The cell of ``field`` on the numbered line ``line`` of ``sheet`` (line 1 is the first row of the table)."""
    return BOTH.sheets[sheet].cell(line - 1, field)


@pytest.fixture(scope="module")
def pdc_workbook(tmp_path_factory, contract):
    return analysis.export_contract_workbook(contract, tmp_path_factory.mktemp("contrat") / "contrat_62.xlsx")


@pytest.fixture(scope="module")
def typed(pdc_workbook):
    return analysis.read_contract_workbook(pdc_workbook)


# --------------------------------------------------------------------------------------------------
# The Pas-de-Calais contract through the workbook and back
# --------------------------------------------------------------------------------------------------


def same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str], columns: list[str]) -> None:
    a = a[columns].sort_values(keys).reset_index(drop=True)
    b = b[columns].sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_every_figure_of_the_pas_de_calais_contract_comes_back_unchanged(contract, typed):
    assert typed.departement == "62"
    same(contract.actions, typed.actions, ["convention", "action"], list(contract.actions.columns))
    for convention in ("cls", "ft"):
        planned, back = contract.planned_budget(convention), typed.planned_budget(convention)
        assert len(planned) == len(back) > 0
        same(planned, back, ["action", "year", "funder", "funder_detail"],
             ["convention", "action", "axis", "year", "funder", "funder_detail", "phase", "table", "amount_eur",
              "source", "source_line", "notes"])
        assert all(isinstance(a, Decimal) for a in back["amount_eur"])
    printed = contract.indicator_values[contract.indicator_values["value"].notna()]
    same(printed, typed.indicator_values, ["indicator_id", "year", "measure"], ["indicator_id", "year", "measure", "value"])
    same(contract.indicators, typed.indicators, ["indicator_id"], list(contract.indicators.columns))
    same(contract.rules, typed.rules, ["rule_id"], list(contract.rules.columns))
    for rule in ("cls_departement_min_share", "ft_advance_rate", "ft_volet2_departement_cofinancing"):
        assert typed.rule_rate(rule) == contract.rule_rate(rule)


def test_the_france_travail_ceilings_and_advance_are_those_of_the_convention(contract, typed):
    from analysis.assessment.settlement import ft_facts

    assert ft_facts(typed) == ft_facts(contract)  # 135 000 €, 4 125 892 €, advance 2 556 535,20 €, 50 %


def test_what_a_typed_contract_does_not_carry_is_empty_not_missing(contract, typed):
    for name in ("sub_actions", "financing_plan", "table_columns", "imputations"):
        frame = getattr(typed, name)
        assert frame.empty and list(frame.columns) == list(getattr(contract, name).columns), name
    assert set(typed.budget["table"].astype(str)) == {"cls_fiche_budget", "ft_fiche_budget"}


def test_a_workbook_written_from_its_own_reading_is_byte_identical(pdc_workbook, typed, tmp_path):
    again = analysis.export_contract_workbook(typed, tmp_path / "encore.xlsx")
    first = zipfile.ZipFile(pdc_workbook)
    second = zipfile.ZipFile(again)
    assert {n: first.read(n) for n in first.namelist()} == {n: second.read(n) for n in second.namelist()}


def test_the_typed_contract_goes_through_a_package_unchanged(typed, tmp_path):
    analysis.write_contract_package(typed, tmp_path / "62")
    loaded = analysis.load_contract(tmp_path / "62")
    assert loaded.departement == "62"
    for name in ("actions", "budget", "indicators", "indicator_values", "text_amounts", "rules"):
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(typed, name), obj=name)


def test_assessing_the_typed_contract_gives_the_same_consumption(contract, typed, execution):
    # The fiches' sub-action dates (H17) are not carried by a typed contract: its expected rates are the contract's
    # (100 %); with that method for both, the consumption is the same to the cent.
    execution_typed = analysis.load_execution(typed)
    original = analysis.assess(contract, execution, expected_rate_method="contrat")
    again = analysis.assess(typed, execution_typed, expected_rate_method="contrat")
    pd.testing.assert_frame_equal(original.consumption, again.consumption)
    pd.testing.assert_frame_equal(original.settlement, again.settlement)
    pd.testing.assert_frame_equal(original.achievement, again.achievement)


# --------------------------------------------------------------------------------------------------
# A contract typed from a blank template for another département
# --------------------------------------------------------------------------------------------------


def put(ws, line: int, values: dict) -> None:
    """Type ``values`` (header -> value) on the numbered line ``line`` of a sheet, as a person would."""
    headers = {ws.cell(HEADER_ROW, j).value: j for j in range(1, ws.max_column + 1)}
    for header, value in values.items():
        ws.cell(HEADER_ROW + line, headers[header]).value = value


ACTION_HEADERS = ("Contrat", "Axe (CLS) ou volet (France Travail) : numéro", "Intitulé de l'axe ou du volet",
                  "Code de l'action (ex. 1.1)", "Intitulé de l'action")
SEINE_MARITIME = [  # three axes numbered 1, 2, 3: employment is axis 2, as in Normandie's contracts
    ("CLS", "1", "Prévenir la pauvreté dès l'enfance", "1.1", "Accueil du jeune enfant"),
    ("CLS", "2", "Amplifier l'accès à l'emploi", "2.1", "Parcours vers l'emploi des jeunes"),
    ("CLS", "2", "Amplifier l'accès à l'emploi", "2.2", "Mobilité vers l'emploi"),
    ("CLS", "3", "Lutter contre la grande exclusion", "3.1", "Aller-vers pour l'accès aux droits"),
    ("France Travail", "1", "Préparer la réforme", "2.3", "Équipe projet"),
    ("France Travail", "2", "Solutions d'insertion", "2.4", "Levée des freins périphériques"),
]
#: State and Département credits per CLS action and year: 2.2 has a Département share of 40 %.
CLS_CREDITS = {"1.1": (100_000, 100_000), "2.1": (80_000, 90_000), "2.2": (60_000, 40_000), "3.1": (50_000, 50_000)}


def type_contract(path, france_travail: bool = True) -> None:
    wb = openpyxl.load_workbook(path)
    for n, row in enumerate(r for r in SEINE_MARITIME if france_travail or r[0] == "CLS"):
        put(wb[SHEET_ACTIONS], n + 1, dict(zip(ACTION_HEADERS, row)))
    credits = [("CLS", a, y, f, amount) for a, (state, dept) in CLS_CREDITS.items() for y in (2024, 2025, 2026, 2027)
               for f, amount in (("État", state), ("Département", dept))]
    if france_travail:
        credits += [("France Travail", "2.3", 2024, "État", 90_000), ("France Travail", "2.4", 2024, "État", "300 000,00 €"),
                    ("France Travail", "2.4", 2024, "Département", 300_000)]
    for n, (convention, action, year, funder, amount) in enumerate(credits, start=1):
        put(wb[SHEET_CREDITS], n, {"Contrat": convention, "Code de l'action": action, "Année": year, "Financeur": funder,
                                   "Montant prévu (€)": amount})
    put(wb["Indicateurs nationaux"], 1, {"Situation au 31/12/2023": 120, "Cible 2024": 150, "Cible 2025": 180})
    put(wb[SHEET_INDICATORS], 1, {"Contrat": "CLS", "Code de l'indicateur": "L-2.1-1", "Action (vide : tout le contrat)": "2.1",
                                  "Libellé de l'indicateur": "Jeunes en emploi à six mois", "Famille": "local",
                                  "Unité (nombre, %, ETP, jours…)": "%", "Sens": "hausse attendue",
                                  "Situation au 31/12/2023": "35 %", "Cible 2024": "40 %", "Cible 2025": 0.45})
    wb[SHEET_INDICATORS][cell(SHEET_INDICATORS, 1, "target_2025")].number_format = "0 %"  # 45 % = 45 points (H34)
    put(wb[SHEET_RULES], 2, {"Date": datetime.date(2024, 6, 3)})  # cls_signature, second rule of the template
    if france_travail:
        put(wb["Volets France Travail"], 1, {"Plafond de l'État (article 4.1), €": 90_000})
        put(wb["Volets France Travail"], 2, {"Plafond de l'État (article 4.1), €": 300_000})
    wb.save(path)


@pytest.fixture(scope="module")
def seine_maritime(tmp_path_factory):
    folder = tmp_path_factory.mktemp("76")
    path = analysis.export_contract_template(folder / "contrat_76.xlsx", "cls+ft", "76")
    type_contract(path)
    analysis.write_contract_package(analysis.read_contract_workbook(path), folder / "paquet")
    return analysis.load_contract(folder / "paquet")


def test_a_contract_typed_for_another_departement_loads(seine_maritime):
    c = seine_maritime
    assert c.departement == "76"
    cls = c.actions[c.actions["convention"] == "cls"]
    assert list(cls["axis"]) == ["1", "2", "2", "3"] and list(cls["action"]) == ["1.1", "2.1", "2.2", "3.1"]
    planned = c.planned_budget("cls")
    share = planned[(planned["action"] == "2.2") & (planned["year"] == 2024)].set_index("funder")["amount_eur"]
    assert share["departement"] / (share["etat"] + share["departement"]) == Decimal("0.4")  # below 50 %: loaded
    assert c.planned_budget("ft")["amount_eur"].sum() == Decimal("690000.00")  # « 300 000,00 € » typed as text
    values = c.indicator_values.set_index(["indicator_id", "year"])["value"]
    assert values[("L-2.1-1", 2023)] == 35 and values[("L-2.1-1", 2025)] == 45 and values[("cls-N-01", 2024)] == 150
    assert len(c.indicators[c.indicators["table"] == "cls_annexe10"]) == 15
    assert c.rule("cls_signature")["value"] == "2024-06-03" and c.rule_rate("ft_advance_rate") == Decimal("0.6")
    amounts = c.text_amounts.set_index("scope")["amount_eur"]
    assert amounts["contract"] == Decimal("390000.00") and amounts["advance"] == Decimal("234000.00")


def test_frictionless_validates_the_package_of_a_typed_contract(seine_maritime):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(seine_maritime.source_dir / "datapackage.json"))
    assert report.valid, [e.message for e in report.errors] + [e.message for t in report.tasks for e in t.errors]


def test_assess_runs_on_the_typed_contract_with_an_execution_workbook_exported_from_it(seine_maritime, tmp_path):
    contract = seine_maritime
    path = analysis.export_template(contract, "cls", 2024, tmp_path / "bilan_cls_2024.xlsx")
    entries = pd.DataFrame([
        ("Exécution financière", "1.1", "paid", 100_000), ("Exécution financière", "1.1", "executed_etat", 90_000),
        ("Exécution financière", "1.1", "executed_departement", 95_000),
        ("Exécution financière", "2.2", "paid", 60_000), ("Exécution financière", "2.2", "executed_etat", 20_000),
        ("Exécution financière", "2.2", "executed_departement", 15_000),
        ("Indicateurs", "L-2.1-1", "result", "38 %"), ("Indicateurs", "cls-N-01", "result", 160),
    ], columns=["sheet", "key", "field", "value"])
    analysis.fill_template(path, contract, entries)
    assessment = analysis.assess(contract, analysis.read_execution(path, contract))
    rows = assessment.consumption.set_index("action")
    assert list(rows.index) == ["1.1", "2.1", "2.2", "3.1"]
    assert rows.loc["2.2", "flag"] == "sous_consommation_manifeste" and rows.loc["2.2", "amount_at_risk"] == Decimal("40000.00")
    assert rows.loc["2.2", "departement_share"] < float(assessment.parameters["cls_departement_min_share"])
    achieved = assessment.achievement.set_index(["indicator_id", "year"])
    assert achieved.loc[("L-2.1-1", 2024), "result"] == 38 and achieved.loc[("cls-N-01", 2024), "result"] == 160
    assert assessment.settlement.empty  # no France Travail workbook


def test_assess_runs_on_a_cls_only_contract(tmp_path):
    path = analysis.export_contract_template(tmp_path / "cls_76.xlsx", "cls", "76")
    type_contract(path, france_travail=False)
    contract = analysis.read_contract_workbook(path)
    assert set(contract.actions["convention"]) == {"cls"}
    bilan = analysis.export_template(contract, "cls", 2024, tmp_path / "bilan.xlsx")
    assessment = analysis.assess(contract, analysis.read_execution(bilan, contract))
    # a contract without a France Travail part: no settlement, no co-financing, no France Travail fact
    assert assessment.settlement.empty and assessment.cofinancing.empty
    assert assessment.parameters["ft_advance"] is None and assessment.parameters["cls_departement_min_share"] is not None


def test_the_blank_template_proposes_the_national_models(tmp_path):
    path = analysis.export_contract_template(tmp_path / "vide.xlsx", "ft", "2A")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Lisez-moi", "Actions", "Crédits", "Indicateurs", "Volets France Travail", "Règles et dates",
                             "_modele"]
    assert "Corse-du-Sud (2A)" in wb["Lisez-moi"]["A1"].value
    rules = [wb[SHEET_RULES].cell(HEADER_ROW + n, 2).value for n in range(1, 7)]
    assert rules[:2] == ["ft_advance_rate", "ft_volet2_departement_cofinancing"] and "ft_volet3_end" in rules
    with pytest.raises(analysis.ContractWorkbookError, match="aucune action saisie"):
        analysis.read_contract_workbook(path)
    again = analysis.export_contract_template(tmp_path / "encore.xlsx", "ft", "2A")
    assert path.read_bytes() == again.read_bytes()


@pytest.mark.parametrize(("model", "departement", "expected"), [
    ("cls", "99", "code INSEE de département inconnu"),
    ("cls", "2a", "code INSEE de département inconnu"),
    ("cls", 62, "code INSEE attendu en texte"),
    ("rsa", "62", "modèle de contrat inconnu"),
])
def test_a_bad_model_or_departement_is_refused_in_french(tmp_path, model, departement, expected):
    with pytest.raises(ValueError, match=expected):
        analysis.export_contract_template(tmp_path / "x.xlsx", model, departement)
    assert not (tmp_path / "x.xlsx").exists()


# --------------------------------------------------------------------------------------------------
# Hostile and broken workbooks, refused with the cell named
# --------------------------------------------------------------------------------------------------


def refused(path) -> list[str]:
    with pytest.raises(analysis.ContractWorkbookError) as info:
        analysis.read_contract_workbook(path)
    message = str(info.value)
    assert message.startswith("Classeur du contrat refusé") and "rien n'a été chargé" in message
    assert "Traceback" not in message
    return [str(p) for p in info.value.problems]


def test_a_formula_in_an_input_cell_is_refused(pdc_workbook, tmp_path):
    out = planted_formulas(pdc_workbook, tmp_path / "f.xlsx", {cell(SHEET_CREDITS, 1, "amount"): b"SUM(1,2)",
                                                                cell(SHEET_ACTIONS, 2, "title"): b"cmd|' /C calc'!A0"},
                           part=PARTS[SHEET_CREDITS])
    problems = refused(out)
    assert any(f"« {SHEET_CREDITS} », cellule {cell(SHEET_CREDITS, 1, 'amount')}" in p and "formule" in p for p in problems)
    out = planted_formulas(pdc_workbook, tmp_path / "g.xlsx", {cell(SHEET_ACTIONS, 2, "title"): b"cmd|' /C calc'!A0"},
                           part=PARTS[SHEET_ACTIONS])
    assert any(cell(SHEET_ACTIONS, 2, "title") in p and "formule dans une cellule de saisie" in p for p in refused(out))


@pytest.mark.parametrize(("sheet", "line", "field", "text", "reason"), [
    (SHEET_CREDITS, 3, "amount", "six cent mille", "nombre attendu"),
    (SHEET_CREDITS, 3, "amount", "-618 000,00 €", "montant négatif interdit"),
    (SHEET_CREDITS, 3, "amount", "618 000,005", "au centime près"),
    (SHEET_CREDITS, 3, "year", "2031", "valeur supérieure au maximum 2027"),
    (SHEET_ACTIONS, 1, "title", "\u00a0=HYPERLINK(\"http://x\")", "formule dissimulée"),
    (SHEET_ACTIONS, 1, "title", "Accueil \u202e de proximité", "caractère de contrôle U+202E"),
    (SHEET_ACTIONS, 1, "action", "1.1.1", "format invalide"),
    (SHEET_ACTIONS, 2, "action", "1.1", "action déjà saisie ligne 5"),
    (SHEET_CREDITS, 1, "action", "9.9", "action inconnue"),
    (SHEET_INDICATORS, 1, "ref_indicator", "cls-N-99", "indicateur de référence inconnu"),
    (SHEET_RULES, 1, "rule_id", "Part-CD", "format invalide"),
    (SHEET_RULES, 1, "value", "50 €", "montant en euros inattendu"),
])
def test_a_wrong_cell_is_refused_and_named(pdc_workbook, tmp_path, sheet, line, field, text, reason):
    where = cell(sheet, line, field)
    out = inline_texts(pdc_workbook, tmp_path / "x.xlsx", {where: text}, part=PARTS[sheet])
    problems = refused(out)
    assert any(f"feuille « {sheet} », cellule {where}" in p and reason in p for p in problems), problems


def test_a_missing_required_rule_is_refused(pdc_workbook, tmp_path):
    out = inline_texts(pdc_workbook, tmp_path / "x.xlsx", {cell(SHEET_RULES, 9, "rule_id"): "taux_avance"},
                       part=PARTS[SHEET_RULES])  # line 9 is ft_advance_rate
    assert any("ft_advance_rate" in p and "règle obligatoire absente" in p for p in refused(out))


def test_too_many_cells_are_refused_before_the_table_is_read(pdc_workbook, tmp_path):
    out = formatted_cells(pdc_workbook, tmp_path / "x.xlsx", 60_000, first=1000, part=PARTS[SHEET_CREDITS], per_row=5)
    assert any("plus de 50\u00a0000 cellules" in p for p in refused(out))


@pytest.mark.parametrize(("value", "reason"), [("99", "code INSEE de département inconnu"),
                                               ("2a", "département du classeur refusé")])
def test_a_bad_insee_code_in_the_workbook_is_refused(pdc_workbook, tmp_path, value, reason):
    out = inline_texts(pdc_workbook, tmp_path / "x.xlsx", {"B4": value}, part=PARTS[SHEET_META])
    problems = refused(out)
    assert any(f"feuille « {SHEET_META} », cellule B4" in p and reason in p for p in problems), problems


def test_an_execution_workbook_is_not_a_contract_workbook(tmp_path):
    shutil.copy(analysis.domain.EXAMPLES_DIR / "execution_FICTIVE_cls_2024.xlsx", tmp_path / "x.xlsx")
    assert any("n'est pas un classeur du contrat" in p for p in refused(tmp_path / "x.xlsx"))


def test_both_packs_are_produced_for_the_typed_contract(seine_maritime, tmp_path):
    """Issue 17: a contract typed for another département (three axes, other numbering) reconciles, is assessed
    and gets both packs, with its own département named."""
    from analysis.pack import ft_final_pack, mid_term_pack, write_pack
    from analysis.pack.printed import pack_html

    contract = seine_maritime
    executions = []
    for convention, year, rows in (("cls", 2024, [("1.1", "paid", 100_000), ("1.1", "executed_etat", 90_000),
                                                  ("1.1", "executed_departement", 95_000), ("2.2", "paid", 60_000),
                                                  ("2.2", "executed_etat", 20_000), ("2.2", "executed_departement", 15_000)]),
                                   ("ft", 2024, [])):
        path = analysis.export_template(contract, convention, year, tmp_path / f"bilan_{convention}_{year}.xlsx")
        entries = pd.DataFrame([("Exécution financière", a, f, v) for a, f, v in rows],
                               columns=["sheet", "key", "field", "value"])
        if len(entries):
            analysis.fill_template(path, contract, entries)
        executions.append(analysis.read_execution(path, contract))
    execution = analysis.Execution.concat(executions)
    assessment, checks = analysis.assess(contract, execution), analysis.reconcile(contract, execution)
    coverage = checks[checks["family"] == "couverture"]
    assert not (coverage["status"] == "ecart").any()  # the annexes it does not hold are not held against it
    cls_pack = mid_term_pack(contract, execution, assessment, checks, 2024, 2024)
    ft_pack = ft_final_pack(contract, execution, assessment, checks)
    for pack in (cls_pack, ft_pack):
        assert write_pack(pack, tmp_path).is_file()
        html = pack_html(pack)
        assert "Seine-Maritime (76)" in html and "Pas-de-Calais" not in html
    annex = cls_pack.table("Annexe 11 - 2024").frame
    assert list(annex.loc[annex["row_type"] == "line", "Fiche action N°"]) == ["1.1", "2.1", "2.2", "3.1"]
