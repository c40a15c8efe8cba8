"""The parameters of an assessment: every threshold, band and reading, defaulting from the register.

Each parameter takes its default from the assumptions register (``assumptions.toml``, H15-H29 and the
earlier H03-H05, and H41) and can be overridden per call of :func:`analysis.assess`. :func:`resolve_parameters`
checks the values (a French ``ValueError`` names the parameter at fault) and returns a frozen
:class:`Parameters`; :meth:`Parameters.as_dict` is what :class:`~analysis.assessment.Assessment` keeps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from analysis.assumptions import default, get

#: Keyword of :func:`analysis.assess` -> name of its assumption in the register.
REGISTER_NAMES = {
    "threshold": "manifest_threshold",  # H15
    "tolerance": "consumption_tolerance",  # H16
    "expected_rate_method": "expected_rate_method",  # H17
    "start_without_day": "start_without_day",  # H18
    "declared_trajectory_overrides": "declared_trajectory_overrides",  # H19
    "cls_available_basis": "cls_available_basis",  # H20
    "exposure_basis": "exposure_basis",  # H21
    "end_of_contract_claim": "end_of_contract_claim",  # H22
    "ft_available_basis": "ft_available_basis",  # H23
    "ft_state_share": "ft_state_share",  # H24
    "ft_volet1_reading": "ft_volet1_forfait",  # H49
    "near_band": "near_band",  # H25
    "late_band": "late_band",  # H26
    "attainment_cap": "attainment_cap",  # H27
    "time_basis_default": "time_basis_default",  # H28
    "twin_indicators": "twin_indicators",  # H29
    "signature_date": "signature_date",  # H03
    "cls_state_includes_erbm": "cls_state_share_includes_erbm",  # H04
    "ft_state_excludes_fipe": "ft_state_share_excludes_fipe",  # H05
    "straddling": "ft_expense_period_straddling",  # H41
    "period_cap": "period_exposure_cap",  # H45
}

#: Allowed values of the parameters that name a method or a reading: the register's ``choices`` of each.
CHOICES = {param: get(name).choices for param, name in REGISTER_NAMES.items() if get(name).choices}


@dataclass(frozen=True)
class Parameters:
    """Every parameter an assessment uses (see the register for the reasoning of each)."""

    #: H15: under this share of the expected rate, under-consumption is « manifeste ».
    threshold: float
    #: H16: from ``1 - tolerance`` of the expected rate, consumption is « conforme ».
    tolerance: float
    #: H17: 'dates_fiches' (months active, from the fiches' start dates) or 'contrat' (100 %).
    expected_rate_method: str
    #: H18: a start printed without a day is read at the 'debut' or the 'milieu' of its period.
    start_without_day: str
    #: H19: a ramp-up rate declared in the workbook replaces the fiches' trajectory.
    declared_trajectory_overrides: bool
    #: H20: CLS available credits: 'verse_ou_notifie' (paid when recorded) or 'notifie', plus carried in.
    cls_available_basis: str
    #: H21: exposure in n+1: 'ecart_trajectoire' (shortfall below the expected rate) or 'non_consomme'.
    exposure_basis: str
    #: H22: exposure at the end of the CLS (2027): 'non_consomme' or 'ecart_trajectoire'.
    end_of_contract_claim: str
    #: H23: FT available credits: 'montant_alloue' (art. 4.1) or 'verse' (the advance).
    ft_available_basis: str
    #: H24: State share of eligible FT volet 2 spending: 'moitie_cout' or 'cout_moins_cofinancements'.
    ft_state_share: str
    #: H49: FT volet 1 forfait: 'cout_plafonne' (eligible cost up to 135 000 €) or 'forfait' (135 000 € flat).
    ft_volet1_reading: str
    #: H25: an indicator is « proche » from this share of its target.
    near_band: float
    #: H26: « en retard » from this share, « critique » below.
    late_band: float
    #: H27: cap of the attainment used in aggregates.
    attainment_cap: float
    #: H28: time basis of an indicator whose label says nothing.
    time_basis_default: str
    #: H29: Annexe 1 / fiche twin indicators, « a = b ; c = d ».
    twin_indicators: str
    #: H03: the day standing for « dès la signature ».
    signature_date: date
    #: H04: CLS State money includes the ERBM columns.
    cls_state_includes_erbm: bool
    #: H05: France Travail State money excludes the FIPE fund (action 2.4).
    ft_state_excludes_fipe: bool
    #: H41: an expense whose period straddles the convention's: 'prorata', 'exclue' or 'incluse'.
    straddling: str
    #: H45: amounts at stake over a period capped by what is unconsumed over it, or the sum of the years.
    period_cap: str

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def twin_pairs(self) -> list[tuple[str, str]]:
        """H29 as (Annexe 1 indicator, fiche indicator) pairs."""
        return twin_pairs(self.twin_indicators)


def twin_pairs(text: str) -> list[tuple[str, str]]:
    """« a = b ; c = d » -> [('a', 'b'), ('c', 'd')] (French ``ValueError`` when malformed)."""
    pairs = []
    for part in (p.strip() for p in text.split(";")):
        left, sep, right = part.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise ValueError(f"indicateurs jumeaux : paire illisible « {part} » (attendu « a = b »)")
        pairs.append((left.strip(), right.strip()))
    return pairs


def resolve_parameters(**overrides) -> Parameters:
    """The parameters of one assessment: each override when not None, else the register's default.

    Register names: ``manifest_threshold`` (H15), ``consumption_tolerance`` (H16), ``expected_rate_method``,
    ``start_without_day``, ``declared_trajectory_overrides``, ``cls_available_basis``, ``exposure_basis``,
    ``end_of_contract_claim``, ``ft_available_basis``, ``ft_state_share``, ``near_band``, ``late_band``,
    ``attainment_cap``, ``time_basis_default``, ``twin_indicators`` (H17-H29); ``signature_date`` (H03),
    ``cls_state_share_includes_erbm`` (H04), ``ft_state_share_excludes_fipe`` (H05),
    ``ft_expense_period_straddling`` (H41), ``period_exposure_cap`` (H45), ``ft_volet1_forfait`` (H49).
    """
    fields = Parameters.__dataclass_fields__
    unknown = sorted(set(overrides) - set(fields))
    if unknown:
        raise TypeError(f"paramètre(s) d'analyse inconnu(s) : {', '.join(unknown)}")
    values = {}
    for name in fields:
        given = overrides.get(name)
        values[name] = default(REGISTER_NAMES[name]) if given is None else given
    params = Parameters(**values)
    check(params)
    return params


def _share(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"paramètre « {name} » : une part entre 0 et 1 est attendue, pas {value!r}")


def check(params: Parameters) -> None:
    """French ``ValueError`` for a value out of range or an unknown reading."""
    for name in ("threshold", "tolerance", "near_band", "late_band"):
        _share(name, getattr(params, name))
    if params.threshold > 1 - params.tolerance:
        raise ValueError(
            f"seuil de sous-consommation manifeste ({params.threshold}) au-dessus de la borne de conformité "
            f"(1 − tolérance = {1 - params.tolerance}) : aucune place pour « à surveiller »"
        )
    if params.late_band > params.near_band:
        raise ValueError(f"bande « en retard » ({params.late_band}) au-dessus de la bande « proche » ({params.near_band})")
    cap = params.attainment_cap
    if isinstance(cap, bool) or not isinstance(cap, (int, float)) or cap < 1:
        raise ValueError(f"plafond du taux d'atteinte : un nombre au moins égal à 1 est attendu, pas {params.attainment_cap!r}")
    for name, allowed in CHOICES.items():
        if getattr(params, name) not in allowed:
            raise ValueError(f"paramètre « {name} » : valeur {getattr(params, name)!r} inconnue (attendu : {', '.join(allowed)})")
    if not isinstance(params.signature_date, date):
        raise ValueError(f"date de signature : une date est attendue, pas {params.signature_date!r}")
    twin_pairs(params.twin_indicators)
