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
# # Vue nationale : les contrats de tous les départements
#
# Chaque département signe avec l'État un **contrat local des solidarités** (CLS, 2024-2027) et une **convention
# France Travail** (2024). Cette page met leurs bilans côte à côte : ce que les contrats engagent face aux
# enveloppes nationales, ce qui est exécuté, l'argent exposé ou à apprécier par l'État, la part du Département
# contre les 50 % de l'article 2.2, les soldes France Travail, les indicateurs nationaux, et les bilans qui
# manquent. Chaque département est évalué par les mêmes règles que les pages 00 à 06 (`analysis.assess`), puis
# les chiffres sont additionnés : **un total régional ou national est la somme exacte, au centime, des chiffres
# des départements**, et un taux est recalculé sur ces sommes, jamais moyenné.
#
# Par défaut, la page lit le **jeu national FICTIF** que produit `make national` (`data/processed/national/`) :
# les 101 départements avec leurs vrais codes et noms, des chiffres inventés. Seul le contrat du Pas-de-Calais est
# réel (transcrit de la délibération), avec l'exécution fictive d'exemple des autres pages. Aucun bilan réel
# n'est public.

# %%
import pandas as pd
from IPython.display import Markdown

import analysis
from analysis import charts, domain
from analysis import display as affichage
from analysis import national_display as vue_nationale
from analysis.assumptions import get
from analysis.charts import national as cartes

affichage.for_readers()
pd.set_option("display.max_colwidth", 80)

# %% tags=["parameters"]
# Paramètres (modifiables, ou injectés par `python -m analysis report`) :
execution = None  # dossier du jeu national (contracts/ et executions/) ; None = data/processed/national (make national)
sortie = None  # dossier de sortie (figures, classeur national) ; None = data/processed
periode = None  # période du CLS, ex. "2024-2025" ; None = celle du registre (H53)

# %%
dossier = execution[0] if isinstance(execution, (list, tuple)) else execution
vue = analysis.national_from_folder(dossier, periode)
Markdown(vue_nationale.inputs_note(vue, dossier))

# %% [markdown]
# ## La France entière
#
# La période est celle du registre (H53) : chaque département doit un bilan du CLS pour chaque année de la
# période et le bilan final France Travail 2024. Un bilan attendu et non reçu n'est jamais compté comme zéro : les
# montants « réalisés » ne portent que sur les années renseignées, et la page dit lesquelles manquent. Sur la
# période, les montants exposés (sous-consommation manifeste sans justification, ou crédits non consommés à la fin
# du contrat) et à apprécier par l'État (une justification que l'État jugera) comptent chaque euro une fois (H45).

# %%
Markdown(vue_nationale.nation_summary(vue))

# %% [markdown]
# ### Les contrats face aux enveloppes nationales
#
# En 2024, l'État consacre 260 M€ à ces contrats : 90 M€ pour les contrats locaux des solidarités et 170 M€ pour
# les conventions France Travail (sources publiques, hors délibération : instructions DGCS/SD1B/2023/169 et
# DGEFP/DPE/2023/192). Les crédits des contrats sont les parts État des fiches actions de 2024 (ERBM comprise,
# H04 ; le fonds FIPE hors de France Travail, H05).

# %%
vue_nationale.envelopes_table(vue)

# %%
charts.show(cartes.plot_envelopes(vue), "national_enveloppes", sortie)

# %% [markdown]
# ## Les bilans reçus
#
# Un département est « complet » quand tous les bilans attendus sur la période sont arrivés, « partiel » quand il en
# manque, « sans bilan » quand aucun n'est arrivé. La carte place chaque département sur une case, à peu près là où
# il se trouve (grille faite à la main, `data/reference/README.md`) ; les départements d'outre-mer forment la
# ligne du bas.

# %%
charts.show(cartes.plot_tile_map(vue, "reporting_status", "Bilans reçus sur la période", kind="status"),
            "national_carte_bilans", sortie)

# %%
vue_nationale.missing_table(vue)

# %% [markdown]
# ## Les régions
#
# Chaque région est la somme exacte de ses départements ; la dernière ligne est la France entière.

# %%
vue_nationale.regions_table(vue)

# %%
charts.show(cartes.plot_regions(vue), "national_regions", sortie)

# %% [markdown]
# ## Ce qui demande un examen
#
# ### L'argent en jeu dans le CLS
#
# Les départements aux montants exposés les plus élevés sur la période, puis ceux dont les montants à apprécier
# par l'État sont les plus élevés (les classements montrent les premiers départements, H55). Un montant exposé est
# ce que l'État **peut** réduire l'année suivante (article 2.2) ou réclamer à la fin du contrat (article 5) : un
# maximum, pas une somme due.

# %%
charts.show(cartes.plot_tile_map(vue, "cls_amount_at_risk", f"CLS {vue.first}-{vue.last} : montant exposé",
                                 kind="money", note="Case hachurée : aucun bilan du CLS reçu (jamais un zéro)."),
            "national_carte_montant_expose", sortie)

# %%
vue_nationale.ranking_table(vue, "cls_amount_at_risk", extra=["cls_executed_state", "cls_rate", "cls_manifest"])

# %%
vue_nationale.ranking_table(vue, "cls_amount_under_review", extra=["cls_under_review"])

# %%
charts.show(cartes.plot_ranking(vue), "national_classement_montants_en_jeu", sortie)

# %% [markdown]
# ### La part du Département contre les 50 %
#
# L'article 2.2 demande au Département au moins 50 % des crédits de **chaque** action. La vue nationale lit la règle
# sur les crédits signés de chaque action (H56) : un contrat signé sous 50 % existe, il est signalé, jamais refusé.
# La part du Département dans les montants réalisés est donnée à côté, pour information.

# %%
charts.show(cartes.plot_tile_map(vue, "cls_below_minimum", "CLS : la règle des 50 % sur les crédits signés",
                                 kind="minimum"), "national_carte_part_du_departement", sortie)

# %%
sous_minimum = vue.departements[vue.departements["cls_below_minimum"]]
vue_nationale.table(sous_minimum, ["departement", "nom", "region", "cls_signed_share", "cls_actions_signed_under_minimum",
                                   "cls_departement_share", "cls_actions_under_minimum"])

# %%
charts.show(cartes.plot_distributions(vue), "national_distributions", sortie)

# %% [markdown]
# ### France Travail : soldes et trop-perçus
#
# L'État a versé une avance de 60 % à la signature ; le bilan final arrête ce qui est dû (dépenses éligibles, part
# de l'État de chaque volet, plafonds de l'article 4.1), donc un solde à verser ou un trop-perçu à reverser
# (article 6). Les départements aux trop-perçus les plus élevés, puis aux soldes les plus élevés :

# %%
vue_nationale.ranking_table(vue, "ft_refund_due", extra=["ft_advance", "ft_due", "ft_volet2_share"])

# %%
vue_nationale.ranking_table(vue, "ft_balance_due", extra=["ft_advance", "ft_due"])

# %% [markdown]
# ### Les constats et les statuts, en nombre
#
# Chaque action du CLS reçoit chaque année un constat (page 03), chaque indicateur un statut (page 02). Sur la
# période, pour la France entière :

# %%
vue_nationale.status_table(vue, "constat")

# %%
vue_nationale.status_table(vue, "indicateur")

# %% [markdown]
# ## Les indicateurs nationaux
#
# Les 15 indicateurs nationaux du CLS (annexe 10) et les indicateurs de pilotage de France Travail (annexe 4)
# portent le même code dans tous les contrats. Un indicateur qui compte des personnes ou des postes s'additionne :
# l'atteinte nationale est la somme des résultats rapportée à la somme des cibles des départements qui renseignent
# les deux ; un taux se décrit par sa distribution entre départements (H54). Première année de la période :

# %%
vue_nationale.indicators_table(vue, vue.first)

# %%
charts.show(cartes.plot_national_indicators(vue, vue.first), f"national_indicateurs_{vue.first}", sortie)

# %% [markdown]
# ## Le classeur national
#
# Toutes les tables de cette page, et les indicateurs de chaque année, dans un classeur (montants en euros,
# taux en pourcentage) :

# %%
classeur = vue_nationale.export_national(vue, domain.output_dir(sortie) / f"vue_nationale_{vue.first}-{vue.last}.xlsx")
Markdown(f"Classeur écrit : « {classeur.name} ».")

# %% [markdown]
# ## Hypothèses
#
# Les choix de cette page sont au registre des hypothèses (README) :

# %%
Markdown("\n".join(f"- {get(name).cite()}" for name in ("period_exposure_cap", "national_period", "national_additive_units",
                                                          "national_outliers", "national_departement_share")))
