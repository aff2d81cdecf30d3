"""The domain: what an application for local social assistance is and how it moves.

Imports no aiogram or FastAPI: `bot`, `dialogs` and `gateway` depend on this package, never the
other way round.
"""
