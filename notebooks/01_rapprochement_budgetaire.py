# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Rapprochement budgétaire : les chiffres des deux contrats tiennent-ils ensemble ?
#
# Avant de signer un avenant ou d'envoyer le rapport à mi-parcours, il faut s'assurer que les chiffres du document
# sont cohérents : les parties font leurs totaux, une même action porte le même montant dans la fiche, l'annexe
# financière, les articles de la convention et le rapport du président, et les règles de cofinancement sont
# respectées.
#
# `analysis.reconcile` confronte chaque chiffre transcrit aux autres. Chaque contrôle a un statut :
# **Concordant** (les chiffres concordent), **Écart** (ils diffèrent) ou **Non vérifiable** (un des deux côtés
# n'est pas imprimé). Les familles de contrôles :
#
# | famille | ce qui est contrôlé |
# |---|---|
# | Sommes et totaux | sous-totaux et totaux imprimés contre leurs parties |
# | Croisement des tableaux | la même quantité imprimée dans deux tableaux ou textes |
# | Règles chiffrées | part minimale du Département (CLS), cofinancement du volet 2, avance et recette (France Travail) |
# | Formules des en-têtes | formules imprimées dans les en-têtes (« (F+H) ») contre les chiffres et la définition des colonnes |
# | Indicateurs | une même valeur d'indicateur dans plusieurs tableaux ; écarts du plan de financement |
# | Couverture (années, actions, dates) | années et actions absentes d'un des tableaux ; durées des sous-actions |
# | Bilans d'exécution | chiffres d'un bilan d'exécution, dont les indicateurs jumeaux (notebooks 02 et 03) |

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown

import analysis
from analysis import assumptions, charts
from analysis import display as affichage
from analysis.reconciliation import findings

pd.set_option("display.max_colwidth", 200)
contrat = analysis.load_contract()
controles = analysis.reconcile(contrat)
statuts = controles["status"].astype(str).value_counts()

# %% [markdown]
# ## Nombre de contrôles par famille et par statut

# %%
Markdown(
    f"Le rapprochement compte **{affichage.count(len(controles))} contrôles** : "
    f"{affichage.count(statuts.get('ok', 0))} concordants, {affichage.count(statuts.get('ecart', 0))} écarts et "
    f"{affichage.count(statuts.get('non_verifiable', 0))} non vérifiables."
)

# %%
affichage.check_counts(controles)

# %% [markdown]
# Les contrôles appliquent des choix d'analyse consignés au registre des hypothèses :

# %%
Markdown(
    "\n".join(
        f"- **{h.id}** : {h.title}."
        for h in assumptions.assumptions()
        if any(u.startswith("analysis.reconciliation") for u in h.used_in)
    )
)

# %% [markdown]
# ## Les écarts, du plus grand au plus petit (en euros)
#
# Chaque ligne cite les deux sources comparées (tableau et ligne du texte source). Les écarts d'indicateurs et
# de dates sont exprimés en unités (`Écart (unités)` : places, personnes ou mois).

# %%
Markdown(
    f"La gravité d'un écart en euros est « Élevée » à partir de {affichage.eur(assumptions.default('high_gap_eur'))} "
    "(H08), « Moyenne » en dessous ; un contrôle non vérifiable est de gravité « Faible »."
)

# %%
ecarts = findings(controles)
affichage.checks(ecarts, ["check_id", "status", "severity", "expected", "computed", "gap_eur", "gap_units", "explication"])

# %% [markdown]
# Les deux sources de chaque écart :

# %%
affichage.checks(ecarts, ["check_id", "source_expected", "source_computed"])

# %% [markdown]
# Tous ces écarts sont des incohérences du document lui-même : ils sont décrits un à un dans
# `data/raw/README.md` (section « Constats du rapprochement »), et les tests vérifient que le rapprochement
# n'en trouve ni plus ni moins. Un écart nouveau signalerait une erreur de transcription.
#
# ## Concordance par action et par tableau
#
# Part des contrôles concordants pour chaque action, dans chaque tableau où elle figure.

# %%
charts.plot_agreement(controles)
plt.show()

# %% [markdown]
# ## Export pour le tableur
#
# Le classeur `data/processed/rapprochement.xlsx` reprend les écarts, tous les contrôles et la synthèse (en-têtes
# et codes en français, montants au format €, ligne d'en-tête figée, filtres).

# %%
chemin = affichage.export_reconciliation(controles, "../data/processed/rapprochement.xlsx")
print(f"Classeur écrit : {chemin.name}")
