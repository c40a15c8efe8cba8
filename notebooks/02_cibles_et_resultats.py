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
# # Cibles et résultats des indicateurs, 2024-2025 (EXEMPLE FICTIF)
#
# > **Attention : les résultats de ce notebook sont FICTIFS.** Aucun bilan d'exécution des deux contrats n'est
# > public à ce jour. Les classeurs `execution_FICTIVE_*.xlsx` ont été générés par `analysis.example` (graine
# > fixe) à travers le modèle de saisie, comme le ferait un analyste, pour montrer la démarche. Seules les
# > situations de départ et les cibles viennent de la délibération ; chaque graphique le rappelle
# > (« DONNÉES FICTIVES »).
#
# Chaque année, l'État et le Département se demandent si les actions atteignent leurs cibles. Ce notebook
# confronte les résultats déclarés aux cibles pour **tous** les indicateurs des deux conventions : ceux des
# actions, les indicateurs nationaux du CLS (annexe 10) et les indicateurs de pilotage de France Travail
# (annexe 4). Le notebook `03_consommation_et_risques` traite de l'argent.
#
# Pour travailler sur de vrais chiffres : exporter un modèle (`analysis.export_template`), le remplir dans un
# tableur, le relire avec `analysis.load_execution(chemin_du_dossier)`, puis relancer ce notebook.

# %%
from datetime import date

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown

import analysis
from analysis import charts
from analysis import display as affichage

pd.set_option("display.max_colwidth", 90)
contrat = analysis.load_contract()
execution = analysis.load_execution(contrat)
evaluation = analysis.assess(contrat, execution)
parametres = evaluation.parameters
affichage.table(execution.workbooks[["file", "convention", "year", "fictitious"]])

# %% [markdown]
# ## Comment un indicateur est lu
#
# Pour chaque indicateur et chaque année, `analysis.assess` rapproche la **situation de départ** (au 31 décembre
# 2023), la **cible** de l'année imprimée dans le contrat et le **résultat** déclaré dans le bilan.

# %%
Markdown(
    "- **Taux d'atteinte** : résultat / cible ; pour un indicateur où une valeur plus basse est meilleure, "
    "cible / résultat. Il est plafonné à "
    f"{affichage.percent(parametres['attainment_cap'], 0)} dans toute synthèse (H27), pour qu'un indicateur dépassé "
    "ne masque pas un indicateur en retard ; le ratio brut reste donné à côté.\n"
    f"- **Statut** : « cible atteinte » à partir de 100 % ; « proche de la cible » à partir de "
    f"{affichage.percent(parametres['near_band'], 0)} (H25) ; « en retard » à partir de "
    f"{affichage.percent(parametres['late_band'], 0)} (H26) ; « critique » en dessous. Ces seuils ne sont pas "
    "dans les conventions : ils reprennent le cadre de performance des fonds européens de cohésion et se changent "
    "par appel (`analysis.assess(..., near_band=0.9)`).\n"
    "- **Non renseigné** : un résultat absent du bilan, ou une cible non imprimée, n'est jamais compté comme zéro ; "
    "l'indicateur est « non renseigné » (H26).\n"
    "- **Chemin parcouru** : la part du chemin entre la situation de 2023 et la cible couverte par le résultat ; "
    "il n'est pas défini quand la cible est égale à la situation de départ (rien à parcourir).\n"
    "- **Base de temps** : une valeur annuelle est lue comme le flux de l'année, sauf quand le libellé ou l'unité "
    "disent autre chose : un stock au 31 décembre (« au 31 décembre de chaque année », un nombre d'ETP) ou un cumul "
    "depuis 2024 (H28). Sur une période, un flux s'additionne, un stock ou un cumul se lit à la dernière année.\n"
    "- **Indicateurs jumeaux** : un même nombre imprimé dans l'annexe 1, une fiche action et l'annexe 10 doit "
    "porter le même résultat dans le bilan (H29) ; le rapprochement des bilans le vérifie (famille « Bilans "
    "d'exécution », notebook 03)."
)

# %% [markdown]
# ## Vue d'ensemble : les statuts par année
#
# Pour chaque convention et chaque année dont le bilan a été lu, le nombre d'indicateurs par statut. Les années
# sans bilan ne sont pas comptées.

# %%
affichage.status_counts(evaluation)

# %%
Markdown(
    affichage.achievement_summary(evaluation, "cls", 2024) + "\n\n"
    + affichage.achievement_summary(evaluation, "cls", 2025) + "\n\n"
    + affichage.achievement_summary(evaluation, "ft", 2024)
)

# %% [markdown]
# ## Carte de l'atteinte des cibles
#
# Une ligne par indicateur (groupés par action, puis les indicateurs sans action), une colonne par année de bilan.
# La couleur donne le statut, le chiffre le taux d'atteinte plafonné (H27) ; « n.r. » signale un résultat absent
# du bilan, « sans cible » un indicateur dont le contrat n'imprime pas de cible pour l'année. Les deux conventions
# sont présentées séparément.

# %%
charts.plot_attainment_heatmap(evaluation, "cls")
plt.show()

# %%
charts.plot_attainment_heatmap(evaluation, "ft")
plt.show()

# %% [markdown]
# ## CLS : chaque indicateur, action par action
#
# Une figure par action, puis une pour les indicateurs nationaux de l'annexe 10 (sans action). Dans chaque
# panneau : le losange gris est la situation au 31 décembre 2023, les tirets bleus la cible de chaque année, les
# points le résultat, coloré selon son statut. Une bande grise « non renseigné » marque une année de bilan sans
# résultat : l'indicateur n'est pas à zéro, il manque. Sous chaque panneau : l'identifiant de l'indicateur et sa
# base de temps (H28).

# %%
figures_cls = charts.plot_all_indicators(evaluation, "cls")
plt.show()

# %% [markdown]
# ## France Travail : chaque indicateur
#
# La convention France Travail couvre la seule année 2024 : chaque panneau compare la situation de départ, la
# cible 2024 et le résultat du bilan final. Les indicateurs de pilotage de l'annexe 4 n'ont pas d'action.

# %%
figures_ft = charts.plot_all_indicators(evaluation, "ft")
plt.show()

# %% [markdown]
# ## Le CLS à mi-parcours : 2024 et 2025 ensemble
#
# L'article 2.3 du CLS demande un rapport d'exécution à mi-parcours, du 1er janvier 2024 au 31 décembre 2025. Sur
# cette période, chaque indicateur est lu selon sa base de temps (H28) : un flux additionne ses deux années, un
# stock ou un cumul se lit en 2025 ; il faut les deux années renseignées pour qu'un flux ait un résultat.

# %%
mi_parcours = evaluation.achievement_over(2024, 2025)
affichage.achievement(
    mi_parcours[mi_parcours["convention"] == "cls"],
    ["action", "indicator_id", "label", "time_basis", "baseline", "target", "result", "attainment", "achievement_status"],
)

# %%
Markdown(
    "Échéance du rapport à mi-parcours, d'abord délibéré par le Département puis transmis au préfet : "
    f"{affichage.date_text(date.fromisoformat(contrat.rule('cls_midterm_report_due')['value']))} "
    f"(article {contrat.rule('cls_midterm_report_due')['article']} du CLS)."
)
