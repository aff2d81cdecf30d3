"""Plain-word names of the rules' values, for every text an applicant or staff member reads.

The English keys here are gettext message ids; kk and ru live in locales/*/messages.po.
"""

from __future__ import annotations

from enum import StrEnum

from casework.law.notices import ChannelReason
from casework.law.rules import (
    Channel,
    DocumentKind,
    Filer,
    Ground,
    HearingMode,
    Periodicity,
    RefusalGround,
    TerminationGround,
)
from casework.law.status import Status
from casework.law.terms import Term
from casework.texts.i18n import N_, gettext

_NAMES: dict[StrEnum, str] = {
    Ground.DISASTER: N_("Damage from a natural disaster"),
    Ground.FIRE: N_("Damage from a fire"),
    Ground.DISEASE: N_("A socially significant disease"),
    Ground.LOW_INCOME: N_("Low family income"),
    Ground.ORPHANHOOD: N_("Orphanhood, no parental care"),
    Ground.OLD_AGE: N_("Cannot care for oneself because of old age"),
    Ground.RELEASED: N_("Released from detention or on probation"),
    DocumentKind.IDENTITY: N_("Identity document"),
    DocumentKind.INCOME: N_("Incomes of the family members"),
    DocumentKind.POWER_OF_ATTORNEY: N_("Power of attorney"),
    DocumentKind.DISASTER_DAMAGE: N_("Document proving natural disaster damage"),
    DocumentKind.FIRE_DAMAGE: N_("Document proving fire damage"),
    DocumentKind.DISEASE_PROOF: N_("Document proving a socially significant disease"),
    DocumentKind.ORPHANHOOD_PROOF: N_("Document proving orphanhood or no parental care"),
    DocumentKind.OLD_AGE_CARE_PROOF: N_("Document proving inability to care for oneself"),
    DocumentKind.RELEASE_PROOF: N_("Certificate of release or probation registration"),
    DocumentKind.OBJECTION_EVIDENCE: N_("Document supporting the objection"),
    # Its own words, never the termination ground's (DR §22 item 1 vs DR §24).
    RefusalGround.FALSE_INFORMATION: N_("The information given is not correct"),
    RefusalGround.EVADED_INSPECTION: N_("The inspection was refused or evaded"),
    RefusalGround.INCOME_ABOVE_THRESHOLD: N_("Per-capita income is above the threshold"),
    RefusalGround.ALREADY_ASSIGNED: N_("Assistance on this ground is already assigned"),
    Periodicity.ONE_OFF: N_("one-off"),
    Periodicity.MONTHLY: N_("monthly"),
    Periodicity.QUARTERLY: N_("quarterly"),
    Periodicity.HALF_YEARLY: N_("twice a year"),
    Periodicity.YEARLY: N_("once a year"),
    HearingMode.VIDEOCONFERENCE: N_("by videoconference"),
    HearingMode.INFORMATION_SYSTEM: N_("through an information system"),
    HearingMode.OTHER: N_("by other means of communication"),
    Channel.PROVIDER_OFFICE: N_("Employment and social programmes department"),
    Channel.RURAL_AKIM: N_("Rural district akim"),
    Channel.STATE_CORPORATION: N_('State Corporation "Government for Citizens"'),
    Channel.BOT: N_("Telegram bot"),
    Filer.SELF: N_("For myself"),
    Filer.FAMILY: N_("For my family"),
    Filer.REPRESENTATIVE: N_("As a representative with a power of attorney"),
    Status.DRAFT: N_("The application is being filled in"),
    Status.SUBMITTED: N_("The application has been sent"),
    Status.ACCEPTED: N_("The application has been accepted"),
    Status.REFUSED_TO_ACCEPT: N_("The application was not accepted"),
    Status.REGISTERED: N_("The application is registered"),
    Status.AT_PRECINCT_COMMISSION: N_("The precinct commission is inspecting your conditions"),
    Status.INCOME_COMPUTED: N_("Your per-capita income has been computed"),
    Status.AT_SPECIAL_COMMISSION: N_("The special commission is considering your case"),
    Status.PRELIMINARY_REFUSAL: N_("Preliminary refusal; a hearing is scheduled"),
    Status.OBJECTION_RECEIVED: N_("Your objection has been received"),
    Status.HEARING_HELD: N_("The hearing has been held"),
    Status.PROTOCOL_MADE: N_("The hearing protocol is ready"),
    Status.REMARKS_RECEIVED: N_("Your remarks on the protocol have been received"),
    Status.GRANTED: N_("Assistance has been granted"),
    Status.REFUSED: N_("Assistance has been refused"),
    Status.NOTIFIED_GRANTED: N_("Assistance has been granted; the notice is sent"),
    Status.NOTIFIED_REFUSED: N_("Assistance has been refused; the notice is sent"),
    Status.TERMINATED: N_("Assistance has been terminated"),
    Term.REGISTRATION: N_("Registration"),
    Term.PRECINCT_FORWARDING: N_("Sending to the precinct commission"),
    Term.INCOME_COMPUTATION: N_("Income computation"),
    Term.DECISION: N_("Decision"),
    Term.PRELIMINARY_REFUSAL_LATEST: N_("Last day to notify a preliminary refusal"),
    Term.OBJECTION: N_("Objection"),
    Term.PROTOCOL_REMARKS: N_("Remarks on the protocol"),
    Term.CHAT_NOTICE: N_("Decision notice"),
    ChannelReason.MCDB_REGISTERED: N_(
        "The phone in the application is registered to the applicant in the mobile citizens "
        "database"
    ),
    ChannelReason.FILED_IN_BOT: N_("The application was filed through the Telegram bot"),
    ChannelReason.NO_REGISTERED_PHONE: N_(
        "No phone registered to the applicant in the mobile citizens database"
    ),
    ChannelReason.SMS_FAILED: N_("The SMS could not be delivered"),
    ChannelReason.CHAT_FAILED: N_("The chat message could not be delivered"),
    ChannelReason.SHOWN_WHEN_FILED: N_("Shown in the chat when the application was filed"),
    ChannelReason.ASKED_THERE: N_("The applicant asked the question this way"),
}
# Apart: a StrEnum member equals its value, so "false_information" of DR §22 and of DR §24
# would be one key of one dict.
_TERMINATION_NAMES: dict[StrEnum, str] = {
    TerminationGround.DEATH: N_("Death of the recipient"),
    TerminationGround.MOVED_OUT: N_("Moved out of the district"),
    TerminationGround.INSTITUTIONALISED: N_("Placed in a state medical and social institution"),
    TerminationGround.FALSE_INFORMATION: N_("False information was found"),
    TerminationGround.GROUND_CEASED: N_("The ground for assistance has ceased"),
}

# The same grounds in a few words, for an SMS that must name them within two parts.
_SHORT_REFUSAL_NAMES: dict[StrEnum, str] = {
    RefusalGround.FALSE_INFORMATION: N_("false information"),
    RefusalGround.EVADED_INSPECTION: N_("inspection refused"),
    RefusalGround.INCOME_ABOVE_THRESHOLD: N_("income above the threshold"),
    RefusalGround.ALREADY_ASSIGNED: N_("assistance already assigned"),
}
_SHORT_TERMINATION_NAMES: dict[StrEnum, str] = {
    TerminationGround.DEATH: N_("the recipient's death"),
    TerminationGround.MOVED_OUT: N_("moved out of the district"),
    TerminationGround.INSTITUTIONALISED: N_("placed in a state institution"),
    TerminationGround.FALSE_INFORMATION: N_("false information found"),
    TerminationGround.GROUND_CEASED: N_("the ground has ceased"),
}

Key = tuple[type[StrEnum], str]


def _keyed(*tables: dict[StrEnum, str]) -> dict[Key, str]:
    return {(type(value), value.value): message for t in tables for value, message in t.items()}


LABELS = _keyed(_NAMES, _TERMINATION_NAMES)
SHORT_LABELS = _keyed(_SHORT_REFUSAL_NAMES, _SHORT_TERMINATION_NAMES)


def label(value: StrEnum, locale: str) -> str:
    """The value's name in the reader's language; unknown values show as they are stored."""
    message = LABELS.get((type(value), value.value))
    return gettext(locale, message) if message else str(value)


def short_label(value: StrEnum, locale: str) -> str:
    """The value's name in a few words (SMS); its full name where it has no short one."""
    message = SHORT_LABELS.get((type(value), value.value))
    return gettext(locale, message) if message else label(value, locale)
