"""Charts of the assessment (issue 9, item 4) on the fictitious example, and :func:`analysis.charts.save_figure`.

Each chart builds without any warning, draws what its frame holds (one panel per indicator, one bar per
action-year, the colours of the flags and statuses), carries « DONNÉES FICTIVES » when the data are
fictitious (and only then), shows no raw code; the save function writes byte-identical PNG and SVG.
"""

import dataclasses
import warnings
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import analysis  # noqa: E402
from analysis import charts, domain  # noqa: E402
from analysis import display as affichage  # noqa: E402
from analysis.charts.base import euro_tick, keur  # noqa: E402
from analysis.charts.credits import waterfall_bars  # noqa: E402


@pytest.fixture(scope="module")
def assessment(contract, execution):
    return analysis.assess(contract, execution)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def build(function, *args):
    """Build a chart, failing on any warning (a warning printed in a notebook cell fails strict nbval)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = function(*args)
        fig.canvas.draw()
    return fig


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def title_of(fig) -> str:
    return fig._suptitle.get_text() if fig._suptitle is not None else ""


CHARTS = {
    "indicateurs CLS 1.2": (charts.plot_indicators, "cls", "1.2"),
    "indicateurs nationaux CLS": (charts.plot_indicators, "cls", None),
    "indicateurs FT 2.3": (charts.plot_indicators, "ft", "2.3"),
    "indicateurs de pilotage FT": (charts.plot_indicators, "ft", None),
    "carte d'atteinte CLS": (charts.plot_attainment_heatmap, "cls"),
    "carte d'atteinte FT": (charts.plot_attainment_heatmap, "ft"),
    "consommation CLS": (charts.plot_consumption, "cls"),
    "consommation FT": (charts.plot_consumption, "ft"),
    "cascade CLS 2024": (charts.plot_waterfall, 2024),
    "cascade CLS 2025": (charts.plot_waterfall, 2025),
    "part du Département": (charts.plot_departement_share,),
    "solde France Travail": (charts.plot_settlement,),
    "cofinancement FT": (charts.plot_ft_cofinancing,),
}


#: Codes that are not French words: none may be shown (« atteint », « critique »… are both).
CODES = {c for c in (*domain.ASSESSMENT_FLAGS, *domain.ACHIEVEMENT_STATUSES, *domain.TIME_BASES, *domain.RISK_KINDS,
                     *domain.FT_STATE_SHARE_READINGS, *domain.COFINANCING_READINGS, *domain.AMOUNT_BASES) if "_" in c}
CODES |= {"departement", "etat", "cls", "ft", "prevu", "realise"}


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_builds_without_warning_says_the_data_are_fictitious_and_shows_no_code(assessment, name):
    function, *args = CHARTS[name]
    fig = build(function, assessment, *args)
    assert assessment.fictitious
    assert charts.FICTITIOUS_NOTICE == "DONNÉES FICTIVES" and charts.FICTITIOUS_NOTICE in title_of(fig)
    words = {w.strip("(),.:;«»") for t in texts(fig) for w in t.split()}
    assert not words & CODES


@pytest.mark.parametrize("name", CHARTS)
def test_no_notice_on_real_data(assessment, name):
    function, *args = CHARTS[name]
    fig = build(function, dataclasses.replace(assessment, fictitious=False), *args)
    assert not any(charts.FICTITIOUS_NOTICE in t for t in texts(fig))


def test_colours_cover_every_flag_and_status():
    # every flag a result can carry, the scenario-only « justification acceptée » included
    assert set(charts.FLAG_COLOURS) == set(domain.ASSESSMENT_FLAG_LABELS)
    assert set(charts.ACHIEVEMENT_COLOURS) == set(domain.ACHIEVEMENT_STATUSES)
    assert len({charts.FLAG_COLOURS[f] for f in domain.ASSESSMENT_FLAGS}) == len(domain.ASSESSMENT_FLAGS)


# ------------------------------------------------------------------------------------------------
# Targets against results
# ------------------------------------------------------------------------------------------------


def indicators_of(assessment, convention, action):
    a = assessment.achievement
    own = a[a["convention"] == convention]
    own = own[own["action"].isna()] if action is None else own[own["action"] == action]
    return list(dict.fromkeys(own["indicator_id"]))


# an action's fiche indicator that repeats a national one is drawn once, on the national panel (H29)
@pytest.mark.parametrize("convention, action, expected", [("cls", "1.2", 4), ("cls", None, 15), ("ft", "2.3", 2),
                                                           ("ft", None, 2), ("cls", "4.1", 4)])
def test_one_panel_per_indicator(assessment, convention, action, expected):
    fig = build(charts.plot_indicators, assessment, convention, action)
    ids = indicators_of(assessment, convention, action)
    assert len(ids) == expected == len(fig.axes)
    assert [ax.get_gid() for ax in fig.axes] == ids


def test_every_indicator_of_a_convention_is_drawn_once(assessment):
    for convention, total in (("cls", 45), ("ft", 10)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            figures = charts.plot_all_indicators(assessment, convention)
        drawn = [ax.get_gid() for fig in figures for ax in fig.axes]
        assert len(drawn) == len(set(drawn)) == total
        assert set(drawn) == set(assessment.achievement.loc[assessment.achievement["convention"] == convention, "indicator_id"])


def test_baseline_targets_and_results_coloured_by_status(assessment):
    fig = build(charts.plot_indicators, assessment, "cls", "1.2")
    rows = assessment.achievement[assessment.achievement["indicator_id"] == "cls-L-1.2-1"]
    ax = fig.axes[0]
    baseline, targets = ax.lines[0], ax.lines[1]
    assert list(baseline.get_xdata()) == [2023] and list(baseline.get_ydata()) == [rows["baseline"].iloc[0]]
    assert list(targets.get_ydata()) == list(rows["target"].dropna())
    points = ax.collections[0]
    done = rows[rows["result"].notna()]
    assert [tuple(p) for p in points.get_offsets()] == list(zip(done["year"], done["result"]))
    assert [tuple(c) for c in points.get_facecolors()] == [to_rgba(charts.ACHIEVEMENT_COLOURS[s]) for s in done["status"]]


def test_missing_results_of_reported_years_are_marked_never_drawn_as_zero(assessment):
    a = assessment.achievement
    for convention in ("cls", "ft"):
        reported = affichage.reported_years(assessment, convention)
        own = a[a["convention"] == convention]
        expected = int((own["result"].isna() & own["year"].isin(reported)).sum())
        figures = charts.plot_all_indicators(assessment, convention)
        marks = sum(t == "non\nrenseigné" for fig in figures for ax in fig.axes for t in [x.get_text() for x in ax.texts])
        assert expected > 0 and marks == expected
        points = [tuple(p) for fig in figures for ax in fig.axes for c in ax.collections for p in c.get_offsets()]
        assert len(points) == int(own["result"].notna().sum())
    assert affichage.reported_years(assessment, "cls") == [2024, 2025] and affichage.reported_years(assessment, "ft") == [2024]


def test_heatmap_shows_capped_attainment_per_indicator_and_reported_year(assessment):
    fig = build(charts.plot_attainment_heatmap, assessment, "cls")
    image = fig.axes[0].images[0].get_array()
    a = assessment.achievement
    own = a[(a["convention"] == "cls") & a["year"].isin([2024, 2025])]
    assert image.shape == (45, 2)
    shown = sorted(float(v) for v in image.compressed())
    assert shown == sorted(own["attainment"].dropna()) and max(shown) <= assessment.parameters["attainment_cap"]
    cells = [t.get_text() for t in fig.axes[0].texts]
    assert cells.count("n.r.") == int((own["attainment"].isna() & own["target"].notna()).sum())
    assert cells.count("sans cible") == int(own["target"].isna().sum())


def test_unknown_action_is_refused_in_french(assessment):
    with pytest.raises(ValueError, match="aucun indicateur pour action 9.9"):
        charts.plot_indicators(assessment, "cls", "9.9")


# ------------------------------------------------------------------------------------------------
# State credits
# ------------------------------------------------------------------------------------------------


def test_consumption_one_panel_per_year_bars_coloured_by_flag(assessment):
    fig = build(charts.plot_consumption, assessment, "cls")
    c = assessment.consumption[assessment.consumption["convention"] == "cls"]
    assert len(fig.axes) == 2
    for ax, year in zip(fig.axes, (2024, 2025)):
        rows = c[(c["year"] == year) & c["rate"].notna()]
        assert len(ax.patches) == len(rows)
        assert sorted(round(p.get_width(), 9) for p in ax.patches) == sorted(round(r, 9) for r in rows["rate"])
        assert sorted(p.get_facecolor() for p in ax.patches) == sorted(to_rgba(charts.FLAG_COLOURS[f]) for f in rows["flag"])
    labels = " ".join(texts(fig))
    assert "exposé : 79\u00a0040 €" in labels and "à apprécier : 205\u00a0950 €" in labels and "non renseigné" in labels


def test_france_travail_consumption_has_no_flag(assessment):
    fig = build(charts.plot_consumption, assessment, "ft")
    assert len(fig.axes) == 1
    assert {p.get_facecolor() for p in fig.axes[0].patches} == {to_rgba(charts.NOT_APPLICABLE_COLOUR)}
    assert domain.FLAG_NOT_APPLICABLE_LABEL in texts(fig) and "exposé" not in " ".join(texts(fig))


def test_waterfall_one_panel_per_axis_from_planned_to_unconsumed(assessment):
    fig = build(charts.plot_waterfall, assessment, 2025)
    c = assessment.consumption
    rows = c[(c["convention"] == "cls") & (c["year"] == 2025)]
    assert len(fig.axes) == rows["axis"].nunique() == 3
    ax = fig.axes[1]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert len(ax.patches) == len(labels) == 10 and "hors action 3.4" in ax.get_title(loc="left")
    height = dict(zip(labels, (p.get_height() for p in ax.patches)))
    own = rows[(rows["axis"] == "3") & rows["executed_state"].notna()]
    assert height["Prévu au\ncontrat"] == float(sum(own["planned_contract"]))
    assert height["Avenant"] == float(sum(own["planned_contract"]) - sum(own["planned_state"])) == 107000
    assert height["Crédits\ndisponibles"] == float(sum(own["available_state"]))
    assert height["Report\nreçu de n−1"] == float(sum(own["carried_in_state"]))
    assert height["Non\nconsommé"] == float(sum(own["unconsumed_state"]))
    assert height["dont à apprécier\npar l'État"] == float(sum(own["amount_under_review"])) > 0


def test_waterfall_shows_a_payment_different_from_the_notified_amount():
    amounts = {"planned_contract": Decimal(100), "avenant": Decimal(-10), "notified": Decimal(90), "paid_gap": Decimal(-5),
               "carried_in": Decimal(20), "available": Decimal(105), "executed": Decimal(-80), "unconsumed": Decimal(25),
               "carried_out": Decimal(10), "at_risk": Decimal(15), "under_review": Decimal(0)}
    bars = waterfall_bars(amounts)
    assert len(bars) == 11 and bars[3][0] == "Versé −\nnotifié" and (bars[3][1], bars[3][2]) == (85.0, 5.0)
    assert bars[6][1:3] == (25.0, 80.0)
    assert len(waterfall_bars({**amounts, "paid_gap": Decimal(0)})) == 10


def test_waterfall_refuses_a_year_without_workbook(assessment):
    with pytest.raises(ValueError, match="CLS : aucun bilan d'exécution pour 2026"):
        charts.plot_waterfall(assessment, 2026)


def test_departement_share_against_the_minimum(assessment):
    fig = build(charts.plot_departement_share, assessment)
    c = assessment.consumption
    shares = c.loc[(c["convention"] == "cls"), "departement_share"].dropna()
    ax = fig.axes[0]
    points = [p for coll in ax.collections for p in coll.get_offsets()]
    assert sorted(round(float(x), 12) for x, _ in points) == sorted(round(s, 12) for s in shares)
    colours = [tuple(c) for coll in ax.collections for c in coll.get_facecolors()]
    below = int((shares < 0.5).sum())
    assert below > 0 and colours.count(to_rgba(charts.base.ORANGE)) == below
    assert any(list(line.get_xdata()) == [0.5, 0.5] for line in ax.lines)


# ------------------------------------------------------------------------------------------------
# France Travail
# ------------------------------------------------------------------------------------------------


def test_settlement_per_volet_and_one_balance_on_the_total(assessment):
    fig = build(charts.plot_settlement, assessment)
    s = assessment.settlement
    total = s[s["row_type"] == "total"].iloc[0]
    assert len(fig.axes) == 3 and total["balance_due"] > 0
    volet2 = dict(zip([t.get_text() for t in fig.axes[1].get_xticklabels()], fig.axes[1].patches))
    assert volet2["Dû par l'État"].get_height() == float(s.loc[s["volet"] == "2", "due"].iloc[0])
    bars = fig.axes[2].patches
    advance, balance, due = bars[0], bars[1], bars[2]
    assert advance.get_height() + balance.get_height() == pytest.approx(due.get_height(), abs=0.01)
    assert balance.get_y() == advance.get_height() and due.get_height() == float(total["due"])
    assert "Solde à verser\npar l'État" in texts(fig)


def test_settlement_refund(contract, execution):
    refunded = analysis.assess(contract, execution, advance=Decimal("4000000"))
    fig = build(charts.plot_settlement, refunded)
    total = refunded.settlement.iloc[-1]
    assert total["refund_due"] > 0
    refund = fig.axes[2].patches[1]
    assert refund.get_height() == pytest.approx(float(total["refund_due"])) and refund.get_y() == float(total["due"])
    assert "Trop-perçu\nà rembourser" in texts(fig)


def test_settlement_without_final_report_is_refused(assessment):
    empty = dataclasses.replace(assessment, settlement=assessment.settlement.iloc[0:0])
    with pytest.raises(ValueError, match="aucun bilan final 2024"):
        charts.plot_settlement(empty)


def test_ft_cofinancing_bars_say_which_reading_holds(assessment):
    fig = build(charts.plot_ft_cofinancing, assessment)
    c = assessment.cofinancing
    bars = fig.axes[0].patches
    assert len(bars) == len(c) == 4
    assert sorted(b.get_width() for b in bars) == sorted(c["share"])
    assert [b.get_facecolor() == to_rgba(charts.base.GREEN) for b in bars] == list(c["holds"].iloc[::-1])


# ------------------------------------------------------------------------------------------------
# Formats and saving
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [(1_250_000, "1,25 M€"), (2_000_000, "2 M€"), (1_500_000, "1,5 M€"),
                                             (648_000, "648 k€"), (5_000, "5\u00a0000 €"), (0, "0 €")])
def test_euro_ticks(value, expected):
    assert euro_tick(value) == expected


def test_thousands_labels():
    assert keur(Decimal("648000")) == "648 k€" and keur(Decimal("-107000"), signed=True) == "−107 k€"
    assert keur(30000, signed=True) == "+30 k€" and keur(0, signed=True) == "0 k€" and keur(1_659_288) == "1\u00a0659 k€"


def test_default_folder():
    assert charts.FIGURES_DIR == domain.PROCESSED_DIR / "figures"


def test_save_writes_png_and_svg_byte_identical(assessment, tmp_path):
    fig = build(charts.plot_settlement, assessment)
    png, svg = charts.save_figure(fig, "solde_ft", tmp_path)
    assert (png, svg) == (tmp_path / "solde_ft.png", tmp_path / "solde_ft.svg")
    first = png.read_bytes(), svg.read_bytes()
    assert first[0].startswith(b"\x89PNG") and b"<svg" in first[1]
    assert charts.save_figure(fig, "solde_ft", tmp_path) == (png, svg)
    assert (png.read_bytes(), svg.read_bytes()) == first
    again = build(charts.plot_settlement, assessment)
    assert (charts.figure_bytes(again, "png"), charts.figure_bytes(again, "svg")) == first
    assert b"<dc:date>" not in first[1] and b"Matplotlib version" not in first[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["solde_ft.png", "solde_ft.svg"]


def test_a_failed_save_leaves_the_previous_files(assessment, tmp_path, monkeypatch):
    fig = build(charts.plot_ft_cofinancing, assessment)
    png, svg = charts.save_figure(fig, "cofinancement", tmp_path)
    before = png.read_bytes(), svg.read_bytes()

    def broken(figure, fmt):
        raise OSError("disque plein")

    monkeypatch.setattr(charts.base, "figure_bytes", broken)
    with pytest.raises(OSError):
        charts.save_figure(build(charts.plot_settlement, assessment), "cofinancement", tmp_path)
    assert (png.read_bytes(), svg.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cofinancement.png", "cofinancement.svg"]


@pytest.mark.parametrize("name", ["", "../figure", "a/b", "figure.png", ".cachee", None])
def test_bad_figure_names_are_refused(assessment, tmp_path, name):
    with pytest.raises(ValueError, match="nom de figure invalide"):
        charts.save_figure(plt.figure(), name, tmp_path)


# ------------------------------------------------------------------------------------------------
# Counts and sentences the notebooks read (analysis.display, assessment block)
# ------------------------------------------------------------------------------------------------


def test_status_counts_add_up(assessment):
    counts = affichage.status_counts(assessment)
    assert list(counts["Convention"]) == ["CLS", "CLS", "France Travail"] and list(counts["Année"]) == ["2024", "2025", "2024"]
    statuses = [domain.label("achievement_status", s) for s in domain.ACHIEVEMENT_STATUSES]
    for _, row in counts.iterrows():
        assert sum(int(row[s]) for s in statuses) == int(row["Total"])
    assert list(counts["Total"]) == ["45", "45", "10"]


def test_achievement_summary(assessment):
    text = affichage.achievement_summary(assessment, "cls", 2025)
    a = assessment.achievement
    critical = a[(a["convention"] == "cls") & (a["year"] == 2025) & (a["status"] == "critique")]["label"]
    assert len(critical) and text.startswith("CLS 2025 : 45 indicateurs")
    assert all(affichage.escape_markdown(label) in text for label in critical)  # named by their label, as text
    assert "jamais comptés comme zéro" in text


def test_flag_summary_names_every_flag_present_with_its_amount(assessment):
    text = affichage.flag_summary(assessment.consumption)
    cls = assessment.consumption[assessment.consumption["convention"] == "cls"]
    for flag in set(cls["flag"]):
        assert f"**{domain.label('assessment_flag', flag)}**" in text
    assert "3\\.2 (2024 ; exposé : 79\u00a0040,00\u00a0€)" in text  # the action code escaped: shown as text
    assert "3\\.3 (2024 ; à apprécier : 205\u00a0950,00\u00a0€)" in text


def test_exposure_by_year(assessment):
    table = affichage.exposure_by_year(assessment.consumption)
    c = assessment.consumption
    assert list(table["Année"]) == ["2024", "2025"]
    assert list(table["Montant exposé"]) == [affichage.eur(sum(c.loc[(c["year"] == y) & (c["convention"] == "cls"),
                                                                   "amount_at_risk"])) for y in (2024, 2025)]


def test_cofinancing_summary_says_which_reading_holds(assessment):
    text = affichage.cofinancing_summary(assessment.cofinancing)
    assert "Prévu (fiches actions) : 48,79 %" in text
    assert "la règle tient dans la lecture « Département et FSE+ valorisé »" in text
    assert "Réalisé (bilan)" in text and "la règle ne tient dans aucune lecture" in text
    assert affichage.cofinancing_summary(pd.DataFrame(columns=assessment.cofinancing.columns)).startswith("Aucun")

