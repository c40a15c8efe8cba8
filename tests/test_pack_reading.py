"""Issue 15, item 8: what a person reads in the two packs — no code, the document's inconsistencies apart from
the findings to clear, the contract's own titles and imputations, euro formats on every amount, both readings
of the volet 1 forfait, the avenants' reductions beside the amounts exposed, the France Travail plan d'actions."""

import re
from decimal import Decimal

import openpyxl
import pytest

import analysis
from analysis import display
from analysis.assumptions import get
from analysis.domain import ASSUMPTION_VALUE_LABELS, DOCUMENT_LABELS, TABLE_LABELS
from analysis.pack import ft_final_pack, mid_term_pack, write_pack
from analysis.pack.base import for_reading
from analysis.pack.findings import check_label, readable
from analysis.xlsx import MONEY_FORMAT


@pytest.fixture(scope="module")
def assessed(contract, execution):
    return analysis.assess(contract, execution), analysis.reconcile(contract, execution)


@pytest.fixture(scope="module")
def packs(contract, execution, assessed):
    return mid_term_pack(contract, execution, *assessed), ft_final_pack(contract, execution, *assessed)


#: What a reader must never meet: a check identifier, a table or document code, an indicator identifier, a
#: reading's code, a Python boolean, a transcription code (S01…, A01…), a period of one year written as two.
CODES = [
    re.compile(r"\b[a-z_]+/[a-z0-9_.\-]+/"),
    re.compile(r"\b(?:cls|ft)-[LNFP]-[\d.]+"),
    re.compile(r"\b(?:True|False|None|nan|NaN)\b"),
    re.compile(r"\b[SA]\d{2}\b"),
    re.compile(r"période (\d{4})-\1\b"),
    re.compile("|".join(rf"\b{re.escape(c)}\b" for c in (*TABLE_LABELS, *DOCUMENT_LABELS) if "_" in c)),
    re.compile("|".join(rf"\b{re.escape(c)}\b" for c in ASSUMPTION_VALUE_LABELS if "_" in c)),
    re.compile(r"intitulé non imprimé"),
]


def read_texts(pack):
    """Every text a person reads in ``pack``: titles, notes and cells as the notebooks and the printed report
    show them (the hidden identifier column left out)."""
    for table in pack.tables:
        for text in (*table.titles, *table.notes):
            yield table.sheet, text
        for column in for_reading(table).columns:
            yield table.sheet, column
        shown = for_reading(table)
        for column in shown.columns:
            for value in shown[column]:
                yield table.sheet, str(value)


def test_no_code_in_anything_a_person_reads(packs):
    for pack in packs:
        found = [(sheet, text) for sheet, text in read_texts(pack) for pattern in CODES if pattern.search(text)]
        assert not found, found[:5]


def test_assumptions_are_written_in_words(packs):
    cls, ft = packs
    values = [*cls.table("Hypothèses").frame["Valeur retenue"], *ft.table("Hypothèses").frame["Valeur retenue"]]
    assert "écart sous la trajectoire attendue, plafonné aux crédits non consommés" in values
    assert "crédits versés de l'année (à défaut notifiés) + report reçu" in values and "oui" in values
    assert not [v for v in values if re.fullmatch(r"[a-z0-9_]+", v) and "_" in v]
    assert get("H29").value_label().startswith("3 indicateurs de l'annexe 1 repris tels quels")


def test_the_documents_inconsistencies_are_apart_from_the_findings_to_clear(packs, assessed):
    checks = assessed[1]
    for pack, convention in zip(packs, ("cls", "ft")):
        sheets = [t.sheet for t in pack.tables]
        assert sheets[-3:] == ["Constats à lever", "Incohérences du document signé", "Hypothèses"]
        own = checks[(checks["status"] != "ok") & (checks["convention"].astype(str) == convention)]
        execution = own[own["family"].astype(str) == "execution"]
        document = pack.table("Incohérences du document signé").frame
        assert len(document) == len(own) - len(execution)
        assert "pour information" in pack.table("Incohérences du document signé").titles[0]
        to_clear = pack.table("Constats à lever").frame
        assert len(to_clear) == max(len(execution), 1)
        assert all(c.startswith("Bilans d'exécution") for c in to_clear["Contrôle"]) or len(execution) == 0
        synthesis = pack.table("Synthèse").frame.set_index("Élément")["Nombre"]
        assert synthesis["Incohérences du document signé (pour information, rien à lever)"] == len(document)
        assert synthesis["Constats des bilans d'exécution à lever avant transmission"] == len(execution)
    # the CLS example: the N-04 twin not verifiable in 2024 is a finding to clear; S31 is the document's own
    cls = packs[0]
    assert "Bilans d'exécution : résultats des indicateurs jumeaux" in set(cls.table("Constats à lever").frame["Contrôle"])
    document = cls.table("Incohérences du document signé").frame
    assert ("Croisement des tableaux : CLS, annexe 11, exécution budgétaire 2024 contre CLS, annexe 3, prévisionnel 2025"
            in set(document["Contrôle"]))
    assert document["Écart (€)"].iloc[0] == Decimal("6685096.00")
    ft_empty = packs[1].table("Constats à lever").frame
    assert ft_empty["Contrôle"].iloc[0].startswith("Aucun constat")


def test_codes_in_explanations_are_written_in_words():
    text = ("Indicateur cls-N-04, résultat 2024 : comparé au résultat de son jumeau (cls-F-1.1-1 + cls-F-1.2-1) ; "
            "cité dans cls_convention ; aucun montant dans le tableau ft_plan_action ; G (departement), I (etat) ; "
            "années imprimées 2024, 2025 pour la période 2024-2024.")
    assert readable(text) == (
        "Indicateur national n°4, résultat 2024 : comparé au résultat de son jumeau (n°1 de l'action 1.1 + n°1 de "
        "l'action 1.2) ; cité dans la convention du CLS ; aucun montant dans le tableau « France Travail, plan "
        "d'action » ; G (Département), I (État) ; années imprimées 2024, 2025 pour l'année 2024.")
    assert check_label("sommes/sous_actions/1.3", "sommes", "sub_actions") == "Sommes et totaux : Sous-actions des fiches"
    assert check_label("execution/cls/3.4/2025/non_consomme", "execution", "execution") == (
        "Bilans d'exécution : crédits non consommés = crédits versés − montant réalisé")


def test_action_4_2_has_its_printed_title_and_the_a_to_m_table_its_chorus_imputation(contract, packs):
    row = contract.actions[(contract.actions["convention"] == "cls") & (contract.actions["action"] == "4.2")].iloc[0]
    assert (row["title"], row["source_line"]) == ("L'inclusion par une mobilité durable", 4946)
    cls = packs[0]
    actions = cls.table("Actions").frame.set_index("Action")
    assert actions.loc["4.2", "Intitulé de l'action"] == "L'inclusion par une mobilité durable"
    table = cls.table("Tableau A-M 2025").frame
    lines = table[table["row_type"] == "line"].set_index("Fiche action N°")["Imputation chorus"]
    assert lines["1.1"] == "0304 50 23 23 01 — Contractualisation avec les départements pilier 1"  # l. 419
    assert lines["3.2"].startswith("0304 50 23 25 01") and lines["4.2"].startswith("0304 50 23 26 01")  # l. 425, 431
    assert lines.notna().all()


MONEY_WORDS = re.compile(r"Montant|Crédits|Coût|Écart \(€\)|Dû par|Solde|Trop-perçu|Avance|Plafond|Budget|Part État|"
                         r"Cofinancement|Département$|FSE\+|réalisé")


def test_every_amount_of_both_packs_has_the_euro_format(packs, tmp_path):
    for pack in packs:
        workbook = openpyxl.load_workbook(write_pack(pack, tmp_path))
        for table in pack.tables:
            sheet = workbook[table.sheet]
            header = len(pack.titles_of(table)) + 1
            columns = {sheet.cell(header, c).value: c for c in range(1, sheet.max_column + 1)}
            for name, values in table.shown.items():
                amounts = [i for i, v in enumerate(values) if isinstance(v, Decimal)]
                for i in amounts:
                    assert sheet.cell(header + 1 + i, columns[name]).number_format == MONEY_FORMAT, (table.sheet, name)
                numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v]
                if MONEY_WORDS.search(str(name)) and name not in table.percent and name not in table.shares:
                    assert not numbers, (table.sheet, name)  # an amount is never a bare float
        synthesis = for_reading(pack.table("Synthèse"))
        assert all(v.endswith("€") for v in synthesis["Montant"] if v)


def test_both_readings_of_the_volet_1_forfait(contract, execution, packs):
    item = get("H49")
    assert item.name == "ft_volet1_forfait" and item.value == "cout_plafonne" and "5885-5891" in item.source_lines
    capped = analysis.assess(contract, execution).settlement.set_index("row_type")
    flat = analysis.assess(contract, execution, ft_volet1_reading="forfait").settlement.set_index("row_type")
    volet1 = capped[capped["volet"] == "1"].iloc[0]
    assert volet1["due"] == min(volet1["eligible_executed"], volet1["ceiling"])
    assert volet1["due_forfait_alternative"] == volet1["ceiling"] == Decimal("135000.00")  # art. 4.1, l. 5887
    assert flat.loc["total", "due"] == capped.loc["total", "due_forfait_alternative"]
    assert flat.loc["total", "due_forfait_alternative"] == capped.loc["total", "due"]
    assert capped.loc["total", "balance_due_forfait_alternative"] == flat.loc["total", "balance_due"]
    ft = packs[1]
    solde = ft.table("Solde").frame
    assert {"Dû par l'État (autre lecture du forfait)", "Dû par l'État (autre lecture du volet 2)"} <= set(solde.columns)
    synthesis = ft.table("Synthèse").frame
    other = synthesis[synthesis["Rubrique"] == "Autre lecture du forfait du volet 1"].set_index("Élément")["Montant"]
    assert other["Dû par l'État"] == capped.loc["total", "due_forfait_alternative"]
    assert display.forfait_summary(analysis.assess(contract, execution).settlement) in ft.table("Synthèse").notes
    with pytest.raises(ValueError, match="ft_volet1_reading"):
        analysis.assess(contract, execution, ft_volet1_reading="tout")


def test_reductions_already_applied_by_an_avenant_sit_beside_the_amounts_exposed(packs):
    synthesis = packs[0].table("Synthèse").frame.set_index("Élément")
    # the example's 2025 avenant notifies 3.2 at 128 000 € and 3.3 at 425 000 € (planned 160 000 € and 500 000 €)
    reduction = synthesis.loc["Réduction déjà appliquée par l'avenant 2025 (crédits État notifiés sous la prévision du "
                              "contrat)", "Montant"]
    assert reduction == Decimal("107000.00")
    gaps = [e for e in synthesis.index if e.startswith("Action 3.2 (2024)")]
    assert gaps and "l'avenant 2025 a déjà notifié 32\u00a0000,00\u00a0€ de moins" in gaps[0]


def test_the_france_travail_plan_d_actions_sheet(contract, packs, assessed):
    ft = packs[1]
    sheets = [t.sheet for t in ft.tables]
    assert sheets[:2] == ["Synthèse", "Mise en œuvre du plan d'actions"]
    table = ft.table("Mise en œuvre du plan d'actions")
    frame = table.frame
    lines = frame[frame["row_type"] == "line"]
    assert list(lines["Fiche action"]) == [f"2.{i}" for i in range(1, 9)]
    assert lines.iloc[:, -2].isna().all()  # left to the Département
    assert "5801" not in "".join(table.notes) and "article 3.2" in table.titles[0]
    total = frame[frame["row_type"] == "total"].iloc[0]
    assert total["Coût réalisé (tous financeurs)"] == sum(v for v in lines["Coût réalisé (tous financeurs)"] if v is not None)
    outside = lines.set_index("Fiche action").loc["2.4"]
    assert outside["Montant État réalisé"] is None and "fonds FIPE" in outside["Indicateurs 2024 : résultat et statut"]
    text = lines.set_index("Fiche action").loc["2.3", "Indicateurs 2024 : résultat et statut"]
    a = assessed[0].achievement
    result = a[(a["indicator_id"] == "ft-F-2.3-1") & (a["year"] == 2024)].iloc[0]
    assert f"{display.number(result['result'])} pour une cible de {display.number(result['target'])}" in text
