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
# # Rapprochement budgétaire : les chiffres des deux contrats tiennent-ils ensemble ?
#
# Avant de signer un avenant ou d'envoyer le rapport à mi-parcours, il faut s'assurer que les chiffres du document
# sont cohérents : les parties font leurs totaux, une même action porte le même montant dans la fiche, l'annexe
# financière, les articles de la convention et le rapport du président, et les règles de cofinancement sont
# respectées.
#
# `analysis.reconcile` confronte chaque chiffre transcrit aux autres. Chaque contrôle a un statut :
# **Concordant** (les chiffres concordent), **Écart** (ils diffèrent) ou **Non vérifiable** (un des deux côtés
# n'est pas imprimé). Les familles de contrôles :
#
# | famille | ce qui est contrôlé |
# |---|---|
# | Sommes et totaux | sous-totaux et totaux imprimés contre leurs parties |
# | Croisement des tableaux | la même quantité imprimée dans deux tableaux ou textes |
# | Règles chiffrées | part minimale du Département (CLS), cofinancement du volet 2, avance et recette (France Travail) |
# | Formules des en-têtes | formules imprimées dans les en-têtes (« (F+H) ») contre les chiffres et la définition des colonnes |
# | Indicateurs | une même valeur d'indicateur dans plusieurs tableaux ; écarts du plan de financement |
# | Couverture (années, actions, dates) | années et actions absentes d'un des tableaux ; durées des sous-actions |
# | Bilans d'exécution | chiffres d'un bilan d'exécution, dont les indicateurs jumeaux (notebooks 02 et 03) |

# %%
import pandas as pd
from IPython.display import Markdown

import analysis
from analysis import assumptions, charts, domain
from analysis import display as affichage
from analysis.reconciliation import findings

affichage.for_readers()
pd.set_option("display.max_colwidth", 200)

# %% tags=["parameters"]
# Paramètres (modifiables, ou injectés par `python -m analysis report`) :
execution = None  # dossiers ou classeurs de bilans ; None = exemple fictif embarqué (data/examples)
sortie = None  # dossier de sortie (classeur, figures) ; None = data/processed

# %%
contrat = analysis.load_contract()
bilans = analysis.load_executions(contrat, execution)
tous = analysis.reconcile(contrat, bilans)
du_bilan = tous["family"].astype(str) == "execution"
controles, controles_bilans = tous[~du_bilan], tous[du_bilan]
statuts = controles["status"].astype(str).value_counts()
Markdown(affichage.inputs_note(bilans, execution))

# %% [markdown]
# Les sections qui suivent portent sur le contrat seul (les chiffres imprimés dans la délibération) ; la dernière
# section porte sur les bilans d'exécution lus.

# %% [markdown]
# ## Nombre de contrôles par famille et par statut

# %%
Markdown(
    f"Le rapprochement compte **{affichage.count(len(controles))} contrôles** : "
    f"{affichage.count(statuts.get('ok', 0))} concordants, {affichage.count(statuts.get('ecart', 0))} écarts et "
    f"{affichage.count(statuts.get('non_verifiable', 0))} non vérifiables."
)

# %%
affichage.check_counts(controles)

# %% [markdown]
# Les contrôles appliquent des choix d'analyse consignés au registre des hypothèses :

# %%
Markdown(
    "\n".join(
        f"- **{h.id}** : {h.title}."
        for h in assumptions.assumptions()
        if any(u.startswith("analysis.reconciliation") for u in h.used_in)
    )
)

# %% [markdown]
# ## Les écarts, du plus grand au plus petit (en euros)
#
# Chaque ligne cite les deux sources comparées (tableau et ligne du texte source). Les écarts d'indicateurs et
# de dates sont exprimés en unités (`Écart (unités)` : places, personnes ou mois).

# %%
Markdown(
    f"La gravité d'un écart en euros est « Élevée » à partir de {affichage.eur(assumptions.default('high_gap_eur'))} "
    "(H08), « Moyenne » en dessous ; un contrôle non vérifiable est de gravité « Faible »."
)

# %%
ecarts = findings(controles)
affichage.checks(ecarts, ["check_id", "status", "severity", "expected", "computed", "gap_eur", "gap_units", "explication"])

# %% [markdown]
# Les deux sources de chaque écart :

# %%
affichage.checks(ecarts, ["check_id", "source_expected", "source_computed"])

# %% [markdown]
# Tous ces écarts sont des incohérences du document lui-même : ils sont décrits un à un dans
# `data/raw/README.md` (section « Constats du rapprochement »), et les tests vérifient que le rapprochement
# n'en trouve ni plus ni moins. Un écart nouveau signalerait une erreur de transcription.
#
# ## Concordance par action et par tableau
#
# Part des contrôles concordants pour chaque action, dans chaque tableau où elle figure.

# %%
charts.show(charts.plot_agreement(controles), "rapprochement_concordance_par_action", sortie)

# %% [markdown]
# ## Les bilans d'exécution lus
#
# Le rapprochement vérifie aussi les chiffres des bilans (famille « Bilans d'exécution ») : crédits non consommés
# = crédits disponibles − montant réalisé, total réalisé = somme des financeurs, report au plus égal aux crédits
# non consommés, crédits versés comparés au contrat et aux avenants, indicateurs jumeaux (H29). Ces constats-là
# sont à lever, ou à expliquer, par le Département.

# %%
statuts_bilans = controles_bilans["status"].astype(str).value_counts()
Markdown(
    f"Sur les bilans lus : **{affichage.count(len(controles_bilans))} contrôles**, "
    f"{affichage.count(statuts_bilans.get('ok', 0))} concordants, {affichage.count(statuts_bilans.get('ecart', 0))} "
    f"écarts et {affichage.count(statuts_bilans.get('non_verifiable', 0))} non vérifiables."
)

# %%
affichage.checks(findings(controles_bilans), ["check_id", "status", "severity", "expected", "computed", "gap_eur",
                                              "explication"])

# %% [markdown]
# ## Export pour le tableur
#
# Le classeur `rapprochement.xlsx` du dossier de sortie reprend les écarts, tous les contrôles (ceux du contrat et
# ceux des bilans) et la synthèse (en-têtes et codes en français, montants au format €, ligne d'en-tête figée,
# filtres).

# %%
chemin = affichage.export_reconciliation(tous, domain.output_dir(sortie) / "rapprochement.xlsx")
Markdown(f"Classeur écrit : « {affichage.escape_markdown(chemin.name)} ».")
