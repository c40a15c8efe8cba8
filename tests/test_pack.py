"""The packs on the embedded example: the contract's layouts, their arithmetic, the statements, the export."""

from decimal import Decimal

import openpyxl
import pytest

import analysis
from analysis import display
from analysis.pack import FICTITIOUS_NOTICE, ft_final_pack, mid_term_pack, write_pack
from analysis.pack.base import for_reading
from analysis.pack.tables import COUNTED_ABOVE, a_to_m_columns, annex11, annex11_columns, table_a_to_m
from analysis.xlsx import MONEY_FORMAT


@pytest.fixture(scope="module")
def assessed(contract, execution):
    assessment = analysis.assess(contract, execution)
    return assessment, analysis.reconcile(contract, execution)


@pytest.fixture(scope="module")
def cls_pack(contract, execution, assessed):
    return mid_term_pack(contract, execution, *assessed)


@pytest.fixture(scope="module")
def ft_pack(contract, execution, assessed):
    return ft_final_pack(contract, execution, *assessed)


def lines_of(frame):
    return frame[frame["row_type"] == "line"]


def test_annex11_follows_the_printed_layout_and_its_arithmetic(contract, execution, assessed):
    table = annex11(contract, execution, assessed[0], 2024)
    assert list(table.columns[:3]) == ["Axes de la contractualisation", "Fiche action N°", "Intitulé de l'action"]
    paid, a, b, c, total = annex11_columns(2024)[:5]
    for row in lines_of(table).to_dict("records"):
        assert row[b] == row[paid] - row[a] and row[total] == row[a] + row[c]
    subtotals = table[table["row_type"] == "subtotal"]
    assert list(subtotals["Fiche action N°"]) == ["Sous total"] * 3
    grand = table[table["row_type"] == "total"].iloc[0]
    assert grand[a] == sum(lines_of(table)[a], Decimal("0")) == sum(subtotals[a], Decimal("0"))


def test_annex11_after_2024_accounts_for_the_carried_in_credits(contract, execution, assessed):
    """Issue 15: « Annexe 11 - 2025 » shows the credits carried in from 2024 (I = F + H, l. 5053) and B = available
    − A; an action not reported (3.4 in 2025) is blank, never a figure, and the totals say they leave it out."""
    table = annex11(contract, execution, assessed[0], 2025)
    paid, carried, available, a, b = annex11_columns(2025)[:5]
    assert carried == "Report reçu de 2024 - Part État"
    lines = lines_of(table).set_index("Fiche action N°")
    reported = lines[lines[a].notna()]
    for row in reported.to_dict("records"):
        assert row[available] == row[paid] + row[carried] and row[b] == row[available] - row[a]
    assert sum(lines[carried], Decimal("0")) == Decimal("281145.00")  # every euro carried from 2024 is accounted for
    assert lines.loc["3.3", carried] == Decimal("205950.00")
    assert lines.loc["3.4", a] is None and lines.loc["3.4", b] is None  # not reported: blank
    grand = table[table["row_type"] == "total"].iloc[0]
    assert grand[b] == sum(reported[b], Decimal("0")) and "3.4" in grand["Intitulé de l'action"]


def test_the_a_to_m_table_recomputes_i_k_m_and_reads_the_avenant(contract, execution):
    table = table_a_to_m(contract, execution, 2025)
    cols = dict(zip("A B C D E T F G H I J K L M".split(), a_to_m_columns(2025)))
    for row in lines_of(table).to_dict("records"):
        assert row[cols["I"]] == (row[cols["F"]] or 0) + row[cols["H"]]
        assert row[cols["K"]] == (row[cols["G"]] or 0) + row[cols["J"]]
        assert row[cols["M"]] == row[cols["I"]] + row[cols["K"]] + (row[cols["L"]] or 0)
    by_action = lines_of(table).set_index("Fiche action N°")
    assert by_action.loc["1.1", cols["H"]] == Decimal("648000.00")  # the example's avenant: +30 000 €
    assert by_action.loc["3.1", cols["F"]] > 0  # carried over from 2024
    realised = analysis.assess(contract, execution).consumption.set_index(["action", "year"])
    assert by_action.loc["3.1", cols["I"]] == realised.loc[("3.1", 2025), "available_state"]


def test_the_mid_term_pack_has_every_part_of_article_2_3(cls_pack):
    sheets = [t.sheet for t in cls_pack.tables]
    assert sheets == ["Synthèse", "Actions", "Bilan financier", "Annexe 11 - 2024", "Annexe 11 - 2025", "Tableau A-M 2025",
                      "Annexe 10 - matrice", "Indicateurs des actions", "Constats à lever", "Incohérences du document signé",
                      "Hypothèses"]
    assert cls_pack.file_name == "bilan_mi_parcours_cls_2024-2025.xlsx" and cls_pack.fictitious
    matrix = cls_pack.table("Annexe 10 - matrice").frame
    # the 15 national indicators, and under « jeunes de 16 à 25 ans sans solution » the share of fiches 1.1-1.3
    counted = matrix[matrix["Statut 2024"] != COUNTED_ABOVE]
    assert len(counted) == 15 and len(matrix) == 18 and "Situation au 31 déc. 2023" in matrix.columns
    unreported = counted[counted["Résultat atteint en 2024"].isna()]
    assert len(unreported) and set(unreported["Statut 2024"]) == {"Non renseigné"}
    actions = cls_pack.table("Actions").frame
    assert len(actions) == 11 and actions.iloc[:, -2:].isna().all().all()  # left to the Département


def test_statements_only_quote_the_tables_figures(cls_pack):
    report = cls_pack.table("Bilan financier").frame
    statements = cls_pack.table("Actions").frame.set_index("Action").iloc[:, 2]
    row = report[(report["Action"] == "3.2") & (report["Année"] == "2024")].iloc[0]
    text = statements["3.2"]
    assert display.eur(row["Montant État réalisé"]) in text and display.eur(row["Montant exposé"]) in text
    assert "sous-consommation manifeste sans justification" in text and "non une somme due" in text
    yearly = report[~report["Année"].str.startswith("Cumul")]
    under_review = yearly[yearly["Montant à apprécier par l'État"].fillna(0) > 0]
    assert len(under_review) and all(j.startswith("À apprécier par l'État") for j in under_review["Justification"])


def test_the_period_is_a_parameter(contract, execution, assessed):
    one = mid_term_pack(contract, execution, *assessed, first=2024, last=2024)
    assert [t.sheet for t in one.tables if t.sheet.startswith(("Annexe 11", "Tableau"))] == ["Annexe 11 - 2024"]
    final = mid_term_pack(contract, execution, *assessed, first=2024, last=2027)
    assert final.file_name == "bilan_mi_parcours_cls_2024-2027.xlsx"
    assert "Tableau A-M 2026" in [t.sheet for t in final.tables]
    assert "Résultat atteint en 2027" in final.table("Annexe 10 - matrice").frame.columns
    with pytest.raises(ValueError, match="hors du contrat"):
        mid_term_pack(contract, execution, *assessed, first=2023, last=2025)


def test_the_ft_pack_statement_totals_and_settlement(ft_pack, assessed):
    statement = ft_pack.table("État des dépenses").frame
    total = statement[statement["Volet et type de dépense"] == "TOTAL DE L'ÉTAT DES DÉPENSES"]["Montant"].iloc[0]
    assert total == sum(lines_of(statement)["Montant"], Decimal("0"))
    volets = statement[statement["Volet et type de dépense"].str.startswith("TOTAL DES DÉPENSES AU TITRE", na=False)]
    assert sum((v for v in volets["Montant"] if v is not None), Decimal("0")) == total
    eligible = ft_pack.table("Dépenses éligibles").frame
    convention = eligible[eligible["row_type"] == "total"].iloc[0]
    settlement = assessed[0].settlement
    assert convention["Coût éligible"] == settlement[settlement["row_type"] == "total"]["eligible_executed"].iloc[0]
    assert ft_pack.file_name == "bilan_final_ft_2024.xlsx"


def test_the_export_prints_landscape_fitted_with_repeated_headers(cls_pack, ft_pack, tmp_path):
    path = write_pack(cls_pack, tmp_path)
    assert write_pack(cls_pack, tmp_path / "bis").read_bytes() == path.read_bytes()
    wb = openpyxl.load_workbook(path)
    ws = wb["Annexe 11 - 2024"]
    # too wide for one legible page: fitted to two pages wide, each repeating the axis, the action and its title
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 2 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_cols == "$A:$C"
    assert wb["Synthèse"].page_setup.fitToWidth == 1 and wb["Synthèse"].print_title_cols is None
    header = len(cls_pack.titles_of(cls_pack.table("Annexe 11 - 2024"))) + 1
    assert ws.print_title_rows == f"$1:${header}" and ws.freeze_panes == f"A{header + 1}"
    assert ws.cell(header, 2).value == "Fiche action N°" and FICTITIOUS_NOTICE in [ws.cell(r, 1).value for r in range(1, header)]
    where = cls_pack.cell("Annexe 11 - 2024", "A — Montant État réalisé au 31/12/2024", {"Fiche action N°": "3.2"})
    expected = lines_of(annex11_frame := cls_pack.table("Annexe 11 - 2024").frame)
    assert ws[where].value == float(expected.set_index("Fiche action N°").loc["3.2", annex11_columns(2024)[1]])
    assert ws[where].number_format == MONEY_FORMAT and annex11_frame is not None
    total_row = header + 1 + list(annex11_frame["row_type"]).index("total")
    assert ws.cell(total_row, 2).font.bold
    ft = openpyxl.load_workbook(write_pack(ft_pack, tmp_path))
    assert ft["État des dépenses"].page_setup.orientation == "landscape"


def test_tables_for_reading_are_french(cls_pack):
    shown = for_reading(cls_pack.table("Annexe 11 - 2024"))
    assert shown.iloc[0, 3].endswith("€") and "\u202f" in shown.iloc[0, 3] or "\xa0" in shown.iloc[0, 3]
    text = shown.to_string()
    assert not any(bad in text for bad in (" nan ", "NaN", "<NA>", "None"))


def test_each_indicator_is_counted_listed_and_graded_once(cls_pack, assessed):
    """Issue 15, item 4: 45 CLS indicators (30 local, 15 national, l. 364-368), each with one status a year."""
    synthesis = cls_pack.table("Synthèse").frame
    for section in ("Indicateurs 2024", "Indicateurs 2025", "Indicateurs 2024-2025"):
        assert synthesis.loc[synthesis["Rubrique"] == section, "Nombre"].sum() == 45
    every = cls_pack.table("Indicateurs des actions").frame
    graded = every[every["Statut 2024"] != COUNTED_ABOVE]
    assert len(graded) == graded["Identifiant"].nunique() == 45
    shares = set(every.loc[every["Statut 2024"] == COUNTED_ABOVE, "Identifiant"])
    assert shares == set(assessed[0].indicator_shares["indicator_id"])
    # a share sits right under the indicator it is counted as
    position = list(every["Identifiant"])
    national = position.index("cls-N-04")
    assert position[national + 1:national + 4] == ["cls-F-1.1-1", "cls-F-1.2-1", "cls-F-1.3-1"]
    assert position.index("cls-F-4.2-1") == position.index("cls-L-4.2-1") + 1
    assert "45 indicateurs" in cls_pack.table("Indicateurs des actions").titles[0]
    critical = synthesis[synthesis["Rubrique"] == "Indicateurs critiques"]["Élément"]
    assert len(critical) == len(set(critical)) and not critical.str.contains(r"cls-[LNF]-").any()


def test_the_percentage_indicator_reads_as_a_percentage(ft_pack, assessed):
    """Issue 15, item 4: « 100 % d'orientations notifiées » (l. 10202) is a percentage, not a count."""
    annex4 = ft_pack.table("Indicateurs (annexe 4)").frame.set_index("Identifiant")
    assert annex4.loc["ft-P-02", "Unité"] == "pourcentage" and annex4.loc["ft-P-01", "Unité"] == "nombre"
    a = assessed[0].achievement
    assert set(a.loc[a["indicator_id"] == "ft-P-02", "unit"]) == {"pourcentage"}
