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
# # Prise en main : les deux contrats en tableaux
#
# Une délibération de la Commission permanente du Département du Pas-de-Calais (n°2024-176) porte deux
# contrats signés avec l'État : le Contrat local des solidarités (CLS) et la Convention France Travail (FT).
#
# Tous les chiffres de ce notebook sont ceux imprimés dans le document, transcrits dans `data/raw/`. Chaque ligne
# de données indique où le chiffre est imprimé (`source`, `source_line`). Les contradictions du document sont
# conservées telles quelles ; le notebook `01_rapprochement_budgetaire` les recense. Les choix d'analyse sont
# cités par leur identifiant (H01…) du registre des hypothèses (`src/analysis/assumptions.toml`).

# %%
import pandas as pd
from IPython.display import Markdown

import analysis
from analysis import charts, domain, summaries
from analysis import display as affichage

affichage.for_readers()
pd.set_option("display.max_colwidth", 80)

# %% tags=["parameters"]
# Paramètres (modifiables, ou injectés par `python -m analysis report`) :
execution = None  # dossiers ou classeurs de bilans ; None = exemple fictif embarqué (data/examples)
sortie = None  # dossier de sortie (figures) ; None = data/processed

# %%
contrat = analysis.load_contract()
bilans = analysis.load_executions(contrat, execution)
actions = contrat.actions.assign(convention=contrat.actions["convention"].astype(str))
actions_cls, actions_ft = (actions[actions["convention"] == c] for c in ("cls", "ft"))
volets = actions_ft.drop_duplicates("axis")
Markdown(affichage.inputs_note(bilans, execution))

# %%
Markdown(
    f"La délibération date du {affichage.date_text(domain.DELIBERATION_DATE)}.\n\n"
    f"- le **{domain.CLS.label}** compte {len(actions_cls)} actions réparties sur les axes "
    f"{affichage.list_text(sorted(actions_cls['axis'].unique()))} du Pacte des solidarités ; le Département y apporte "
    f"au moins {affichage.percent(contrat.rule_rate('cls_departement_min_share'), 0)} des crédits de chaque action "
    f"(article {contrat.rule('cls_departement_min_share')['article']}) ;\n"
    f"- la **{domain.FT.label}** compte {len(actions_ft)} actions en {len(volets)} volets ("
    + " ; ".join(f"volet {v} « {t} »" for v, t in zip(volets["axis"], volets["axis_label"]))
    + f") ; le Département cofinance le volet 2 à hauteur de "
    f"{affichage.percent(contrat.rule_rate('ft_volet2_departement_cofinancing'), 0)} de son coût total "
    f"(article {contrat.rule('ft_volet2_departement_cofinancing')['article']})."
)

# %% [markdown]
# ## Vue d'ensemble
#
# Nombre d'axes ou de volets, d'actions et d'indicateurs, et montants prévus dans les tableaux « Budget de
# l'action » des fiches, toutes années confondues. Chaque indicateur est compté une fois : un indicateur de fiche
# qui reprend un indicateur de l'annexe 1 ou de l'annexe 10, ou qui en est la part d'une action, est compté avec
# lui (H29). France Travail est limité à ce que finance la convention : le fonds FIPE de l'action 2.4 n'en est pas
# (H05).

# %%
affichage.overview(summaries.contract_overview(contrat))

# %%
Markdown(
    "Pour France Travail, la part État est celle de la convention, "
    f"{affichage.eur(summaries.state_share(contrat, 'ft', 2024))} (le notebook 01 le vérifie). La fiche de l'action 2.4 "
    "est financée par le fonds FIPE, qui n'est pas un crédit France Travail (H05) : la fiche dit qu'aucun crédit n'est "
    "sollicité au titre de France Travail et le plan d'action l'inscrit à 0 €. Son budget, imprimé pour 2024 et 2025, "
    "est donc laissé hors des totaux ; avec lui, la part État 2024 des fiches serait de "
    f"{affichage.eur(summaries.state_share(contrat, 'ft', 2024, exclude_fipe=False))}."
)

# %% [markdown]
# ## Les actions du CLS, par axe

# %%
affichage.actions(summaries.actions_by_axis(contrat, "cls"))

# %% [markdown]
# L'intitulé de l'action 4.2 n'est pas imprimé dans l'annexe 1 : celui de la table vient de l'annexe 11 (lignes
# 4946-4948), qui imprime le même intitulé que le tableau 2025 (voir `data/raw/README.md`).
#
# ## Les actions de la convention France Travail, par volet

# %%
affichage.actions(summaries.actions_by_axis(contrat, "ft"))

# %% [markdown]
# ## Budget prévu par axe (CLS) ou par volet (France Travail) et par année
#
# Montants des fiches action, par financeur. Les montants sont exacts au centime (nombres décimaux, sans
# arrondi flottant).

# %%
budget_cls = summaries.budget_by_axis_year(contrat, "cls")
affichage.budget(budget_cls)

# %% [markdown]
# L'axe 4 est plus faible en 2027 : la fiche 4.2 n'imprime aucun montant pour 2027 (la ligne « 2027 » de son
# tableau est vide).

# %%
charts.show(charts.plot_budget_by_axis_year(budget_cls, "CLS : budget prévu par axe et par année (fiches action)"),
            "cls_budget_prevu_par_axe_et_annee", sortie)

# %%
affichage.budget(summaries.budget_by_axis_year(contrat, "ft"))

# %% [markdown]
# ## Les indicateurs
#
# Indicateurs locaux (annexe 1 du CLS) et nationaux (annexe 10), indicateurs des fiches France Travail et
# indicateurs de pilotage (annexe 4 de la convention FT). Les tableaux « référentiel national » des fiches CLS
# reprennent un indicateur de l'annexe 10 (ou de l'annexe 1, pour la fiche 4.2), ou en donnent la part de l'action :
# ils sont comptés avec lui, dans les deux dernières colonnes, pas une seconde fois.

# %%
affichage.table(summaries.indicator_overview(contrat))

# %% [markdown]
# Par exemple, les indicateurs de l'action 1.1 : situation de départ et cibles annuelles.

# %%
affichage.indicator_targets(summaries.indicator_targets(contrat, "1.1"))

# %% [markdown]
# ## Les tables disponibles
#
# `contrat` regroupe des tables au format long, une ligne par chiffre imprimé :
# `actions`, `budget`, `sub_actions`, `indicators`, `indicator_values`, `text_amounts`, `financing_plan`,
# `table_columns`, `imputations`, `rules`. Les colonnes et les cellules y sont des codes (`cls`, `etat`…) ;
# `analysis.display` les écrit en français pour la lecture. Par exemple, les premières lignes du budget :

# %%
colonnes = ["convention", "action", "year", "funder", "phase", "table", "row_type", "amount_eur", "source_line"]
affichage.table(contrat.budget.head(), colonnes)

# %% [markdown]
# ## Les bilans d'exécution lus
#
# Les notebooks suivants confrontent le contrat aux bilans d'exécution remplis par le Département (un classeur par
# convention et par exercice, relu strictement par `analysis.load_executions`). Les bilans lus pour ce rapport :

# %%
affichage.table(bilans.workbooks[["file", "convention", "year", "fictitious"]])
