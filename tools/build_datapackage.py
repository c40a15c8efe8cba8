"""Write data/raw/datapackage.json, the Frictionless descriptor of the transcribed tables.

The descriptor is committed; this script is how it was produced (run it again after changing a
schema here, or after changing the list of actions in actions.csv). It reads actions.csv and never
writes any CSV file. ``tests/test_strict_loader.py`` fails when the committed descriptor differs
from what this script produces.
"""

import csv
import json
from pathlib import Path

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"

CONVENTION = {"name": "convention", "type": "string", "constraints": {"required": True, "enum": ["cls", "ft"]}}
ACTION = {"name": "action", "type": "string", "constraints": {"pattern": r"[1-4]\.[1-8]"}}
SOURCE = {"name": "source", "type": "string", "constraints": {"required": True}}
SOURCE_LINE = {"name": "source_line", "type": "integer", "constraints": {"required": True, "minimum": 1}}
NOTES = {"name": "notes", "type": "string"}
AMOUNT = {"name": "amount_eur", "type": "number", "constraints": {"minimum": 0}}
YEAR = {"name": "year", "type": "integer", "constraints": {"minimum": 2023, "maximum": 2027}}
FUNDER = {"name": "funder", "type": "string", "constraints": {"enum": ["etat", "departement", "autre"]}}
# An action is identified by (convention, action): a code means nothing without its convention.
# A table whose action is required references ``actions`` directly. A table whose action may be empty
# (a figure of the whole convention, or of the deliberation) references ``scopes``: Frictionless 5
# skips a composite reference only when *every* part is empty, and looks a partly empty one up like
# any other (("cls", None) must be a row of the referenced table), so ``scopes`` holds each action
# and, with an empty action, each convention as a whole. The strict loader applies the same rule.
ACTION_FK = {"fields": ["convention", "action"], "reference": {"resource": "actions", "fields": ["convention", "action"]}}
SCOPE_FK = {"fields": ["convention", "action"], "reference": {"resource": "scopes", "fields": ["convention", "action"]}}
SCOPE_CONVENTIONS = ["cls", "ft", "deliberation"]
# The France Travail financing plan has no convention column: its action codes are FT codes (2.x),
# which the pattern states, and the reference is on the code alone.
FT_ACTION = {"name": "action", "type": "string", "constraints": {"pattern": r"2\.[1-8]"}}
FT_ACTION_FK = {"fields": ["action"], "reference": {"resource": "actions", "fields": ["action"]}}
DOCUMENTS = ["deliberation", "cls_convention", "ft_convention", "rapport_president", "cooperation_convention", "ft_plan_action"]
BUDGET_TABLES = [
    "cls_fiche_budget",
    "cls_a3_prev_2024",
    "cls_a3_exec_2024",
    "cls_a3_prev_2025",
    "ft_plan_action",
    "ft_fiche_budget",
    "ft_etat_depenses",
]


def s(name, required=False, **constraints):
    if required:
        constraints["required"] = True
    field = {"name": name, "type": "string"}
    if constraints:
        field["constraints"] = constraints
    return field


def req(field):
    return {**field, "constraints": {**field.get("constraints", {}), "required": True}}


def resource(name, title, description, fields, primary_key, foreign_keys=()):
    """A CSV resource; every resource has a primary key, so that a duplicated row is refused."""
    schema = {"fields": fields, "primaryKey": primary_key}
    if foreign_keys:
        schema["foreignKeys"] = list(foreign_keys)
    return {
        "name": name,
        "path": f"{name}.csv",
        "title": title,
        "description": description,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def action_keys():
    """The (convention, action) pairs of actions.csv, in file order (read only)."""
    with (RAW / "actions.csv").open(encoding="utf-8", newline="") as handle:
        return [[row["convention"], row["action"]] for row in csv.DictReader(handle)]


def scopes():
    """An inline resource: every convention as a whole (empty action), then every action."""
    return {
        "name": "scopes",
        "title": "Rattachements possibles d'un chiffre : une convention entière ou une de ses actions",
        "description": "Référence des clés étrangères (convention, action) des tables dont l'action peut être vide : "
        "une ligne par convention (action vide : chiffre de la convention entière ou de la délibération) et une "
        "ligne par action de actions.csv. Générée par tools/build_datapackage.py à partir de actions.csv.",
        "profile": "tabular-data-resource",
        "data": [["convention", "action"], *([c, ""] for c in SCOPE_CONVENTIONS), *action_keys()],
        "schema": {
            "fields": [
                {"name": "convention", "type": "string", "constraints": {"required": True, "enum": SCOPE_CONVENTIONS}},
                ACTION,
            ],
            "primaryKey": ["convention", "action"],
        },
    }


RESOURCES = [
    resource(
        "actions",
        "Actions des deux contrats",
        "Les 11 actions du CLS (Annexe 1) et les 8 actions de la convention France Travail (plan d'action).",
        [CONVENTION, s("axis", True), s("axis_label"), req(ACTION), s("title"), SOURCE, SOURCE_LINE, NOTES],
        ["convention", "action"],
        [SCOPE_FK],
    ),
    scopes(),
    resource(
        "budget_figures",
        "Montants imprimés dans les tableaux financiers",
        "Chaque montant des tableaux budgétaires (fiches action, annexe 3 du CLS, plan d'action France Travail), "
        "lignes, sous-totaux et totaux tels qu'imprimés.",
        [
            CONVENTION,
            s("table", True, enum=BUDGET_TABLES),
            ACTION,
            s("axis"),
            YEAR,
            s("row_type", True, enum=["line", "subtotal", "total"]),
            s("column_label", True),
            FUNDER,
            s("funder_detail"),
            s("quantity", True),
            req(AMOUNT),
            SOURCE,
            SOURCE_LINE,
            NOTES,
        ],
        ["table", "action", "axis", "year", "row_type", "column_label"],
        [SCOPE_FK],
    ),
    resource(
        "sub_actions",
        "Sous-actions des fiches",
        "Sous-actions décrites dans les fiches action, avec montants, places, début et durée quand ils sont imprimés.",
        [
            CONVENTION,
            req(ACTION),
            s("sub_action", True),
            s("label", True),
            AMOUNT,
            FUNDER,
            {"name": "places", "type": "integer", "constraints": {"minimum": 0}},
            {"name": "places_line", "type": "integer", "constraints": {"minimum": 1}},
            s("start"),
            {"name": "duration_months", "type": "integer", "constraints": {"minimum": 0}},
            SOURCE,
            SOURCE_LINE,
            NOTES,
        ],
        ["convention", "action", "sub_action"],
        [ACTION_FK],
    ),
    resource(
        "indicators",
        "Indicateurs",
        "Indicateurs locaux (annexe 1), nationaux (annexe 10 et fiches) du CLS ; indicateurs des fiches et de pilotage "
        "(annexe 4) de France Travail.",
        [
            CONVENTION,
            s("indicator_id", True),
            ACTION,
            s("label", True),
            s("family", True, enum=["local", "national", "realisation", "impact", "pilotage"]),
            s("table", True, enum=["cls_annexe1", "cls_annexe10", "cls_fiche_indicateurs", "ft_fiche_indicateurs", "ft_annexe4"]),
            s("unit"),
            s("direction", enum=["up", "down", "none"]),
            s("ref_indicator"),
            SOURCE,
            SOURCE_LINE,
            NOTES,
        ],
        ["indicator_id"],
        [SCOPE_FK, {"fields": ["ref_indicator"], "reference": {"resource": "", "fields": ["indicator_id"]}}],
    ),
    resource(
        "indicator_values",
        "Valeurs des indicateurs",
        "Situation de départ (31/12/2023), cibles et résultats par année ; résultats vides tant que non renseignés.",
        [
            s("indicator_id", True),
            req(YEAR),
            s("measure", True, enum=["baseline", "target", "result"]),
            {"name": "value", "type": "number"},
            s("value_text"),
            SOURCE,
            SOURCE_LINE,
            NOTES,
        ],
        ["indicator_id", "year", "measure"],
        [{"fields": ["indicator_id"], "reference": {"resource": "indicators", "fields": ["indicator_id"]}}],
    ),
    resource(
        "text_amounts",
        "Montants cités dans le texte",
        "Montants imprimés hors tableaux : articles des conventions, délibération, rapport du président.",
        [
            s("convention", True, enum=["cls", "ft", "deliberation"]),
            s("document", True, enum=DOCUMENTS),
            s("article"),
            s("scope", True),
            s("axis"),
            ACTION,
            YEAR,
            s("label", True),
            req(AMOUNT),
            SOURCE,
            SOURCE_LINE,
            NOTES,
        ],
        ["document", "source_line", "label"],
        [SCOPE_FK],
    ),
    resource(
        "imputations",
        "Imputations budgétaires",
        "Codes d'imputation (programme, action, activité, opération) cités dans le document.",
        [
            s("convention", True, enum=["cls", "ft", "deliberation"]),
            s("document", True),
            s("programme"),
            s("budget_action"),
            s("activity"),
            s("code"),
            s("label"),
            SOURCE,
            SOURCE_LINE,
            NOTES,
        ],
        # An imputation is a code printed at a place of a document; a code may be absent (a programme
        # cited alone), never twice on the same line of the same document.
        ["document", "source_line", "code"],
    ),
    resource(
        "rules",
        "Règles chiffrées",
        "Règles quantitatives énoncées dans le texte (part minimale du Département, avance, délais).",
        [
            s("rule_id", True, pattern=r"[a-z0-9_]+"),
            s("convention", True, enum=["cls", "ft", "deliberation"]),
            s("document", True),
            s("article"),
            s("rule", True),
            s("value"),
            s("unit"),
            SOURCE,
            SOURCE_LINE,
            NOTES,
        ],
        ["rule_id"],
    ),
    resource(
        "ft_financing_plan",
        "Construction du plan de financement France Travail",
        "Volets 1 à 3 : existant, cible, delta, montant, financements complémentaires, totaux et plafonds.",
        [
            s("volet", True, enum=["1", "2", "3"]),
            s("section"),
            {"name": "line_no", "type": "integer", "constraints": {"required": True, "minimum": 1}},
            s("label", True),
            FT_ACTION,
            s("unit"),
            s("existing_text"),
            s("target_text"),
            s("delta_text"),
            {"name": "existing_value", "type": "number"},
            {"name": "target_value", "type": "number"},
            {"name": "delta_value", "type": "number"},
            AMOUNT,
            s("row_type", True, enum=["line", "subtotal", "total", "ceiling"]),
            s("complementary_funding"),
            SOURCE,
            SOURCE_LINE,
            NOTES,
        ],
        ["volet", "line_no"],
        [FT_ACTION_FK],
    ),
    resource(
        "table_columns",
        "Colonnes des tableaux financiers",
        "Signification, lettre et formule imprimée de chaque colonne des tableaux de l'annexe 3 du CLS.",
        [
            s("table", True, enum=BUDGET_TABLES),
            s("column_label", True),
            s("meaning", True),
            s("formula"),
            FUNDER,
            s("quantity"),
            SOURCE_LINE,
        ],
        ["table", "column_label"],
    ),
]

PACKAGE = {
    "name": "contrats-solidarites-pas-de-calais-2024",
    # The département of the package (issue 17): its INSEE code, as text (data/reference/departements.csv).
    "departement": "62",
    "title": "CLS 2024-2027 et convention France Travail 2024 — Pas-de-Calais (délibération CP n°2024-176)",
    "description": "Transcription des tableaux chiffrés de la délibération n°2024-176 de la Commission permanente "
    "du Département du Pas-de-Calais (15 avril 2024). Chaque ligne renvoie à l'endroit où le chiffre est imprimé "
    "(source, source_line). Voir README.md.",
    "profile": "tabular-data-package",
    "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence 2.0"}],
    "sources": [{"title": "Délibération CP n°2024-176, Département du Pas-de-Calais, 15 avril 2024"}],
    "resources": RESOURCES,
}

if __name__ == "__main__":
    (RAW / "datapackage.json").write_text(json.dumps(PACKAGE, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"écrit : {RAW / 'datapackage.json'}")
