"""Fault injection: a fake, misbehaving Graph API on a local HTTP server, and a backfill through it.

``FakeGraph`` serves one Facebook Page like the Graph API does (``/{page}/feed`` newest first with
``comments.summary``, ``/{post}/comments?filter=stream&order=reverse_chronological``, cursor paging
with ``paging.next`` links that carry the access token), and answers at random (seeded) with 429 with
and without Retry-After, Meta throttling errors, 500/503 and time-outs (it sleeps past the client's
time-out). ``run_backfill`` syncs an account through it until the backfill is complete, optionally
while another thread delivers signed webhooks carrying some of the same comments, and returns the
figures. Used by tests/connectors/test_fault_injection.py and by::

    python -m beffroi.connectors.faultsim [--items 10000] [--seed 1] [--no-webhooks]
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from beffroi.connectors.meta import graph_version, sign_meta_body

TOKEN = "EAAFAKEPAGETOKEN0123456789"
APP_SECRET = "fake-graph-app-secret"


def _iso(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode()


def _offset(cursor: str | None) -> int:
    return int(base64.urlsafe_b64decode(cursor.encode()).decode()) if cursor else 0


@dataclass
class Faults:
    rate: float = 0.2  # share of requests that fail
    timeout_s: float = 0.35  # how long an injected time-out sleeps (longer than the client's time-out)
    long_limit_share: float = (
        0.03  # among failures: a Meta throttle with a long regain time (defers the sync)
    )


@dataclass
class FakeGraph:
    page_id: str
    posts: int
    comments_per_post: int
    now: int = field(default_factory=lambda: int(time.time()))
    seed: int = 1
    faults: Faults = field(default_factory=Faults)
    max_limit: int = 25  # like Graph, it may return fewer items per page than asked
    injected: Counter[str] = field(default_factory=Counter)
    served: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.lock = threading.Lock()
        self.data: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        for p in range(self.posts):
            created = self.now - (self.posts - p) * 3600 * 6  # one post every 6 h, oldest first
            post_id = f"{self.page_id}_{7000 + p}"
            self.data[post_id] = {"id": post_id, "created": created, "message": f"Publication n° {p}"}
            self.comments[post_id] = []
            for c in range(self.comments_per_post):
                self.add_comment(post_id, created + 60 * (c + 1), reply_to_previous=(c % 5 == 4))

    # -- data ------------------------------------------------------------------------------
    def add_comment(self, post_id: str, created: int, *, reply_to_previous: bool = False) -> dict[str, Any]:
        thread = self.comments[post_id]
        number = len(thread)
        comment = {
            "id": f"{post_id.split('_')[1]}_{900000 + number}",
            "message": f"Commentaire {number} sur {post_id}",
            "created": created,
            "from": {"id": f"{5000 + (number % 97)}", "name": f"Personne {number % 97}"},
        }
        if reply_to_previous and thread:
            comment["parent"] = {"id": thread[-1]["id"]}
        thread.append(comment)
        return comment

    def all_ids(self) -> set[str]:
        return set(self.data) | {c["id"] for comments in self.comments.values() for c in comments}

    # -- HTTP ------------------------------------------------------------------------------
    def fault(self) -> tuple[int, dict[str, str], dict[str, Any]] | str | None:
        with self.lock:
            if self.rng.random() >= self.faults.rate:
                return None
            if self.rng.random() < self.faults.long_limit_share:
                kind = "meta_throttle_long"
            else:
                kind = self.rng.choice(
                    ["429_retry_after", "429_bare", "500", "503", "timeout", "meta_throttle"]
                )
            self.injected[kind] += 1
        if kind == "429_retry_after":
            return 429, {"Retry-After": "2"}, {"error": {"message": "Too many calls", "code": 4}}
        if kind == "429_bare":
            return 429, {}, {}
        if kind == "500":
            return (
                500,
                {},
                {
                    "error": {
                        "message": "An unexpected error has occurred.",
                        "type": "OAuthException",
                        "code": 2,
                        "is_transient": True,
                    }
                },
            )
        if kind == "503":
            return 503, {}, {}
        if kind == "meta_throttle":
            usage = json.dumps(
                {
                    self.page_id: [
                        {
                            "type": "pages",
                            "call_count": 100,
                            "total_cputime": 10,
                            "total_time": 10,
                            "estimated_time_to_regain_access": 0,
                        }
                    ]
                }
            )
            return (
                400,
                {"X-Business-Use-Case-Usage": usage},
                {"error": {"message": "(#32) Page request limit reached", "code": 32}},
            )
        if kind == "meta_throttle_long":
            usage = json.dumps(
                {
                    self.page_id: [
                        {
                            "type": "pages",
                            "call_count": 100,
                            "total_cputime": 10,
                            "total_time": 10,
                            "estimated_time_to_regain_access": 5,
                        }
                    ]
                }
            )
            return (
                400,
                {"X-Business-Use-Case-Usage": usage},
                {"error": {"message": "(#32) Page request limit reached", "code": 32}},
            )
        return "timeout"

    def handle(
        self, method: str, url: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], dict[str, Any]] | str:
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return (
                401,
                {},
                {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}},
            )
        failure = self.fault()
        if failure is not None:
            return failure
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path.strip("/").split("/")
        if method != "GET" or len(path) < 2 or path[0] != graph_version():
            return 404, {}, {"error": {"message": "Unknown path", "code": 803}}
        if len(path) == 3 and path[1] == self.page_id and path[2] == "feed":
            self.served["feed"] += 1
            return 200, self.usage_headers(), self.feed(query)
        if len(path) == 3 and path[2] == "comments" and path[1] in self.comments:
            self.served["comments"] += 1
            return 200, self.usage_headers(), self.comment_page(path[1], query)
        return 400, {}, {"error": {"message": "Unsupported get request.", "code": 100, "error_subcode": 33}}

    def usage_headers(self) -> dict[str, str]:
        return {"X-App-Usage": json.dumps({"call_count": 12, "total_time": 8, "total_cputime": 7})}

    def _page(self, rows: list[dict[str, Any]], query: dict[str, str], link: str) -> dict[str, Any]:
        limit = min(int(query.get("limit") or 25), self.max_limit)
        start = _offset(query.get("after"))
        chunk = rows[start : start + limit]
        body: dict[str, Any] = {
            "data": chunk,
            "paging": {"cursors": {"before": _cursor(start), "after": _cursor(start + len(chunk))}},
        }
        if start + limit < len(rows):
            body["paging"]["next"] = (
                f"{link}?access_token={TOKEN}&limit={limit}&after={_cursor(start + len(chunk))}"
            )
        return body

    def feed(self, query: dict[str, str]) -> dict[str, Any]:
        since = int(query.get("since") or 0)
        with self.lock:
            posts = sorted(
                (p for p in self.data.values() if p["created"] >= since),
                key=lambda p: p["created"],
                reverse=True,
            )
            rows = []
            for post in posts:
                comments = self.comments[post["id"]]
                updated = max([post["created"], *[c["created"] for c in comments]])
                rows.append(
                    {
                        "id": post["id"],
                        "message": post["message"],
                        "created_time": _iso(post["created"]),
                        "updated_time": _iso(updated),
                        "from": {"id": self.page_id, "name": "Page de test"},
                        "is_hidden": False,
                        "comments": {"data": [], "summary": {"total_count": len(comments)}},
                        "reactions": {"data": [], "summary": {"total_count": 1}},
                    }
                )
        return self._page(rows, query, f"https://graph.facebook.com/{graph_version()}/{self.page_id}/feed")

    def comment_page(self, post_id: str, query: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            comments = sorted(
                self.comments[post_id],
                key=lambda c: (c["created"], c["id"]),
                reverse=query.get("order") == "reverse_chronological",
            )
            rows = [
                {
                    "id": c["id"],
                    "message": c["message"],
                    "created_time": _iso(c["created"]),
                    "from": c["from"],
                    **({"parent": c["parent"]} if "parent" in c else {}),
                    "is_hidden": False,
                    "like_count": 0,
                }
                for c in comments
            ]
        return self._page(rows, query, f"https://graph.facebook.com/{graph_version()}/{post_id}/comments")

    def webhook_body(self, comments: list[tuple[str, dict[str, Any]]]) -> bytes:
        """A signed-able ``feed`` delivery carrying these (post id, comment) pairs."""
        changes = [
            {
                "field": "feed",
                "value": {
                    "from": c["from"],
                    "message": c["message"],
                    "post_id": post_id,
                    "comment_id": c["id"],
                    "created_time": c["created"],
                    "item": "comment",
                    "parent_id": (c.get("parent") or {}).get("id", post_id),
                    "verb": "add",
                },
            }
            for post_id, c in comments
        ]
        return json.dumps(
            {"object": "page", "entry": [{"id": self.page_id, "time": int(time.time()), "changes": changes}]}
        ).encode()


class FakeGraphServer:
    """Runs a FakeGraph on 127.0.0.1 (a real socket: time-outs are real time-outs)."""

    def __init__(self, graph: FakeGraph) -> None:
        self.graph = graph
        fake = graph

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                outcome = fake.handle("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
                if outcome == "timeout":
                    time.sleep(fake.faults.timeout_s)
                    outcome = (504, {}, {})
                status, headers, body = outcome  # type: ignore[misc]
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (time-out): expected

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeGraphServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------------------------
# The backfill run (needs Django)


@dataclass
class Figures:
    items_expected: int = 0
    items_stored: int = 0
    distinct_external_ids: int = 0
    sync_runs: int = 0
    sync_statuses: Counter[str] = field(default_factory=Counter)
    http_requests: int = 0
    http_retries: int = 0
    page_retries: int = 0
    db_retries: int = 0
    deferrals: int = 0
    simulated_wait_s: float = 0.0
    injected: dict[str, int] = field(default_factory=dict)
    webhook_deliveries: int = 0
    webhook_replays_ignored: int = 0  # replays answered 200 without storing anything
    webhook_items_created: int = 0
    duration_s: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"items attendus            {self.items_expected}",
            f"items stockés             {self.items_stored} (identifiants distincts : {self.distinct_external_ids})",
            f"passes de synchronisation {self.sync_runs} {dict(self.sync_statuses)}",
            f"requêtes HTTP             {self.http_requests}",
            f"pannes injectées          {sum(self.injected.values())} {self.injected}",
            f"nouvelles tentatives      HTTP {self.http_retries}, page {self.page_retries}, base de données {self.db_retries}",
            f"reports (limite longue)   {self.deferrals}",
            f"attente simulée           {self.simulated_wait_s:.1f} s (Retry-After et backoff, non dormis)",
            f"webhooks                  {self.webhook_deliveries} livraisons, {self.webhook_replays_ignored} rejeux ignorés, "
            f"{self.webhook_items_created} items arrivés d'abord par webhook",
            f"durée réelle              {self.duration_s:.1f} s",
        ]


def run_backfill(
    account: Any,
    graph: FakeGraph,
    server: FakeGraphServer,
    *,
    seed: int = 1,
    webhooks: bool = True,
    webhook_share: float = 0.1,
    client_timeout: float = 0.25,
    max_runs: int = 500,
    on_run: Callable[[Any], None] | None = None,
) -> Figures:
    """Sync ``account`` (a Facebook account whose options point at ``server``) until the backfill is
    complete; with ``webhooks``, a thread delivers ~``webhook_share`` of the comments meanwhile (each
    delivery once, then once again as a replay)."""
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from beffroi.connectors.http import Backoff, HttpClient
    from beffroi.connectors.sync import sync_account
    from beffroi.workspace.models import Item

    figures = Figures(items_expected=len(graph.all_ids()))
    waited = [0.0]
    wait_lock = threading.Lock()

    def fake_sleep(seconds: float) -> None:
        with wait_lock:
            waited[0] += seconds

    http = HttpClient(
        timeout=client_timeout, retries=3, max_inline_wait=30.0, backoff=Backoff(seed=seed), sleep=fake_sleep
    )
    stop = threading.Event()
    webhook_errors: list[BaseException] = []

    def deliver() -> None:
        try:
            rng = random.Random(seed + 1)
            pairs = [(post_id, c) for post_id, comments in graph.comments.items() for c in comments]
            chosen = rng.sample(pairs, int(len(pairs) * webhook_share))
            client = Client()
            url = reverse("webhook", kwargs={"platform": "facebook", "account_id": account.pk})
            for start in range(0, len(chosen), 10):
                if stop.is_set():
                    break
                body = graph.webhook_body(chosen[start : start + 10])
                headers = {"HTTP_X_HUB_SIGNATURE_256": sign_meta_body(body, APP_SECRET)}
                response = client.post(url, data=body, content_type="application/json", **headers)
                if response.status_code != 200:
                    raise AssertionError(
                        f"webhook answered {response.status_code}: {response.content[:200]!r}"
                    )
                figures.webhook_deliveries += 1
                replay = client.post(url, data=body, content_type="application/json", **headers)
                # A signed replay (Meta retrying after a lost 200) is acknowledged, and nothing is stored again.
                if replay.status_code == 200 and "déjà reçue" in replay.content.decode():
                    figures.webhook_replays_ignored += 1
                time.sleep(0.01)
        except BaseException as exc:  # reported by the main thread
            webhook_errors.append(exc)
        finally:
            connection.close()

    started = time.monotonic()
    deliverer = threading.Thread(target=deliver, daemon=True) if webhooks else None
    if deliverer:
        deliverer.start()
    now = None
    try:
        for _ in range(max_runs):
            result = sync_account(
                account, http=http, sleep=fake_sleep, backoff=Backoff(base=1.0, cap=120.0, seed=seed), now=now
            )
            figures.sync_runs += 1
            figures.sync_statuses[result.status] += 1
            figures.page_retries += result.retries
            figures.db_retries += result.db_retries
            if on_run:
                on_run(result)
            if result.status == "deferred":
                figures.deferrals += 1
                assert result.retry_at is not None
                from django.utils import timezone

                base = now or timezone.now()
                fake_sleep((result.retry_at - base).total_seconds())
                now = result.retry_at + dt.timedelta(seconds=1)  # the clock moves on past the pause
                continue
            if result.status == "ok":
                break
            if result.status not in ("more", "failed"):
                raise AssertionError(f"unexpected sync status {result.status}: {result.detail_fr}")
        else:
            raise AssertionError("backfill did not complete")
    finally:
        if deliverer:
            deliverer.join(timeout=600)
        stop.set()
    if webhook_errors:
        raise webhook_errors[0]
    figures.duration_s = time.monotonic() - started
    figures.http_requests = http.stats.requests
    figures.http_retries = http.stats.retries
    figures.simulated_wait_s = waited[0]
    figures.injected = dict(graph.injected)
    from django.db.models import Sum

    from beffroi.connectors.models import WebhookReceipt

    receipts = WebhookReceipt.objects.filter(account=account)
    figures.webhook_items_created = int(receipts.aggregate(n=Sum("items_created"))["n"] or 0)
    figures.items_stored = Item.objects.filter(account=account).count()
    figures.distinct_external_ids = (
        Item.objects.filter(account=account).values("external_id").distinct().count()
    )
    return figures


def make_account(commune: Any, server: FakeGraphServer, page_id: str) -> Any:
    from beffroi.workspace.models import Account

    account = Account(
        commune=commune,
        platform="facebook",
        external_id=page_id,
        name="Page simulée",
        options={"graph_base_url": server.url, "backfill_days": 365, "active_days": 365},
    )
    account.set_credentials({"access_token": TOKEN, "app_secret": APP_SECRET})
    account.save()
    return account


def main() -> int:  # pragma: no cover - a benchmark command
    import argparse
    import os
    import tempfile

    parser = argparse.ArgumentParser(
        description="Backfill de 10 000 éléments depuis une fausse API Graph qui tombe en panne."
    )
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--comments", type=int, default=99, help="commentaires par publication")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--no-webhooks", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("BEFFROI_DATA_DIR", tempfile.mkdtemp(prefix="beffroi-faultsim-"))
    os.environ.setdefault("BEFFROI_TASKS_EAGER", "1")
    os.environ.setdefault("BEFFROI_CONNECTORS_ALLOW_PRIVATE_HOSTS", "1")  # the fake Graph API is on 127.0.0.1
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beffroi.web.settings")
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    logging.getLogger("beffroi.connectors").setLevel(logging.ERROR)  # retries and refusals are expected here
    logging.getLogger("django.request").setLevel(logging.CRITICAL)

    from beffroi.core.models import Commune

    call_command("migrate", interactive=False, verbosity=0)
    commune, _ = Commune.objects.get_or_create(slug="faultsim", defaults={"name": "Commune simulée"})
    graph = FakeGraph(
        page_id=str(10_000 + args.seed),
        posts=args.posts,
        comments_per_post=args.comments,
        seed=args.seed,
        faults=Faults(rate=args.fault_rate),
    )
    with FakeGraphServer(graph) as server:
        account = make_account(commune, server, graph.page_id)
        figures = run_backfill(account, graph, server, seed=args.seed, webhooks=not args.no_webhooks)
    print("\n".join(figures.lines()))
    ok = figures.items_stored == figures.items_expected == figures.distinct_external_ids
    print("RÉSULTAT :", "chaque élément stocké exactement une fois" if ok else "ÉCHEC")
    return 0 if ok else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
