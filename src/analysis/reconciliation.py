"""Reconciliation: every printed figure checked against the others, with the gap in euros.

``reconcile(contract)`` returns one row per check (see :data:`CHECK_COLUMNS`). Each family of checks
is a small function taking the :class:`~analysis.loading.Contract` and returning check rows; they
never alter the figures. Status is 'ok', 'ecart' (the figures disagree) or 'non_verifiable' (one side
is not printed). Explanations are in French: they are read by analysts.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd

from analysis.formatting import format_eur

ZERO = Decimal("0.00")

CHECK_COLUMNS = [
    "check_id",
    "family",
    "convention",
    "table",
    "axis",
    "action",
    "year",
    "funder",
    "expected",
    "computed",
    "gap_eur",
    "gap_units",
    "status",
    "severity",
    "source_expected",
    "source_computed",
    "explication",
]

STATUSES = ["ok", "ecart", "non_verifiable"]
SEVERITIES = ["aucune", "faible", "moyenne", "elevee"]
FAMILIES = ["sommes", "croisement", "regles", "formules", "indicateurs", "couverture", "execution"]

#: Above this gap (in euros) an 'ecart' is of high severity.
HIGH_GAP_EUR = Decimal("1000")


def _where(rows: pd.DataFrame) -> str:
    """A short provenance for a set of figures: their sources' first entry and line numbers."""
    if rows.empty:
        return ""
    lines = sorted({int(v) for v in rows["source_line"].dropna()})
    shown = ", ".join(str(v) for v in lines[:6]) + (" …" if len(lines) > 6 else "")
    first = str(rows["source"].iloc[0])
    return f"{first} (l. {shown})" if len(rows) == 1 else f"{first} … (l. {shown})"


def _total(values) -> Decimal:
    return sum((v for v in values if v is not None and v == v), ZERO)


def money_check(check_id, family, expected, computed, explication, *, severity=None, at_least=False, **scope) -> dict:
    """One money check: status from the two amounts (None = not printed).

    With ``at_least=True`` (a minimum rule, e.g. 'at least 50 %'), a computed amount above the
    expected one is 'ok'; the gap is still reported.
    """
    if expected is None or computed is None:
        status, gap = "non_verifiable", None
    else:
        gap = computed - expected
        status = "ok" if gap == 0 or (at_least and gap > 0) else "ecart"
    if severity is None:
        severity = {"ok": "aucune", "non_verifiable": "faible"}.get(status)
        if severity is None:
            severity = "elevee" if abs(gap) >= HIGH_GAP_EUR else "moyenne"
    elif status == "non_verifiable":
        severity = "faible"
    return {
        "check_id": check_id,
        "family": family,
        "expected": expected,
        "computed": computed,
        "gap_eur": gap,
        "status": status,
        "severity": "aucune" if status == "ok" else severity,
        "explication": explication,
        **scope,
    }


def as_frame(rows: list[dict]) -> pd.DataFrame:
    """Check rows as a typed DataFrame in :data:`CHECK_COLUMNS` order."""
    frame = pd.DataFrame(rows, columns=CHECK_COLUMNS)
    frame["family"] = pd.Categorical(frame["family"], categories=FAMILIES)
    frame["status"] = pd.Categorical(frame["status"], categories=STATUSES)
    frame["severity"] = pd.Categorical(frame["severity"], categories=SEVERITIES, ordered=True)
    frame["year"] = pd.array(frame["year"].tolist(), dtype="Int64")
    for col in ("expected", "computed", "gap_eur"):
        frame[col] = pd.Series([None if pd.isna(v) else v for v in frame[col]], index=frame.index, dtype=object)
    frame["gap_units"] = pd.array(frame["gap_units"].tolist(), dtype="Float64")
    for col in ("check_id", "convention", "table", "axis", "action", "funder", "source_expected", "source_computed", "explication"):
        frame[col] = pd.array([None if v is None or v != v else str(v) for v in frame[col]], dtype="str")
    return frame


# --------------------------------------------------------------------------------------------
# Family 'sommes': printed sub-totals and totals against their parts.
# --------------------------------------------------------------------------------------------

FICHE_TABLES = ["cls_fiche_budget", "ft_fiche_budget"]
ANNEX_TABLES = ["cls_a3_prev_2024", "cls_a3_exec_2024", "cls_a3_prev_2025"]


def _year_label(year) -> str:
    return "Total pluriannuel" if pd.isna(year) else str(int(year))


def check_fiche_row_totals(contract) -> list[dict]:
    """Each fiche budget row: the printed Total column against the sum of the funder columns."""
    b = contract.budget
    rows = []
    fiches = b[b["table"].isin(FICHE_TABLES)]
    for (table, action, year), row in fiches.groupby(["table", "action", "year"], observed=True, dropna=False, sort=True):
        total = row[row["quantity"] == "total"]
        parts = row[row["funder"].notna()]
        printed = total["amount_eur"].iloc[0] if len(total) else None
        label = _year_label(year)
        rows.append(
            money_check(
                f"sommes/{table}/{action}/{label}/ligne",
                "sommes",
                printed,
                _total(parts["amount_eur"]) if len(parts) else None,
                f"Fiche {action}, ligne {label} : la colonne Total imprimée "
                + ("est comparée à la somme des financeurs." if len(total) else "n'est pas imprimée."),
                convention=row["convention"].iloc[0],
                table=table,
                action=action,
                year=year,
                source_expected=_where(total),
                source_computed=_where(parts),
            )
        )
    return rows


def check_fiche_column_totals(contract) -> list[dict]:
    """Each fiche's printed multi-year Total row against the sum of its year rows, column by column."""
    b = contract.budget
    fiches = b[b["table"].isin(FICHE_TABLES)]
    rows = []
    for (table, action, column), col in fiches.groupby(["table", "action", "column_label"], observed=True, sort=True):
        total = col[col["row_type"] == "total"]
        years = col[col["row_type"] == "line"]
        if total.empty and years.empty:
            continue
        rows.append(
            money_check(
                f"sommes/{table}/{action}/total/{column}",
                "sommes",
                total["amount_eur"].iloc[0] if len(total) else None,
                _total(years["amount_eur"]),
                f"Fiche {action}, colonne « {column} » : ligne Total imprimée "
                + ("comparée à la somme des années imprimées." if len(total) else "absente."),
                convention=col["convention"].iloc[0],
                table=table,
                action=action,
                funder=col["funder"].iloc[0],
                source_expected=_where(total),
                source_computed=_where(years),
            )
        )
    return rows


def check_annex_subtotals(contract) -> list[dict]:
    """Annexe 3 tables: axis sub-totals against their actions, totals against sub-totals and actions.

    A blank cell of the printed table counts as zero.
    """
    b = contract.budget
    axis_of = dict(zip(contract.actions["action"], contract.actions["axis"]))
    rows = []
    for table in ANNEX_TABLES:
        t = b[b["table"] == table]
        lines = t[t["row_type"] == "line"].assign(action_axis=lambda d: d["action"].map(axis_of))
        for _, sub in t[t["row_type"] == "subtotal"].sort_values(["axis", "column_label"]).iterrows():
            parts = lines[(lines["action_axis"] == sub["axis"]) & (lines["column_label"] == sub["column_label"])]
            rows.append(
                money_check(
                    f"sommes/{table}/axe{sub['axis']}/{sub['column_label']}",
                    "sommes",
                    sub["amount_eur"],
                    _total(parts["amount_eur"]),
                    f"Annexe 3, sous-total de l'axe {sub['axis']}, colonne « {sub['column_label']} » : "
                    "comparé à la somme des actions de l'axe (cellule vide = 0).",
                    convention="cls",
                    table=table,
                    axis=sub["axis"],
                    year=sub["year"],
                    funder=sub["funder"],
                    source_expected=_where(t[t.index == sub.name]),
                    source_computed=_where(parts),
                )
            )
        subtotals = t[t["row_type"] == "subtotal"]
        for _, tot in t[t["row_type"] == "total"].sort_values("column_label").iterrows():
            for kind, parts in (
                ("sous-totaux", subtotals[subtotals["column_label"] == tot["column_label"]]),
                ("actions", lines[lines["column_label"] == tot["column_label"]]),
            ):
                rows.append(
                    money_check(
                        f"sommes/{table}/total/{tot['column_label']}/{kind}",
                        "sommes",
                        tot["amount_eur"],
                        _total(parts["amount_eur"]),
                        f"Annexe 3, total général, colonne « {tot['column_label']} » : comparé à la somme des {kind} "
                        "(cellule vide = 0).",
                        convention="cls",
                        table=table,
                        year=tot["year"],
                        funder=tot["funder"],
                        source_expected=_where(t[t.index == tot.name]),
                        source_computed=_where(parts),
                    )
                )
    return rows


def check_ft_plan_total(contract) -> list[dict]:
    """France Travail plan d'action: printed TOTAL against the sum of the action amounts."""
    b = contract.budget
    plan = b[b["table"] == "ft_plan_action"]
    total = plan[plan["row_type"] == "total"]
    parts = plan[plan["row_type"] == "line"]
    return [
        money_check(
            "sommes/ft_plan_action/total",
            "sommes",
            total["amount_eur"].iloc[0] if len(total) else None,
            _total(parts["amount_eur"]),
            "Plan d'action France Travail : TOTAL imprimé comparé à la somme des montants des actions.",
            convention="ft",
            table="ft_plan_action",
            year=2024,
            source_expected=_where(total),
            source_computed=_where(parts),
        )
    ]


def check_financing_plan(contract) -> list[dict]:
    """France Travail financing plan: sub-totals, volet totals and ceilings."""
    fp = contract.financing_plan.sort_values(["volet", "line_no"])
    rows = []
    for volet, v in fp.groupby("volet", observed=True):
        lines = v[v["row_type"] == "line"]
        subtotals = v[v["row_type"] == "subtotal"]
        for _, sub in subtotals.iterrows():
            parts = lines[(lines["section"] == sub["section"]) & (lines["line_no"] < sub["line_no"])]
            kind = "lignes de la rubrique"
            if parts.empty:  # a block total printed after its rubrics' sub-totals
                parts = subtotals[(subtotals["line_no"] < sub["line_no"]) & (subtotals["section"] != sub["section"])]
                kind = "sous-totaux qui le précèdent"
            if sub["amount_eur"] is None and _total(parts["amount_eur"]) == 0:
                continue  # an empty template block: nothing printed on either side
            rows.append(
                money_check(
                    f"sommes/ft_plan_financement/volet{volet}/{int(sub['line_no'])}",
                    "sommes",
                    sub["amount_eur"],
                    _total(parts["amount_eur"]),
                    f"Plan de financement volet {volet}, « {sub['label']} » ({sub['section']}) : comparé à la somme des {kind}.",
                    convention="ft",
                    table="ft_plan_financement",
                    axis=volet,
                    year=2024,
                    source_expected=_where(v[v.index == sub.name]),
                    source_computed=_where(parts),
                )
            )
        total = v[v["row_type"] == "total"]
        ceiling = v[v["row_type"] == "ceiling"]
        printed_total = total["amount_eur"].iloc[0] if len(total) else None
        if printed_total is None and _total(lines["amount_eur"]) == 0:
            continue
        rows.append(
            money_check(
                f"sommes/ft_plan_financement/volet{volet}/total",
                "sommes",
                printed_total,
                _total(lines["amount_eur"]),
                f"Plan de financement volet {volet} : total des besoins comparé à la somme des lignes.",
                convention="ft",
                table="ft_plan_financement",
                axis=volet,
                year=2024,
                source_expected=_where(total),
                source_computed=_where(lines),
            )
        )
        rows.append(
            money_check(
                f"sommes/ft_plan_financement/volet{volet}/plafond",
                "sommes",
                ceiling["amount_eur"].iloc[0] if len(ceiling) else None,
                printed_total,
                f"Plan de financement volet {volet} : total des besoins comparé au plafond départemental.",
                convention="ft",
                table="ft_plan_financement",
                axis=volet,
                year=2024,
                source_expected=_where(ceiling),
                source_computed=_where(total),
            )
        )
    return rows


def check_sub_actions(contract) -> list[dict]:
    """Sub-action amounts of a fiche against the fiche's annual total (first year of the fiche)."""
    b = contract.budget
    fiche_totals = b[b["table"].isin(FICHE_TABLES) & (b["row_type"] == "line") & (b["quantity"] == "total")]
    rows = []
    for action, subs in contract.sub_actions.groupby("action", sort=True):
        totals = fiche_totals[fiche_totals["action"] == action].sort_values("year")
        first = totals.iloc[:1]
        amounts = [a for a in subs["amount_eur"] if a is not None]
        rows.append(
            money_check(
                f"sommes/sous_actions/{action}",
                "sommes",
                first["amount_eur"].iloc[0] if len(first) else None,
                _total(amounts) if amounts else None,
                f"Fiche {action} : somme des montants des sous-actions comparée au total annuel de la fiche"
                + (f" ({int(first['year'].iloc[0])})." if len(first) else " (non imprimé).")
                + ("" if amounts else " Aucun montant de sous-action n'est imprimé."),
                convention=subs["convention"].iloc[0],
                table="sub_actions",
                action=action,
                year=first["year"].iloc[0] if len(first) else None,
                source_expected=_where(first),
                source_computed=_where(subs[subs["amount_eur"].notna()]),
            )
        )
    return rows


def check_text_sums(contract) -> list[dict]:
    """Amounts in prose: per-axis (CLS) and per-volet (FT) amounts against the stated contract total."""
    ta = contract.text_amounts
    rows = []
    for (document, article, year), group in ta.groupby(["document", "article", "year"], dropna=False, sort=True):
        total = group[group["scope"] == "contract"]
        parts = group[group["scope"].isin(["axis", "volet"])]
        if total.empty or parts.empty:
            continue
        convention = total["convention"].iloc[0]
        kind = "axes" if convention == "cls" else "volets"
        rows.append(
            money_check(
                f"sommes/texte/{document}/{article}/{kind}",
                "sommes",
                total["amount_eur"].iloc[0],
                _total(parts["amount_eur"]),
                f"{document}, article {article} : montant total comparé à la somme des montants par {kind[:-1]}.",
                convention=convention,
                table="text_amounts",
                year=year,
                source_expected=_where(total),
                source_computed=_where(parts),
            )
        )
    return rows


# --------------------------------------------------------------------------------------------
# Family 'formules': formulas printed in table headers, against numbers and column definitions.
# --------------------------------------------------------------------------------------------

def _operands(formula: str) -> list[str]:
    return re.findall(r"[A-M]", formula)


def check_header_formulas(contract) -> list[dict]:
    """Evaluate every formula printed in an Annexe 3 header (e.g. 'F+H') on every printed row.

    Two checks per formula: against the numbers (blank operand cells count as zero when the result
    is printed), and against the definitions of the columns it names (a funder's budget should add
    that funder's columns only; a global budget should add every funder).
    """
    cols = contract.table_columns
    b = contract.budget
    rows = []
    for _, spec in cols[cols["formula"].notna()].iterrows():
        table, target, formula = spec["table"], spec["column_label"], spec["formula"]
        operands = _operands(formula)
        t = b[b["table"] == table]
        key = ["row_type", "action", "axis"]
        for (row_type, action, axis), row in t.groupby(key, observed=True, dropna=False, sort=True):
            result = row[row["column_label"] == target]
            parts = row[row["column_label"].isin(operands)]
            if result.empty:
                continue
            scope = action if isinstance(action, str) else (f"axe {axis}" if isinstance(axis, str) else "total")
            rows.append(
                money_check(
                    f"formules/{table}/{target}/{row_type}/{scope}",
                    "formules",
                    result["amount_eur"].iloc[0],
                    _total(parts["amount_eur"]) if len(parts) else None,
                    f"Annexe 3, colonne {target} = ({formula}) imprimée en en-tête : évaluée sur la ligne {scope}"
                    + (" (cellules vides = 0)." if len(parts) < len(operands) else "."),
                    convention="cls",
                    table=table,
                    axis=axis if isinstance(axis, str) else None,
                    action=action if isinstance(action, str) else None,
                    year=result["year"].iloc[0],
                    source_expected=_where(result),
                    source_computed=_where(parts),
                )
            )
        # Definition check: do the named columns measure what the result column is said to add up?
        spec_funders = dict(zip(cols.loc[cols["table"] == table, "column_label"], cols.loc[cols["table"] == table, "funder"]))
        operand_funders = {spec_funders.get(o) for o in operands}
        target_funder = spec["funder"]
        if pd.notna(target_funder):
            coherent = operand_funders == {target_funder}
            expectation = f"des colonnes du financeur « {target_funder} »"
        else:
            coherent = len({f for f in operand_funders if isinstance(f, str)}) > 1
            expectation = "des colonnes de plusieurs financeurs"
        named = ", ".join(f"{o} ({spec_funders.get(o) if isinstance(spec_funders.get(o), str) else 'total'})" for o in operands)
        rows.append(
            {
                "check_id": f"formules/{table}/{target}/definition",
                "family": "formules",
                "convention": "cls",
                "table": table,
                "status": "ok" if coherent else "ecart",
                "severity": "aucune" if coherent else "moyenne",
                "source_expected": f"en-tête de la colonne {target} (l. {int(spec['source_line'])})",
                "source_computed": "définitions des colonnes " + ", ".join(operands),
                "explication": f"La colonne {target} ({spec['meaning']}) est définie comme ({formula}) ; "
                f"elle devrait additionner {expectation}, or elle nomme : {named}.",
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# Shared look-ups
# --------------------------------------------------------------------------------------------

def _fiche_lines(contract, table: str) -> pd.DataFrame:
    b = contract.budget
    return b[(b["table"] == table) & (b["row_type"] == "line")]


def _pick(rows: pd.DataFrame, **where) -> pd.DataFrame:
    mask = pd.Series(True, index=rows.index)
    for col, value in where.items():
        mask &= rows[col].isin(value) if isinstance(value, (list, set, tuple)) else rows[col] == value
    return rows[mask]


def _sum_or_none(rows: pd.DataFrame):
    return _total(rows["amount_eur"]) if len(rows) else None


def _ft_state(rows: pd.DataFrame) -> pd.DataFrame:
    """State money of the France Travail convention: State columns less the FIPE fund (outside FT credits)."""
    return rows[(rows["funder"] == "etat") & (rows["funder_detail"].fillna("") != "FIPE")]


def _axis_of(contract) -> dict:
    return dict(zip(contract.actions["action"], contract.actions["axis"]))


def _actions(contract, convention: str) -> list[str]:
    return sorted(contract.actions.loc[contract.actions["convention"] == convention, "action"])


# --------------------------------------------------------------------------------------------
# Family 'croisement': the same quantity printed in different tables.
# --------------------------------------------------------------------------------------------

#: (fiche quantity, Annexe 3 table, Annexe 3 column, year): fiche figures compared with Annexe 3 columns.
CLS_FICHE_VS_ANNEX = [
    ("etat", "cls_a3_prev_2024", "A", 2024),
    ("departement", "cls_a3_prev_2024", "B", 2024),
    ("total", "cls_a3_prev_2024", "F", 2024),
    ("etat", "cls_a3_prev_2025", "H", 2025),
    ("departement", "cls_a3_prev_2025", "J", 2025),
    ("total", "cls_a3_prev_2025", "M", 2025),
]
#: (table, column, table, column): the same Annexe 3 quantity in two tables.
CLS_ANNEX_VS_ANNEX = [
    ("cls_a3_prev_2024", "A", "cls_a3_exec_2024", "Crédits État versés 2024"),
    ("cls_a3_exec_2024", "Crédits État versés 2024", "cls_a3_prev_2025", "A"),
    ("cls_a3_prev_2024", "B", "cls_a3_prev_2025", "C"),
    ("cls_a3_prev_2024", "C", "cls_a3_prev_2025", "E"),
]
FUNDER_FR = {"etat": "part État (ERBM comprise)", "departement": "part Département", "total": "total"}


def _fiche_part(fiche: pd.DataFrame, part: str) -> pd.DataFrame:
    if part == "total":
        return fiche[fiche["quantity"] == "total"]
    return fiche[fiche["funder"] == part]


def check_cls_fiche_vs_annex(contract) -> list[dict]:
    """Each CLS action: fiche budget against Annexe 3 (2024 and 2025 forecasts), State money in ERBM columns included."""
    fiche = _fiche_lines(contract, "cls_fiche_budget")
    b = contract.budget
    rows = []
    for part, table, column, year in CLS_FICHE_VS_ANNEX:
        annex = _pick(b, table=table, row_type="line", column_label=column)
        for action in _actions(contract, "cls"):
            f = _fiche_part(_pick(fiche, action=action, year=year), part)
            a = _pick(annex, action=action)
            if f.empty and a.empty:
                continue
            rows.append(
                money_check(
                    f"croisement/cls/{action}/{year}/fiche_vs_{table}_{column}",
                    "croisement",
                    _sum_or_none(a) if len(a) else (ZERO if column == "C" else None),
                    _sum_or_none(f),
                    f"Action {action}, {year} : {FUNDER_FR[part]} de la fiche comparée à la colonne {column} du "
                    f"tableau {table} de l'annexe 3.",
                    convention="cls",
                    table=table,
                    axis=_axis_of(contract).get(action),
                    action=action,
                    year=year,
                    funder=None if part == "total" else part,
                    source_expected=_where(a),
                    source_computed=_where(f),
                )
            )
    for table_a, col_a, table_b, col_b in CLS_ANNEX_VS_ANNEX:
        a_rows = _pick(b, table=table_a, row_type="line", column_label=col_a)
        b_rows = _pick(b, table=table_b, row_type="line", column_label=col_b)
        for action in _actions(contract, "cls"):
            a, other = _pick(a_rows, action=action), _pick(b_rows, action=action)
            if a.empty and other.empty:
                continue
            rows.append(
                money_check(
                    f"croisement/cls/{action}/{table_a}_{col_a}_vs_{table_b}_{col_b}",
                    "croisement",
                    _sum_or_none(a) if len(a) else ZERO,
                    _sum_or_none(other) if len(other) else ZERO,
                    f"Action {action} : colonne « {col_a} » du tableau {table_a} comparée à la colonne « {col_b} » "
                    f"du tableau {table_b} (cellule vide = 0).",
                    convention="cls",
                    table=table_b,
                    axis=_axis_of(contract).get(action),
                    action=action,
                    year=2024,
                    source_expected=_where(a),
                    source_computed=_where(other),
                )
            )
    return rows


def check_cls_text_vs_tables(contract) -> list[dict]:
    """CLS State amounts in prose (per year, per axis) against the fiches and the Annexe 3 forecast."""
    ta = contract.text_amounts
    cls = ta[(ta["convention"] == "cls") & ta["scope"].isin(["contract", "axis"])]
    fiche = _fiche_lines(contract, "cls_fiche_budget")
    fiche = fiche[fiche["funder"] == "etat"].assign(action_axis=lambda d: d["action"].map(_axis_of(contract)))
    annex_a = _pick(contract.budget, table="cls_a3_prev_2024", row_type="subtotal", column_label="A")
    annex_total = _pick(contract.budget, table="cls_a3_prev_2024", row_type="total", column_label="A")
    rows = []
    for _, t in cls.sort_values(["document", "source_line"]).iterrows():
        scope = f"axe {t['axis']}" if t["scope"] == "axis" else "contrat"
        parts = _pick(fiche, year=t["year"]) if t["scope"] == "contract" else _pick(fiche, year=t["year"], action_axis=t["axis"])
        where = f"{t['document']}/{t['article']}/{t['year']}/{scope.replace(' ', '')}"
        rows.append(
            money_check(
                f"croisement/cls/texte/{where}/fiches",
                "croisement",
                t["amount_eur"],
                _sum_or_none(parts),
                f"Montant État {t['year']} ({scope}) cité dans {t['document']} (article {t['article']}) comparé à la "
                "somme des parts État des fiches action.",
                convention="cls",
                table="text_amounts",
                axis=t["axis"] if t["scope"] == "axis" else None,
                year=t["year"],
                funder="etat",
                source_expected=_where(ta[ta.index == t.name]),
                source_computed=_where(parts),
            )
        )
        if t["year"] == 2024:
            annex = annex_total if t["scope"] == "contract" else _pick(annex_a, axis=t["axis"])
            rows.append(
                money_check(
                    f"croisement/cls/texte/{where}/annexe3",
                    "croisement",
                    t["amount_eur"],
                    _sum_or_none(annex),
                    f"Montant État 2024 ({scope}) cité dans {t['document']} (article {t['article']}) comparé à la "
                    "colonne A (participation État) de l'annexe 3, prévisionnel 2024.",
                    convention="cls",
                    table="text_amounts",
                    axis=t["axis"] if t["scope"] == "axis" else None,
                    year=2024,
                    funder="etat",
                    source_expected=_where(ta[ta.index == t.name]),
                    source_computed=_where(annex),
                )
            )
    return rows


def check_ft_tables(contract) -> list[dict]:
    """France Travail: plan d'action against fiches (full cost) and financing plan against fiches (State share)."""
    b = contract.budget
    plan = _pick(b, table="ft_plan_action", row_type="line")
    fiche = _pick(_fiche_lines(contract, "ft_fiche_budget"), year=2024)
    fp = contract.financing_plan
    fp_lines = fp[(fp["row_type"] == "line") & fp["action"].notna()]
    rows = []
    for action in _actions(contract, "ft"):
        p = _pick(plan, action=action)
        cost = _pick(fiche, action=action, quantity="total")
        rows.append(
            money_check(
                f"croisement/ft/{action}/plan_vs_fiche_cout_total",
                "croisement",
                _sum_or_none(p),
                _sum_or_none(cost),
                f"Action {action} : montant du plan d'action (coût total) comparé au total 2024 de la fiche.",
                convention="ft",
                table="ft_plan_action",
                axis=_axis_of(contract).get(action),
                action=action,
                year=2024,
                source_expected=_where(p),
                source_computed=_where(cost),
            )
        )
        f = _pick(fp_lines, action=action)
        f_amounts = f[f["amount_eur"].notna()]
        state = _ft_state(_pick(fiche, action=action))
        if f_amounts.empty and state.empty:
            continue
        rows.append(
            money_check(
                f"croisement/ft/{action}/plan_financement_vs_fiche_part_etat",
                "croisement",
                _total(f_amounts["amount_eur"]) if len(f_amounts) else None,
                _sum_or_none(state) if len(state) else ZERO,
                f"Action {action} : montant du plan de financement comparé à la part État de la fiche en 2024 "
                "(colonnes État et ERBM, hors FIPE).",
                convention="ft",
                table="ft_plan_financement",
                axis=_axis_of(contract).get(action),
                action=action,
                year=2024,
                funder="etat",
                source_expected=_where(f_amounts),
                source_computed=_where(state),
            )
        )
    return rows


def check_ft_text_vs_tables(contract) -> list[dict]:
    """France Travail amounts in prose (total, per volet) against fiches and the financing plan."""
    ta = contract.text_amounts
    ft = ta[(ta["convention"] == "ft") & ta["scope"].isin(["contract", "volet"])]
    fiche = _ft_state(_pick(_fiche_lines(contract, "ft_fiche_budget"), year=2024))
    fiche = fiche.assign(volet=fiche["action"].map(_axis_of(contract)))
    fp = contract.financing_plan
    fp_totals = fp[fp["row_type"] == "total"]
    rows = []
    for _, t in ft.sort_values(["document", "source_line"]).iterrows():
        volet = t["axis"] if t["scope"] == "volet" else None
        scope = f"volet {volet}" if volet else "convention"
        parts = fiche if volet is None else _pick(fiche, volet=volet)
        key = f"{t['document']}/{scope.replace(' ', '')}"
        rows.append(
            money_check(
                f"croisement/ft/texte/{key}/fiches",
                "croisement",
                t["amount_eur"],
                _sum_or_none(parts),
                f"Montant État ({scope}) cité dans {t['document']} comparé à la somme des parts État des fiches "
                "en 2024 (hors FIPE).",
                convention="ft",
                table="text_amounts",
                axis=volet,
                year=2024,
                funder="etat",
                source_expected=_where(ta[ta.index == t.name]),
                source_computed=_where(parts),
            )
        )
        totals = fp_totals if volet is None else fp_totals[fp_totals["volet"] == volet]
        totals = totals[totals["amount_eur"].notna()]
        rows.append(
            money_check(
                f"croisement/ft/texte/{key}/plan_financement",
                "croisement",
                t["amount_eur"],
                _total(totals["amount_eur"]) if len(totals) else None,
                f"Montant État ({scope}) cité dans {t['document']} comparé au total des besoins du plan de financement.",
                convention="ft",
                table="text_amounts",
                axis=volet,
                year=2024,
                funder="etat",
                source_expected=_where(ta[ta.index == t.name]),
                source_computed=_where(totals),
            )
        )
    return rows


def check_prose_vs_prose(contract) -> list[dict]:
    """The same amount (convention, scope, axis, year) cited in several documents: each against the convention's."""
    ta = contract.text_amounts
    ta = ta[ta["scope"].isin(["contract", "axis", "volet"])]
    rows = []
    for (convention, scope, axis, year), group in ta.groupby(["convention", "scope", "axis", "year"], dropna=False, observed=True, sort=True):
        reference = group.sort_values("source_line").iloc[:1]
        for _, other in group.sort_values("source_line").iloc[1:].iterrows():
            label = f"axe/volet {axis}" if isinstance(axis, str) else "total"
            rows.append(
                money_check(
                    f"croisement/{convention}/texte/{scope}/{axis if isinstance(axis, str) else 'total'}/{year}/l{int(other['source_line'])}",
                    "croisement",
                    reference["amount_eur"].iloc[0],
                    other["amount_eur"],
                    f"Montant {label} {'' if pd.isna(year) else int(year)} cité l. {int(other['source_line'])} "
                    f"({other['document']}) comparé à celui de la l. {int(reference['source_line'].iloc[0])} "
                    f"({reference['document'].iloc[0]}).",
                    convention=convention,
                    table="text_amounts",
                    axis=axis if isinstance(axis, str) else None,
                    year=year,
                    source_expected=_where(reference),
                    source_computed=_where(ta[ta.index == other.name]),
                )
            )
    return rows


# --------------------------------------------------------------------------------------------
# Family 'regles': co-financing, advance and revenue rules.
# --------------------------------------------------------------------------------------------

HALF = Decimal("0.5")


def _half(amount):
    return None if amount is None else (amount * HALF).quantize(Decimal("0.01"))


def check_cls_department_share(contract) -> list[dict]:
    """CLS: the Département brings at least 50 % of each action's credits, in every table and year."""
    b = contract.budget
    rows = []
    specs = [("cls_fiche_budget", "departement", "total")]
    for table, dept_col, total_col in [("cls_a3_prev_2024", "B", "F"), ("cls_a3_prev_2025", "K", "M")]:
        specs.append((table, dept_col, total_col))
    for table, dept_spec, total_spec in specs:
        t = _pick(b, table=table, row_type="line")
        for (action, year), g in t.groupby(["action", "year"], sort=True):
            if table == "cls_fiche_budget":
                dept, total = g[g["funder"] == dept_spec], g[g["quantity"] == total_spec]
            else:
                dept, total = g[g["column_label"] == dept_spec], g[g["column_label"] == total_spec]
            if total.empty:
                continue
            rows.append(
                money_check(
                    f"regles/cls/part_departement/{table}/{action}/{int(year)}",
                    "regles",
                    _half(_sum_or_none(total)),
                    _sum_or_none(dept) if len(dept) else ZERO,
                    f"Action {action}, {int(year)} ({table}) : le Département doit apporter au moins 50 % des crédits "
                    "de l'action (article 2.2 du CLS).",
                    at_least=True,
                    convention="cls",
                    table=table,
                    axis=_axis_of(contract).get(action),
                    action=action,
                    year=year,
                    funder="departement",
                    source_expected=_where(total),
                    source_computed=_where(dept),
                )
            )
    return rows


def check_ft_cofinancing(contract) -> list[dict]:
    """FT volet 2: co-financing of 50 % of the actions' total cost, overall and per action (reported separately).

    Co-financing is what is not State money of the convention (Département and other co-financers);
    only actions with a France Travail amount in the plan d'action count.
    """
    fiche = _pick(_fiche_lines(contract, "ft_fiche_budget"), year=2024)
    plan = _pick(contract.budget, table="ft_plan_action", row_type="line")
    funded = sorted(a for a, v in zip(plan["action"], plan["amount_eur"]) if v > 0 and _axis_of(contract).get(a) == "2")
    rows = []
    costs, cofin = [], []
    for action in funded:
        g = _pick(fiche, action=action)
        cost = _sum_or_none(g[g["quantity"] == "total"])
        co = (cost or ZERO) - (_sum_or_none(_ft_state(g)) or ZERO)
        costs.append(cost or ZERO)
        cofin.append(co)
        rows.append(
            money_check(
                f"regles/ft/cofinancement_50/{action}",
                "regles",
                _half(cost),
                co,
                f"Action {action} (volet 2) : part cofinancée hors État comparée à 50 % du coût total de l'action "
                "(la convention fixe ce taux sur la globalité du volet : écart par action signalé pour information).",
                severity="faible",
                at_least=True,
                convention="ft",
                table="ft_fiche_budget",
                axis="2",
                action=action,
                year=2024,
                source_expected=_where(g[g["quantity"] == "total"]),
                source_computed=_where(g[g["funder"].notna()]),
            )
        )
    rows.append(
        money_check(
            "regles/ft/cofinancement_50/volet2",
            "regles",
            _half(_total(costs)),
            _total(cofin),
            "Volet 2 dans sa globalité : part cofinancée hors État comparée à 50 % du coût total des actions "
            f"financées ({', '.join(funded)}).",
            at_least=True,
            convention="ft",
            table="ft_fiche_budget",
            axis="2",
            year=2024,
        )
    )
    return rows


def _rule_value(contract, convention: str, needle: str) -> Decimal | None:
    r = contract.rules
    hit = r[(r["convention"] == convention) & r["rule"].str.contains(needle, case=False, regex=False) & r["value"].notna()]
    return Decimal(hit["value"].iloc[0]) / 100 if len(hit) else None


def check_ft_advance_and_revenue(contract) -> list[dict]:
    """FT advance = 60 % of the State amount; the deliberation's revenue = State amounts of both contracts (2024)."""
    ta = contract.text_amounts
    ft_total = _pick(ta, convention="ft", document="ft_convention", scope="contract")
    advance = _pick(ta, convention="ft", scope="advance")
    rate = _rule_value(contract, "ft", "avance à la signature")
    rows = [
        money_check(
            "regles/ft/avance_60",
            "regles",
            advance["amount_eur"].iloc[0] if len(advance) else None,
            (ft_total["amount_eur"].iloc[0] * rate).quantize(Decimal("0.01")) if len(ft_total) and rate else None,
            "Avance France Travail : montant imprimé comparé au taux d'avance de l'article 6 "
            f"({format_number_pct(rate) if rate else 'non trouvé dans rules.csv'}) appliqué au montant État de la convention.",
            convention="ft",
            table="text_amounts",
            year=2024,
            funder="etat",
            source_expected=_where(advance),
            source_computed=_where(ft_total),
        )
    ]
    cls_2024 = _pick(ta, convention="cls", document="cls_convention", scope="contract", year=2024)
    cls_2024 = cls_2024.sort_values("source_line").iloc[:1]
    for _, revenue in _pick(ta, scope="revenue").iterrows():
        if "Inscrit" in revenue["label"]:
            continue  # the amount already booked before the deliberation: not the contracts' revenue
        parts = pd.concat([cls_2024, ft_total])
        rows.append(
            money_check(
                f"regles/recette/{revenue['document']}/l{int(revenue['source_line'])}",
                "regles",
                revenue["amount_eur"],
                _sum_or_none(parts),
                f"Recette inscrite ({revenue['document']}) comparée à la somme des montants État 2024 du CLS et de la "
                "convention France Travail.",
                convention="deliberation",
                table="text_amounts",
                year=2024,
                funder="etat",
                source_expected=_where(ta[ta.index == revenue.name]),
                source_computed=_where(parts),
            )
        )
    return rows


def format_number_pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %".replace(".", ",")


# --------------------------------------------------------------------------------------------
# Family 'indicateurs': the same indicator printed in several places; printed deltas.
# --------------------------------------------------------------------------------------------

def unit_check(check_id, expected, computed, explication, **scope) -> dict:
    """One check on indicator values (in units, not euros)."""
    if expected is None or computed is None or pd.isna(expected) or pd.isna(computed):
        status, gap = "non_verifiable", None
    else:
        gap = float(computed) - float(expected)
        status = "ok" if gap == 0 else "ecart"
    return {
        "check_id": check_id,
        "family": "indicateurs",
        "gap_units": gap,
        "status": status,
        "severity": {"ok": "aucune", "ecart": "moyenne", "non_verifiable": "faible"}[status],
        "explication": explication + ("" if gap is None else f" Imprimé : {expected:g} ; comparé : {computed:g}."),
        **scope,
    }


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


# --------------------------------------------------------------------------------------------
# Family 'couverture': years and actions present in one table and missing in another; dates.
# --------------------------------------------------------------------------------------------

CONVENTION_YEARS = {"cls": [2024, 2025, 2026, 2027], "ft": [2024]}
CONVENTION_END = {"ft": pd.Timestamp("2024-12-31")}
#: Earliest possible start of a sub-action "from the signature": the day of the deliberation.
SIGNATURE_DATE = pd.Timestamp("2024-04-15")


def _status_row(check_id, ok: bool, explication, *, severity="moyenne", **scope) -> dict:
    return {
        "check_id": check_id,
        "family": "couverture",
        "status": "ok" if ok else "ecart",
        "severity": "aucune" if ok else severity,
        "explication": explication,
        **scope,
    }


def check_year_coverage(contract) -> list[dict]:
    """Each action's fiche budget has a line for every year of its convention, and none outside it."""
    rows = []
    for convention, years in CONVENTION_YEARS.items():
        fiche = _fiche_lines(contract, f"{convention}_fiche_budget")
        for action in _actions(contract, convention):
            printed = sorted(int(y) for y in _pick(fiche, action=action)["year"].dropna().unique())
            missing = [y for y in years if y not in printed]
            extra = [y for y in printed if y not in years]
            rows.append(
                _status_row(
                    f"couverture/{convention}/{action}/annees_fiche",
                    not missing and not extra,
                    f"Fiche {action} : années imprimées {', '.join(map(str, printed)) or 'aucune'} pour la période "
                    f"{years[0]}-{years[-1]}"
                    + (f" ; manquantes : {', '.join(map(str, missing))}" if missing else "")
                    + (f" ; hors période de la convention : {', '.join(map(str, extra))}" if extra else "")
                    + ".",
                    severity="elevee" if missing else "moyenne",
                    convention=convention,
                    table=f"{convention}_fiche_budget",
                    axis=_axis_of(contract).get(action),
                    action=action,
                    source_computed=_where(_pick(fiche, action=action)),
                )
            )
    return rows


def check_action_coverage(contract) -> list[dict]:
    """Each action appears with an amount in every table that lists actions."""
    b = contract.budget
    tables = {"cls": ["cls_fiche_budget", "cls_a3_prev_2024", "cls_a3_exec_2024", "cls_a3_prev_2025"], "ft": ["ft_plan_action", "ft_fiche_budget"]}
    rows = []
    for convention, names in tables.items():
        for table in names:
            present = set(_pick(b, table=table, row_type="line")["action"].dropna())
            for action in _actions(contract, convention):
                rows.append(
                    _status_row(
                        f"couverture/{convention}/{action}/{table}",
                        action in present,
                        f"Action {action} : " + ("présente" if action in present else "aucun montant imprimé") + f" dans le tableau {table}.",
                        convention=convention,
                        table=table,
                        axis=_axis_of(contract).get(action),
                        action=action,
                    )
                )
    return rows


def _start_date(text) -> pd.Timestamp | None:
    """Earliest start date from a printed start ('2024-02-01', '2024-09', '2ème trimestre 2024', 'signature…')."""
    if not isinstance(text, str):
        return None
    text = text.strip().lower()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return pd.Timestamp(text)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return pd.Timestamp(text + "-01")
    quarter = re.search(r"(\d)\S* trimestre (\d{4})", text)
    if quarter:
        return pd.Timestamp(year=int(quarter.group(2)), month=3 * int(quarter.group(1)) - 2, day=1)
    if "signature" in text:
        return SIGNATURE_DATE
    return None


def check_sub_action_dates(contract) -> list[dict]:
    """FT sub-actions whose start plus duration runs past the convention's end (31/12/2024)."""
    subs = contract.sub_actions[contract.sub_actions["convention"] == "ft"]
    rows = []
    for _, sub in subs.sort_values(["action", "sub_action"]).iterrows():
        start = _start_date(sub["start"])
        scope = dict(convention="ft", table="sub_actions", axis=_axis_of(contract).get(sub["action"]), action=sub["action"], year=2024)
        where = _where(subs[subs.index == sub.name])
        if start is None or pd.isna(sub["duration_months"]):
            rows.append(
                {
                    "check_id": f"couverture/ft/{sub['action']}/sous_action_{sub['sub_action']}/duree",
                    "family": "couverture",
                    "status": "non_verifiable",
                    "severity": "faible",
                    "source_computed": where,
                    "explication": f"Sous-action {sub['action']}-{sub['sub_action']} : début ou durée non imprimé(e).",
                    **scope,
                }
            )
            continue
        end = start + pd.DateOffset(months=int(sub["duration_months"])) - pd.Timedelta(days=1)
        past = (end.year - 2024) * 12 + end.month - 12 if end > CONVENTION_END["ft"] else 0
        row = _status_row(
            f"couverture/ft/{sub['action']}/sous_action_{sub['sub_action']}/duree",
            past == 0,
            f"Sous-action {sub['action']}-{sub['sub_action']} : début {start:%d/%m/%Y}, {int(sub['duration_months'])} mois, "
            f"fin au plus tôt le {end:%d/%m/%Y}"
            + (f", soit {past} mois après la fin de la convention (31/12/2024)." if past else ", dans la période de la convention."),
            source_computed=where,
            **scope,
        )
        row["gap_units"] = float(past)
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------
# Family 'execution': execution reports (phase 'executed') against themselves and the contract.
# --------------------------------------------------------------------------------------------

def _execution_lines(execution) -> pd.DataFrame:
    b = execution.budget
    return b[(b["phase"] == "executed") & (b["row_type"] == "line")]


def check_execution_arithmetic(contract, execution) -> list[dict]:
    """Per action and year: unconsumed = paid - executed (State), total executed = sum of funders,
    State carry-over at most the unconsumed State credits."""
    lines = _execution_lines(execution)
    rows = []
    for (convention, action, year), g in lines.groupby(["convention", "action", "year"], observed=True, sort=True):
        state = g[g["funder"] == "etat"]
        paid = _sum_or_none(state[state["quantity"] == "paid"])
        executed = _sum_or_none(state[state["quantity"] == "executed"])
        unconsumed = state[state["quantity"] == "unconsumed"]
        scope = dict(convention=convention, table="execution", axis=_axis_of(contract).get(action), action=action, year=year)
        if len(unconsumed):
            rows.append(
                money_check(
                    f"execution/{convention}/{action}/{int(year)}/non_consomme",
                    "execution",
                    _sum_or_none(unconsumed),
                    None if paid is None or executed is None else paid - executed,
                    f"Action {action}, {int(year)} : crédits État non consommés comparés aux crédits versés moins le montant réalisé.",
                    funder="etat",
                    source_expected=_where(unconsumed),
                    source_computed=_where(state[state["quantity"].isin(["paid", "executed"])]),
                    **scope,
                )
            )
        total = g[g["quantity"] == "executed_total"]
        if len(total):
            parts = g[(g["quantity"] == "executed") & g["funder"].notna()]
            rows.append(
                money_check(
                    f"execution/{convention}/{action}/{int(year)}/total_realise",
                    "execution",
                    _sum_or_none(total),
                    _sum_or_none(parts),
                    f"Action {action}, {int(year)} : montant total réalisé comparé à la somme des montants réalisés par financeur.",
                    source_expected=_where(total),
                    source_computed=_where(parts),
                    **scope,
                )
            )
        carry = lines[(lines["convention"] == convention) & (lines["action"] == action) & (lines["year"] == year + 1)
                      & (lines["quantity"] == "carry_over") & (lines["funder"] == "etat")]
        if len(carry) and len(unconsumed):
            rows.append(
                money_check(
                    f"execution/{convention}/{action}/{int(year)}/report_etat",
                    "execution",
                    _sum_or_none(carry),
                    _sum_or_none(unconsumed),
                    f"Action {action}, {int(year)} : le report de la part État sur {int(year) + 1} ne peut dépasser les "
                    "crédits État non consommés.",
                    at_least=True,
                    funder="etat",
                    source_expected=_where(carry),
                    source_computed=_where(unconsumed),
                    **scope,
                )
            )
    return rows


def check_execution_vs_contract(contract, execution) -> list[dict]:
    """State credits paid, as reported, against the State amount the contract plans for that year (fiche)."""
    lines = _execution_lines(execution)
    paid = lines[(lines["quantity"] == "paid") & (lines["funder"] == "etat")]
    rows = []
    for (convention, action, year), g in paid.groupby(["convention", "action", "year"], observed=True, sort=True):
        fiche = _pick(_fiche_lines(contract, f"{convention}_fiche_budget"), action=action, year=year)
        state = fiche[fiche["funder"] == "etat"]  # every State column, FIPE included: the report covers them all
        rows.append(
            money_check(
                f"execution/{convention}/{action}/{int(year)}/verse_vs_prevu",
                "execution",
                _sum_or_none(state),
                _sum_or_none(g),
                f"Action {action}, {int(year)} : crédits État versés (rapport d'exécution) comparés à la part État prévue "
                "par la fiche action.",
                convention=convention,
                table="execution",
                axis=_axis_of(contract).get(action),
                action=action,
                year=year,
                funder="etat",
                source_expected=_where(state),
                source_computed=_where(g),
            )
        )
    return rows


EXECUTION_CHECKS = [check_execution_arithmetic, check_execution_vs_contract]


CHECKS = [
    check_fiche_row_totals,
    check_fiche_column_totals,
    check_annex_subtotals,
    check_ft_plan_total,
    check_financing_plan,
    check_sub_actions,
    check_text_sums,
    check_header_formulas,
    check_cls_fiche_vs_annex,
    check_cls_text_vs_tables,
    check_ft_tables,
    check_ft_text_vs_tables,
    check_prose_vs_prose,
    check_cls_department_share,
    check_ft_cofinancing,
    check_ft_advance_and_revenue,
    check_national_indicators,
    check_ft_indicators_vs_financing_plan,
    check_financing_plan_deltas,
    check_year_coverage,
    check_action_coverage,
    check_sub_action_dates,
]


def reconcile(contract, execution=None, checks=None) -> pd.DataFrame:
    """Run every check family on ``contract``; one row per check, in a stable order.

    With ``execution`` (an :class:`analysis.workbooks.Execution`, e.g. from ``analysis.load_execution()``),
    the 'execution' family also checks the reported figures: unconsumed credits as paid minus executed,
    executed totals, carry-overs, and credits paid against the contract.
    """
    rows = []
    for check in checks or CHECKS:
        rows.extend(check(contract))
    if execution is not None:
        for check in EXECUTION_CHECKS:
            rows.extend(check(contract, execution))
    frame = as_frame(rows)
    duplicated = frame["check_id"][frame["check_id"].duplicated()]
    if len(duplicated):
        raise RuntimeError(f"check_id en double : {sorted(set(duplicated))}")
    return frame


def findings(checks: pd.DataFrame) -> pd.DataFrame:
    """The checks that are not 'ok', largest gap in euros first."""
    out = checks[checks["status"] != "ok"].copy()
    out["_abs"] = [abs(g) if g is not None else Decimal(-1) for g in out["gap_eur"]]
    return out.sort_values(["_abs", "check_id"], ascending=[False, True]).drop(columns="_abs").reset_index(drop=True)


def describe(check: pd.Series) -> str:
    """One French sentence for a check row, with both figures."""
    if pd.isna(check["expected"]) and pd.isna(check["computed"]):
        return check["explication"]
    return (
        f"{check['explication']} Imprimé : {format_eur(check['expected'])} ; "
        f"recalculé : {format_eur(check['computed'])} ; écart : {format_eur(check['gap_eur'])}."
    )


#: French column headers for display and export.
FRENCH_HEADERS = {
    "check_id": "Contrôle",
    "family": "Famille",
    "convention": "Convention",
    "table": "Tableau",
    "axis": "Axe / volet",
    "action": "Action",
    "year": "Année",
    "funder": "Financeur",
    "expected": "Montant imprimé",
    "computed": "Montant recalculé ou comparé",
    "gap_eur": "Écart (€)",
    "gap_units": "Écart (unités)",
    "status": "Statut",
    "severity": "Gravité",
    "source_expected": "Source (imprimé)",
    "source_computed": "Source (recalculé ou comparé)",
    "explication": "Explication",
}
MONEY_HEADERS = ["Montant imprimé", "Montant recalculé ou comparé", "Écart (€)"]


def summary_counts(checks: pd.DataFrame) -> pd.DataFrame:
    """Number of checks per family and status (French labels), with totals."""
    table = pd.crosstab(checks["family"], checks["status"], margins=True, margins_name="Total")
    table = table.reindex(columns=[c for c in [*STATUSES, "Total"] if c in table.columns], fill_value=0)
    table.index.name, table.columns.name = "Famille", "Statut"
    return table


def french(checks: pd.DataFrame, money: bool = True) -> pd.DataFrame:
    """Checks with French headers; with ``money=True`` amounts are formatted (1 234,00 €) for reading."""
    out = checks.rename(columns=FRENCH_HEADERS)
    if money:
        for col in MONEY_HEADERS:
            out[col] = out[col].map(lambda v: "" if v is None else format_eur(v))
    return out


def export_reconciliation(checks: pd.DataFrame, path):
    """Write the checks to an Excel workbook: the gaps first (largest first), then every check."""
    from analysis.exports import write_excel

    return write_excel(
        {
            "Écarts": french(findings(checks), money=False),
            "Tous les contrôles": french(checks, money=False),
            "Synthèse": summary_counts(checks).reset_index(),
        },
        path,
        money_columns=MONEY_HEADERS,
        widths={"Explication": 80, "Source (imprimé)": 45, "Source (recalculé ou comparé)": 45, "Contrôle": 45},
    )
