"""Execution workbooks: the template's structure, the round trip, French-text numbers, recomputation."""

import re
import shutil
import zipfile
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis
from analysis.formatting import format_eur, format_number
from analysis.workbooks import (
    GAP_REASONS,
    SHEET_AMENDMENT,
    SHEET_FINANCE,
    SHEET_INDICATORS,
    SHEET_META,
    Execution,
    WorkbookError,
    export_template,
    fill_template,
    parse_text_number,
    read_execution,
    template_layout,
)

TEMPLATES = [("cls", 2024), ("cls", 2026), ("ft", 2024), ("ft", 2025)]


@pytest.fixture(scope="module")
def templates(contract, tmp_path_factory):
    """One blank template per (convention, year), exported once; tests copy them."""
    folder = tmp_path_factory.mktemp("templates")
    return {(c, y): export_template(contract, c, y, folder / f"modele_{c}_{y}.xlsx") for c, y in TEMPLATES}


@pytest.fixture(scope="module")
def layouts(contract):
    return {(c, y): template_layout(contract, c, y) for c, y in TEMPLATES}


def cell_of(layout, sheet, key, field):
    hit = layout[(layout["sheet"] == sheet) & (layout["key"] == key) & (layout["field"] == field)]
    assert len(hit) == 1, (sheet, key, field)
    return hit["cell"].iloc[0]


def entries(rows):
    return pd.DataFrame(rows, columns=["sheet", "key", "field", "value"])


# ------------------------------------------------------------------------------------------------
# The template
# ------------------------------------------------------------------------------------------------


def test_template_sheets_protection_formats_and_metadata(templates, layouts):
    wb = openpyxl.load_workbook(templates[("cls", 2024)])
    assert wb.sheetnames == ["Lisez-moi", SHEET_FINANCE, SHEET_INDICATORS, SHEET_AMENDMENT, SHEET_META]
    assert wb[SHEET_META].sheet_state == "hidden"
    meta = {a: b for a, b in wb[SHEET_META].iter_rows(values_only=True)}
    assert meta["convention"] == "cls" and meta["annee"] == 2024 and meta["version"] == "1"
    assert wb.security.lockStructure
    layout = layouts[("cls", 2024)]
    for name in (SHEET_FINANCE, SHEET_INDICATORS, SHEET_AMENDMENT):
        ws = wb[name]
        assert ws.protection.sheet and not ws.protection.password
        assert ws.freeze_panes == "D5"
        assert len(ws.data_validations.dataValidation) >= 2
        for _, c in layout[layout["sheet"] == name].iterrows():
            cell = ws[c["cell"]]
            assert cell.protection.locked == (c["role"] != "input"), c["cell"]
            if c["role"] == "formula":
                assert isinstance(cell.value, str) and cell.value.startswith("="), c["cell"]
            if c["kind"] in ("money", "ref_money", "calc_money"):
                assert cell.number_format == '#,##0.00 "€"'
    ws = wb[SHEET_FINANCE]
    # the CLS execution table's columns, as in annexe 11 of the contract
    headers = [c.value for c in ws[4]]
    assert "Crédits État versés 2024" in headers
    assert any(h.startswith("A — Montant État réalisé") for h in headers)
    assert any(h.startswith("B — Crédits État 2024 non consommés") for h in headers)
    assert "Report 2025 part État" in headers and "Report 2025 part Département" in headers
    assert ws["D5"].value == Decimal("618000.00") or ws["D5"].value == 618000  # planned State 1.1
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"decimal", "list", "textLength"} <= kinds
    readme = " ".join(str(v) for row in wb["Lisez-moi"].iter_rows(values_only=True) for v in row if v)
    assert "Contrat local des solidarités" in readme and "2024" in readme and "cellule" in readme


def test_ft_template_has_volets_and_no_carry_over(templates):
    ws = openpyxl.load_workbook(templates[("ft", 2024)])[SHEET_FINANCE]
    headers = [c.value for c in ws[4]]
    assert headers[0] == "Volet" and not any("Report" in h for h in headers)
    keys = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1)]
    assert keys == ["2.1", "Sous-total volet 1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "Sous-total volet 2", "Total"]


def test_template_is_byte_reproducible(contract, tmp_path):
    a = export_template(contract, "ft", 2024, tmp_path / "a.xlsx")
    b = export_template(contract, "ft", 2024, tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()


def test_template_refuses_a_year_without_budget(contract, tmp_path):
    with pytest.raises(ValueError, match="aucun budget prévu en 2031"):
        export_template(contract, "cls", 2031, tmp_path / "x.xlsx")
    with pytest.raises(ValueError, match="convention inconnue"):
        export_template(contract, "xyz", 2024, tmp_path / "x.xlsx")


def test_blank_template_loads_empty_frames_with_contract_dtypes(contract, templates):
    execution = read_execution(templates[("cls", 2024)], contract, "cls", 2024)
    assert execution.budget.empty and execution.indicator_values.empty and execution.justifications.empty
    assert list(execution.budget.columns) == list(contract.budget.columns)
    assert list(execution.indicator_values.columns) == list(contract.indicator_values.columns)
    assert not execution.workbooks["calculated"].iloc[0]


# ------------------------------------------------------------------------------------------------
# Round trip (property-based)
# ------------------------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=5_000_000_00).map(lambda n: Decimal(n).scaleb(-2))


def typed(value: Decimal, draw_style):
    """A money value as an analyst may type it: a number, or French text."""
    style = draw_style
    if style == "number":
        return value
    if style == "float":
        return float(value)
    if style == "eur":
        return format_eur(value)
    return format_number(value, 2).replace("\u00a0", " ")


@st.composite
def fills(draw, layouts):
    convention, year = draw(st.sampled_from(TEMPLATES))
    layout = layouts[(convention, year)]
    inputs = layout[layout["role"] == "input"]
    actions = sorted(set(inputs.loc[inputs["sheet"] == SHEET_FINANCE, "key"]))
    indicators = sorted(set(inputs.loc[inputs["sheet"] == SHEET_INDICATORS, "key"]))
    style = st.sampled_from(["number", "float", "eur", "text"])
    rows, expected = [], {"money": {}, "result": {}, "ramp": {}, "text": {}}
    for action in draw(st.lists(st.sampled_from(actions), unique=True, max_size=len(actions))):
        paid = draw(cents)
        executed = draw(st.integers(0, int(paid * 100)).map(lambda n: Decimal(n).scaleb(-2)))
        money = {"paid": paid, "executed_etat": executed, "executed_departement": draw(cents)}
        if draw(st.booleans()):
            money["executed_autre"] = draw(cents)
        if convention == "cls":
            money["carry_over_etat"] = draw(st.integers(0, int((paid - executed) * 100)).map(lambda n: Decimal(n).scaleb(-2)))
            money["carry_over_departement"] = draw(cents)
        for field, value in money.items():
            rows.append((SHEET_FINANCE, action, field, typed(value, draw(style))))
            expected["money"][(action, field)] = value
        if draw(st.booleans()):
            ramp = Decimal(draw(st.integers(0, 1000))).scaleb(-3)
            as_text = draw(st.booleans())
            rows.append((SHEET_FINANCE, action, "ramp_up", format_number(ramp * 100, 1) + " %" if as_text else float(ramp)))
            expected["ramp"][action] = float(ramp)
        if draw(st.booleans()):
            reason = draw(st.sampled_from(GAP_REASONS))
            text = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàç ,.'0123456789", min_size=1, max_size=60)).strip()
            rows += [(SHEET_FINANCE, action, "gap_reason", reason)]
            if text:
                rows += [(SHEET_FINANCE, action, "justification", text)]
            expected["text"][action] = (reason, text or None)
        if draw(st.booleans()):
            notified = draw(cents)
            rows.append((SHEET_AMENDMENT, action, "notified", typed(notified, draw(style))))
            expected["money"][(action, "notified")] = notified
    for indicator in draw(st.lists(st.sampled_from(indicators), unique=True, max_size=10)):
        value = Decimal(draw(st.integers(0, 10_000_000))).scaleb(-draw(st.sampled_from([0, 1, 2])))
        text = draw(st.booleans())
        rows.append((SHEET_INDICATORS, indicator, "result", format_number(value, 2) if text else float(value)))
        expected["result"][indicator] = float(value)
    return convention, year, entries(rows), expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_reads_back_exactly_the_filled_values(contract, templates, layouts, tmp_path, data):
    convention, year, rows, expected = data.draw(fills(layouts))
    path = fill_template(templates[(convention, year)], contract, rows, out=tmp_path / "rempli.xlsx")
    execution = read_execution(path, contract, convention, year)
    b = execution.budget
    lines = b[b["row_type"] == "line"]
    field_of = {
        ("paid", "etat"): "paid", ("executed", "etat"): "executed_etat", ("executed", "departement"): "executed_departement",
        ("executed", "autre"): "executed_autre", ("carry_over", "etat"): "carry_over_etat",
        ("carry_over", "departement"): "carry_over_departement", ("notified", "etat"): "notified",
    }
    read = {}
    for _, row in lines.iterrows():
        field = field_of.get((row["quantity"], row["funder"]))
        if field is not None:
            read[(row["action"], field)] = row["amount_eur"]
            assert isinstance(row["amount_eur"], Decimal)
            offset = 1 if field in ("carry_over_etat", "carry_over_departement", "notified") else 0
            assert row["year"] == year + offset
            assert row["phase"] == ("adjusted" if field == "notified" else "executed")
    assert read == expected["money"]
    # derived columns are the library's computation: B = paid − A, total = A + C + others
    for (action, field), value in expected["money"].items():
        if field == "paid":
            unconsumed = lines[(lines["action"] == action) & (lines["quantity"] == "unconsumed")]["amount_eur"].iloc[0]
            assert unconsumed == value - expected["money"][(action, "executed_etat")]
            total = lines[(lines["action"] == action) & (lines["quantity"] == "executed_total")]["amount_eur"].iloc[0]
            parts = ("executed_etat", "executed_departement", "executed_autre")
            assert total == sum((expected["money"].get((action, f), Decimal(0)) for f in parts), Decimal(0))
    results = dict(zip(execution.indicator_values["indicator_id"], execution.indicator_values["value"]))
    assert results == expected["result"]
    assert (execution.indicator_values["measure"] == "result").all()
    j = execution.justifications
    ramps = {a: r for a, r in zip(j["action"], j["ramp_up_rate"]) if not pd.isna(r)}
    assert ramps == pytest.approx(expected["ramp"], abs=1e-12) and set(ramps) == set(expected["ramp"])
    texts = {a: (r, None if pd.isna(t) else t)
             for a, r, t in zip(j["action"], j["gap_reason"], j["justification"]) if not pd.isna(r)}
    assert texts == expected["text"]
    # sub-totals are sums of the lines, exactly
    for quantity in ("paid", "executed", "executed_total"):
        part = b[(b["quantity"] == quantity) & (b["phase"] == "executed")]
        if len(part):
            total = part[part["row_type"] == "total"]["amount_eur"]
            assert total.sum() == part[part["row_type"] == "line"]["amount_eur"].sum()
    assert execution.warnings.empty


def test_prefill_from_an_execution_reproduces_it(contract, tmp_path):
    from analysis.example import scenario_entries

    first = export_template(contract, "cls", 2024, tmp_path / "a.xlsx", prefill=scenario_entries(contract, "cls", 2024))
    a = read_execution(first, contract)
    second = export_template(contract, "cls", 2024, tmp_path / "b.xlsx", prefill=a)
    b = read_execution(second, contract)
    assert second.read_bytes() == first.read_bytes()
    drop = ["source"]
    pd.testing.assert_frame_equal(a.budget.drop(columns=drop), b.budget.drop(columns=drop))
    pd.testing.assert_frame_equal(a.indicator_values.drop(columns=drop), b.indicator_values.drop(columns=drop))


def test_budget_rows_have_contract_dtypes_and_concat_with_the_contract(contract, templates, layouts, tmp_path):
    rows = entries([(SHEET_FINANCE, "1.1", "paid", Decimal("618000")), (SHEET_FINANCE, "1.1", "executed_etat", 600000)])
    path = fill_template(templates[("cls", 2024)], contract, rows, out=tmp_path / "x.xlsx")
    b = read_execution(path, contract).budget
    for column in contract.budget.columns:
        assert type(b[column].dtype) is type(contract.budget[column].dtype), column
    assert set(b["table"]) == {"execution_workbook"}
    assert b["source_line"].isna().all()
    paid = b[(b["quantity"] == "paid") & (b["row_type"] == "line")].iloc[0]
    cell = cell_of(layouts[("cls", 2024)], SHEET_FINANCE, "1.1", "paid")
    assert paid["source"] == f"x.xlsx, feuille « {SHEET_FINANCE} », cellule {cell}"
    both = pd.concat([contract.budget, b], ignore_index=True)
    assert isinstance(both["phase"].dtype, pd.CategoricalDtype)
    assert set(both["phase"]) == {"approved", "executed"}


# ------------------------------------------------------------------------------------------------
# French text numbers
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value, percent",
    [
        ("618 000,00 €", "618000.00", False),
        ("618\u00a0000,00\u00a0€", "618000.00", False),
        ("618\u202f000 €", "618000", False),
        ("618000", "618000", False),
        ("618000,5", "618000.5", False),
        ("618.000,00", "618000.00", False),
        ("618000.50", "618000.50", False),
        ("12,5 %", "12.5", True),
        ("12,5%", "12.5", True),
        ("1 234 567,89 EUR", "1234567.89", False),
        ("-1 000,00 €", "-1000.00", False),
    ],
)
def test_french_text_numbers_are_parsed(text, value, percent):
    assert parse_text_number(text, allow_percent=True, allow_euro=True) == (Decimal(value), percent)


def test_french_text_numbers_are_accepted_in_every_input_kind(contract, templates, layouts, tmp_path):
    layout = layouts[("cls", 2024)]
    rows = entries([
        (SHEET_FINANCE, "1.1", "paid", "618 000,00 €"),
        (SHEET_FINANCE, "1.1", "executed_etat", "600\u00a0000,50"),
        (SHEET_FINANCE, "1.1", "executed_departement", "618.000,00"),
        (SHEET_FINANCE, "1.1", "ramp_up", "12,5 %"),
        (SHEET_FINANCE, "1.2", "ramp_up", "0,75"),
        (SHEET_INDICATORS, "cls-L-1.1-1", "result", "1 234,5"),
        (SHEET_INDICATORS, "cls-N-08", "result", "2,5"),
        (SHEET_AMENDMENT, "1.1", "notified", "618 000 €"),
    ])
    path = fill_template(templates[("cls", 2024)], contract, rows, out=tmp_path / "texte.xlsx")
    e = read_execution(path, contract)
    b = e.budget[e.budget["row_type"] == "line"].set_index(["action", "quantity", "funder"])["amount_eur"]
    assert b[("1.1", "paid", "etat")] == Decimal("618000.00")
    assert b[("1.1", "executed", "etat")] == Decimal("600000.50")
    assert b[("1.1", "unconsumed", "etat")] == Decimal("17999.50")
    assert b[("1.1", "executed", "departement")] == Decimal("618000.00")
    assert b[("1.1", "notified", "etat")] == Decimal("618000.00")
    ramps = dict(zip(e.justifications["action"], e.justifications["ramp_up_rate"]))
    assert ramps["1.1"] == pytest.approx(0.125) and ramps["1.2"] == pytest.approx(0.75)
    values = e.indicator_values.set_index("indicator_id")
    assert values.loc["cls-L-1.1-1", "value"] == 1234.5 and values.loc["cls-L-1.1-1", "value_text"] == "1 234,5"
    assert values.loc["cls-N-08", "value"] == 2.5
    assert cell_of(layout, SHEET_INDICATORS, "cls-N-08", "result").startswith("G")


# ------------------------------------------------------------------------------------------------
# Cached formula values are never trusted
# ------------------------------------------------------------------------------------------------


def with_cached_values(path, sheet_index, cached: dict, out):
    """Copy ``path`` writing fake cached results for some formula cells (as a spreadsheet would)."""
    name = f"xl/worksheets/sheet{sheet_index}.xml"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == name:
                xml = data.decode("utf-8")
                for cell, value in cached.items():
                    xml, n = re.subn(rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>', rf"\g<1><v>{value}</v>", xml)
                    assert n == 1, cell
                data = xml.encode("utf-8")
            target.writestr(item, data)
    return out


def test_derived_columns_are_recomputed_and_disagreements_reported(contract, templates, layouts, tmp_path):
    layout = layouts[("cls", 2024)]
    rows = entries([(SHEET_FINANCE, "1.1", "paid", Decimal("618000")),
                    (SHEET_FINANCE, "1.1", "executed_etat", Decimal("500000.25")),
                    (SHEET_FINANCE, "1.1", "executed_departement", Decimal("400000"))])
    filled = fill_template(templates[("cls", 2024)], contract, rows, out=tmp_path / "f.xlsx")
    unconsumed = cell_of(layout, SHEET_FINANCE, "1.1", "unconsumed_etat")
    total = cell_of(layout, SHEET_FINANCE, "1.1", "executed_total")
    subtotal = cell_of(layout, SHEET_FINANCE, "Sous-total axe 1", "executed_total")
    good_total = cell_of(layout, SHEET_FINANCE, "Total", "paid")
    # sheet2 is « Exécution financière » (sheet1 is « Lisez-moi »)
    forged = with_cached_values(filled, 2, {unconsumed: "1", total: "900000.25", subtotal: "42", good_total: "618000"},
                                tmp_path / "forge.xlsx")
    e = read_execution(forged, contract)
    line = e.budget[(e.budget["row_type"] == "line") & (e.budget["action"] == "1.1")].set_index("quantity")
    assert line.loc["unconsumed", "amount_eur"] == Decimal("117999.75")  # recomputed, not the cached 1
    assert line.loc["executed_total", "amount_eur"] == Decimal("900000.25")
    sub = e.budget[(e.budget["row_type"] == "subtotal") & (e.budget["axis"] == "1") & (e.budget["quantity"] == "executed_total")]
    assert sub["amount_eur"].iloc[0] == Decimal("900000.25")
    warned = set(e.warnings["cell"])
    assert {unconsumed, subtotal} <= warned and total not in warned and good_total not in warned
    message = e.warnings.set_index("cell").loc[unconsumed, "reason"]
    assert "recalculée" in message and "117\u00a0999,75\u00a0€" in message
    assert e.workbooks["calculated"].iloc[0]
    assert not e.formulas.set_index("cell").loc[unconsumed, "agrees"]


def test_execution_concat(contract, templates):
    a = read_execution(templates[("cls", 2024)], contract)
    b = read_execution(templates[("ft", 2024)], contract)
    both = Execution.concat([a, b])
    assert list(both.workbooks["convention"]) == ["cls", "ft"]
    with pytest.raises(ValueError):
        Execution.concat([])


def test_fill_template_refuses_unknown_entries(contract, templates, tmp_path):
    copy = shutil.copy(templates[("cls", 2024)], tmp_path / "c.xlsx")
    with pytest.raises(ValueError, match="ligne « 9.9 » absente"):
        fill_template(copy, contract, entries([(SHEET_FINANCE, "9.9", "paid", 1)]))
    with pytest.raises(ValueError, match="n'est pas une colonne de saisie"):
        fill_template(copy, contract, entries([(SHEET_FINANCE, "1.1", "unconsumed_etat", 1)]))


def test_public_api_is_exported_lazily():
    for name in ("export_template", "read_execution", "fill_template", "template_layout", "WorkbookError",
                 "Execution", "load_execution", "write_examples"):
        assert callable(getattr(analysis, name))
    assert issubclass(WorkbookError, ValueError)


def test_package_hygiene():
    """No display module, no other module's private names, no function over 60 lines (issue 7)."""
    import ast
    from pathlib import Path

    package = Path(analysis.__file__).parent
    files = [*sorted((package / "workbooks").glob("*.py")), package / "example.py", package / "xlsx.py"]
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis"):
                assert node.module not in ("analysis.summaries", "analysis.display"), (file.name, node.module)
                assert not [a.name for a in node.names if a.name.startswith("_")], (file.name, node.module)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert node.end_lineno - node.lineno < 60, (file.name, node.name)
