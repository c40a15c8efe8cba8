"""Charts (matplotlib), with French labels and number formats. Each function returns the Figure.

Plotting libraries are imported here only, so that loading the data stays cheap. The charts of the
assessment (:func:`analysis.assess`) take the :class:`~analysis.assessment.Assessment` and plot its frames,
one convention at a time; every chart built on fictitious data says « DONNÉES FICTIVES » in its title.

- the contract: :func:`plot_budget_by_axis_year`, :func:`plot_agreement` (:mod:`~analysis.charts.contract`);
- targets against results: :func:`plot_indicators`, :func:`plot_all_indicators`,
  :func:`plot_attainment_heatmap` (:mod:`~analysis.charts.indicators`);
- State credits: :func:`plot_consumption`, :func:`plot_waterfall`, :func:`plot_departement_share`,
  :func:`plot_threshold_sensitivity` (:mod:`~analysis.charts.credits`);
- the CLS execution report: :func:`plot_cls_execution` (:mod:`~analysis.charts.credits`);
- France Travail: :func:`plot_settlement`, :func:`plot_ft_cofinancing`, :func:`plot_ft_eligibility`
  (:mod:`~analysis.charts.settlement`);
- the scenario panel: :func:`plot_scenario_consumption` (:mod:`~analysis.charts.scenarios`);
- :func:`show` saves a notebook's figure under ``<sortie>/figures/`` and shows it; :func:`save_figure`
  writes any figure as PNG and SVG under ``data/processed/figures/``, byte-reproducibly
  (:mod:`~analysis.charts.base`, which also holds the colours of flags and statuses).
"""

from analysis.charts.base import (
    ACHIEVEMENT_COLOURS,
    FICTITIOUS_NOTICE,
    FIGURES_DIR,
    FLAG_COLOURS,
    FUNDER_COLOURS,
    NOT_APPLICABLE_COLOUR,
    STATUS_COLOURS,
    euro_axis,
    figure_bytes,
    save_figure,
    show,
)
from analysis.charts.contract import agreement_matrix, plot_agreement, plot_budget_by_axis_year
from analysis.charts.credits import (
    plot_cls_execution,
    plot_consumption,
    plot_departement_share,
    plot_threshold_sensitivity,
    plot_waterfall,
)
from analysis.charts.indicators import plot_all_indicators, plot_attainment_heatmap, plot_indicators
from analysis.charts.scenarios import panel_png, plot_scenario_consumption
from analysis.charts.settlement import plot_ft_cofinancing, plot_ft_eligibility, plot_settlement

__all__ = [
    "ACHIEVEMENT_COLOURS",
    "FICTITIOUS_NOTICE",
    "FIGURES_DIR",
    "FLAG_COLOURS",
    "FUNDER_COLOURS",
    "NOT_APPLICABLE_COLOUR",
    "STATUS_COLOURS",
    "agreement_matrix",
    "euro_axis",
    "panel_png",
    "figure_bytes",
    "plot_agreement",
    "plot_all_indicators",
    "plot_attainment_heatmap",
    "plot_budget_by_axis_year",
    "plot_cls_execution",
    "plot_consumption",
    "plot_departement_share",
    "plot_ft_cofinancing",
    "plot_ft_eligibility",
    "plot_indicators",
    "plot_scenario_consumption",
    "plot_settlement",
    "plot_threshold_sensitivity",
    "plot_waterfall",
    "save_figure",
    "show",
]
