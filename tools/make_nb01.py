import sys; sys.path.insert(0, "tools")
from nb import write

write("notebooks/01_rapprochement_budgetaire.ipynb", [
("md", """
# Rapprochement budgétaire : les chiffres des deux contrats tiennent-ils ensemble ?

Avant de signer un avenant ou d'envoyer le rapport à mi-parcours, il faut s'assurer que les chiffres du document
sont cohérents : les parties font leurs totaux, une même action porte le même montant dans la fiche, l'annexe
financière, les articles de la convention et le rapport du président, et les règles de cofinancement sont
respectées.

`analysis.reconcile` confronte chaque chiffre transcrit aux autres. Chaque contrôle a un statut :
**ok** (les chiffres concordent), **ecart** (ils diffèrent) ou **non_verifiable** (un des deux côtés n'est pas
imprimé). Les familles de contrôles :

| famille | ce qui est contrôlé |
|---|---|
| sommes | sous-totaux et totaux imprimés contre leurs parties |
| croisement | la même quantité imprimée dans deux tableaux ou textes |
| regles | part du Département ≥ 50 % (CLS), cofinancement 50 % du volet 2 (FT), avance de 60 %, recette |
| formules | formules imprimées dans les en-têtes (« (F+H) ») contre les chiffres et la définition des colonnes |
| indicateurs | une même valeur d'indicateur dans plusieurs tableaux ; deltas du plan de financement |
| couverture | années et actions présentes dans un tableau et absentes d'un autre ; durées des sous-actions |
"""),
("code", """
import pandas as pd
import matplotlib.pyplot as plt

import analysis
from analysis import charts
from analysis.reconciliation import reconcile, summary_counts, findings, french, export_reconciliation

pd.set_option("display.max_colwidth", 200)
contrat = analysis.load_contract()
controles = reconcile(contrat)
"""),
("md", "## Nombre de contrôles par famille et par statut"),
("code", "summary_counts(controles)"),
("md", """
## Les écarts, du plus grand au plus petit (en euros)

Chaque ligne cite les deux sources comparées (tableau et ligne du texte source). Les écarts d'indicateurs et
de dates sont exprimés en unités (`Écart (unités)` : places, personnes ou mois).
"""),
("code", """
ecarts = french(findings(controles))
ecarts[["Contrôle", "Statut", "Montant imprimé", "Montant recalculé ou comparé", "Écart (€)", "Écart (unités)", "Explication"]]
"""),
("md", "Les deux sources de chaque écart :"),
("code", "ecarts[[\"Contrôle\", \"Source (imprimé)\", \"Source (recalculé ou comparé)\"]]"),
("md", """
Tous ces écarts sont des incohérences du document lui-même : ils sont décrits un à un dans
`data/raw/README.md` (section « Constats du rapprochement »), et les tests vérifient que le rapprochement
n'en trouve ni plus ni moins. Un écart nouveau signalerait une erreur de transcription.

## Concordance par action et par tableau

Part des contrôles concordants pour chaque action, dans chaque tableau où elle figure.
"""),
("code", """
charts.plot_agreement(controles)
plt.show()
"""),
("md", """
## Export pour le tableur

Le classeur `data/processed/rapprochement.xlsx` reprend les écarts, tous les contrôles et la synthèse (en-têtes
en français, montants au format €, ligne d'en-tête figée, filtres).
"""),
("code", """
chemin = export_reconciliation(controles, "../data/processed/rapprochement.xlsx")
print(f"Classeur écrit : {chemin.name}")
"""),
])
