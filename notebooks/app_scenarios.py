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

# %%
import os

from IPython.display import Markdown

from analysis import display as affichage
from analysis import domain
from analysis.scenarios import ui

# %% tags=["parameters"]
# Paramètres : les bilans lus sont ceux de `make app EXECUTION=dossier` (variable ANALYSIS_EXECUTION), à défaut
# l'exemple fictif embarqué ; les scénarios nommés s'enregistrent sous le dossier de sortie.
sortie = None  # dossier de sortie ; None = data/processed

# %%
panneau = ui.app(domain.output_dir(sortie) / "scenarios")

# %% [markdown]
# ## Explorer des scénarios
#
# Ce panneau répond aux questions « et si » sur les bilans d'exécution lus (liste ci-dessous). Chaque réglage
# recalcule le **montant exposé** du CLS (toutes années chargées, projection comprise), le graphique de consommation
# de l'année choisie (barre colorée par constat, trait noir : la base, losange : le taux attendu), le tableau des
# constats et la comparaison avec la base, c'est-à-dire les bilans tels quels, évalués par les règles de
# `analysis.assess`. Les montants « exposés » sont des expositions sur lesquelles l'État peut agir, jamais des
# sommes dues.
#
# - **Convention, année** : les années qui ont un bilan (et 2026-2027 quand la projection est active) ;
# - **seuils** de sous-consommation manifeste et de tolérance ; **exécution de l'année** : un curseur par action ;
# - **décision de l'État** sur chaque justification (article 2.2 : opérante, ou non opérante et le montant à
#   apprécier devient exposé) ; **avenant** de l'année suivante, par axe ;
# - **projection 2026-2027**, **part réduite en n+1** et **seuil de matérialité** ;
# - **enregistrer / charger** un scénario nommé (dossier `data/processed/scenarios/`), ou **revenir à la base**.
#
# Sur l'exemple embarqué, les chiffres d'exécution sont **fictifs** : le graphique du panneau porte la mention
# « DONNÉES FICTIVES » ; `make app EXECUTION=dossier_des_bilans` ouvre ce panneau sur de vrais bilans. Le même calcul
# sans le panneau, avec un scénario commenté, son export en classeur et les hypothèses du registre qu'il met en jeu :
# notebook `04_scenarios` (`make lab`).

# %%
Markdown(affichage.inputs_note(panneau.runner.execution, os.environ.get(ui.EXECUTION_VARIABLE) or None))
