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
# # Scénarios : et si… ? (EXEMPLE FICTIF)
#
# > **Attention : les chiffres d'exécution de ce notebook sont FICTIFS.** Aucun bilan d'exécution des deux
# > contrats n'est public. Les classeurs `execution_FICTIVE_*.xlsx` ont été générés par `analysis.example` pour
# > montrer la démarche ; seuls les montants prévus, les cibles et les règles viennent de la délibération.
#
# Pour préparer une réunion avec la préfecture, ce notebook répond aux questions « et si » : et si l'action 3.1
# ne dépensait que 60 % cette année ? et si l'État jugeait non opérante la justification de l'action 3.3 ? et si
# l'avenant suivant réduisait l'axe 3 de 10 % ? et si 2026 et 2027 suivaient le rythme de cette année, combien
# serait exposé en 2027 ?
#
# Un **scénario** est une liste de modifications des bilans chargés, rien de plus : il s'enregistre dans un petit
# fichier JSON (`data/processed/scenarios/`) et se recharge. Il est évalué par les **mêmes règles** que
# `analysis.assess` (notebook 03) : le scénario de base donne exactement les mêmes résultats. Les montants
# « exposés » sont des expositions sur lesquelles l'État peut agir, jamais des sommes dues.
#
# Le panneau ci-dessous est aussi une application web, sans code : `make app` l'ouvre dans le navigateur
# (Voilà, sur cet ordinateur seulement).

# %%
from IPython.display import Markdown, display

import analysis
from analysis import display as affichage
from analysis import domain, scenarios
from analysis.scenarios import ui

contrat = analysis.load_contract()
execution = analysis.load_execution(contrat)
affichage.table(execution.workbooks[["file", "convention", "year", "fictitious"]])

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
# Le panneau travaille sur l'exemple fictif, ou sur les bilans d'un dossier avec `make app EXECUTION=dossier`
# (le scénario commenté plus bas reste sur l'exemple fictif).

# %%
panneau = ui.panel(contrat)
display(panneau)

# %% [markdown]
# ## Un scénario commenté
#
# Le même calcul sans le panneau : un scénario s'écrit comme une donnée. Ici, l'action 3.1 ne consomme que 60 %
# de ses crédits disponibles en 2025, l'État juge non opérante la justification de l'action 3.3 pour 2024,
# l'avenant 2026 réduit l'axe 3 de 10 %, 2026 et 2027 suivent le rythme de la dernière année connue, et l'État
# réduit la moitié du montant exposé (au lieu de la totalité, H02).

# %%
moteur = scenarios.ScenarioRunner(contrat, execution)
base = moteur.run()
scenario = scenarios.Scenario(
    name="Axe 3 réduit, 2026-2027 au rythme actuel",
    description="Exemple du notebook 04 (chiffres fictifs).",
    executed=(scenarios.ExecutedOverride("cls", "3.1", 2025, rate=0.6),),
    decisions=(scenarios.Decision("3.3", 2024, "rejetee"),),
    avenants=(scenarios.AvenantChange(2026, axis="3", percent=-0.10),),
    projection=True,
    reduction_share=0.5,
)
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
ui.chart_image(resultat, base, "cls", 2027)

# %% [markdown]
# ## France Travail : le solde du bilan final
#
# La convention France Travail n'a pas de réduction en n+1 : la sous-consommation se règle par le solde (ou le
# trop-perçu) du bilan final. Et si l'action 2.3 avait dépensé 90 % de son montant alloué ?

# %%
scenario_ft = scenarios.Scenario(
    name="France Travail : action 2.3 à 90 %",
    executed=(scenarios.ExecutedOverride("ft", "2.3", 2024, rate=0.9),),
)
comparaison_ft = scenarios.compare(base, moteur.run(scenario_ft))
affichage.scenario_settlement(comparaison_ft)

# %%
Markdown(affichage.scenario_summary(comparaison_ft))

# %% [markdown]
# ## Enregistrer, recharger, exporter
#
# Un scénario enregistré se recharge tel quel (dans le panneau : liste « Scénarios », bouton « Charger »). La
# comparaison s'exporte en classeur Excel (montants en nombres, en-têtes en français).

# %%
# enregistré à part, pour que la liste « Scénarios » du panneau reste la même d'une exécution à l'autre
chemin = scenarios.save(scenario, directory=domain.PROCESSED_DIR / "scenarios" / "exemple_du_notebook", contract=contrat)
chemin.relative_to(domain.ROOT).as_posix()

# %%
relu = scenarios.load(chemin, contrat)
Markdown(f"Scénario relu à l'identique : **{affichage.yes_no(relu == scenario)}**.")

# %%
classeur = comparaison.to_xlsx(domain.PROCESSED_DIR / "comparaison_scenario.xlsx")
classeur.relative_to(domain.ROOT).as_posix()

# %% [markdown]
# ## Les hypothèses du registre sur lesquelles reposent les scénarios
#
# Chacune se change dans un scénario ou par appel ; leur justification et leurs sources sont dans le registre
# (`src/analysis/assumptions.toml`, reproduit dans le README).

# %%
Markdown(affichage.scenario_assumptions())
