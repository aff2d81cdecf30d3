"""The law's lists as data: grounds of need, documents, refusal and termination grounds.

Paragraph references point into the district rules (DR) and the service rules (SR); see
shared/DOMAIN.md. Changing a rule means changing a row here, not a branch in code.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Ground(StrEnum):
    """DR §8: what makes a citizen needy, in the law's order."""

    DISASTER = "disaster"
    FIRE = "fire"
    DISEASE = "disease"
    LOW_INCOME = "low_income"
    ORPHANHOOD = "orphanhood"
    OLD_AGE = "old_age"
    RELEASED = "released"


class DocumentKind(StrEnum):
    """DR §13: identity, income, and one proof per ground; plus the representative's mandate."""

    IDENTITY = "identity"
    INCOME = "income"
    POWER_OF_ATTORNEY = "power_of_attorney"
    DISASTER_DAMAGE = "disaster_damage"
    FIRE_DAMAGE = "fire_damage"
    DISEASE_PROOF = "disease_proof"
    ORPHANHOOD_PROOF = "orphanhood_proof"
    OLD_AGE_CARE_PROOF = "old_age_care_proof"
    RELEASE_PROOF = "release_proof"
    # Not on any checklist: what the applicant sends with an objection (SR §15).
    OBJECTION_EVIDENCE = "objection_evidence"


class Filer(StrEnum):
    """Who files (DR §13): the person, on behalf of the family, or a representative."""

    SELF = "self"
    FAMILY = "family"
    REPRESENTATIVE = "representative"


class Channel(StrEnum):
    """Where the application came in (SR §2); the bot stands for the portal's cabinet."""

    PROVIDER_OFFICE = "provider_office"
    RURAL_AKIM = "rural_akim"
    STATE_CORPORATION = "state_corporation"
    BOT = "bot"


class Periodicity(StrEnum):
    """DR §5."""

    ONE_OFF = "one_off"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"


@dataclass(frozen=True)
class GroundRule:
    ground: Ground
    proof: DocumentKind
    # Income-independent assistance needs no income papers (DR §13 item 2).
    income_dependent: bool


GROUND_RULES: dict[Ground, GroundRule] = {
    r.ground: r
    for r in (
        GroundRule(Ground.DISASTER, DocumentKind.DISASTER_DAMAGE, False),
        GroundRule(Ground.FIRE, DocumentKind.FIRE_DAMAGE, False),
        GroundRule(Ground.DISEASE, DocumentKind.DISEASE_PROOF, False),
        GroundRule(Ground.LOW_INCOME, DocumentKind.INCOME, True),
        GroundRule(Ground.ORPHANHOOD, DocumentKind.ORPHANHOOD_PROOF, False),
        GroundRule(Ground.OLD_AGE, DocumentKind.OLD_AGE_CARE_PROOF, False),
        GroundRule(Ground.RELEASED, DocumentKind.RELEASE_PROOF, False),
    )
}


def required_documents(ground: Ground, filer: Filer) -> list[DocumentKind]:
    """The checklist for one application, in the order an applicant gathers them."""
    rule = GROUND_RULES[ground]
    needed = [DocumentKind.IDENTITY]
    if rule.income_dependent:
        needed.append(DocumentKind.INCOME)
    if rule.proof not in needed:
        needed.append(rule.proof)
    if filer is Filer.REPRESENTATIVE:
        needed.append(DocumentKind.POWER_OF_ATTORNEY)
    return needed


class RefusalGround(StrEnum):
    """DR §22."""

    FALSE_INFORMATION = "false_information"
    EVADED_INSPECTION = "evaded_inspection"
    INCOME_ABOVE_THRESHOLD = "income_above_threshold"
    ALREADY_ASSIGNED = "already_assigned"


class TerminationGround(StrEnum):
    """DR §24."""

    DEATH = "death"
    MOVED_OUT = "moved_out"
    INSTITUTIONALISED = "institutionalised"
    FALSE_INFORMATION = "false_information"
    GROUND_CEASED = "ground_ceased"


class PaymentStops(StrEnum):
    """DR §24: «мән-жайлар басталғаннан кейінгі айдан» or «басталған күннен»."""

    MONTH_AFTER_IT_BEGAN = "month_after_it_began"
    DAY_IT_BEGAN = "day_it_began"


@dataclass(frozen=True)
class TerminationRule:
    ground: TerminationGround
    stops: PaymentStops
    # DR §24: placement in an institution does not end disaster or fire assistance.
    not_for: frozenset[Ground] = frozenset()


TERMINATION_RULES: dict[TerminationGround, TerminationRule] = {
    r.ground: r
    for r in (
        TerminationRule(TerminationGround.DEATH, PaymentStops.MONTH_AFTER_IT_BEGAN),
        TerminationRule(TerminationGround.MOVED_OUT, PaymentStops.MONTH_AFTER_IT_BEGAN),
        TerminationRule(
            TerminationGround.INSTITUTIONALISED,
            PaymentStops.MONTH_AFTER_IT_BEGAN,
            frozenset({Ground.DISASTER, Ground.FIRE}),
        ),
        TerminationRule(TerminationGround.FALSE_INFORMATION, PaymentStops.DAY_IT_BEGAN),
        TerminationRule(TerminationGround.GROUND_CEASED, PaymentStops.DAY_IT_BEGAN),
    )
}


class HearingMode(StrEnum):
    """SR §15: how the applicant is heard."""

    VIDEOCONFERENCE = "videoconference"
    INFORMATION_SYSTEM = "information_system"
    OTHER = "other"


def payment_stops_on(ground: TerminationGround, began_on: date) -> date:
    """DR §24: death, moving out, institution: from the month after the one the circumstance
    began in; false information and a ceased ground: from the day it began."""
    if TERMINATION_RULES[ground].stops is PaymentStops.DAY_IT_BEGAN:
        return began_on
    last = monthrange(began_on.year, began_on.month)[1]
    return began_on.replace(day=last) + timedelta(days=1)
