"""Reconciliation internals: the one row builder, the indexed records, the register's choices, the new checks."""

import dataclasses
import importlib
from decimal import Decimal

import pandas as pd
import pytest

from analysis.assumptions import assumptions, get
from analysis.reconciliation import CHECK_COLUMNS, CHECKS, Choices, Facts, Scope, findings, reconcile
from analysis.reconciliation.coverage import check_sub_action_dates
from analysis.reconciliation.cross import check_cls_execution_vs_2025
from analysis.reconciliation.execution import check_execution_arithmetic, check_execution_vs_contract
from analysis.reconciliation.indicators import SUB_ACTION_INDICATORS, check_sub_action_volumes
from analysis.reconciliation.rules import check_ft_cofinancing


@pytest.fixture(scope="module")
def checks(contract):
    return reconcile(contract)


def by_id(rows: list[dict]) -> dict:
    return {r["check_id"]: r for r in rows}


def with_choices(contract, **changes) -> Facts:
    return Facts(contract, dataclasses.replace(Choices.from_register(), **changes))


# ---------------------------------------------------------------------------------------------
# The row builder
# ---------------------------------------------------------------------------------------------


def test_a_money_row_carries_its_gap_and_a_severity_from_its_size():
    scope = Scope("sommes", convention="cls", action="1.1", year=2024)
    ok = scope.money("c", Decimal("10.00"), Decimal("10.00"), "t.")
    assert list(ok) == CHECK_COLUMNS
    assert (ok["status"], ok["severity"], ok["gap_eur"], ok["action"]) == ("ok", "aucune", Decimal("0.00"), "1.1")
    small = scope.money("c", Decimal("10.00"), Decimal("9.00"), "t.")
    assert (small["status"], small["severity"], small["gap_eur"]) == ("ecart", "moyenne", Decimal("-1.00"))
    assert scope.money("c", Decimal(0), Decimal(1000), "t.")["severity"] == "elevee"  # H08: 1 000 €
    assert scope.at(high_gap_eur=Decimal(5000)).money("c", Decimal(0), Decimal(1000), "t.")["severity"] == "moyenne"
    missing = scope.money("c", None, Decimal(1), "t.", severity="information")
    assert (missing["status"], missing["severity"], missing["gap_eur"]) == ("non_verifiable", "faible", None)
    above = scope.money("c", Decimal(50), Decimal(60), "t.", at_least=True)
    assert (above["status"], above["gap_eur"]) == ("ok", Decimal(10))
    below = scope.money("c", Decimal(50), Decimal(40), "t.", severity="information", at_least=True)
    assert (below["status"], below["severity"]) == ("ecart", "information")


def test_a_unit_row_carries_gap_units_zero_when_the_counts_agree():
    scope = Scope("indicateurs", convention="ft", action="2.2")
    agree = scope.units("c", 5760.0, 5760, "t.")
    assert (agree["status"], agree["gap_units"], agree["gap_eur"]) == ("ok", 0.0, None)
    assert agree["explication"] == "t. Imprimé : 5760 ; comparé : 5760."
    differ = scope.units("c", 5760.0, 5960, "t.", severity="information")
    assert (differ["status"], differ["severity"], differ["gap_units"]) == ("ecart", "information", 200.0)
    missing = scope.units("c", pd.NA, 5960, "t.")
    assert (missing["status"], missing["gap_units"], missing["explication"]) == ("non_verifiable", None, "t.")


def test_a_status_row_and_its_sources():
    scope = Scope("couverture", convention="cls")
    row = scope.status("c", False, "t.", ("en-tête (l. 3)", [{"source": "fiche", "source_line": 12}]), severity="elevee")
    assert (row["status"], row["severity"], row["source_expected"], row["source_computed"]) == (
        "ecart",
        "elevee",
        "en-tête (l. 3)",
        "fiche (l. 12)",
    )
    assert scope.status("c", None, "t.")["status"] == "non_verifiable"
    assert scope.status("c", True, "t.", severity="elevee")["severity"] == "aucune"


# ---------------------------------------------------------------------------------------------
# Invariants on the embedded data
# ---------------------------------------------------------------------------------------------


def test_every_money_check_has_its_gap_and_every_unit_check_its_gap_units(checks):
    money = checks[checks["expected"].notna() & checks["computed"].notna()]
    assert len(money) > 550
    assert all(g == c - e for e, c, g in zip(money["expected"], money["computed"], money["gap_eur"]))
    units = checks[(checks["family"] == "indicateurs") & (checks["status"] != "non_verifiable")]
    assert len(units) > 80 and units["gap_units"].notna().all()
    assert (units.loc[units["status"] == "ok", "gap_units"] == 0).all()
    assert (units.loc[units["status"] == "ecart", "gap_units"] != 0).all()
    assert units["gap_eur"].isna().all()


def test_facts_group_and_sort_like_pandas(contract):
    facts = Facts(contract)
    budget = contract.budget
    keys = ["table", "action", "year"]

    def plain(key):
        return tuple(None if pd.isna(v) else v for v in key)

    expected = [plain(k) for k, _ in budget.groupby(keys, observed=True, dropna=False, sort=True)]
    assert [k for k, _ in facts.groups("budget", facts.rows("budget"), *keys)] == expected
    mask = (budget["table"] == "cls_a3_prev_2025") & (budget["row_type"] == "line") & (budget["column_label"] == "K")
    picked = facts.pick("budget", table="cls_a3_prev_2025", row_type="line", column_label="K")
    assert [r["amount_eur"] for r in picked] == list(budget.loc[mask, "amount_eur"])
    texts = contract.text_amounts.sort_values(["document", "source_line"])
    assert [r["source_line"] for r in facts.sort("text_amounts", facts.rows("text_amounts"), "document", "source_line")] == list(
        texts["source_line"]
    )


def test_a_check_runs_alone_on_a_contract_and_within_reconcile_on_shared_records(contract, checks):
    alone = check_sub_action_volumes(contract)
    shared = checks[checks["check_id"].isin([r["check_id"] for r in alone])]
    assert len(alone) == len(SUB_ACTION_INDICATORS) == len(shared)
    assert [r["gap_units"] for r in alone] == list(shared["gap_units"])
    assert reconcile(contract, checks=CHECKS[:1])["check_id"].str.startswith("sommes/").all()


# ---------------------------------------------------------------------------------------------
# Analysis choices come from the register and change the results
# ---------------------------------------------------------------------------------------------


def test_choices_are_the_register_values():
    choices = Choices.from_register()
    assert choices.signature_date == pd.Timestamp(get("H03").value)
    assert choices.ft_state_excludes_fipe is get("H05").value
    assert choices.ft_cofinancing_scope == get("H06").value
    assert choices.high_gap_eur == Decimal(str(get("H08").value))
    assert choices.sub_action_target_year == get("H11").value


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def test_the_register_names_real_reconciliation_code():
    cited = [u for a in assumptions() for u in a.used_in if u.startswith("analysis.reconciliation")]
    assert len(cited) >= 15
    assert [u for u in cited if not _resolves(u)] == []


def test_valorised_fse_left_out_of_the_cofinancing_breaks_the_volet_rule(contract):
    rows = by_id(check_ft_cofinancing(with_choices(contract, ft_cofinancing_counts_fse=False)))
    volet = rows["regles/ft/cofinancement_50/volet2"]
    # cost 8 251 784 - 100 000 valorised; co-financing 4 025 892 against half of 8 151 784
    assert (volet["status"], volet["expected"], volet["gap_eur"]) == ("ecart", Decimal("4075892.00"), Decimal("-50000.00"))
    assert rows["regles/ft/cofinancement_50/volet2/departement_sans_fse"]["gap_eur"] == Decimal("-100000.00")


def test_cofinancing_judged_per_action_is_a_minimum_of_normal_severity(contract):
    rows = by_id(check_ft_cofinancing(with_choices(contract, ft_cofinancing_scope="action")))
    assert rows["regles/ft/cofinancement_50/2.6"]["status"] == "ok"  # more than 50 % co-financed
    assert (rows["regles/ft/cofinancement_50/2.7"]["status"], rows["regles/ft/cofinancement_50/2.7"]["severity"]) == (
        "ecart",
        "elevee",
    )


def test_the_signature_date_moves_the_end_of_a_sub_action(contract):
    key = "couverture/ft/2.2/sous_action_3/duree"
    assert by_id(check_sub_action_dates(contract))[key]["gap_units"] == 4.0
    early = by_id(check_sub_action_dates(with_choices(contract, signature_date=pd.Timestamp("2024-01-01"))))[key]
    assert (early["status"], early["gap_units"]) == ("ok", 0.0)


def test_blank_cells_of_the_execution_table_compared_as_zero(contract):
    default = by_id(check_cls_execution_vs_2025(contract))
    assert "croisement/cls/axe3/cls_a3_exec_2024_vs_cls_a3_prev_2025/executed_total" not in default
    blank_is_zero = by_id(check_cls_execution_vs_2025(with_choices(contract, execution_blank_cells_compared=True)))
    row = blank_is_zero["croisement/cls/axe3/cls_a3_exec_2024_vs_cls_a3_prev_2025/executed_total"]
    assert (row["status"], row["gap_eur"]) == ("ecart", Decimal("2020000.00"))


# ---------------------------------------------------------------------------------------------
# New checks: the figure that resolves a finding resolves it alone
# ---------------------------------------------------------------------------------------------


def _replaced(contract, frame: str, where: dict, column: str, value):
    table = getattr(contract, frame).copy()
    mask = pd.Series(True, index=table.index)
    for col, expected in where.items():
        mask &= table[col].isna() if expected is None else table[col] == expected
    assert mask.sum() == 1, where
    table[column] = table[column].astype(object)
    table.loc[mask, column] = value
    return dataclasses.replace(contract, **{frame: table})


@pytest.mark.parametrize(
    ("frame", "where", "column", "value", "resolved", "created"),
    [
        (  # S31: the execution table's total réalisé of axis 1 as in the 2025 table; the execution table's
            # own sums and formula (A+C, blank cells = 0) then disagree with it: the template was left blank
            "budget",
            {"table": "cls_a3_exec_2024", "axis": "1", "row_type": "subtotal", "column_label": "Montant total réalisé (A+C)"},
            "amount_eur",
            Decimal("3318576.00"),
            "croisement/cls/axe1/cls_a3_exec_2024_vs_cls_a3_prev_2025/executed_total",
            {
                "sommes/cls_a3_exec_2024/axe1/Montant total réalisé (A+C)",
                "sommes/cls_a3_exec_2024/total/Montant total réalisé (A+C)/sous-totaux",
                "formules/cls_a3_exec_2024/Montant total réalisé (A+C)/subtotal/axe 1",
            },
        ),
        (  # S20: the sub-actions of 2.2 adding up to the financing plan's 5 760 places
            "sub_actions",
            {"action": "2.2", "sub_action": "4"},
            "places",
            4800,
            "indicateurs/ft/2.2/places_vs_sous_actions",
            set(),
        ),
        (  # S22: the CLLAJ volume as the Annexe 1 target
            "sub_actions",
            {"action": "3.2", "sub_action": "1"},
            "places",
            3500,
            "indicateurs/cls/3.2/sous_action_1/volume_vs_cls-L-3.2-2",
            set(),
        ),
        (  # S23: the 4.1 measures as the Annexe 1 target of households supported
            "sub_actions",
            {"action": "4.1", "sub_action": "4"},
            "places",
            175,
            "indicateurs/cls/4.1/sous_action_4/volume_vs_cls-L-4.1-4",
            set(),
        ),
    ],
)
def test_correcting_one_figure_resolves_its_finding(contract, checks, frame, where, column, value, resolved, created):
    before = set(findings(checks)["check_id"])
    after = set(findings(reconcile(_replaced(contract, frame, where, column, value)))["check_id"])
    assert resolved in before
    assert after == (before - {resolved}) | created


# ---------------------------------------------------------------------------------------------
# Execution reports on hand-made data: each contract's own reference for the credits paid
# ---------------------------------------------------------------------------------------------


def _line(convention, action, year, quantity, amount, *, funder="etat", phase="executed") -> dict:
    return {
        "convention": convention, "action": action, "axis": None, "year": year, "funder": funder, "funder_detail": None,
        "phase": phase, "table": "execution_workbook", "row_type": "line", "column_label": None, "quantity": quantity,
        "amount_eur": Decimal(amount), "source": f"classeur fait main, {action} {year} {quantity}", "source_line": None,
        "notes": None,
    }


def hand_made(execution, *lines):
    """An execution report holding only ``lines`` (same columns and dtypes as a workbook read)."""
    budget = pd.DataFrame(list(lines), columns=execution.budget.columns).astype(execution.budget.dtypes.to_dict())
    return dataclasses.replace(execution, budget=budget)


def paid_check(contract, execution, convention, action, year) -> dict:
    return by_id(check_execution_vs_contract(contract, execution))[f"execution/{convention}/{action}/{year}/verse_vs_prevu"]


def test_cls_credits_paid_follow_the_avenant_when_one_is_notified_else_the_fiche(contract, execution):
    """CLS art. 2.2 (l. 300-318): 2025 is « notifié et précisé par avenant ». 3.3's fiche plans 500 000 € of
    State money for 2025; the avenant (sheet « Avenant » of the 2024 workbook) notifies 425 000 €."""
    paid = _line("cls", "3.3", 2025, "paid", "425000.00")
    notified = _line("cls", "3.3", 2025, "notified", "425000.00", phase="adjusted")
    with_avenant = paid_check(contract, hand_made(execution, notified, paid), "cls", "3.3", 2025)
    assert with_avenant["status"] == "ok" and with_avenant["expected"] == Decimal("425000.00")
    assert "avenant" in with_avenant["explication"] and "classeur fait main, 3.3 2025 notified" in with_avenant["source_expected"]
    # the latest avenant wins (a later workbook notifying the same year again)
    later = _line("cls", "3.3", 2025, "notified", "430000.00", phase="adjusted")
    latest = paid_check(contract, hand_made(execution, notified, later, paid), "cls", "3.3", 2025)
    assert latest["expected"] == Decimal("430000.00") and latest["gap_eur"] == Decimal("-5000.00")
    # no avenant recorded: the fiche's forecast, and the sentence says so
    without = paid_check(contract, hand_made(execution, paid), "cls", "3.3", 2025)
    assert without["status"] == "ecart" and without["expected"] == Decimal("500000.00")
    assert without["gap_eur"] == Decimal("-75000.00") and "référence : fiche" in without["explication"]
    # ERBM is CLS State money (H04): 1.5 plans 220 000 € + 75 000 € ERBM
    erbm = paid_check(contract, hand_made(execution, _line("cls", "1.5", 2025, "paid", "295000.00")), "cls", "1.5", 2025)
    assert erbm["status"] == "ok" and erbm["expected"] == Decimal("295000.00")


def test_the_ft_advance_is_not_applied_to_the_cls_nor_the_cls_avenant_to_france_travail(contract, execution):
    # CLS credits are paid in full: 60 % of the fiche is a gap, not an advance
    cls = paid_check(contract, hand_made(execution, _line("cls", "3.3", 2024, "paid", "300000.00")), "cls", "3.3", 2024)
    assert cls["status"] == "ecart" and cls["expected"] == Decimal("500000.00") and "avance" not in cls["explication"]
    # France Travail: a notified amount does not replace the art. 6 advance on the art. 4.1 amount
    report = hand_made(execution, _line("ft", "2.3", 2024, "notified", "2000000.00", phase="adjusted"),
                       _line("ft", "2.3", 2024, "paid", "990000.00"))
    ft = paid_check(contract, report, "ft", "2.3", 2024)
    assert ft["status"] == "ok" and ft["expected"] == Decimal("990000.00") and "avenant" not in ft["explication"]


def test_ft_credits_paid_are_compared_with_the_advance_share_and_the_total_with_the_printed_advance(contract, execution):
    """FT art. 6 (l. 5949-5966): 60 % at signature (rule ft_advance_rate), the balance after the final report;
    FIPE (2.4) is outside the convention (H05) and compared in full with its fund (H09)."""
    shares = {"2.1": "81000.00", "2.2": "425847.60", "2.3": "990000.00", "2.5": "484200.00", "2.6": "358800.00",
              "2.7": "216687.60"}
    lines = [_line("ft", a, 2024, "paid", v) for a, v in shares.items()] + [_line("ft", "2.4", 2024, "paid", "332718.00")]
    rows = by_id(check_execution_vs_contract(contract, hand_made(execution, *lines)))
    for action, share in shares.items():
        row = rows[f"execution/ft/{action}/2024/verse_vs_prevu"]
        assert row["status"] == "ok" and row["expected"] == Decimal(share) and "avance" in row["explication"], action
    assert rows["execution/ft/2.4/2024/verse_vs_prevu"]["status"] == "ok"
    assert "FIPE" in rows["execution/ft/2.4/2024/verse_vs_prevu"]["explication"]
    total = rows["execution/ft/2024/verse_vs_avance"]
    assert total["status"] == "ok" and total["expected"] == total["computed"] == Decimal("2556535.20")
    # less than the advance share is a gap; more (the balance, or an over-payment) is settled, not a gap
    short = paid_check(contract, hand_made(execution, _line("ft", "2.3", 2024, "paid", "989999.99")), "ft", "2.3", 2024)
    assert short["status"] == "ecart" and short["gap_eur"] == Decimal("-0.01")
    full = paid_check(contract, hand_made(execution, _line("ft", "2.3", 2024, "paid", "1650000.00")), "ft", "2.3", 2024)
    assert full["status"] == "ok" and full["gap_eur"] == Decimal("660000.00") and full["severity"] == "aucune"
    partial = by_id(check_execution_vs_contract(contract, hand_made(execution, *lines[1:])))
    assert partial["execution/ft/2024/verse_vs_avance"]["status"] == "ecart"
    assert partial["execution/ft/2024/verse_vs_avance"]["gap_eur"] == Decimal("-81000.00")


def test_ft_arithmetic_has_no_unconsumed_to_carry_and_spending_beyond_the_advance_is_no_gap(contract, execution):
    spent_more = [_line("ft", "2.3", 2024, "paid", "990000.00"), _line("ft", "2.3", 2024, "executed", "1158960.00"),
                  _line("ft", "2.3", 2024, "unconsumed", "-168960.00")]
    rows = by_id(check_execution_arithmetic(contract, hand_made(execution, *spent_more)))
    assert rows["execution/ft/2.3/2024/non_consomme"]["status"] == "ok"
    assert "execution/ft/2.3/2024/report_etat" not in rows
    carried = hand_made(execution, *spent_more, _line("ft", "2.3", 2025, "carry_over", "1000.00"))
    report = by_id(check_execution_arithmetic(contract, carried))["execution/ft/2.3/2024/report_etat"]
    assert report["status"] == "ecart" and "sans report" in report["explication"]
    # the CLS keeps its carry-over rule: at most the unconsumed credits
    cls = [_line("cls", "3.1", 2024, "paid", "150000.00"), _line("cls", "3.1", 2024, "executed", "74805.00"),
           _line("cls", "3.1", 2024, "unconsumed", "75195.00"), _line("cls", "3.1", 2025, "carry_over", "75195.00")]
    cls_rows = by_id(check_execution_arithmetic(contract, hand_made(execution, *cls)))
    assert cls_rows["execution/cls/3.1/2024/report_etat"]["status"] == "ok"


def test_credits_carried_into_a_year_that_does_not_report_the_action_are_a_gap(contract, execution):
    """Issue 15: what a year carries out is what the next year carries in; a carry-over into an action-year left
    blank is accounted for nowhere, and the reconciliation says so."""
    from dataclasses import replace

    import analysis

    checks = analysis.reconcile(contract, execution).set_index("check_id")
    assert checks.loc["execution/cls/3.3/2025/report_recu", "status"] == "ok"
    b = execution.budget
    blank = (b["convention"] == "cls") & (b["action"] == "3.3") & (b["year"] == 2025) & (b["quantity"] == "executed")
    checks = analysis.reconcile(contract, replace(execution, budget=b[~blank].reset_index(drop=True))).set_index("check_id")
    row = checks.loc["execution/cls/3.3/2025/report_recu"]
    assert row["status"] == "ecart" and abs(row["gap_eur"]) == Decimal("205950.00")
