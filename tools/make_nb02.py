import sys; sys.path.insert(0, "tools")
from nb import write

write("notebooks/02_execution_exemple_fictif.ipynb", [
("md", """
# Exécution 2024-2025 : consommation des crédits et résultats (EXEMPLE FICTIF)

> **Attention : les chiffres d'exécution de ce notebook sont FICTIFS.** Aucun bilan d'exécution des deux
> contrats n'est public à ce jour. Les classeurs `data/raw/execution/execution_FICTIVE_*.xlsx` ont été générés
> par `analysis.example` (graine fixe) à travers le modèle de saisie, comme le ferait un analyste, pour montrer
> la démarche. Seuls les montants prévus, situations de départ et cibles viennent de la délibération.

Pour travailler sur de vrais chiffres : exporter un modèle (`analysis.export_template`), le remplir dans un
tableur, puis le relire avec `analysis.read_execution` (ou `analysis.load_execution(chemin_du_dossier)`).
"""),
("code", """
import pandas as pd
import matplotlib.pyplot as plt

import analysis
from analysis import charts, summaries
from analysis.consumption import (
    state_consumption, flag_under_consumption, indicator_progress, attainment_by_action, french, DEFAULT_THRESHOLD,
)
from analysis.reconciliation import reconcile, summary_counts

pd.set_option("display.max_colwidth", 90)
contrat = analysis.load_contract()
execution = analysis.load_execution(contrat)
execution.workbooks[["file", "convention", "year", "fictitious"]]
"""),
("md", """
## Les chiffres d'exécution tiennent-ils ensemble ?

Le rapprochement vérifie aussi les rapports d'exécution : crédits non consommés = crédits versés − montant
réalisé, total réalisé = somme des financeurs, report de la part État au plus égal aux crédits non consommés,
crédits versés = part État prévue par la fiche.
"""),
("code", "summary_counts(reconcile(contrat, execution))"),
("md", """
## Consommation des crédits État et risque de réduction

L'article 2.2 du CLS permet à l'État de réduire ses crédits de l'année n+1 en cas de sous-consommation
manifeste de l'année n, non liée à la trajectoire de montée en charge prévue et non justifiée. La convention ne
fixe **aucun seuil chiffré** : le seuil ci-dessous est un choix d'analyse, modifiable (`threshold=`).
"""),
("code", """
seuil = DEFAULT_THRESHOLD
consommation = flag_under_consumption(state_consumption(contrat, execution), threshold=seuil)
a_revoir = consommation[consommation["flag"] != "conforme"].dropna(subset=["flag"])
french(a_revoir[["convention", "action", "year", "paid", "executed", "unconsumed", "rate", "ramp_up_rate", "flag_label", "justification"]])
"""),
("code", """
charts.plot_consumption(consommation, "cls", 2024, seuil)
plt.show()
"""),
("code", """
charts.plot_consumption(consommation, "ft", 2024, seuil)
plt.show()
"""),
("md", """
L'action CLS 3.1 réalise 49,9 % de ses crédits en 2024 pour une montée en charge prévue de 50 % : juste sous la
trajectoire, elle n'est pas classée « montée en charge » mais « justifiée », car une justification est fournie.

## Cibles et résultats par année

Les résultats (points) sont comparés aux cibles du contrat (tirets). Certains résultats sont laissés vides dans
l'exemple, comme dans un vrai bilan incomplet.
"""),
("code", """
progression = indicator_progress(contrat, execution)
charts.plot_targets_vs_results(progression, "1.4")
plt.show()
"""),
("code", """
charts.plot_targets_vs_results(progression, "2.3")
plt.show()
"""),
("md", """
## Explorer un scénario de réduction

Ni le seuil de sous-consommation ni la part des crédits non consommés que l'État pourrait réduire en n+1 ne sont
fixés par la convention. Le tableau suivant montre comment le nombre d'actions à risque et le montant en jeu
varient avec le seuil (réduction supposée égale à la totalité des crédits non consommés).
"""),
("code", """
from analysis.scenarios import threshold_sensitivity, french_sensitivity, explorer

consommation_brute = state_consumption(contrat, execution)
french_sensitivity(threshold_sensitivity(consommation_brute, [0.7, 0.8, 0.9, 0.95]))
"""),
("md", "Dans JupyterLab, les curseurs ci-dessous recalculent le tableau (seuil, part des crédits non consommés réduite) :"),
("code", "explorer(consommation_brute)"),
("md", "## Atteinte des cibles\n\nTaux d'atteinte moyen des cibles par action et par année (résultat / cible, indicateurs renseignés) :"),
("code", """
summaries.french_numbers(attainment_by_action(progression), percent=True)
"""),
])
