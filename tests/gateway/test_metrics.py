"""`/metrics` as Prometheus reads it: parsed by prometheus_client's own parser, its notice figures
read from the database, so they move when the real worker delivers a notice (sandbox provider)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from casework.law.notices import NoticeChannel
from casework.system.env import CaseEnv
from gateway.providers.sandbox import DELIVERED_NUMBER, SandboxProvider
from gateway.worker import Worker
from tests.builders import iin_for
from tests.fakes.clock import FixedClock
from tests.gateway.conftest import Cases

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    answer = await client.get("/metrics")  # no token: Prometheus has none
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum over every series of `name` whose labels include `labels` (0 when none)."""
    want = set(labels.items())
    return sum(v for (n, lbl), v in samples.items() if n == name and want <= lbl)


async def test_figures_follow_a_delivery_by_the_worker(
    client: httpx.AsyncClient, case_builder: Cases, env: CaseEnv
) -> None:
    app_id = await case_builder.granted(1, phone=DELIVERED_NUMBER)
    before = await scrape(client)
    # The acceptance receipt and the decision wait in the queue, by SMS, due now.
    queued = value(before, "komek_notices", channel="sms", status="queued")
    assert queued == 2
    assert value(before, "komek_notices", kind="decision_granted", status="queued") == 1
    assert value(before, "komek_queue_due") == 2
    assert value(before, "komek_notices", status="delivered") == 0

    worker = Worker(
        case_builder.sessions,
        env,
        {NoticeChannel.SMS: SandboxProvider(), NoticeChannel.CHAT: SandboxProvider()},
    )
    assert await worker.drain() == 2
    after = await scrape(client)

    assert value(after, "komek_notices", status="queued") == 0
    assert value(after, "komek_notices", channel="sms", provider="sandbox", status="delivered") == 2
    assert value(after, "komek_queue_due") == 0
    assert value(after, "komek_queue_oldest_due_age_seconds") == 0
    # The provider's answers written since the first scrape, all without error.
    assert value(after, "komek_provider_answers_total", provider="sandbox", result="ok") >= 2
    assert value(after, "komek_provider_answers_total", result="error") == 0
    # Delivered at once: every settled notice with a legal term met it.
    settled = value(after, "komek_notices_settled_with_term")
    assert settled == value(after, "komek_notices_settled_with_term", within_term="true") >= 1
    assert value(after, "komek_notices_within_term_ratio") == 1.0
    # No personal data in any label or value: the applicant's IIN and phone appear nowhere.
    text = (await client.get("/metrics")).text
    assert iin_for(1) not in text and DELIVERED_NUMBER not in text
    assert app_id  # the case exists; its id is not a label either


async def test_latency_is_labelled_by_route_template(
    client: httpx.AsyncClient, case_builder: Cases
) -> None:
    app_id = await case_builder.registered(1)
    for _ in range(2):
        await client.get(f"/staff/applications/{app_id}")  # refused without a token: still timed
    await client.get("/no/such/page")
    samples = await scrape(client)
    name = "komek_http_request_duration_seconds_count"
    assert value(samples, name, route="/staff/applications/{application_id}", status="4xx") == 2
    assert value(samples, name, route="unmatched", status="4xx") == 1
    # Raw paths never become labels (one series per case would grow without bound).
    assert not any(f"/{app_id}" in dict(lbl).get("route", "") for _, lbl in samples)


async def test_notices_left_undelivered_show_at_risk_then_past_their_term(
    client: httpx.AsyncClient, case_builder: Cases, clock: FixedClock
) -> None:
    await case_builder.granted(1, phone=DELIVERED_NUMBER)  # no worker runs: nothing is sent
    fresh = await scrape(client)
    assert value(fresh, "komek_notices_at_risk", term="past") == 0
    clock.set(clock.now() + timedelta(days=10))  # ten days on, the decision's term has passed
    late = await scrape(client)
    assert value(late, "komek_notices_at_risk", term="past") >= 1
    assert value(late, "komek_queue_oldest_due_age_seconds") >= timedelta(days=10).total_seconds()
