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
# # Consommation des crédits et risques
#
# L'argent est-il dépensé comme prévu ? Les deux contrats ne répondent pas à cette question avec les mêmes règles :
#
# - le **CLS** est pluriannuel (2024-2027). Les crédits de l'État sont notifiés chaque année (par avenant à partir
#   de 2025), les crédits non consommés peuvent être reportés sur l'année suivante, et l'État peut réduire une
#   partie des crédits de l'année n+1 en cas de sous-consommation manifeste de l'année n (article 2.2, lignes
#   331-335 de la délibération). Aucun report n'est possible au-delà du 31 décembre 2027 et l'État peut exiger le
#   remboursement des sommes indues (article 5, lignes 476-492) ;
# - la **Convention France Travail** couvre la seule année 2024. L'État verse une avance à la signature puis le
#   solde après le bilan final ; un trop-perçu est remboursé (article 6, lignes 5949-5966). Il n'y a ni report ni
#   réduction en n+1.
#
# Ce notebook lit donc chaque contrat selon ses propres règles (`analysis.assess`), sans jamais additionner les
# deux. Les cibles et résultats des indicateurs sont dans le notebook `02_cibles_et_resultats`.

# %%
import pandas as pd
from IPython.display import Markdown

import analysis
from analysis import charts, domain, scenarios
from analysis import display as affichage

affichage.for_readers()
pd.set_option("display.max_colwidth", 90)

# %% tags=["parameters"]
# Paramètres (modifiables, ou injectés par `python -m analysis report`) :
execution = None  # dossiers ou classeurs de bilans ; None = exemple fictif embarqué (data/examples)
sortie = None  # dossier de sortie (figures) ; None = data/processed

# %%
contrat = analysis.load_contract()
bilans = analysis.load_executions(contrat, execution)
evaluation = analysis.assess(contrat, bilans)
parametres = evaluation.parameters
consommation = evaluation.consumption
cls = consommation[consommation["convention"] == "cls"]
Markdown(affichage.inputs_note(bilans, execution))

# %% [markdown]
# ## Les chiffres d'exécution tiennent-ils ensemble ?
#
# Le rapprochement vérifie aussi les bilans (famille « Bilans d'exécution ») : crédits non consommés = crédits
# disponibles − montant réalisé, total réalisé = somme des financeurs, report au plus égal aux crédits non
# consommés, crédits versés comparés au contrat et aux avenants, et un même résultat pour les indicateurs jumeaux
# (H29, voir le notebook 02).

# %%
affichage.check_counts(analysis.reconcile(contrat, bilans))

# %% [markdown]
# ## CLS : les crédits de l'année et la trajectoire attendue
#
# **Crédits disponibles.** Le tableau 2025 de l'annexe 3 définit le budget de l'État d'une année comme les
# crédits notifiés plus les crédits reportés de l'année précédente (colonne I = F + H). Les crédits de l'année sont
# ceux versés quand le bilan les indique, sinon le montant notifié par le dernier avenant, sinon le prévisionnel du
# contrat (H20). Le **taux de consommation** est le montant État réalisé rapporté à ces crédits disponibles.
#
# **Taux attendu.** L'article 2.2 écarte la réduction quand la sous-consommation est liée à la « trajectoire de
# montée en charge prévue », sans imprimer cette trajectoire. Par défaut, on attend 100 % des crédits disponibles ;
# quand une fiche imprime un démarrage en cours d'année, le taux attendu est la part de l'année où les sous-actions
# sont actives, pondérée par leurs montants (H17), un démarrage imprimé sans jour étant lu au premier jour de la
# période (H18). Quand le Département déclare une trajectoire dans son bilan, elle remplace celle des fiches et la
# ligne l'indique (H19) : c'est à l'État de juger si cette trajectoire était bien « prévue ».

# %%
Markdown(affichage.credit_examples(consommation))

# %% [markdown]
# ## CLS : cinq constats possibles
#
# Chaque action et chaque année reçoit un constat, en comparant son taux de consommation au taux attendu. La
# convention ne fixe aucun chiffre : les seuils sont des choix d'analyse, inscrits au registre et modifiables par
# appel (`analysis.assess(..., threshold=0.5, tolerance=0.1)`).

# %%
seuil, marge = parametres["threshold"], parametres["tolerance"]
Markdown(
    f"- **{domain.label('assessment_flag', 'conforme')}** : l'action consomme au moins "
    f"{affichage.percent(1 - marge, 0)} du taux attendu (marge de tolérance de {affichage.percent(marge, 0)}, H16). "
    "Rien à signaler.\n"
    f"- **{domain.label('assessment_flag', 'a_surveiller')}** : entre {affichage.percent(seuil, 0)} et "
    f"{affichage.percent(1 - marge, 0)} du taux attendu. L'écart n'est pas « manifeste » : aucun montant n'est "
    "exposé, c'est un point à suivre dans le dialogue de gestion.\n"
    f"- **{domain.label('assessment_flag', 'justification_a_apprecier')}** : moins de {affichage.percent(seuil, 0)} "
    "du taux attendu (H15), mais le Département a donné un motif ou une justification. L'article 2.2 ne permet la "
    "réduction qu'« en l'absence de justification opérante » : c'est l'État qui juge si elle l'est. Le montant en "
    "jeu est donc « à apprécier par l'État », et non exposé.\n"
    f"- **{domain.label('assessment_flag', 'sous_consommation_manifeste')}** : moins de "
    f"{affichage.percent(seuil, 0)} du taux attendu, sans justification. L'État **peut** réduire une partie des "
    "crédits de l'année suivante.\n"
    f"- **{domain.label('assessment_flag', 'non_renseigne')}** : le bilan ne donne pas le montant réalisé ; rien ne "
    "peut être dit tant qu'il n'est pas fourni.\n\n"
    "**Ce que l'État peut faire, pas une somme due.** La convention dit qu'« une partie des crédits peut être "
    "réduite » : le montant exposé est l'écart sous la trajectoire attendue (taux attendu × crédits disponibles − "
    "montant réalisé), jamais plus que les crédits non consommés (H21). C'est une exposition sur laquelle l'État "
    "peut agir, l'année suivante, s'il le décide : ni une dette du Département, ni une réduction certaine. En 2027, "
    "dernière année du contrat, aucun report n'est possible : tout crédit non consommé est exposé à une demande de "
    "remboursement des sommes indues (H22), là encore un maximum et non une somme due."
)

# %%
affichage.assessment_consumption(cls)

# %%
charts.show(charts.plot_consumption(evaluation, "cls"), "cls_consommation_des_credits", sortie)

# %% [markdown]
# Les constats des bilans lus, action par action (entre parenthèses : l'année, et le montant exposé ou à apprécier) :

# %%
Markdown(affichage.flag_summary(consommation))

# %% [markdown]
# Les montants en jeu par année. Une réduction au titre de l'année n s'appliquerait aux crédits de l'année n+1 :

# %%
affichage.exposure_by_year(consommation)

# %% [markdown]
# Sur plusieurs années, un crédit non consommé et reporté sur l'année suivante peut être exposé (ou à apprécier)
# une année, puis encore l'année suivante : additionner les années compterait deux fois le même euro. Sur la
# période des bilans lus, les crédits disponibles sont ceux de chaque année plus le report reçu au début de la
# période, et les montants en jeu ne dépassent jamais les crédits non consommés de la période :

# %%
annees_cls = sorted(int(a) for a in set(cls["year"]))
Markdown(affichage.period_summary(evaluation, annees_cls[0], annees_cls[-1]))

# %% [markdown]
# ## CLS : des crédits prévus aux crédits non consommés
#
# Pour chaque axe et chaque année : le montant prévu au contrat, l'effet des avenants, les crédits notifiés, le
# report reçu de l'année précédente, les crédits disponibles, le montant réalisé et les crédits non consommés. Les
# dernières barres (hachurées) lisent les crédits non consommés : la part reportée sur l'année suivante, la part
# exposée et la part à apprécier par l'État. Elles peuvent se recouvrir : un crédit reporté peut aussi être exposé.
# Les montants de chaque action sont dans le tableau de la section précédente (colonnes « Crédits État prévus au
# contrat », « Part État prévue », « Report reçu »).

# %%
for annee in sorted(set(cls["year"])):
    charts.show(charts.plot_waterfall(evaluation, annee), f"cls_cascade_des_credits_{annee}", sortie)

# %% [markdown]
# ## CLS : la part du Département dans ce qui a été dépensé
#
# Le Département s'engage à apporter au moins 50 % des crédits dévolus à chaque action (article 2.2, lignes
# 348-350). Sur les montants prévus, le rapprochement le vérifie (notebook 01). Sur les montants réalisés, la part
# du Département (colonnes ERBM comptées comme crédits de l'État, H04) est un **contrôle pour information** : un
# écart n'est pas en soi un manquement, il nourrit l'examen du bilan financier prévu à l'article 5.

# %%
minimum = parametres["cls_departement_min_share"]
sous_minimum = cls[cls["departement_share"] < float(minimum)]
Markdown(
    f"Dans les bilans lus, {affichage.count(len(sous_minimum))} actions-années sur "
    f"{affichage.count(cls['departement_share'].notna().sum())} renseignées ont une part du Département inférieure à "
    f"{affichage.percent(minimum, 0)} du réalisé (la plus basse : "
    f"{affichage.share(cls['departement_share'].min(), minimum)}). Par action, chaque année et sur la période (une part "
    "à moins d'un point de 50 % est donnée avec deux décimales : 49,96 % n'est pas 50 %) :"
)

# %%
affichage.departement_shares(evaluation, annees_cls[0], annees_cls[-1])

# %%
charts.show(charts.plot_departement_share(evaluation), "cls_part_du_departement", sortie)

# %% [markdown]
# ## CLS : la position à la fin du contrat
#
# Aucun report n'est possible au-delà du 31 décembre 2027 (article 5). Le tableau donne, par action, les crédits
# de l'État prévus de 2024 à 2027 (avenants compris quand ils sont connus), ce qui est réalisé à ce jour et la
# situation de la dernière année lue. Le montant exposé à un remboursement n'est définitif qu'une fois 2027 lu.

# %%
affichage.end_of_contract(evaluation.end_of_contract)

# %%
fin = evaluation.end_of_contract.iloc[-1]
Markdown(
    f"Sur {affichage.eur(fin['planned_state'])} de crédits de l'État prévus pour 2024-2027, "
    f"{affichage.eur(fin['executed_state'])} sont réalisés à fin {affichage.identifier(fin['last_year'])}. "
    + ("La position est définitive : le bilan 2027 est lu." if fin["final"] else
       f"La position est provisoire : le dernier bilan lu est celui de {affichage.identifier(fin['last_year'])}. "
       "Quand le bilan 2027 sera lu, chaque euro de l'État non consommé à cette date sera exposé à une demande de "
       "remboursement (H22), après étude des indicateurs et du bilan financier par l'État.")
)

# %% [markdown]
# ## France Travail : une avance, un solde
#
# La convention France Travail est annuelle. Le taux de consommation d'une action rapporte le montant État réalisé
# au montant que la convention lui alloue (H23), non à l'avance versée. Les crédits « État (FIPE) » de l'action 2.4
# relèvent d'un autre fonds : l'action est hors de la convention (H05). Il n'y a aucun constat de sous-consommation :
# le bilan final règle l'année.

# %%
charts.show(charts.plot_consumption(evaluation, "ft"), "ft_consommation_des_credits", sortie)

# %%
reglement = evaluation.settlement
total_ft = reglement.iloc[-1]
Markdown(
    f"**Avance.** À la signature, l'État verse {affichage.percent(contrat.rule_rate('ft_advance_rate'), 0)} du "
    f"montant alloué de {affichage.eur(total_ft['ceiling'])}, soit {affichage.eur(total_ft['advance'])} "
    f"({contrat.rule('ft_advance_rate')['article']}).\n\n"
    "**Dû.** Après le bilan final, l'État doit, pour chaque volet, sa part du coût éligible réalisé, plafonnée par "
    "le montant du volet (article 4.1 ; pas de transfert entre volets sans avenant). Le volet 1 est un forfait : le "
    "coût éligible, dans la limite du plafond. Le coût éligible exclut ce que l'article 4.2 exclut et ce qui est "
    "dépensé hors du 1er janvier - 31 décembre 2024 (dépenses non éligibles retenues ici : "
    f"{affichage.eur(total_ft['ineligible'])}).\n\n"
    "**Solde ou trop-perçu.** Le dû est comparé à l'avance une seule fois, sur le total : s'il la dépasse, l'État "
    "verse le solde ; s'il est inférieur, le Département rembourse le trop-perçu. La répartition de l'avance par "
    "volet du tableau n'est qu'un affichage."
)

# %%
affichage.settlement(reglement)

# %%
Markdown(affichage.settlement_summary(reglement))

# %% [markdown]
# **Deux lectures de la part de l'État dans le volet 2.** Le Département participe « à hauteur de 50 % du coût
# total des actions inscrites au volet 2 » (article 3.3). Par défaut, la part de l'État est l'autre moitié du coût
# éligible (H24). L'autre lecture, calculée à côté, retient le coût éligible moins la participation du Département
# et des autres financeurs, c'est-à-dire le montant État réalisé tel que déclaré.

# %%
volet_2 = reglement[reglement["volet"] == "2"].iloc[0]
Markdown(
    f"Volet 2 : coût éligible réalisé {affichage.eur(volet_2['eligible_executed'])}, dont "
    f"{affichage.eur(volet_2['cofinancing_executed'])} apportés par le Département et les autres financeurs. Part "
    f"de l'État lue comme « {domain.label('ft_state_share', volet_2['reading'])} » (H24) : "
    f"{affichage.eur(volet_2['state_share'])} ; dans l'autre lecture : "
    f"{affichage.eur(volet_2['state_share_alternative'])}. Total dû par l'État : {affichage.eur(total_ft['due'])} "
    f"dans la lecture retenue, {affichage.eur(total_ft['due_alternative'])} dans l'autre."
)

# %%
charts.show(charts.plot_settlement(evaluation), "ft_solde", sortie)

# %% [markdown]
# ## France Travail : le cofinancement du volet 2
#
# La règle des 50 % porte sur le volet 2 dans son ensemble, pas sur chaque action (H06). La part propre du
# Département n'atteint la moitié du coût prévu qu'en comptant le FSE+ valorisé de la fiche 2.5 (H07) : les deux
# lectures sont calculées, sur le prévu (fiches actions) et sur le réalisé (bilan).

# %%
affichage.cofinancing(evaluation.cofinancing)

# %%
Markdown(affichage.cofinancing_summary(evaluation.cofinancing))

# %%
charts.show(charts.plot_ft_cofinancing(evaluation), "ft_cofinancement_du_volet_2", sortie)

# %% [markdown]
# ## CLS : et si le seuil de sous-consommation manifeste était autre ?
#
# Le seuil de sous-consommation manifeste (H15) n'est pas dans la convention : c'est le choix d'analyse qui pèse
# le plus sur les montants en jeu. Le tableau et le graphique recalculent l'évaluation pour d'autres seuils, par le
# moteur de scénarios (les mêmes règles que ci-dessus ; seul le seuil change). La marge de tolérance (H16) ne
# change aucun montant : elle sépare seulement « conforme » et « à surveiller ». Le notebook 04 explore les autres
# hypothèses.

# %%
tolerance = parametres["tolerance"]
seuils = [s / 100 for s in range(40, round((1 - tolerance) * 100) + 1, 5)]
sensibilite = scenarios.threshold_sensitivity(scenarios.ScenarioRunner(contrat, bilans), seuils)
affichage.threshold_sensitivity(sensibilite, parametres["threshold"])

# %%
charts.show(charts.plot_threshold_sensitivity(sensibilite, parametres["threshold"], evaluation.fictitious),
            "cls_sensibilite_au_seuil", sortie)
