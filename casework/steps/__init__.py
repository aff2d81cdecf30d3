"""The use cases, by stage of the case: intake, commission, hearings, decisions, termination,
notices and their delivery, broadcasts, holiday assistance, imports, the calendar, staff.

Each takes the caller's session, and a `CaseEnv` (clock, calendar, district) when it needs the
time or the district. None commits: the caller's transaction decides, so a case change and the
notices it causes land together or not at all. Handlers in `gateway/`, `bot/` and `dialogs/`
parse, check permission, call one of these and render.
"""
