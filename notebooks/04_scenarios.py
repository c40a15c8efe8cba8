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
# # Scénarios : et si… ?
#
# Pour préparer une réunion avec la préfecture, ce notebook répond aux questions « et si » : et si l'action 3.1
# ne dépensait que 60 % cette année ? et si l'État jugeait non opérante la justification de l'action 3.3 ? et si
# l'avenant suivant réduisait l'axe 3 de 10 % ? et si 2026 et 2027 suivaient le rythme de cette année, combien
# serait exposé en 2027 ?
#
# Un **scénario** est une liste de modifications des bilans chargés, rien de plus : il s'enregistre dans un petit
# fichier JSON (dossier `scenarios/` du dossier de sortie) et se recharge. Il est évalué par les **mêmes règles** que
# `analysis.assess` (notebook 03) : le scénario de base donne exactement les mêmes résultats. Les montants
# « exposés » sont des expositions sur lesquelles l'État peut agir, jamais des sommes dues.
#
# Le panneau ci-dessous est aussi une application web, sans code : `make app` l'ouvre dans le navigateur
# (Voilà, sur cet ordinateur seulement).

# %%
from IPython.display import Markdown, display

import analysis
from analysis import charts, domain, scenarios
from analysis import display as affichage
from analysis.scenarios import ui

affichage.for_readers()

# %% tags=["parameters"]
# Paramètres (modifiables, ou injectés par `python -m analysis report`) :
execution = None  # dossiers ou classeurs de bilans ; None = exemple fictif embarqué (data/examples)
sortie = None  # dossier de sortie (scénarios, classeur, figures) ; None = data/processed

# %%
contrat = analysis.load_contract()
bilans = analysis.load_executions(contrat, execution)
dossier = domain.output_dir(sortie)
Markdown(affichage.inputs_note(bilans, execution))

# %% [markdown]
# ## Le panneau de scénarios
#
# Chaque réglage recalcule tout : le **montant exposé** du CLS (toutes années chargées, projection comprise),
# le graphique de consommation de l'année choisie (barre colorée par constat, trait noir : la base, losange : le
# taux attendu), le tableau des constats et la comparaison avec la base.
#
# - **Convention, année** : les années qui ont un bilan (et 2026-2027 quand la projection est active) ;
# - **seuils** : seuil de sous-consommation manifeste (H15) et tolérance (H16) ;
# - **exécution de l'année** : un curseur par action, le taux de consommation des crédits État disponibles ;
# - **décision de l'État** sur chaque justification de l'année (article 2.2 : la justification est-elle
#   *opérante* ?) : opérante, pas de réduction ; non opérante, le montant à apprécier devient exposé ;
# - **avenant de l'année suivante** : variation des crédits notifiés par axe (H39) ;
# - **projection 2026-2027** (H36-H38), **part réduite en n+1** (H02) et **seuil de matérialité** (H35) ;
# - **enregistrer / charger** un scénario nommé, ou **revenir à la base**.
#
# Le panneau travaille sur les bilans lus par cette page ; ses scénarios nommés s'enregistrent dans le dossier
# `scenarios/` du dossier de sortie.

# %%
panneau = ui.panel(contrat, bilans, directory=dossier / "scenarios")
display(panneau)

# %% [markdown]
# ## Un scénario commenté
#
# Le même calcul sans le panneau : un scénario s'écrit comme une donnée. Celui-ci est tiré des bilans lus : la
# dernière année lue, l'action qui dispose des plus gros crédits de l'État n'en consomme que 60 % ; l'État juge non
# opérante la première justification qu'il a à apprécier ; l'avenant suivant réduit l'axe de cette action de 10 % ;
# les années suivantes suivent le rythme de la dernière année connue ; l'État réduit la moitié du montant exposé
# (au lieu de la totalité, H02). Le détail du scénario :

# %%
moteur = scenarios.ScenarioRunner(contrat, bilans)
base = moteur.run()
scenario, scenario_ft = scenarios.illustrative_scenarios(moteur)
resultat = moteur.run(scenario)
comparaison = scenarios.compare(base, resultat)
affichage.scenario_description(comparaison)

# %%
Markdown(affichage.scenario_summary(comparaison))

# %% [markdown]
# ### Montants exposés, par axe et par année
#
# « Montant exposé » : la sous-consommation manifeste sans justification (réduction possible en n+1, article 2.2)
# et, en 2027, les crédits non consommés exposés à une demande de remboursement (article 5). « À apprécier par
# l'État » : la sous-consommation manifeste justifiée, que l'État juge opérante ou non. « Réduction estimée » : la
# part réduite (H02) du montant exposé en n+1. Les années projetées ne sont pas des bilans.

# %%
affichage.scenario_exposure(comparaison)

# %% [markdown]
# ### Les constats qui changent
#
# Les actions-années présentes dans les deux résultats dont le constat ou le montant change.

# %%
affichage.scenario_flags(comparaison)

# %%
derniere = max(int(a) for a in resultat.consumption.loc[resultat.consumption["convention"] == "cls", "year"])
charts.show(charts.plot_scenario_consumption(resultat, base, "cls", derniere), "scenario_cls_consommation", sortie)

# %% [markdown]
# ## France Travail : le solde du bilan final
#
# La convention France Travail n'a pas de réduction en n+1 : la sous-consommation se règle par le solde (ou le
# trop-perçu) du bilan final. Et si l'action qui dispose des plus gros crédits avait dépensé 90 % de son montant
# alloué ?

# %%
comparaison_ft = scenarios.compare(base, moteur.run(scenario_ft))
affichage.scenario_settlement(comparaison_ft)

# %%
Markdown(affichage.scenario_summary(comparaison_ft))

# %% [markdown]
# ## Enregistrer, recharger, exporter
#
# Un scénario enregistré se recharge tel quel (dans le panneau : liste « Scénarios », bouton « Charger »). La
# comparaison s'exporte en classeur Excel (montants en nombres, en-têtes en français), dans le dossier de sortie.

# %%
# enregistré à part, pour que la liste « Scénarios » du panneau reste la même d'une exécution à l'autre
chemin = scenarios.save(scenario, directory=dossier / "scenarios" / "exemple_du_notebook", contract=contrat)
relu = scenarios.load(chemin, contrat)
Markdown(f"Scénario enregistré (« {affichage.escape_markdown(chemin.name)} ») et relu à l'identique : "
         f"**{affichage.yes_no(relu == scenario)}**.")

# %%
classeur = affichage.export_scenario_comparison(comparaison, dossier / "comparaison_scenario.xlsx")
Markdown(f"Classeur écrit : « {affichage.escape_markdown(classeur.name)} ».")

# %% [markdown]
# ## Les hypothèses du registre sur lesquelles reposent les scénarios
#
# Chacune se change dans un scénario ou par appel ; leur justification et leurs sources sont dans le registre
# (`src/analysis/assumptions.toml`, reproduit dans le README).

# %%
Markdown(affichage.scenario_assumptions())
