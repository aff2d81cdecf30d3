"""The tables, by subject (SQLAlchemy 2, typed). Importing this package registers every table on
`Base.metadata`, so relationships resolve and migrations see them all."""

from casework.tables import (  # noqa: F401
    applicants,
    applications,
    audit,
    calendar,
    conversations,
    decisions,
    hearings,
    holidays,
    inbound,
    lookups,
    mcdb,
    notices,
    payments,
    questions,
    rate_limits,
    reminders,
    signatures,
    sms_confirmations,
    staff,
)
