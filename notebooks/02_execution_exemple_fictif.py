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
# # Exécution 2024-2025 : consommation des crédits et résultats (EXEMPLE FICTIF)
#
# > **Attention : les chiffres d'exécution de ce notebook sont FICTIFS.** Aucun bilan d'exécution des deux
# > contrats n'est public à ce jour. Les classeurs `execution_FICTIVE_*.xlsx` ont été générés par
# > `analysis.example` (graine fixe) à travers le modèle de saisie, comme le ferait un analyste, pour montrer
# > la démarche. Seuls les montants prévus, situations de départ et cibles viennent de la délibération.
#
# Pour travailler sur de vrais chiffres : exporter un modèle (`analysis.export_template`), le remplir dans un
# tableur, puis le relire avec `analysis.read_execution` (ou `analysis.load_execution(chemin_du_dossier)`).

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown

import analysis
from analysis import charts, domain
from analysis import display as affichage
from analysis.assumptions import default
from analysis.consumption import attainment_by_action, flag_under_consumption, indicator_progress, state_consumption
from analysis.scenarios import explorer, threshold_sensitivity

pd.set_option("display.max_colwidth", 90)
contrat = analysis.load_contract()
execution = analysis.load_execution(contrat)
affichage.table(execution.workbooks[["file", "convention", "year", "fictitious"]])

# %% [markdown]
# ## Les chiffres d'exécution tiennent-ils ensemble ?
#
# Le rapprochement vérifie aussi les rapports d'exécution : crédits non consommés = crédits versés − montant
# réalisé, total réalisé = somme des financeurs, report de la part État au plus égal aux crédits non consommés,
# crédits versés = part État prévue par la fiche (tous fonds de l'État compris, H09).

# %%
affichage.check_counts(analysis.reconcile(contrat, execution))

# %% [markdown]
# ## Consommation des crédits État et risque de réduction
#
# L'article 2.2 du CLS permet à l'État de réduire ses crédits de l'année n+1 en cas de sous-consommation
# manifeste de l'année n, non liée à la trajectoire de montée en charge prévue et sans justification opérante.
# La convention ne fixe **aucun seuil chiffré** : le seuil est un choix d'analyse, modifiable (`threshold=`).

# %%
seuil = default("under_consumption_threshold")
Markdown(
    f"Seuil retenu : {affichage.percent(seuil, 0)} des crédits versés (H01). Le taux de consommation est le montant "
    "État réalisé rapporté aux crédits État versés de l'année (H10). Toute justification saisie dans le bilan écarte "
    "le risque de réduction (H14). Les actions sous le seuil :"
)

# %%
consommation_brute = state_consumption(contrat, execution)
consommation = flag_under_consumption(consommation_brute, threshold=seuil)
a_revoir = consommation[consommation["flag"] != "conforme"].dropna(subset=["flag"])
affichage.consumption(
    a_revoir, ["convention", "action", "year", "paid", "executed", "unconsumed", "rate", "ramp_up_rate", "flag", "justification"]
)

# %%
charts.plot_consumption(consommation, "cls", 2024, seuil)
plt.show()

# %%
charts.plot_consumption(consommation, "ft", 2024, seuil)
plt.show()

# %%
cls_31 = consommation.set_index(["convention", "action", "year"]).loc[("cls", "3.1", 2024)]
Markdown(
    f"L'action CLS 3.1 réalise {affichage.percent(cls_31['rate'])} de ses crédits en 2024 pour une montée en charge "
    f"prévue de {affichage.percent(cls_31['ramp_up_rate'], 0)} : juste sous la trajectoire, elle n'est pas classée "
    f"« {domain.label('flag', 'montee_en_charge')} » mais « {domain.label('flag', cls_31['flag'])} », car une "
    "justification est fournie."
)

# %% [markdown]
# ## Cibles et résultats par année
#
# Les résultats (points) sont comparés aux cibles du contrat (tirets). Certains résultats sont laissés vides dans
# l'exemple, comme dans un vrai bilan incomplet.

# %%
progression = indicator_progress(contrat, execution)
charts.plot_targets_vs_results(progression, "1.4")
plt.show()

# %%
charts.plot_targets_vs_results(progression, "2.3")
plt.show()

# %% [markdown]
# ## Explorer un scénario de réduction
#
# Ni le seuil de sous-consommation (H01) ni la part des crédits non consommés que l'État pourrait réduire en n+1
# (H02) ne sont fixés par la convention. Le tableau suivant montre comment le nombre d'actions à risque et le
# montant en jeu varient avec le seuil.

# %%
Markdown(
    f"Réduction supposée égale à {affichage.percent(default('reduction_share'), 0)} des crédits non consommés (H02) : "
    "un plafond du risque, pas une prévision."
)

# %%
affichage.sensitivity(threshold_sensitivity(consommation_brute, [0.7, 0.8, 0.9, 0.95]))

# %% [markdown]
# Dans JupyterLab, les curseurs ci-dessous recalculent le tableau (seuil, part des crédits non consommés réduite) ;
# ils partent des valeurs du registre (H01, H02) :

# %%
explorer(consommation_brute)

# %% [markdown]
# ## Atteinte des cibles
#
# Taux d'atteinte moyen des cibles par action et par année : pour chaque indicateur renseigné, résultat / cible
# (cible / résultat quand une valeur plus basse est meilleure), puis moyenne simple par action (H13).

# %%
affichage.attainment(attainment_by_action(progression))
