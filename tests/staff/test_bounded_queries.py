"""The staff pages ask the database as much for 30 cases as for 3 (no statement per row), and
their pages follow one another by cursor, never by skipping rows (issue 15)."""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncEngine

from casework.law.roles import Role
from tests.builders import iin_for
from tests.console.test_queue import statements
from tests.staff.conftest import Api

CLERK = Role.COMMISSION_SECRETARY
LISTS = (
    "/staff/applications",
    "/staff/applications?status=registered",
    "/staff/applications?term=decision",
    "/staff/applications?iin=" + iin_for(1),
    "/staff/deadlines",
    "/staff/deadlines?status=registered",
    "/staff/deadlines?term=decision&term=precinct_forwarding",
)


async def _file(api: Api, numbers: range) -> list[int]:
    # Every third a fire case: it has the precinct forwarding term besides the decision's.
    return [
        (await api.registered(n, ground="fire" if n % 3 == 0 else "disease"))["id"] for n in numbers
    ]


async def _asked(api: Api, engine: AsyncEngine, url: str) -> tuple[int, int]:
    """How many statements the page ran, and how many rows it shows."""
    with statements(engine) as sql:
        r = await api.get(CLERK, url)
    assert r.status_code == 200, r.text
    body = r.json()
    return len(sql), len(body) if isinstance(body, list) else 1


async def test_each_page_runs_as_many_statements_for_30_cases_as_for_3(
    api: Api, engine: AsyncEngine
) -> None:
    first = await _file(api, range(1, 4))
    pages = [*LISTS, f"/staff/applications/{first[0]}"]
    few = {url: await _asked(api, engine, url) for url in pages}
    await _file(api, range(4, 31))
    many = {url: await _asked(api, engine, url) for url in pages}
    # The lists did grow: 3 cases then 30, each with its decision running.
    assert few["/staff/applications"][1] == 3 and many["/staff/applications"][1] == 30
    assert few["/staff/deadlines"][1] == 3 and many["/staff/deadlines"][1] == 30
    assert many["/staff/applications?term=decision"][1] == 30
    assert {url: n for url, (n, _) in many.items()} == {url: n for url, (n, _) in few.items()}


async def _walk(api: Api, url: str) -> list[int]:
    """Every page by its `Link: rel="next"`, the case numbers in the order shown."""
    seen: list[int] = []
    next_url: str | None = url
    while next_url:
        r = await api.get(CLERK, next_url)
        assert r.status_code == 200, r.text
        seen += [row.get("application_id", row.get("id")) for row in r.json()]
        link = re.match(r'<([^>]+)>; rel="next"', r.headers.get("link", ""))
        next_url = link.group(1) if link else None
    return seen


async def test_pages_follow_by_cursor_and_cover_every_case_once_in_order(api: Api) -> None:
    ids = await _file(api, range(1, 8))
    # Newest first.
    assert await _walk(api, "/staff/applications?limit=3") == sorted(ids, reverse=True)
    assert await _walk(api, "/staff/applications?status=registered&limit=2") == sorted(
        ids, reverse=True
    )
    # Earliest last day first, as the board shows them on one page.
    whole = [row["application_id"] for row in (await api.get(CLERK, "/staff/deadlines")).json()]
    assert sorted(whole) == sorted(ids)
    assert await _walk(api, "/staff/deadlines?limit=2") == whole
    by_term = "/staff/deadlines?term=decision"
    assert await _walk(api, by_term + "&limit=3") == [
        row["application_id"] for row in (await api.get(CLERK, by_term)).json()
    ]
    assert await _walk(api, "/staff/applications?term=decision&limit=4") == [
        row["application_id"] for row in (await api.get(CLERK, by_term)).json()
    ]
    # A page that is not full is the last: no link.
    r = await api.get(CLERK, "/staff/deadlines?limit=100")
    assert "link" not in r.headers


async def test_a_cursor_that_is_not_one_is_refused_in_words(api: Api) -> None:
    for url in (
        "/staff/deadlines?after=yesterday",
        "/staff/applications?term=decision&after=2026-02-30.1",
        "/staff/applications?after=-4",
        "/staff/applications?after=99999999999",
    ):
        r = await api.get(CLERK, url)
        assert (r.status_code, r.json()["code"]) == (422, "rule_violation"), (url, r.text)
