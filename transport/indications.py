"""Indication categories of zittend ziekenvervoer: which patients the insurer transports.

The categories follow Besluit zorgverzekering art. 2.14 (numbering as in the consolidated text
compiled in ``domain-facts.md``; check it against the text in force):

=============================  ===============================================================
``dialysis``                   kidney dialysis, incl. related consultations, tests and checks
                               (those since 2019)
``oncology``                   oncology with chemotherapy, radiotherapy or immunotherapy
                               (immunotherapy since 2018), incl. related consultations (since
                               2019)
``wheelchair``                 can move only in a wheelchair
``visually_impaired``          sight so limited that the insured cannot travel without a
                               companion
``child_intensive_care``       younger than 18, intensive child care (intensieve kindzorg,
                               since 2016)
``geriatric_rehabilitation``   geriatric rehabilitation care (geriatrische revalidatiezorg)
``gzsp_group_day_treatment``   group day treatment for specific patient groups (GZSP)
``hardship``                   the hardheidsclausule (:mod:`transport.hardship`)
=============================  ===============================================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from transport.decisions import Decision, Reason, UsedParameter
from transport.errors import InvalidInput
from transport.inputs import parse_enum, to_decimal
from transport.parameters import ParameterSet
from transport.schedule import age_on

BZV = "Besluit zorgverzekering art. 2.14 lid 1"


class Indication(StrEnum):
    """Indication category of a ride."""

    DIALYSIS = "dialysis"
    ONCOLOGY = "oncology"
    WHEELCHAIR = "wheelchair"
    VISUALLY_IMPAIRED = "visually_impaired"
    CHILD_INTENSIVE_CARE = "child_intensive_care"
    GERIATRIC_REHABILITATION = "geriatric_rehabilitation"
    GZSP_GROUP_DAY_TREATMENT = "gzsp_group_day_treatment"
    HARDSHIP = "hardship"


class Purpose(StrEnum):
    """What the ride is for: the treatment itself, or a related consultation, test or check."""

    TREATMENT = "treatment"
    CONSULTATION = "consultation"


class Therapy(StrEnum):
    """Oncological therapy that makes oncology an indication."""

    CHEMOTHERAPY = "chemotherapy"
    RADIOTHERAPY = "radiotherapy"
    IMMUNOTHERAPY = "immunotherapy"


LABELS: dict[Indication, str] = {
    Indication.DIALYSIS: "nierdialyse (kidney dialysis)",
    Indication.ONCOLOGY: "oncologie met chemo-, radio- of immunotherapie",
    Indication.WHEELCHAIR: "rolstoelafhankelijk (wheelchair-dependent)",
    Indication.VISUALLY_IMPAIRED: "visueel gehandicapt, kan niet zonder begeleiding reizen",
    Indication.CHILD_INTENSIVE_CARE: "jonger dan 18, intensieve kindzorg",
    Indication.GERIATRIC_REHABILITATION: "geriatrische revalidatiezorg",
    Indication.GZSP_GROUP_DAY_TREATMENT: "dagbehandeling in groepsverband (GZSP)",
    Indication.HARDSHIP: "hardheidsclausule",
}

SOURCES: dict[Indication, str] = {
    Indication.DIALYSIS: f"{BZV} onder a (nierdialyse)",
    Indication.ONCOLOGY: f"{BZV} onder b (oncologische behandeling)",
    Indication.WHEELCHAIR: f"{BZV} onder c (rolstoel)",
    Indication.VISUALLY_IMPAIRED: f"{BZV} onder d (gezichtsvermogen)",
    Indication.CHILD_INTENSIVE_CARE: f"{BZV} onder e (intensieve kindzorg, jonger dan 18)",
    Indication.GERIATRIC_REHABILITATION: f"{BZV} onder f (geriatrische revalidatiezorg)",
    Indication.GZSP_GROUP_DAY_TREATMENT: f"{BZV} onder g (GZSP, dagbehandeling in groepsverband)",
    Indication.HARDSHIP: "Besluit zorgverzekering art. 2.14 lid 3 (hardheidsclausule)",
}

# Extensions of the categories over time (domain-facts.md, Bzv amendments); before these dates
# the ride was not within the category.
CONSULTATIONS_SINCE = dt.date(2019, 1, 1)  # consultations/tests for dialysis and oncology
IMMUNOTHERAPY_SINCE = dt.date(2018, 1, 1)
CHILD_INTENSIVE_CARE_SINCE = dt.date(2016, 1, 1)


@dataclass(frozen=True)
class IndicationCase:
    """The medical facts of a ride that decide its indication.

    Attributes
    ----------
    indication : Indication
        The category claimed.
    purpose : Purpose
        Treatment, or a related consultation/test/check.
    therapy : Therapy, optional
        For oncology: the therapy (chemo, radio or immuno); required for that category.
    birth_date : datetime.date, optional
        Required for ``child_intensive_care`` (age on the ride date).
    cannot_travel_alone : bool
        For ``visually_impaired``: the insured cannot travel without a companion.
    hardship : Decision, optional
        For ``hardship``: the decision of :func:`transport.hardship.check_hardship`.
    """

    indication: Indication
    purpose: Purpose = Purpose.TREATMENT
    therapy: Therapy | None = None
    birth_date: dt.date | None = None
    cannot_travel_alone: bool = True
    hardship: Decision | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "indication", parse_enum(Indication, self.indication, "indication")
        )
        object.__setattr__(self, "purpose", parse_enum(Purpose, self.purpose, "purpose"))
        if self.therapy is not None:
            object.__setattr__(self, "therapy", parse_enum(Therapy, self.therapy, "therapy"))
        if self.indication is Indication.CHILD_INTENSIVE_CARE and self.birth_date is None:
            raise InvalidInput(
                "child_intensive_care needs the insured's birth date (age on the ride date)",
                field="birth_date",
            )
        if self.indication is Indication.HARDSHIP and self.hardship is None:
            raise InvalidInput(
                "the hardship indication needs the hardheidsclausule decision "
                "(months, times per week and single-trip km)",
                field="hardship",
            )


def check_indication(
    case: IndicationCase, ride_date: dt.date, *, parameters: ParameterSet | None = None
) -> Decision:
    """Decide whether a ride on ``ride_date`` falls within its indication category.

    Parameters
    ----------
    case : IndicationCase
        The category and the facts it depends on.
    ride_date : datetime.date
        Date of the ride.
    parameters : ParameterSet, optional
        Parameter source (default: the package's files).

    Returns
    -------
    Decision
        Rule ``"indication"``; ``details`` hold the category, its Dutch label and the purpose.
    """
    ind = case.indication
    source = SOURCES[ind]
    used: list[UsedParameter] = []
    details: dict[str, object] = {
        "indication": ind.value,
        "label": LABELS[ind],
        "purpose": case.purpose.value,
    }

    def decide(ok: bool, code: str, text: str) -> Decision:
        reason = Reason(code, text, source, None if ok else "0613")
        return Decision("indication", ok, (reason,), tuple(used), details)

    consultation = case.purpose is Purpose.CONSULTATION
    early = ride_date < CONSULTATIONS_SINCE
    if ind in (Indication.DIALYSIS, Indication.ONCOLOGY) and consultation and early:
        return decide(
            False,
            "INDICATION_CONSULTATION_NOT_YET_COVERED",
            f"consultations, tests and checks for {ind.value} are covered from "
            f"{CONSULTATIONS_SINCE.isoformat()}",
        )
    if ind is Indication.ONCOLOGY:
        details["therapy"] = case.therapy.value if case.therapy else None
        if case.therapy is None:
            return decide(
                False,
                "INDICATION_ONCOLOGY_WITHOUT_THERAPY",
                "oncology is an indication only with chemotherapy, radiotherapy or "
                "immunotherapy (or consultations belonging to it); no therapy was given",
            )
        if case.therapy is Therapy.IMMUNOTHERAPY and ride_date < IMMUNOTHERAPY_SINCE:
            return decide(
                False,
                "INDICATION_IMMUNOTHERAPY_NOT_YET_COVERED",
                f"immunotherapy is an indication from {IMMUNOTHERAPY_SINCE.isoformat()}",
            )
        return decide(True, "INDICATION_OK", f"oncology with {case.therapy.value}")
    if ind is Indication.VISUALLY_IMPAIRED and not case.cannot_travel_alone:
        return decide(
            False,
            "INDICATION_VISUAL_CAN_TRAVEL_ALONE",
            "visual impairment is an indication only when the insured cannot travel without "
            "a companion",
        )
    if ind is Indication.CHILD_INTENSIVE_CARE:
        if ride_date < CHILD_INTENSIVE_CARE_SINCE:
            return decide(
                False,
                "INDICATION_CHILD_CARE_NOT_YET_COVERED",
                f"intensive child care is an indication from "
                f"{CHILD_INTENSIVE_CARE_SINCE.isoformat()}",
            )
        assert case.birth_date is not None
        limit_used = (parameters or ParameterSet()).used(
            "child_intensive_care_age_limit", ride_date
        )
        used.append(limit_used)
        limit = to_decimal(limit_used.value, "child_intensive_care_age_limit")
        age = age_on(case.birth_date, ride_date)
        details.update(age=age, age_limit=int(limit))
        if age >= limit:
            return decide(
                False,
                "INDICATION_CHILD_TOO_OLD",
                f"intensive child care covers insured younger than {limit}; the insured is "
                f"{age} on the ride date",
            )
        return decide(True, "INDICATION_OK", f"intensive child care, age {age} (< {limit})")
    if ind is Indication.HARDSHIP:
        assert case.hardship is not None
        details["hardship"] = case.hardship.details
        used.extend(case.hardship.parameters)
        if case.hardship.ok:
            return decide(
                True,
                "INDICATION_OK",
                f"hardheidsclausule: {case.hardship.details.get('formula', 'qualifies')}",
            )
        return decide(
            False,
            "INDICATION_HARDSHIP_NOT_MET",
            f"hardheidsclausule not met: {case.hardship.details.get('formula', '')}",
        )
    return decide(True, "INDICATION_OK", LABELS[ind])
