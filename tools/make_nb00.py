import sys; sys.path.insert(0, "tools")
from nb import write

write("notebooks/00_prise_en_main.ipynb", [
("md", """
# Prise en main : les deux contrats en tableaux

La délibération n°2024-176 de la Commission permanente du Département du Pas-de-Calais (15 avril 2024)
porte deux contrats signés avec l'État :

- le **Contrat local des solidarités 2024-2027 (CLS)** : 11 actions réparties sur les axes 1, 3 et 4 du Pacte des
  solidarités, financées chaque année à parts égales par l'État et le Département ;
- la **Convention France Travail 2024 (FT)** : 8 actions, un volet 1 (préparation de la réforme, forfait) et un
  volet 2 (solutions d'insertion locales, cofinancées à 50 %).

Tous les chiffres de ce notebook sont ceux imprimés dans le document, transcrits dans `data/raw/`. Chaque ligne
de données indique où le chiffre est imprimé (`source`, `source_line`). Les contradictions du document sont
conservées telles quelles ; le notebook `01_rapprochement_budgetaire` les recense.
"""),
("code", """
import pandas as pd
import matplotlib.pyplot as plt

import analysis
from analysis import summaries, charts

pd.set_option("display.max_colwidth", 80)
contrat = analysis.load_contract()
"""),
("md", """
## Vue d'ensemble

Nombre d'actions et d'indicateurs, et montants prévus dans les tableaux « Budget de l'action » des fiches
(toutes années confondues : 2024-2027 pour le CLS, 2024 et une ligne 2025 pour l'action FT 2.4).
"""),
("code", "summaries.french_money(summaries.contract_overview(contrat))"),
("md", """
Pour France Travail, la part État des fiches comprend le fonds FIPE de l'action 2.4 (2024 et 2025), qui n'est pas
un crédit France Travail : hors FIPE, la part État 2024 est de 4 260 892 €, le montant de la convention.
"""),
("md", "## Les actions du CLS, par axe"),
("code", "summaries.actions_by_axis(contrat, 'cls')"),
("md", """
L'intitulé de l'action 4.2 n'est pas imprimé dans l'annexe 1 : la cellule reste vide (voir `data/raw/README.md`).

## Les actions de la convention France Travail, par volet
"""),
("code", "summaries.actions_by_axis(contrat, 'ft')"),
("md", """
## Budget prévu par axe et par année

Montants des fiches action, par financeur. Les montants sont exacts au centime (nombres décimaux, sans
arrondi flottant).
"""),
("code", "budget_cls = summaries.budget_by_axis_year(contrat, 'cls')\nsummaries.french_money(budget_cls)"),
("md", """
L'axe 4 est plus faible en 2027 : la fiche 4.2 n'imprime aucun montant pour 2027 (la ligne « 2027 » de son
tableau est vide).
"""),
("code", """
charts.plot_budget_by_axis_year(budget_cls, "CLS : budget prévu par axe et par année (fiches action)")
plt.show()
"""),
("code", "budget_ft = summaries.budget_by_axis_year(contrat, 'ft')\nsummaries.french_money(budget_ft)"),
("md", """
## Les indicateurs

Indicateurs locaux (annexe 1 du CLS), nationaux (annexe 10 et tableaux « référentiel national » des fiches),
indicateurs des fiches France Travail et indicateurs de pilotage (annexe 4 de la convention FT).
"""),
("code", "summaries.indicator_overview(contrat)"),
("md", "Par exemple, les indicateurs de l'action 1.1 : situation au 31/12/2023 et cibles annuelles."),
("code", "summaries.french_numbers(summaries.indicator_targets(contrat, '1.1'), decimals=1)"),
("md", """
## Les tables disponibles

`contrat` regroupe des tables au format long, une ligne par chiffre imprimé :
`actions`, `budget`, `sub_actions`, `indicators`, `indicator_values`, `text_amounts`, `financing_plan`,
`table_columns`, `imputations`, `rules`. Par exemple, les premières lignes du budget :
"""),
("code", "contrat.budget[['convention', 'action', 'year', 'funder', 'phase', 'table', 'row_type', 'amount_eur', 'source_line']].head()"),
])
