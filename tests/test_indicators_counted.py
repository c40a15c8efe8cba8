"""Issue 15, items 4 and 6: each indicator counted once (the fiche copies and shares linked to the indicator
they repeat, H29), and France Travail limited to what its convention finances (the FIPE fund of action 2.4
left out, H05)."""

import warnings
from decimal import Decimal

import matplotlib.pyplot as plt

import analysis
from analysis import charts, summaries
from analysis import display as affichage
from analysis.charts.indicators import shares_note


def test_fiche_indicators_are_linked_to_the_indicator_they_repeat(contract):
    links = contract.indicator_links().set_index("indicator_id")
    assert len(links) == 12 and set(links.index) == set(contract.indicators.loc[
        contract.indicators["table"] == "cls_fiche_indicateurs", "indicator_id"])
    # the national « jeunes de 16 à 25 ans sans solution » is the sum of fiches 1.1, 1.2 and 1.3 (A19)
    parts = links[links["counted_as"] == "cls-N-04"]
    assert sorted(parts.index) == ["cls-F-1.1-1", "cls-F-1.2-1", "cls-F-1.3-1"] and set(parts["link"]) == {"part"}
    assert links.loc["cls-F-1.4-1"].tolist() == ["cls-N-01", "copie"]
    assert links.loc["cls-F-4.2-1"].tolist() == ["cls-L-4.2-1", "copie"]  # no national twin: Annexe 1 (H29)
    counted = contract.counted_indicators("cls")
    assert len(counted) == 45 and (counted["family"] == "local").sum() == 30 and (counted["family"] == "national").sum() == 15
    assert len(contract.counted_indicators("ft")) == 10


def test_a_copy_prints_the_same_figures_and_shares_sum_to_the_national_figure(contract):
    values = contract.indicator_values
    printed = values[values["measure"].isin(["baseline", "target"])].set_index(["indicator_id", "measure", "year"])["value"]
    for fiche, (whole, link) in contract.indicator_links().set_index("indicator_id").iterrows():
        own = printed.xs(fiche, level="indicator_id")
        if link == "copie":
            assert own.equals(printed.xs(whole, level="indicator_id")), fiche
    parts = [printed.xs(f, level="indicator_id") for f in ("cls-F-1.1-1", "cls-F-1.2-1", "cls-F-1.3-1")]
    assert (parts[0] + parts[1] + parts[2]).equals(printed.xs("cls-N-04", level="indicator_id"))


def test_the_overview_counts_45_cls_indicators_and_france_travail_without_fipe(contract):
    overview = summaries.contract_overview(contract).set_index("convention")
    assert overview.loc["cls", "n_indicators"] == 45 and overview.loc["ft", "n_indicators"] == 10
    ft = overview.loc["ft"]
    assert (ft["first_year"], ft["last_year"]) == (2024, 2024)
    assert ft["planned_state"] == Decimal("4260892.00")  # art. 4.1, l. 5879
    assert ft["planned_total"] == Decimal("8386784.00")  # the plan d'action's TOTAL, l. 6391
    shown = affichage.overview(summaries.contract_overview(contract))
    assert list(shown["Indicateurs"]) == ["45", "10"]
    by_table = summaries.indicator_overview(contract).set_index("table")
    assert by_table.loc["cls_annexe10", ["n_indicators", "n_fiche_copies", "n_fiche_shares"]].tolist() == [15, 8, 3]
    assert "cls_fiche_indicateurs" not in by_table.index


def test_fipe_is_outside_every_france_travail_total(contract):
    budget = contract.convention_budget("ft")
    assert "2.4" not in set(budget["action"]) and set(budget["year"]) == {2024}
    assert "FIPE" not in set(budget["funder_detail"].dropna())
    assert summaries.state_share(contract, "ft") == Decimal("4260892.00")
    assert summaries.state_share(contract, "ft", 2024, exclude_fipe=False) == Decimal("4593610.00")  # 332 718 € of FIPE
    table = summaries.budget_by_axis_year(contract, "ft")
    assert set(table["year"]) == {2024} and sum(table["total"], Decimal(0)) == Decimal("8386784.00")
    assert contract.convention_budget("cls").equals(contract.planned_budget("cls"))


def test_the_national_panel_names_the_fiches_counted_as_it(contract, execution):
    assessment = analysis.assess(contract, execution)
    assert shares_note(assessment, "cls-N-04") == "somme des fiches 1.1, 1.2 et 1.3"
    assert shares_note(assessment, "cls-N-01") == "repris par la fiche 1.4"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = charts.plot_indicators(assessment, "cls", None)
    panel = next(ax for ax in fig.axes if ax.get_gid() == "cls-N-04")
    assert "somme des fiches 1.1, 1.2 et 1.3" in panel.get_xlabel().replace("\n", " ")
    plt.close(fig)
