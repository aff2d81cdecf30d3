"""The domain: what an application for local social assistance is and how it moves.

    law/      what the law says, as data (no database)
    tables/   the tables, by subject
    steps/    the use cases, by stage of the case
    texts/    what applicants and staff read
    system/   settings, database, clock, runtime, the CSV reader

Imports no aiogram or FastAPI: `bot`, `dialogs` and `gateway` depend on this package, never the
other way round.
"""
