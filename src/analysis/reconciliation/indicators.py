"""Family 'indicateurs': the same indicator printed in several places; printed deltas."""

from __future__ import annotations

import pandas as pd

from analysis.reconciliation.base import (
    _where,
    unit_check,
)


def check_national_indicators(contract) -> list[dict]:
    """CLS fiche 'référentiel national' values against Annexe 10 (summed when several fiches share one indicator)."""
    ind, val = contract.indicators, contract.indicator_values
    fiche = ind[(ind["table"] == "cls_fiche_indicateurs") & ind["ref_indicator"].notna()]
    rows = []
    for ref, group in fiche.groupby("ref_indicator", sort=True):
        national = val[val["indicator_id"] == ref]
        parts = val[val["indicator_id"].isin(group["indicator_id"])]
        for (year, measure), n in national.groupby(["year", "measure"], observed=True, sort=True):
            p = parts[(parts["year"] == year) & (parts["measure"] == measure)]
            rows.append(
                unit_check(
                    f"indicateurs/cls/{ref}/{measure}/{int(year)}",
                    n["value"].iloc[0],
                    p["value"].sum() if len(p) else None,
                    f"Indicateur national {ref}, {'situation' if measure == 'baseline' else 'cible'} {int(year)} : valeur de "
                    f"l'annexe 10 comparée à la somme des fiches ({', '.join(sorted(group['indicator_id']))}).",
                    convention="cls",
                    table="cls_annexe10",
                    year=year,
                    source_expected=_where(n),
                    source_computed=_where(p),
                )
            )
    return rows


def check_ft_indicators_vs_financing_plan(contract) -> list[dict]:
    """FT: each action's first fiche indicator (existing, 2024 target) against the financing plan's places."""
    ind, val = contract.indicators, contract.indicator_values
    fp = contract.financing_plan
    places = fp[(fp["row_type"] == "line") & (fp["unit"] == "places") & fp["action"].notna()]
    rows = []
    for _, line in places.sort_values("action").iterrows():
        first = ind[(ind["table"] == "ft_fiche_indicateurs") & (ind["action"] == line["action"])].sort_values("indicator_id")[:1]
        if first.empty:
            continue
        iid = first["indicator_id"].iloc[0]
        v = val[val["indicator_id"] == iid]
        for measure, year, column in (("baseline", 2023, "existing_value"), ("target", 2024, "target_value")):
            printed = v[(v["measure"] == measure) & (v["year"] == year)]
            rows.append(
                unit_check(
                    f"indicateurs/ft/{line['action']}/{measure}",
                    line[column],
                    printed["value"].iloc[0] if len(printed) else None,
                    f"Action {line['action']} : {'existant' if measure == 'baseline' else 'cible'} du plan de financement "
                    f"(places) comparé à l'indicateur {iid} de la fiche.",
                    convention="ft",
                    table="ft_plan_financement",
                    action=line["action"],
                    year=year,
                    source_expected=_where(fp[fp.index == line.name]),
                    source_computed=_where(printed),
                )
            )
    return rows


def check_financing_plan_deltas(contract) -> list[dict]:
    """FT financing plan: each printed delta against target minus existing."""
    fp = contract.financing_plan
    lines = fp[fp["delta_value"].notna()]
    rows = []
    for _, line in lines.sort_values(["volet", "line_no"]).iterrows():
        computed = None if pd.isna(line["target_value"]) or pd.isna(line["existing_value"]) else line["target_value"] - line["existing_value"]
        rows.append(
            unit_check(
                f"indicateurs/ft/plan_financement/volet{line['volet']}/{int(line['line_no'])}/delta",
                line["delta_value"],
                computed,
                f"Plan de financement volet {line['volet']}, « {line['label']} » : delta imprimé ({line['delta_text']}) "
                f"comparé à cible moins existant ({line['unit']}).",
                convention="ft",
                table="ft_plan_financement",
                axis=line["volet"],
                action=line["action"],
                year=2024,
                source_expected=_where(fp[fp.index == line.name]),
                source_computed=_where(fp[fp.index == line.name]),
            )
        )
    return rows
