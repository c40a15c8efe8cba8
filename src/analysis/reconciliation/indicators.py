"""Family 'indicateurs': the same indicator or volume printed in several places; printed deltas."""

from __future__ import annotations

from analysis.domain import CLS, FT
from analysis.reconciliation.base import FINANCING_PLAN_TABLE
from analysis.reconciliation.facts import Facts

FAMILY = "indicateurs"

#: CLS sub-actions whose printed volume counts what an Annexe 1 indicator of the same action targets
#: (a reading of the labels, H11): (action, sub-action, indicator, same notion). Where the notions are
#: close but not identical (False), a gap is reported for information. Sub-action volumes: the
#: « Volume de … » lines of the fiches (sub_actions.csv, places_line); targets: Annexe 1, l. 686-1006.
SUB_ACTION_INDICATORS = [
    ("1.1", "2", "cls-L-1.1-3", False),  # public 700 (l. 1324) / jeunes sortant de l'ASE avec une solution (l. 703)
    ("1.2", "2", "cls-L-1.2-1", True),  # 90 jeunes accompagnés financièrement (l. 1627) / jeunes aidés (l. 719)
    ("1.2", "3", "cls-L-1.2-2", False),  # 240 mesures (l. 1648) / jeunes accompagnés (l. 727)
    ("1.2", "4", "cls-L-1.2-3", True),  # 55 jeunes (l. 1670) / jeunes relogés par des bailleurs sociaux (l. 735)
    ("1.2", "5", "cls-L-1.2-4", False),  # 73 mesures « mobilier » (l. 1686) / aides « mobilité » (l. 773, S24)
    ("1.3", "1", "cls-L-1.3-1", True),  # 15 jeunes (l. 2021) / jeunes concernés par l'action (l. 788)
    ("1.4", "1", "cls-L-1.4-1", False),  # 40 places (l. 2276) / cellules familiales accompagnées (l. 810)
    ("1.4", "2", "cls-L-1.4-3", False),  # 100 places (l. 2307) / personnes accompagnées suite à violence (l. 823)
    ("1.5", "1", "cls-L-1.5-1", True),  # 100 publics (l. 2546) / jeunes mineurs accompagnés (l. 834)
    ("1.5", "2", "cls-L-1.5-2", False),  # 10 000 départs (l. 2578) / 8 000 séjours organisés (l. 841-845), S23
    ("3.2", "1", "cls-L-3.2-2", True),  # 2 200 jeunes reçus par le CLLAJ (l. 3046) / 3 500 jeunes reçus (l. 890), S22
    ("3.3", "1", "cls-L-3.3-2", False),  # 500 personnes aidées (l. 3266) / dossiers FPEL accordés (l. 912)
    ("3.3", "2", "cls-L-3.3-3", False),  # 243 mesures (l. 3288) / 250 accompagnements (l. 917-924), S23
    ("4.1", "1", "cls-L-4.1-1", True),  # 100 personnes informées (l. 3903) / professionnels informés (l. 950)
    ("4.1", "2", "cls-L-4.1-3", True),  # 300 ménages (l. 3920) / ménages accompagnés, action préventive (l. 965)
    ("4.1", "3", "cls-L-4.1-2", False),  # 25 mesures ASTRE (l. 3940) / dossiers en cours d'accompagnement (l. 956)
    ("4.1", "4", "cls-L-4.1-4", False),  # 162 mesures (l. 3958) / 175 ménages accompagnés socialement (l. 974-977), S23
    ("4.2", "1", "cls-L-4.2-1", False),  # 1 250 places (l. 4288) / personnes ayant eu un diagnostic (l. 982)
    ("4.2", "2", "cls-L-4.2-2", False),  # 1 110 places (l. 4348) / participants accompagnés (l. 988)
]


def _at_places_line(subs: list[dict]) -> list[dict]:
    """Sub-actions cited at the line of their volume (``places_line``) rather than of their amount."""
    return [{**s, "source_line": s["places_line"]} for s in subs if s["places"] is not None]


def check_national_indicators(contract) -> list[dict]:
    """CLS fiche 'référentiel national' values against Annexe 10 (summed when several fiches share one indicator)."""
    facts = Facts.of(contract)
    fiche = [i for i in facts.pick("indicators", table="cls_fiche_indicateurs") if i["ref_indicator"] is not None]
    values = facts.rows("indicator_values")
    rows = []
    for (ref,), group in facts.groups("indicators", fiche, "ref_indicator"):
        ids = sorted(i["indicator_id"] for i in group)
        national = facts.pick("indicator_values", indicator_id=ref)
        parts = [v for v in values if v["indicator_id"] in ids]
        for (year, measure), n in facts.groups("indicator_values", national, "year", "measure", dropna=True):
            p = [v for v in parts if v["year"] == year and v["measure"] == measure]
            scope = facts.scope(FAMILY, convention=CLS.code, table="cls_annexe10", year=year)
            rows.append(
                scope.units(
                    f"indicateurs/cls/{ref}/{measure}/{int(year)}",
                    n[0]["value"],
                    sum(v["value"] for v in p if v["value"] is not None) if p else None,
                    f"Indicateur national {ref}, {'situation' if measure == 'baseline' else 'cible'} {int(year)} : valeur de "
                    f"l'annexe 10 comparée à la somme des fiches ({', '.join(ids)}).",
                    (n, p),
                )
            )
    return rows


def _plan_places(facts: Facts) -> list[dict]:
    """FT financing-plan lines counted in places, one per action, by action."""
    lines = [r for r in facts.pick("financing_plan", row_type="line", unit="places") if r["action"] is not None]
    return facts.sort("financing_plan", lines, "action")


def check_ft_indicators_vs_financing_plan(contract) -> list[dict]:
    """FT: each action's first fiche indicator (existing, 2024 target) against the financing plan's places."""
    facts = Facts.of(contract)
    rows = []
    for line in _plan_places(facts):
        first = sorted(
            facts.pick("indicators", table="ft_fiche_indicateurs", action=line["action"]), key=lambda i: i["indicator_id"]
        )[:1]
        if not first:
            continue
        iid = first[0]["indicator_id"]
        for measure, year, column in (("baseline", 2023, "existing_value"), ("target", 2024, "target_value")):
            printed = facts.pick("indicator_values", indicator_id=iid, measure=measure, year=year)
            scope = facts.scope(FAMILY, convention=FT.code, table=FINANCING_PLAN_TABLE, action=line["action"], year=year)
            rows.append(
                scope.units(
                    f"indicateurs/ft/{line['action']}/{measure}",
                    line[column],
                    printed[0]["value"] if printed else None,
                    f"Action {line['action']} : {'existant' if measure == 'baseline' else 'cible'} du plan de financement "
                    f"(places) comparé à l'indicateur {iid} de la fiche.",
                    ([line], printed),
                )
            )
    return rows


def check_ft_places_vs_sub_actions(contract) -> list[dict]:
    """FT: the financing plan's target in places against the sum of the volumes of the fiche's sub-actions
    (S19, S20: 2.2 plans 5 760 places, its sub-actions 5 960)."""
    facts = Facts.of(contract)
    rows = []
    for line in _plan_places(facts):
        subs = _at_places_line(facts.pick("sub_actions", convention=FT.code, action=line["action"]))
        scope = facts.action_scope(FAMILY, FT.code, line["action"], table=FINANCING_PLAN_TABLE, year=2024)
        rows.append(
            scope.units(
                f"indicateurs/ft/{line['action']}/places_vs_sous_actions",
                line["target_value"],
                sum(s["places"] for s in subs) if subs else None,
                f"Action {line['action']} : cible du plan de financement ({line['target_text']}) comparée à la somme des "
                f"volumes de places des sous-actions de la fiche ({len(subs)} sous-action{'s' if len(subs) > 1 else ''}).",
                ([line], subs),
            )
        )
    return rows


def check_sub_action_volumes(contract) -> list[dict]:
    """CLS: a sub-action's printed volume against the Annexe 1 target of the indicator that counts it
    (:data:`SUB_ACTION_INDICATORS`, H11): S22 (3.2) and S23 (1.5, 3.3, 4.1, close notions, for information)."""
    facts = Facts.of(contract)
    year = facts.choices.sub_action_target_year
    rows = []
    for action, number, iid, same_notion in SUB_ACTION_INDICATORS:
        subs = _at_places_line(facts.pick("sub_actions", convention=CLS.code, action=action, sub_action=number))
        target = facts.pick("indicator_values", indicator_id=iid, measure="target", year=year)
        indicator = facts.pick("indicators", indicator_id=iid)
        label = indicator[0]["label"] if indicator else iid
        scope = facts.action_scope(FAMILY, CLS.code, action, table="cls_annexe1", year=year)
        rows.append(
            scope.units(
                f"indicateurs/cls/{action}/sous_action_{number}/volume_vs_{iid}",
                target[0]["value"] if target else None,
                subs[0]["places"] if subs else None,
                f"Action {action}, sous-action {number} : volume imprimé dans la fiche comparé à la cible {year} de "
                f"l'indicateur {iid} de l'annexe 1 (« {label} »)"
                + ("." if same_notion else " ; notions proches mais non identiques : un écart est donné pour information."),
                (target, subs),
                severity="moyenne" if same_notion else "information",
            )
        )
    return rows


def check_financing_plan_deltas(contract) -> list[dict]:
    """FT financing plan: each printed delta against target minus existing."""
    facts = Facts.of(contract)
    lines = [r for r in facts.rows("financing_plan") if r["delta_value"] is not None]
    rows = []
    for line in facts.sort("financing_plan", lines, "volet", "line_no"):
        known = line["target_value"] is not None and line["existing_value"] is not None
        scope = facts.scope(
            FAMILY, convention=FT.code, table=FINANCING_PLAN_TABLE, axis=line["volet"], action=line["action"], year=2024
        )
        rows.append(
            scope.units(
                f"indicateurs/ft/plan_financement/volet{line['volet']}/{int(line['line_no'])}/delta",
                line["delta_value"],
                line["target_value"] - line["existing_value"] if known else None,
                f"Plan de financement volet {line['volet']}, « {line['label']} » : delta imprimé ({line['delta_text']}) "
                f"comparé à cible moins existant ({line['unit']}).",
                ([line], [line]),
            )
        )
    return rows
