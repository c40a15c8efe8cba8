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
# # Rapport d'exécution du Contrat local des solidarités, 2024-2025 (bilan à mi-parcours)
#
# L'article 2.3 du CLS (lignes 364-388 de la délibération) charge le Département d'un rapport d'exécution couvrant
# le 1er janvier 2024 au 31 décembre 2025. Il décrit, pour chaque action, les résultats obtenus et le niveau
# d'atteinte des objectifs (et, dans la mesure du possible, l'impact social), contient un bilan financier, et
# annexe l'exécution budgétaire des crédits dans un tableau financier ainsi que la matrice des indicateurs ; un
# bilan global synthétise l'ensemble. Il passe en délibération départementale avant d'être transmis au préfet
# **au plus tard le 31 mars 2026**.
#
# Ce notebook produit ce rapport sous forme d'un classeur prêt à imprimer (une feuille par tableau, en-têtes
# répétés, paysage) : `bilan_mi_parcours_cls_2024-2025.xlsx`. La période est un paramètre : la même démarche sert
# aux bilans annuels et au bilan final 2024-2027.

# %%
import pandas as pd
from IPython.display import Markdown, display

from analysis import display as affichage
from analysis.pack import run
from analysis.pack.base import for_reading
from analysis.pack.cls import SHEETS

affichage.for_readers()
pd.set_option("display.max_colwidth", None)  # tableaux et constats lus en entier
pd.set_option("display.max_rows", None)

# %% tags=["parameters"]
# Paramètres (modifiables, ou injectés par `python -m analysis report`) :
execution = None  # dossiers ou classeurs de bilans ; None = exemple fictif embarqué (data/examples)
premiere_annee = 2024  # début de la période du rapport
derniere_annee = 2025  # fin de la période (2025 : bilan à mi-parcours ; 2027 : bilan final)
seuil = None  # seuil de sous-consommation manifeste (None = registre, H15)
tolerance = None  # marge de tolérance sous la trajectoire attendue (None = registre, H16)
sortie = None  # dossier de sortie ; None = data/processed

# %%
bilan = run.mid_term(execution, premiere_annee, derniere_annee, sortie, threshold=seuil, tolerance=tolerance)
Markdown(run.inputs_note(bilan))

# %% [markdown]
# ## Bilan global
#
# Les totaux de la période, le nombre d'actions par constat de l'article 2.2 et d'indicateurs par statut, puis les
# principaux écarts : les plus forts montants exposés ou à apprécier par l'État (H42). Les crédits disponibles
# d'une année sont les crédits versés ou notifiés plus le report reçu de l'année précédente (H20) ; sur la
# période, un report n'est compté qu'une fois. Le « montant exposé » est l'écart sous la trajectoire attendue
# (H21) : une somme sur laquelle l'État **peut** agir en n+1, pas une somme due.

# %%
for_reading(bilan.pack.table(SHEETS["synthesis"]))

# %% [markdown]
# ## Résultats et atteinte des objectifs, par action
#
# Le constat de chaque action est écrit par le programme à partir des seuls chiffres des bilans (phrases types,
# aucun texte inventé) : crédits État réalisés et disponibles, taux de consommation contre le taux attendu (H17,
# H19), constat de l'article 2.2 (seuils H15 et H16), puis le nombre d'indicateurs renseignés et leur statut
# (bandes H25 et H26, taux d'atteinte plafonné H27 ; sur la période, un flux se cumule et un stock se lit à la
# dernière année, H28). Les colonnes « impact social » et « actions des partenaires » sont laissées au Département,
# qui les complète avant la délibération.

# %%
for_reading(bilan.pack.table(SHEETS["actions"]))

# %% [markdown]
# ## Bilan financier
#
# Exécution par action et par année, puis cumulée : crédits État disponibles et réalisés, montants réalisés du
# Département et des autres financeurs, consommation contre le taux attendu, montants exposés et à apprécier.
# Une justification qui couvre une sous-consommation manifeste est présentée « à apprécier par l'État » : c'est
# l'État qui juge si elle est opérante (article 2.2).

# %%
for_reading(bilan.pack.table(SHEETS["finance"]))

# %%
bilan.figures["execution"]

# %% [markdown]
# Le taux de consommation de chaque action contre le taux attendu, coloré par constat, avec les montants exposés
# ou à apprécier par l'État :

# %%
bilan.figures["consumption"]

# %% [markdown]
# ## Tableaux financiers annexés, dans la présentation du contrat
#
# Pour chaque année, le tableau « Exécution budgétaire à fournir au bilan » de l'annexe 11 (lignes 4750-4811),
# rempli à partir du bilan de l'année. Une cellule vide signifie « non renseigné », jamais zéro.

# %%
for tableau in run.tables(bilan, "Annexe 11"):
    display(Markdown(f"### {affichage.escape_markdown(tableau.titles[-1])}"), for_reading(tableau))

# %% [markdown]
# Puis le tableau récapitulatif à colonnes A à M (imprimé pour 2025, lignes 4955-5235) : A à E et le montant total
# réalisé viennent du bilan de l'année précédente, F et G de ses reports, H du montant notifié par avenant ; I = F +
# H, K = G + J (imprimé « G+I », incohérence S01) et M = I + K + L sont recalculés (H43).

# %%
for tableau in run.tables(bilan, "Tableau A-M"):
    display(Markdown(f"### {affichage.escape_markdown(tableau.titles[-1])}"), for_reading(tableau))

# %% [markdown]
# ## Matrice des indicateurs (annexe 10)
#
# Les quinze indicateurs nationaux, dans la présentation de l'annexe 10 : situation au 31 décembre 2023, puis pour
# chaque année la cible locale, le résultat atteint et son statut. Un résultat absent reste vide (« non
# renseigné »), jamais zéro. Chaque indicateur est compté et classé une fois (H29) : sous l'indicateur national des
# jeunes de 16 à 25 ans sans solution, somme des fiches 1.1, 1.2 et 1.3, la part de chaque fiche est donnée sans
# statut. Les 45 indicateurs du contrat (30 locaux, 15 nationaux), avec les indicateurs des fiches qui les reprennent,
# figurent dans la feuille « Indicateurs des actions » du classeur.

# %%
for_reading(bilan.pack.table(SHEETS["matrix"]))

# %%
bilan.figures["national"]

# %% [markdown]
# ## Constats des bilans à lever
#
# Les écarts entre les chiffres des bilans d'exécution, ou entre un bilan et le contrat, et les chiffres qui n'ont pas
# pu être vérifiés, du plus grave au moins grave. Ils sont à lever, ou à expliquer, avant la transmission au préfet.

# %%
for_reading(bilan.pack.table(SHEETS["findings"]))

# %% [markdown]
# ## Incohérences du document signé
#
# Pour information : les coquilles et contradictions de la délibération elle-même, transcrites telles qu'imprimées
# et jamais corrigées. Elles expliquent un chiffre ; personne ne peut les lever dans ce bilan.

# %%
for_reading(bilan.pack.table(SHEETS["document"]))

# %% [markdown]
# ## Hypothèses
#
# Les choix d'analyse dont dépendent ces chiffres, tels qu'inscrits au registre des hypothèses
# (`src/analysis/assumptions.toml`) ; chacun se change par paramètre.

# %%
for_reading(bilan.pack.table(SHEETS["assumptions"]))
