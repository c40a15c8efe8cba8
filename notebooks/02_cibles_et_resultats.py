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
# # Cibles et résultats des indicateurs
#
# Chaque année, l'État et le Département se demandent si les actions atteignent leurs cibles. Ce notebook
# confronte les résultats déclarés aux cibles pour **tous** les indicateurs des deux conventions : ceux des
# actions, les indicateurs nationaux du CLS (annexe 10) et les indicateurs de pilotage de France Travail
# (annexe 4). Le notebook `03_consommation_et_risques` traite de l'argent.
#
# Les bilans lus sont ceux donnés en paramètre (`make report EXECUTION=dossier/`), à défaut l'exemple fictif
# embarqué ; la page le dit ci-dessous.

# %%
from datetime import date

import pandas as pd
from IPython.display import Markdown

import analysis
from analysis import charts
from analysis import display as affichage

affichage.for_readers()
pd.set_option("display.max_colwidth", 90)

# %% tags=["parameters"]
# Paramètres (modifiables, ou injectés par `python -m analysis report`) :
execution = None  # dossiers ou classeurs de bilans ; None = exemple fictif embarqué (data/examples)
sortie = None  # dossier de sortie (figures) ; None = data/processed
premiere_annee = 2024  # période de lecture du CLS (bilan à mi-parcours : 2024-2025)
derniere_annee = 2025

# %%
contrat = analysis.load_contract()
bilans = analysis.load_executions(contrat, execution)
evaluation = analysis.assess(contrat, bilans)
parametres = evaluation.parameters
Markdown(affichage.inputs_note(bilans, execution))

# %% [markdown]
# ## Comment un indicateur est lu
#
# Pour chaque indicateur et chaque année, `analysis.assess` rapproche la **situation de départ** (au 31 décembre
# 2023), la **cible** de l'année imprimée dans le contrat et le **résultat** déclaré dans le bilan.

# %%
indicateurs = evaluation.achievement.drop_duplicates("indicator_id")
comptes_cls, comptes_ft = (indicateurs.loc[indicateurs["convention"] == c, "family"] for c in ("cls", "ft"))
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
    "- **Chaque indicateur compté une fois** : un indicateur d'une fiche action qui reprend un indicateur de "
    "l'annexe 1 ou de l'annexe 10 (mêmes libellé et chiffres), ou qui en est la part d'une action (l'indicateur "
    "national « jeunes de 16 à 25 ans sans solution » est la somme des fiches 1.1, 1.2 et 1.3), est compté, listé et "
    f"classé avec lui (H29) : le CLS compte {affichage.count(len(comptes_cls))} indicateurs "
    f"({affichage.count((comptes_cls == 'local').sum())} locaux, {affichage.count((comptes_cls == 'national').sum())} "
    f"nationaux), France Travail {affichage.count(len(comptes_ft))}. "
    "Le rapprochement des bilans vérifie que ces jumeaux portent le même résultat (famille « Bilans d'exécution », "
    "notebook 03)."
)

# %% [markdown]
# ## Vue d'ensemble : les statuts par année
#
# Pour chaque convention et chaque année dont le bilan a été lu, le nombre d'indicateurs par statut. Les années
# sans bilan ne sont pas comptées.

# %%
affichage.status_counts(evaluation)

# %%
Markdown(affichage.achievement_summaries(evaluation))

# %% [markdown]
# ## Carte de l'atteinte des cibles
#
# Une ligne par indicateur (groupés par action, puis les indicateurs sans action), une colonne par année de bilan.
# La couleur donne le statut, le chiffre le taux d'atteinte plafonné (H27) ; « n.r. » signale un résultat absent
# du bilan, « sans cible » un indicateur dont le contrat n'imprime pas de cible pour l'année. Les deux conventions
# sont présentées séparément.

# %%
charts.show(charts.plot_attainment_heatmap(evaluation, "cls"), "cls_atteinte_des_cibles", sortie)

# %%
charts.show(charts.plot_attainment_heatmap(evaluation, "ft"), "ft_atteinte_des_cibles", sortie)

# %% [markdown]
# ## CLS : chaque indicateur, action par action
#
# Une figure par action, puis une pour les indicateurs nationaux de l'annexe 10 (sans action). Dans chaque
# panneau : le losange gris est la situation au 31 décembre 2023, les tirets bleus la cible de chaque année, les
# points le résultat, coloré selon son statut. Une bande grise « non renseigné » marque une année de bilan sans
# résultat : l'indicateur n'est pas à zéro, il manque. Sous chaque panneau : l'unité de l'indicateur et sa base de
# temps (H28).

# %%
for numero, figure in enumerate(charts.plot_all_indicators(evaluation, "cls"), start=1):
    charts.show(figure, f"cls_indicateurs_{numero:02d}", sortie)

# %% [markdown]
# ## France Travail : chaque indicateur
#
# La convention France Travail couvre la seule année 2024 : chaque panneau compare la situation de départ, la
# cible 2024 et le résultat du bilan final. Les indicateurs de pilotage de l'annexe 4 n'ont pas d'action.

# %%
for numero, figure in enumerate(charts.plot_all_indicators(evaluation, "ft"), start=1):
    charts.show(figure, f"ft_indicateurs_{numero:02d}", sortie)

# %% [markdown]
# ## Le CLS sur la période du rapport
#
# L'article 2.3 du CLS demande un rapport d'exécution à mi-parcours, du 1er janvier 2024 au 31 décembre 2025 (la
# période est un paramètre de la page). Sur la période, chaque indicateur est lu selon sa base de temps (H28) : un
# flux additionne ses années, un stock ou un cumul se lit à la dernière année ; il faut toutes les années renseignées
# pour qu'un flux ait un résultat.

# %%
periode = evaluation.achievement_over(premiere_annee, derniere_annee)
affichage.achievement(
    periode[periode["convention"] == "cls"],
    ["action", "label", "time_basis", "baseline", "target", "result", "attainment", "achievement_status"],
)

# %%
Markdown(
    "Échéance du rapport à mi-parcours, d'abord délibéré par le Département puis transmis au préfet : "
    f"{affichage.date_text(date.fromisoformat(contrat.rule('cls_midterm_report_due')['value']))} "
    f"(article {contrat.rule('cls_midterm_report_due')['article']} du CLS)."
)
