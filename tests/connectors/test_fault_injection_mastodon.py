"""Fault injection through an SDK: the Mastodon connector (Mastodon.py over requests) backfills 630
items from a local instance that misbehaves at random (429 with a short and with a long
X-RateLimit-Reset, 500, 502, 503, real read time-outs). Every item is stored exactly once, and the
cursor ends where a complete polling round leaves it.

The instance is the documented fake of the Mastodon tests (``connectors/mastodon/tests/fakeserver.py``)
with generated data: the commune's posts, residents' replies (some answering each other), mention
notifications, and mentions that answer nothing."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from beffroi.connectors.mastodon.tests.fakeserver import FakeMastodon
from beffroi.connectors.sync import sync_account
from beffroi.workspace.models import Account, Item

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

COMMUNE = "109000000000000001"
RESIDENTS = ["109000000000000002", "109000000000000003", "109000000000000004"]
POSTS, REPLIES, MENTIONS = 30, 19, 30
CLIENT_TIMEOUT = 0.25
# The first faults are scripted, so that every kind happens whatever the seed; then at random.
SCRIPT = ["429", "500", "timeout", "502", "429_long", "503", "timeout"]


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ts))


class FaultyMastodon(FakeMastodon):
    def __init__(self, *, seed: int, rate: float) -> None:
        super().__init__()
        self.rng = random.Random(seed)
        self.rate = rate
        self.script = list(SCRIPT)
        self.injected: Counter[str] = Counter()
        self.served: Counter[str] = Counter()
        self.server.handle_error = lambda request, address: None  # the client left after an injected time-out
        self.expected: set[str] = set()
        self.direct_replies: dict[str, int] = {}
        self._generate()

    # -- data --------------------------------------------------------------------------------
    def _generate(self) -> None:
        s = self.state
        s.statuses.clear()
        s.notifications.clear()
        now = time.time()
        drafts: list[dict[str, Any]] = []
        for p in range(POSTS):
            created = now - (POSTS - p) * 6 * 3600  # one post every 6 hours: 15 days back
            post = {"key": f"post{p}", "created": created, "author": COMMUNE, "parent": None, "text": f"Annonce n° {p}"}
            drafts.append(post)
            previous = post
            for r in range(REPLIES):
                parent = previous if r % 5 == 4 else post  # every fifth reply answers the one before
                reply = {
                    "key": f"post{p}-r{r}",
                    "created": created + 60 * (r + 1),
                    "author": RESIDENTS[r % len(RESIDENTS)],
                    "parent": parent,
                    "text": f"Réponse {r} à l'annonce {p}",
                }
                drafts.append(reply)
                previous = reply
        for m in range(MENTIONS):
            drafts.append(
                {
                    "key": f"mention{m}",
                    "created": now - (MENTIONS - m) * 3 * 3600 + 30,
                    "author": RESIDENTS[m % len(RESIDENTS)],
                    "parent": None,
                    "text": f"@mairie question n° {m} sur le marché",
                }
            )
        drafts.sort(key=lambda d: d["created"])
        accounts = {a["id"]: key for key, a in s.accounts.items()}
        for seq, draft in enumerate(drafts):
            draft["id"] = str(113000000000000000 + seq)
        notification_id = 50000
        for draft in drafts:
            parent = draft["parent"]
            status = {
                "id": draft["id"],
                "created_at": _iso(draft["created"]),
                "account": self.public(accounts[draft["author"]]),
                "content": f"<p>{draft['text']}</p>",
                "visibility": "public",
                "in_reply_to_id": parent["id"] if parent else None,
                "in_reply_to_account_id": parent["author"] if parent else None,
                "url": f"https://social.example/@x/{draft['id']}",
                "uri": f"https://social.example/users/x/statuses/{draft['id']}",
                "spoiler_text": "",
                "sensitive": False,
                "mentions": [],
                "media_attachments": [],
                "tags": [],
                "emojis": [],
                "replies_count": 0,
                "reblogs_count": 0,
                "favourites_count": 0,
            }
            s.statuses[draft["id"]] = status
            self.expected.add(draft["id"])
            if parent is not None:
                s.statuses[parent["id"]]["replies_count"] += 1
                if parent["author"] == COMMUNE:
                    self.direct_replies[parent["id"]] = self.direct_replies.get(parent["id"], 0) + 1
            mentions_commune = draft["author"] != COMMUNE and (
                (parent is not None and parent["author"] == COMMUNE) or draft["key"].startswith("mention")
            )
            if mentions_commune:  # Mastodon notifies the commune: its post answered, or its name written
                notification_id += 1
                s.notifications.insert(
                    0,
                    {
                        "id": str(notification_id),
                        "type": "mention",
                        "created_at": status["created_at"],
                        "account": status["account"],
                        "status": status,
                    },
                )
        self.newest_notification = str(notification_id)

    # -- faults ------------------------------------------------------------------------------
    def route(
        self, method: str, path: str, query: dict[str, list[str]], body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            self.served[path.rsplit("/", 1)[-1] if path.endswith("context") else path] += 1
            if self.script:
                fault: str | None = self.script.pop(0)
            elif self.rng.random() < self.rate:
                fault = self.rng.choice(["429", "429", "500", "502", "503", "timeout", "timeout", "429_long"])
            else:
                fault = None
            if fault:
                self.injected[fault] += 1
        if fault == "429":
            return 429, {"error": "Too many requests"}, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": _iso(time.time() + 2)}
        if fault == "429_long":  # longer than HTTP_MAX_INLINE_WAIT: the sync defers the account
            return 429, {"error": "Too many requests"}, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": _iso(time.time() + 900)}
        if fault in ("500", "502", "503"):
            return int(fault), {"error": "Oops"}, {}
        if fault == "timeout":
            time.sleep(CLIENT_TIMEOUT * 2)  # past the client's time-out: it has given up
        return super().route(method, path, query, body, headers)


@pytest.fixture
def instance() -> Iterator[FaultyMastodon]:
    with FaultyMastodon(seed=11, rate=0.25) as server:
        yield server


def test_a_backfill_through_mastodon_py_under_faults_stores_every_item_once(
    instance: FaultyMastodon, commune: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEFFROI_HTTP_TIMEOUT", str(CLIENT_TIMEOUT))  # Mastodon.py's request_timeout
    account = Account(commune=commune, platform="mastodon", external_id=COMMUNE, name="Mairie (Mastodon)")
    account.set_credentials({"instance_url": instance.url, "access_token": instance.token})
    account.save()
    assert len(instance.expected) == POSTS * (REPLIES + 1) + MENTIONS

    statuses: Counter[str] = Counter()
    started = time.monotonic()
    for _ in range(60):
        result = sync_account(account, force=True, sleep=lambda seconds: None)  # waits recorded, not slept
        statuses[result.status] += 1
        if result.status == "ok":
            break
        assert time.monotonic() - started < 60, statuses
    else:
        pytest.fail(f"the backfill never finished: {statuses}")
    assert statuses["deferred"] >= 1  # the long 429 paused the account (resumed here by force)
    assert statuses["more"] + statuses["failed"] + statuses["deferred"] >= 1
    assert all(instance.injected[k] > 0 for k in ("429", "429_long", "500", "502", "503", "timeout")), instance.injected
    assert sum(instance.injected.values()) >= 15

    stored = list(Item.objects.filter(account=account).values_list("external_id", flat=True))
    assert len(stored) == len(set(stored)) == len(instance.expected)  # each item exactly once
    assert set(stored) == instance.expected

    account.refresh_from_db()
    cursor = account.cursor
    assert cursor["phase"] == "statuses" and cursor["round_start"] is None and cursor["last_round"] is not None
    assert cursor["pending"] == [] and cursor["max_id"] is None and cursor["status_max_id"] is None
    assert cursor["since"] == instance.newest_notification and cursor["top"] is None
    assert set(cursor["posts"]) == set(instance.direct_replies)
    for post_id, (_, direct, read_at) in cursor["posts"].items():
        assert direct == instance.direct_replies[post_id] and read_at > 0

    # Nothing new: the next round stores nothing and reads no thread again.
    instance.rate = 0.0
    contexts = instance.served["context"]
    again = sync_account(account, force=True, sleep=lambda seconds: None)
    assert again.status == "ok" and again.items_created == 0
    assert instance.served["context"] == contexts
    # One new reply: exactly that one arrives (its post's replies_count changed).
    post_id = next(iter(instance.direct_replies))
    reply = {**instance.state.statuses[post_id], "id": "113999999999999999", "in_reply_to_id": post_id}
    reply.update(account=instance.public("jean"), in_reply_to_account_id=COMMUNE, replies_count=0, content="<p>Et le parking ?</p>")
    reply["created_at"] = _iso(time.time() - 5)
    instance.add_status(reply, notify=True)
    instance.state.statuses[post_id]["replies_count"] += 1
    time.sleep(1)  # the new round starts on a later second
    later = sync_account(account, force=True, sleep=lambda seconds: None)
    assert later.status == "ok" and later.items_created == 1
    assert Item.objects.filter(account=account).count() == len(instance.expected) + 1
    assert threading.active_count() < 50
