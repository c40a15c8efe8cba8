"""Hostile and broken contract data (issue 8): every bad folder gets a French error, never a traceback.

Each case copies ``data/raw`` to a temporary folder, breaks one CSV file or the descriptor as a careless
user, a spreadsheet program or an attacker would, and checks that ``load_contract`` refuses it with a
:class:`ContractDataError` naming the file, the line (and the column where there is one) and the cause.
Large files are generated here, never committed. The last tests fuzz bytes, cells and the descriptor's
structure with hypothesis.
"""

import csv
import json
import os
import shutil
import tracemalloc
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis
from analysis.loading import DEFAULT_DATA_DIR
from analysis.validation import (
    MAX_CELL_CHARS,
    MAX_DESCRIPTOR_BYTES,
    MAX_FILE_BYTES,
    MAX_PACKAGE_BYTES,
    MAX_PROBLEMS_SHOWN,
    ContractDataError,
    Problem,
    UnsupportedDescriptorError,
)

HEADLINES = ("Données du contrat invalides", "Descripteur datapackage.json invalide")


@pytest.fixture
def raw(tmp_path):
    target = tmp_path / "raw"
    shutil.copytree(DEFAULT_DATA_DIR, target)
    return target


def refusal(folder) -> str:
    """The French message of the refusal of ``folder`` (fails if it loads or raises anything else)."""
    with pytest.raises(ContractDataError) as info:
        analysis.load_contract(folder)
    message = str(info.value)
    assert message.startswith(HEADLINES) and "rien n'a été chargé" in message
    assert "Traceback" not in message and "Error" not in message
    return message


def read_rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path, rows, **dialect):
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n", **dialect).writerows(rows)


def set_cell(path, index, column, value):
    """Change one cell of data row ``index``; return its file line (header = line 1)."""
    rows = read_rows(path)
    rows[index + 1][rows[0].index(column)] = value
    write_rows(path, rows)
    return index + 2


# ------------------------------------------------------------------------------------------------
# The descriptor
# ------------------------------------------------------------------------------------------------


def test_missing_descriptor_beside_the_csv_files_is_named(raw):
    (raw / "datapackage.json").unlink()
    assert f"{raw / 'datapackage.json'} : fichier introuvable" in refusal(raw)


def test_missing_folder_is_named(tmp_path):
    assert f"{tmp_path / 'nulle-part'} : dossier introuvable" in refusal(tmp_path / "nulle-part")


def test_invalid_json_names_line_and_column(raw):
    (raw / "datapackage.json").write_text('{\n  "resources": [\n    {"name": "x",}\n  ]\n}\n', encoding="utf-8")
    message = refusal(raw)
    assert (
        "datapackage.json, ligne 3 : JSON illisible à la colonne 18 : nom de propriété entre guillemets doubles attendu"
    ) in message


def test_truncated_descriptor_is_named_in_french(raw):
    path = raw / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    message = refusal(raw)
    assert "datapackage.json, ligne " in message and "JSON illisible à la colonne" in message
    assert "Expecting" not in message and "Unterminated" not in message


def test_deeply_nested_json_is_refused(raw):
    (raw / "datapackage.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert "datapackage.json : JSON trop imbriqué" in refusal(raw)


def edit_descriptor(raw, edit):
    path = raw / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    edit(descriptor)
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")


def resource(descriptor, name):
    return next(r for r in descriptor["resources"] if r["name"] == name)


WRONG_SHAPES = {
    "une liste au lieu d'un objet": (lambda d: d.clear(), "un objet avec une liste « resources » est attendu"),
    "sans resources": (lambda d: d.pop("resources"), "un objet avec une liste « resources » est attendu"),
    "resources n'est pas une liste": (lambda d: d.update(resources={}), "un objet avec une liste « resources » est attendu"),
    "resources vide": (lambda d: d.update(resources=[]), "ressource « actions » : ressource absente ; le chargeur l'attend"),
    "ressource qui n'est pas un objet": (lambda d: d["resources"].insert(0, "actions"), "ressource sans nom ou mal formée"),
    "ressource sans schema": (lambda d: resource(d, "rules").pop("schema"), "ressource « rules » : « schema » avec une liste"),
    "schema sans fields": (
        lambda d: resource(d, "rules")["schema"].pop("fields"),
        "ressource « rules » : « schema » avec une liste « fields » attendu",
    ),
    "fields qui n'est pas une liste": (
        lambda d: resource(d, "rules")["schema"].update(fields={"rule_id": "string"}),
        "ressource « rules » : « schema » avec une liste « fields » attendu",
    ),
    "champ qui n'est pas un objet": (
        lambda d: resource(d, "rules")["schema"]["fields"].__setitem__(0, "rule_id"),
        "ressource « rules » : champ sans nom ou mal formé",
    ),
    "type qui n'est pas un texte": (
        lambda d: resource(d, "rules")["schema"]["fields"][0].update(type=["string"]),
        "ressource « rules », champ « rule_id » : type « ['string'] » non pris en charge",
    ),
    "ressource attendue renommée": (
        lambda d: resource(d, "rules").update(name="regles"),
        "ressource « rules » : ressource absente ; le chargeur l'attend",
    ),
    "champ attendu retiré": (
        lambda d: resource(d, "rules")["schema"]["fields"].pop(),
        "ressource « rules » : champs différents de ceux attendus par le chargeur",
    ),
    "montant typé en texte": (
        lambda d: resource(d, "text_amounts")["schema"]["fields"][8].update(type="string", constraints={}),
        "ressource « text_amounts » : champs différents de ceux attendus par le chargeur",
    ),
    "borne NaN": (
        lambda d: resource(d, "budget_figures")["schema"]["fields"][10]["constraints"].update(maximum=float("nan")),
        "champ « amount_eur » : contrainte « maximum » invalide",
    ),
    "motif qui n'est pas un texte": (
        lambda d: resource(d, "rules")["schema"]["fields"][0]["constraints"].update(pattern=5),
        "champ « rule_id » : contrainte « pattern » invalide",
    ),
    "chemin hors du dossier": (lambda d: resource(d, "rules").update(path="../rules.csv"), "ressource « rules » : « path »"),
}


@pytest.mark.parametrize(("edit", "expected"), WRONG_SHAPES.values(), ids=WRONG_SHAPES.keys())
def test_valid_json_of_the_wrong_shape_is_named(raw, edit, expected):
    edit_descriptor(raw, edit)
    with pytest.raises(UnsupportedDescriptorError) as info:
        analysis.load_contract(raw)
    assert expected in str(info.value)


def test_resource_path_to_a_folder_or_with_a_nul_character_is_named(raw):
    (raw / "dossier.csv").mkdir()

    def edit(descriptor):
        resource(descriptor, "rules").update(path="dossier.csv")
        resource(descriptor, "actions").update(path="a\0.csv")

    edit_descriptor(raw, edit)
    message = refusal(raw)
    assert "dossier.csv : pas un fichier ordinaire" in message
    assert "a\\x00.csv : fichier illisible (nom de fichier invalide)" in message  # the NUL is not printed raw


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="tubes nommés POSIX")
def test_named_pipe_in_place_of_a_csv_is_refused_without_waiting(raw):
    (raw / "rules.csv").unlink()
    os.mkfifo(raw / "rules.csv")  # opening it for reading would wait forever for a writer
    assert "rules.csv : pas un fichier ordinaire (dossier, tube ou périphérique)" in refusal(raw)


def test_descriptor_in_latin1_names_the_line_of_the_first_bad_byte(raw):
    path = raw / "datapackage.json"
    data = path.read_text(encoding="utf-8").encode("cp1252")
    first = next(i for i, byte in enumerate(data) if byte >= 0x80)
    line = data.count(b"\n", 0, first) + 1
    path.write_bytes(data)
    message = refusal(raw)
    assert f"datapackage.json, ligne {line} : encodage non UTF-8 : octet 0x{data[first]:02X} invalide" in message


def test_descriptor_with_a_byte_order_mark_is_refused_as_frictionless_does(raw):
    path = raw / "datapackage.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert "datapackage.json, ligne 1 : marque d'ordre des octets (BOM) en tête du fichier" in refusal(raw)


def test_descriptor_over_the_size_limit_is_refused_unread(raw):
    path = raw / "datapackage.json"
    with path.open("ab") as handle:  # valid JSON followed by NUL bytes (a sparse file)
        handle.truncate(MAX_DESCRIPTOR_BYTES + 1)
    assert f"{path} : fichier trop volumineux" in refusal(raw)


# ------------------------------------------------------------------------------------------------
# Empty, truncated and misshapen CSV files
# ------------------------------------------------------------------------------------------------


def test_zero_byte_csv_is_named(raw):
    (raw / "rules.csv").write_bytes(b"")
    assert "rules.csv : fichier vide (0 octet) : en-tête attendu" in refusal(raw)


def test_csv_with_only_its_header_is_refused(raw):
    path = raw / "imputations.csv"
    path.write_text(path.read_text(encoding="utf-8").split("\n")[0] + "\n", encoding="utf-8")
    assert "imputations.csv : aucune ligne de données, seulement l'en-tête" in refusal(raw)


@pytest.mark.parametrize("index", [0, 4], ids=["première ligne", "cinquième ligne"])
def test_one_extra_field_is_named_with_its_line(raw, index):
    rows = read_rows(raw / "rules.csv")
    rows[index + 1].append("en trop")
    write_rows(raw / "rules.csv", rows)
    assert f"rules.csv, ligne {index + 2} : 11 cellules au lieu de 10 (1 de trop" in refusal(raw)


def test_one_missing_field_is_named_with_its_line(raw):
    rows = read_rows(raw / "rules.csv")
    del rows[3][5]
    write_rows(raw / "rules.csv", rows)
    assert "rules.csv, ligne 4 : 9 cellules au lieu de 10 (1 manquante : virgule manquante ?)" in refusal(raw)


# ------------------------------------------------------------------------------------------------
# Encodings and separators
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_latin1_csv_names_the_encoding_and_the_line_of_the_first_bad_byte(raw, encoding):
    path = raw / "actions.csv"
    data = path.read_text(encoding="utf-8").encode(encoding, errors="replace")
    first = next(i for i, byte in enumerate(data) if byte >= 0x80)
    path.write_bytes(data)
    line = data.count(b"\n", 0, first) + 1
    expected = f"actions.csv, ligne {line} : encodage non UTF-8 : octet 0x{data[first]:02X}"
    assert expected in refusal(raw)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_csv_is_named(raw, encoding):
    path = raw / "rules.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    message = refusal(raw)
    assert "rules.csv, ligne 1 : encodage non UTF-8 : UTF-" in message
    assert ("sans marque d'ordre des octets" in message) == encoding.endswith(("-le", "-be"))


def test_utf8_byte_order_mark_is_accepted(raw, contract):
    # Spreadsheets write « CSV UTF-8 » with a byte order mark; Frictionless accepts it too.
    path = raw / "rules.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert analysis.load_contract(raw).rules.equals(contract.rules)


@pytest.mark.parametrize(
    ("delimiter", "name"), [(";", "« ; » (point-virgule)"), ("\t", "« \\t » (tabulation)")], ids=["point-virgule", "tabulation"]
)
def test_other_separator_is_named_with_file_and_line(raw, delimiter, name):
    rows = read_rows(raw / "table_columns.csv")
    write_rows(raw / "table_columns.csv", rows, delimiter=delimiter)
    assert f"table_columns.csv, ligne 1 : séparateur {name} au lieu de la virgule" in refusal(raw)


def test_one_row_with_semicolons_is_named(raw):
    rows = read_rows(raw / "table_columns.csv")
    plain = next(row for row in rows[1:] if not any(char in "".join(row) for char in ',;"'))
    with (raw / "table_columns.csv").open("a", encoding="utf-8") as handle:
        handle.write(";".join(plain) + "\n")
    expected = f"table_columns.csv, ligne {len(rows) + 1} : 1 cellule au lieu de 7 (6 manquantes : séparateur « ; »"
    assert expected in refusal(raw)


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["CRLF", "CR"])
def test_crlf_and_cr_line_ends_are_accepted_and_lines_still_counted(raw, contract, newline):
    path = raw / "budget_figures.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", newline.encode()))
    assert analysis.load_contract(raw).budget.equals(contract.budget)
    text = path.read_bytes().decode("utf-8").replace(",618000.00,", ",618 000.00,", 1)
    line = text[: text.index("618 000.00")].count(newline) + 1
    path.write_text(text, encoding="utf-8", newline="")
    assert f"budget_figures.csv, ligne {line}, colonne « amount_eur » : valeur « 618 000.00 »" in refusal(raw)


# ------------------------------------------------------------------------------------------------
# Quotes, NUL and control characters
# ------------------------------------------------------------------------------------------------


def test_quote_never_closed_is_named_where_the_cell_opens(raw):
    path = raw / "table_columns.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i in range(1, len(lines)) if '"' not in "".join(lines[i:]))  # no quote after it
    lines[index] = '"' + lines[index]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = refusal(raw)
    assert f"table_columns.csv, ligne {index + 1} : guillemet ouvert jamais refermé" in message
    assert f"le fichier se termine ligne {len(lines)} dans la cellule" in message


def test_misplaced_quote_is_named_with_its_line(raw):
    path = raw / "rules.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = '"cls"x' + lines[3][3:]  # a closing quote followed by text
    path.write_text("\n".join(lines), encoding="utf-8")
    assert "rules.csv, ligne 4 : guillemet mal placé" in refusal(raw)


@pytest.mark.parametrize(
    ("char", "reason"),
    [("\0", "octet nul (NUL)"), ("\x1b", "caractère de contrôle U+001B"), ("\u202e", "caractère de contrôle U+202E")],
    ids=["NUL", "échappement", "inversion bidirectionnelle"],
)
def test_nul_and_control_characters_are_refused_with_their_line(raw, char, reason):
    line = set_cell(raw / "rules.csv", 6, "notes", f"note{char}cachée")
    assert f"rules.csv, ligne {line} : {reason} interdit dans le fichier" in refusal(raw)


def test_problems_never_print_control_characters_and_cut_long_values():
    text = str(Problem("f.csv", 2, "notes", "\x1b[2J" + "x" * 200, "raison"))
    assert "\x1b" not in text and "\\x1b[2J" in text
    assert f"{'x' * 76}… (204 caractères) » : raison" in text


# ------------------------------------------------------------------------------------------------
# Sizes: files, cells, number of problems
# ------------------------------------------------------------------------------------------------


def peak_memory_of_refusal(folder) -> tuple[str, int]:
    tracemalloc.start()
    try:
        return refusal(folder), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_csv_over_the_size_limit_is_refused_without_being_read(raw):
    path = raw / "budget_figures.csv"
    with path.open("ab") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    message, peak = peak_memory_of_refusal(raw)
    assert f"budget_figures.csv : fichier trop volumineux : {MAX_FILE_BYTES + 1:,} octets".replace(",", "\u00a0") in message
    path.unlink()
    _, peak_without_the_file = peak_memory_of_refusal(raw)
    assert peak < peak_without_the_file + 2**20  # the big file was never read


def test_csv_files_over_the_total_limit_are_refused_before_reading(raw):
    per_file = MAX_PACKAGE_BYTES // 3 + 1
    assert per_file <= MAX_FILE_BYTES
    for name in ("rules.csv", "imputations.csv", "actions.csv"):
        with (raw / name).open("ab") as handle:
            handle.truncate(per_file)
    assert f"{raw} : fichiers CSV trop volumineux" in refusal(raw)


@pytest.fixture(params=[131_072, 10**9], ids=["limite csv par défaut", "limite levée par une autre bibliothèque"])
def csv_field_limit(request):
    previous = csv.field_size_limit(request.param)
    yield
    csv.field_size_limit(previous)


@pytest.mark.parametrize("length", [MAX_CELL_CHARS + 1, 200_000])
def test_huge_cell_is_refused_with_its_line(raw, csv_field_limit, length):
    line = set_cell(raw / "rules.csv", 3, "notes", "x" * length)
    assert f"rules.csv, ligne {line} : cellule de plus de 10\u00a0000 caractères" in refusal(raw)


def test_many_problems_are_counted_not_all_written_out(raw):
    rows = read_rows(raw / "indicator_values.csv")
    year = rows[0].index("year")
    for row in rows[1:]:
        row[year] = "vingt"
    write_rows(raw / "indicator_values.csv", rows)
    with pytest.raises(ContractDataError) as info:
        analysis.load_contract(raw)
    error = info.value
    assert len(rows) - 1 > MAX_PROBLEMS_SHOWN
    assert len(error.problems) == MAX_PROBLEMS_SHOWN and error.omitted == len(rows) - 1 - MAX_PROBLEMS_SHOWN
    assert str(error).count("\n  - ") == MAX_PROBLEMS_SHOWN
    assert f"{len(rows) - 1} problèmes trouvés" in str(error)
    assert str(error).endswith(f"… et {error.omitted} autres problèmes (seuls les 200 premiers sont listés)")


# ------------------------------------------------------------------------------------------------
# Numbers: the right reason for each wrong way of writing one
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "column", "value", "reason"),
    [
        ("budget_figures.csv", "amount_eur", "1e3", "nombre attendu (notation scientifique non admise"),
        ("budget_figures.csv", "amount_eur", "1_000.00", "nombre attendu (sans séparateur de milliers « _ »)"),
        ("budget_figures.csv", "amount_eur", " 12.00", "espaces superflus en début ou fin de cellule"),
        ("budget_figures.csv", "amount_eur", "12.00 ", "espaces superflus en début ou fin de cellule"),
        ("budget_figures.csv", "amount_eur", "1\u202f000.00", "nombre attendu (sans espace : séparateur de milliers ?)"),
        ("budget_figures.csv", "amount_eur", "1000,50", "nombre attendu (point décimal et non virgule"),
        ("budget_figures.csv", "amount_eur", "12.00 €", "nombre attendu (sans symbole €)"),
        ("budget_figures.csv", "amount_eur", "+12.00", "nombre attendu (sans signe +)"),
        ("budget_figures.csv", "amount_eur", "NaN", "nombre attendu"),
        ("budget_figures.csv", "amount_eur", "١٢.٠٠", "nombre attendu"),
        ("budget_figures.csv", "amount_eur", "1" * 16 + ".00", "nombre attendu (trop de chiffres"),
        ("budget_figures.csv", "amount_eur", "-0.00", "zéro précédé d'un signe moins : écrire le zéro sans signe"),
        ("sub_actions.csv", "places", "-0", "zéro précédé d'un signe moins"),
        ("sub_actions.csv", "places", "1e3", "nombre entier attendu (notation scientifique"),
        ("sub_actions.csv", "places", "12.0", "nombre entier attendu (sans décimales)"),
        ("sub_actions.csv", "places", "9" * 5000, "nombre entier attendu (trop de chiffres"),
        ("indicator_values.csv", "value", "1e-3", "nombre attendu (notation scientifique"),
    ],
)
def test_badly_written_number_gets_the_right_reason(raw, file, column, value, reason):
    line = set_cell(raw / file, 3, column, value)
    message = refusal(raw)
    assert f"{file}, ligne {line}, colonne « {column} » : valeur « " in message
    problem = next(p for p in message.splitlines() if f"{file}, ligne {line}, colonne « {column} »" in p)
    assert reason in problem, problem
    assert "montant négatif" not in problem


def test_zero_written_plainly_is_accepted(raw):
    set_cell(raw / "budget_figures.csv", 3, "amount_eur", "0.00")
    budget = analysis.load_contract(raw).budget
    assert budget["amount_eur"].iloc[3] == Decimal("0.00") and not budget["amount_eur"].iloc[3].is_signed()


# ------------------------------------------------------------------------------------------------
# Fuzzing: whatever the damage, the loader loads or raises its French error
# ------------------------------------------------------------------------------------------------

CSV_FILES = sorted(p.name for p in DEFAULT_DATA_DIR.glob("*.csv"))
TOKENS = [b",", b";", b'"', b"\n", b"\r", b"\r\n", b"\t", b"\0", b"\xff", b"\xe9", b"-0", b"1e3", b"{", b"}", b"]", b"\\u0000"]


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    target = tmp_path_factory.mktemp("fuzz") / "raw"
    shutil.copytree(DEFAULT_DATA_DIR, target)
    return target


def load_or_french_error(folder):
    try:
        analysis.load_contract(folder)
    except ContractDataError as error:  # the only exception allowed
        assert str(error).startswith(HEADLINES) and error.problems
        assert all(isinstance(p, Problem) and p.reason for p in error.problems)


def mutate(draw, data: bytes) -> bytes:
    """Damage ``data`` one to four times: flip a bit, truncate, insert a token or text, delete a span."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "truncate", "token", "text", "delete"]))
        if kind == "flip" and data:
            data[min(at, len(data) - 1)] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[at:]
        elif kind == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == "text":
            data[at:at] = draw(st.text(min_size=1, max_size=8)).encode("utf-8", "surrogatepass")
        else:
            del data[at : at + draw(st.integers(1, 40))]
    return bytes(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.one_of(st.just("datapackage.json"), st.sampled_from(CSV_FILES)), data=st.data())  # the descriptor half the time
def test_fuzzed_bytes_load_or_raise_the_french_error(fuzz_dir, name, data):
    path = fuzz_dir / name
    original = path.read_bytes()
    try:
        path.write_bytes(mutate(data.draw, original))
        load_or_french_error(fuzz_dir)
    finally:
        path.write_bytes(original)



@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(CSV_FILES), data=st.data())
def test_fuzzed_cells_load_or_raise_the_french_error(fuzz_dir, name, data):
    path = fuzz_dir / name
    original = path.read_bytes()
    rows = read_rows(path)
    for _ in range(data.draw(st.integers(1, 3))):
        row = data.draw(st.integers(0, len(rows) - 1))
        column = data.draw(st.integers(0, len(rows[row]) - 1))
        rows[row][column] = data.draw(st.one_of(st.text(max_size=12), st.sampled_from(["-0.00", "1e3", "1_000", " 12", ""])))
    try:
        write_rows(path, rows)
        load_or_french_error(fuzz_dir)
    finally:
        path.write_bytes(original)


JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(), st.text(max_size=8),
    st.sampled_from(["string", "integer", "number", "date", "actions", "rules.csv", "../x.csv", "(", "a\0b"]),
    st.lists(st.text(max_size=3), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)  # fmt: skip


def json_paths(node, prefix=()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from json_paths(child, (*prefix, key))


DESCRIPTOR = json.loads((DEFAULT_DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
PATHS = list(json_paths(DESCRIPTOR))[1:]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(PATHS), JSON_VALUES, st.booleans()), min_size=1, max_size=3))
def test_fuzzed_descriptor_structure_loads_or_raises_the_french_error(fuzz_dir, edits):
    path = fuzz_dir / "datapackage.json"
    original = path.read_bytes()
    descriptor = json.loads(original)
    for where, value, remove in edits:
        node = descriptor
        try:
            for key in where[:-1]:
                node = node[key]
            if remove:
                del node[where[-1]]
            else:
                node[where[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit changed the shape under this path
    try:
        path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
        load_or_french_error(fuzz_dir)
    finally:
        path.write_bytes(original)

