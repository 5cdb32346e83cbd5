"""A 10,000-item backfill from a fake Graph API that fails at random (429 with and without
Retry-After, Meta throttling, 500, 503, real time-outs), with and without webhooks delivering some of
the same comments at the same time: every item is stored exactly once and the cursor is right."""

from __future__ import annotations

import time

import pytest

from beffroi.connectors.faultsim import FakeGraph, FakeGraphServer, Faults, make_account, run_backfill
from beffroi.connectors.models import WebhookReceipt
from beffroi.connectors.sync import sync_account
from beffroi.workspace.models import Item

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def check_cursor(account, graph: FakeGraph) -> None:  # type: ignore[no-untyped-def]
    account.refresh_from_db()
    cursor = account.cursor
    assert cursor["round_start"] is None and cursor["pending"] == [] and cursor["current"] is None
    assert set(cursor["posts"]) == set(graph.comments)
    for post_id, comments in graph.comments.items():
        assert cursor["posts"][post_id]["n"] == len(comments)
        assert cursor["posts"][post_id]["c"] == max(c["created"] for c in comments)


def run(commune, seed: int, webhooks: bool, capsys) -> None:  # type: ignore[no-untyped-def]
    graph = FakeGraph(
        page_id=f"{20_000 + seed}", posts=100, comments_per_post=99, seed=seed, faults=Faults(rate=0.2)
    )
    with FakeGraphServer(graph) as server:
        account = make_account(commune, server, graph.page_id)
        figures = run_backfill(account, graph, server, seed=seed, webhooks=webhooks)
        with capsys.disabled():
            print(f"\n[fault injection, seed {seed}, webhooks={webhooks}]\n  " + "\n  ".join(figures.lines()))
        assert figures.items_expected == 10_000
        assert figures.items_stored == figures.distinct_external_ids == 10_000
        assert (
            set(Item.objects.filter(account=account).values_list("external_id", flat=True)) == graph.all_ids()
        )
        assert sum(figures.injected.values()) > 20 and figures.http_retries > 0
        assert figures.injected.get("timeout", 0) > 0 and figures.injected.get("429_retry_after", 0) > 0
        check_cursor(account, graph)
        if webhooks:
            assert figures.webhook_deliveries > 0
            # each signed replay acknowledged (200) without being stored again
            assert figures.webhook_replays_ignored == figures.webhook_deliveries
            assert (
                WebhookReceipt.objects.filter(account=account, state="processed").count()
                == figures.webhook_deliveries
            )

        # Nothing new on the platform: the next poll stores nothing and reads no comments again.
        graph.faults.rate = 0.0
        served_before = graph.served["comments"]
        result = sync_account(account, http=None, force=True)
        assert result.status == "ok" and result.items_created == 0
        assert graph.served["comments"] == served_before
        # Five new comments on one post: exactly those arrive.
        post_id = next(iter(graph.comments))
        last = graph.comments[post_id][-1]["created"]
        for i in range(5):
            graph.add_comment(post_id, last + 10 * (i + 1))
        time.sleep(1)  # the new round starts on a later second than the previous one
        result = sync_account(account, force=True)
        assert result.status == "ok" and result.items_created == 5
        assert Item.objects.filter(account=account).count() == 10_005
        check_cursor(account, graph)


def test_backfill_under_faults_stores_every_item_once(commune, capsys) -> None:  # type: ignore[no-untyped-def]
    run(commune, seed=3, webhooks=False, capsys=capsys)


def test_backfill_under_faults_with_overlapping_webhooks(commune, capsys) -> None:  # type: ignore[no-untyped-def]
    run(commune, seed=5, webhooks=True, capsys=capsys)
