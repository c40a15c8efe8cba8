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
# # Bilan final de la convention France Travail 2024
#
# La convention France Travail couvre la seule année 2024 (lignes 5765-5769). Le Département produit un bilan final
# au plus tard trois mois après sa fin, soit le **31 mars 2025** (article 3.2, lignes 5795-5806 ; le texte renvoie à
# « l'article 3 », alors que la durée est fixée à l'article 2) : un bilan de mise en œuvre du plan d'actions et un
# bilan financier établi sur le modèle de
# l'annexe 3, l'« État des dépenses » (lignes 9766-9951). L'État a versé une avance de 60 % à la signature ; le
# solde est versé après ce bilan, et un trop-perçu est remboursé (article 6, lignes 5949-5966). Il n'y a ni
# réduction en n+1 ni report : c'est le CLS qui les prévoit, pas cette convention.
#
# Ce notebook produit le bilan sous forme d'un classeur prêt à imprimer : `bilan_final_ft_2024.xlsx`.

# %%
import pandas as pd
from IPython.display import Markdown

from analysis import display as affichage
from analysis.pack import run
from analysis.pack.base import for_reading
from analysis.pack.ft import SHEETS

affichage.for_readers()
pd.set_option("display.max_colwidth", None)  # tableaux et constats lus en entier
pd.set_option("display.max_rows", None)

# %% tags=["parameters"]
# Paramètres (modifiables, ou injectés par `python -m analysis report`) :
execution = None  # dossiers ou classeurs de bilans ; None = exemple fictif embarqué (data/examples)
part_etat = None  # part État des dépenses éligibles du volet 2 (None = registre, H24)
periode_a_cheval = None  # dépense débordant 2024 : prorata, exclue ou incluse (None = registre, H41)
sortie = None  # dossier de sortie ; None = data/processed

# %%
bilan = run.ft_final(execution, sortie, ft_state_share=part_etat, straddling=periode_a_cheval)
Markdown(run.inputs_note(bilan))

# %% [markdown]
# ## Synthèse et solde
#
# Le solde se calcule une seule fois, sur le total de la convention : chaque volet est plafonné par son montant
# (135 000 € de forfait pour le volet 1, 4 125 892 € pour le volet 2, sans transfert entre volets), la part État des
# dépenses éligibles du volet 2 est la moitié de leur coût (H24 ; l'autre lecture est calculée à côté), puis
# l'avance est déduite. L'action 2.4, financée par le fonds FIPE, est hors de la convention (H05). Le forfait du
# volet 1 se lit de deux façons (H49) : le coût éligible réalisé dans la limite de 135 000 €, ou les 135 000 € entiers
# quel que soit le coût ; les deux sont calculées.

# %%
Markdown(affichage.settlement_summary(bilan.assessment.settlement) + "\n\n"
         + affichage.forfait_summary(bilan.assessment.settlement))

# %%
for_reading(bilan.pack.table(SHEETS["synthesis"]))

# %% [markdown]
# ## Bilan de mise en œuvre du plan d'actions
#
# Le premier volet du bilan final (ligne 5801) : pour chaque action du plan, ce que dit le bilan d'exécution
# (montants réalisés par financeur, résultats des indicateurs et leur statut) et une colonne que le Département
# rédige avant la transmission. L'action 2.4, financée par le fonds FIPE, est hors de la convention : ses montants
# ne sont pas repris.

# %%
for_reading(bilan.pack.table(SHEETS["plan"]))

# %% [markdown]
# ## État des dépenses (annexe 3)
#
# Les dépenses déclarées, dans la présentation du modèle de l'annexe 3 : par volet et par type de dépense, la
# nature, l'unité, le nombre d'unités, le coût unitaire, la date ou la période, l'objet et le montant. Le modèle
# imprimé ne dit pas à quelle fiche action se rattache chaque dépense : le classeur de saisie l'ajoute (H40).

# %%
for_reading(bilan.pack.table(SHEETS["statement"]))

# %% [markdown]
# ## Éligibilité, ligne par ligne
#
# L'article 4.2 (lignes 5901-5927) exclut du financement de l'État les frais généraux, les frais de mission, les
# prestations d'évaluation, de formation ou de gestion de projet, et les investissements autres que les
# développements informatiques du projet. Seules les dépenses de l'année 2024 sont éligibles ; une dépense dont la
# période déborde sur 2025 l'est au prorata de ses jours de 2024 (H41).

# %%
for_reading(bilan.pack.table(SHEETS["eligibility"]))

# %%
bilan.figures["eligibility"]

# %%
for_reading(bilan.pack.table(SHEETS["eligible"]))

# %% [markdown]
# ## Solde par volet
#
# La part de l'avance par volet n'est donnée que pour la lecture : le solde ou le trop-perçu se règle sur le total.

# %%
for_reading(bilan.pack.table(SHEETS["settlement"]))

# %%
bilan.figures["settlement"]

# %% [markdown]
# ## Consommation et cofinancement
#
# Les crédits État de chaque action rapportés au montant alloué par la convention (H23), et le cofinancement du
# volet 2 par le Département (article 3.3 : 50 % du coût total), avec et sans le FSE+ valorisé.

# %%
for_reading(bilan.pack.table(SHEETS["consumption"]))

# %%
for_reading(bilan.pack.table(SHEETS["cofinancing"]))

# %% [markdown]
# ## Indicateurs de l'annexe 4 et des fiches actions
#
# Situation de départ, cible et résultat 2024 de chaque indicateur, dans l'unité de sa cible imprimée, avec son statut
# (H25, H26). L'objectif du second indicateur de pilotage est imprimé en pourcentage (« 100% d'orientations
# notifiées », ligne 10202) : il se lit en points de pourcentage (H34). Un résultat absent reste vide (« non
# renseigné »).

# %%
for_reading(bilan.pack.table(SHEETS["indicators"]))

# %%
for_reading(bilan.pack.table(SHEETS["fiches"]))

# %% [markdown]
# ## Constats des bilans à lever, incohérences du document signé, hypothèses
#
# Les constats du bilan d'exécution sont à lever ou à expliquer avant la transmission ; les incohérences de la
# délibération elle-même sont données pour information (transcrites telles qu'imprimées, personne ne peut les lever).

# %%
for_reading(bilan.pack.table(SHEETS["findings"]))

# %%
for_reading(bilan.pack.table(SHEETS["document"]))

# %%
for_reading(bilan.pack.table(SHEETS["assumptions"]))
