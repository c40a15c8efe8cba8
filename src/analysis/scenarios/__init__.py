"""Scenarios: what if an action spends less, the State rejects a justification, an avenant cuts an axis,
2026 and 2027 run at this year's pace?

A scenario is plain data (:class:`Scenario`, saved as a small JSON file by :func:`save`, read back by
:func:`load`); :func:`run` assesses the execution under it by the rules of :func:`analysis.assess` (the
base scenario gives exactly ``assess``'s result) and :func:`compare` puts results side by side
(:func:`analysis.display.export_scenario_comparison` exports the comparison). :func:`panel` builds the ipywidgets panel of
notebook 04 and of the browser app (``make app``).
"""

from importlib import import_module

from analysis.scenarios.compare import Comparison, compare, threshold_sensitivity
from analysis.scenarios.engine import ScenarioAssessment, ScenarioRunner, illustrative_scenarios, run
from analysis.scenarios.files import dumps, file_name, load, loads, save, saved
from analysis.scenarios.model import AvenantChange, Decision, ExecutedOverride, Scenario, ScenarioError, validate

#: Names imported on first use (the panel needs ipywidgets and matplotlib).
_LAZY = {"panel": "analysis.scenarios.ui", "ScenarioPanel": "analysis.scenarios.ui"}

__all__ = [
    "AvenantChange", "Comparison", "Decision", "ExecutedOverride", "Scenario", "ScenarioAssessment", "ScenarioError",
    "ScenarioPanel", "ScenarioRunner", "compare", "dumps", "file_name", "illustrative_scenarios", "load", "loads",
    "panel", "run", "save", "saved", "threshold_sensitivity", "validate",
]


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'analysis.scenarios' has no attribute {name!r}")
