"""The shared HTTP client: error mapping, Retry-After, backoff, retry policy, redaction."""

from __future__ import annotations

import datetime as dt
import email.utils
import logging

import httpx
import pytest

from beffroi.connectors.base import AuthError, PermanentError, RateLimited, TransientError
from beffroi.connectors.http import (
    Backoff,
    HttpClient,
    default_error,
    parse_retry_after,
    redact_url,
    safe_message,
    strip_params,
)
from beffroi.connectors.testing import Router

NOW = 1_717_250_000.0


def response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, headers=headers, request=httpx.Request("GET", "https://api.example/x?access_token=SECRET1234")
    )


def test_status_codes_map_to_the_base_errors() -> None:
    assert isinstance(default_error(response(401)), AuthError)
    assert isinstance(default_error(response(403)), AuthError)
    limited = default_error(response(429, {"Retry-After": "17"}), now=NOW)
    assert isinstance(limited, RateLimited) and limited.retry_after == 17
    bare = default_error(response(429), now=NOW)
    assert isinstance(bare, RateLimited) and bare.retry_after is None
    for status in (500, 502, 503, 504, 408):
        assert isinstance(default_error(response(status)), TransientError), status
    assert isinstance(default_error(response(503, {"Retry-After": "5"})), RateLimited)
    assert isinstance(default_error(response(404)), PermanentError)
    assert isinstance(default_error(response(400)), PermanentError)
    assert "SECRET1234" not in str(default_error(response(500)))


def test_retry_after_in_every_form_platforms_use() -> None:
    assert parse_retry_after({"Retry-After": "120"}, NOW) == 120
    date = email.utils.formatdate(NOW + 90, usegmt=True)
    assert parse_retry_after({"retry-after": date}, NOW) == pytest.approx(90, abs=1)
    assert parse_retry_after({"x-rate-limit-reset": str(int(NOW + 300))}, NOW) == pytest.approx(
        300, abs=1
    )  # X
    iso = dt.datetime.fromtimestamp(NOW + 60, tz=dt.UTC).isoformat().replace("+00:00", "Z")
    assert parse_retry_after({"X-RateLimit-Reset": iso}, NOW) == pytest.approx(60, abs=1)  # Mastodon
    assert parse_retry_after({"RateLimit-Reset": "30"}, NOW) == 30  # IETF draft
    assert parse_retry_after({"Retry-After": "-5"}, NOW) == 0
    assert parse_retry_after({"Retry-After": "bientôt"}, NOW) is None
    assert parse_retry_after({}, NOW) is None


def test_backoff_is_deterministic_under_a_seed_and_bounded() -> None:
    a, b = Backoff(seed=42), Backoff(seed=42)
    series = [a.delay(i) for i in range(8)]
    assert series == [b.delay(i) for i in range(8)]
    assert series != [Backoff(seed=43).delay(i) for i in range(8)]
    for attempt, delay in enumerate(series):
        assert 0 <= delay <= min(60.0, 0.5 * 2**attempt)
    honoured = Backoff(seed=1).delay(0, retry_after=10)
    assert 10 <= honoured <= 12  # never earlier than Retry-After, a little jitter after


def test_idempotent_requests_are_retried_and_the_waits_honour_retry_after() -> None:
    router = Router().add(
        "GET",
        "/x",
        httpx.Response(503),
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.ConnectError("refusée"),
        httpx.Response(200, json={"ok": 1}),
    )
    waits: list[float] = []
    client = HttpClient(client=router.client(), backoff=Backoff(seed=1), sleep=waits.append, retries=3)
    assert client.get_json("https://api.example/x") == {"ok": 1}
    assert len(router.requests) == 4 and len(waits) == 3
    assert waits[1] >= 3.0  # the 429's Retry-After
    assert client.stats.retries == 3 and client.stats.by_error == {"503": 1, "429": 1, "network": 1}


def test_post_is_retried_only_when_the_platform_surely_did_not_process_it() -> None:
    maybe_done = Router().add("POST", "/reply", httpx.Response(500), httpx.Response(200, json={}))
    client = HttpClient(client=maybe_done.client(), sleep=lambda s: None)
    with pytest.raises(TransientError):
        client.request("POST", "https://api.example/reply", data={"message": "x"})
    assert len(maybe_done.requests) == 1
    read_timeout = Router().add("POST", "/reply", httpx.ReadTimeout("lent"), httpx.Response(200, json={}))
    with pytest.raises(TransientError):
        HttpClient(client=read_timeout.client(), sleep=lambda s: None).request(
            "POST", "https://api.example/reply"
        )
    assert len(read_timeout.requests) == 1
    refused = Router().add(
        "POST", "/reply", httpx.Response(429), httpx.ConnectError("x"), httpx.Response(200, json={"id": "1"})
    )
    assert HttpClient(client=refused.client(), sleep=lambda s: None).post_json(
        "https://api.example/reply"
    ) == {"id": "1"}
    assert len(refused.requests) == 3


def test_a_long_retry_after_is_handed_to_the_caller_at_once() -> None:
    router = Router().add("GET", "/x", httpx.Response(429, headers={"Retry-After": "900"}))
    waits: list[float] = []
    client = HttpClient(client=router.client(), sleep=waits.append, max_inline_wait=30)
    with pytest.raises(RateLimited) as err:
        client.request("GET", "https://api.example/x")
    assert err.value.retry_after == 900 and waits == [] and len(router.requests) == 1


def test_total_inline_wait_is_capped() -> None:
    router = Router().add("GET", "/x", httpx.Response(429, headers={"Retry-After": "20"}))
    waits: list[float] = []
    client = HttpClient(client=router.client(), sleep=waits.append, max_inline_wait=30, retries=5)
    with pytest.raises(RateLimited):
        client.request("GET", "https://api.example/x")
    assert len(waits) == 1 and sum(waits) <= 30


def test_permanent_and_auth_errors_are_not_retried() -> None:
    for status, error in ((401, AuthError), (404, PermanentError), (400, PermanentError)):
        router = Router().add("GET", "/x", httpx.Response(status))
        with pytest.raises(error):
            HttpClient(client=router.client(), sleep=lambda s: None).request("GET", "https://api.example/x")
        assert len(router.requests) == 1


def test_secrets_are_masked_in_urls_errors_and_httpx_logs(caplog: pytest.LogCaptureFixture) -> None:
    url = "https://graph.example/v1/feed?access_token=EAAtopsecret99&after=abc&appsecret_proof=deadbeef"
    assert "EAAtopsecret99" not in redact_url(url) and "after=abc" in redact_url(url)
    assert "access_token" not in strip_params(
        url, {"access_token"}
    ) and "appsecret_proof=deadbeef" in strip_params(url, {"access_token"})
    assert "EAAtopsecret99" not in safe_message(ValueError(f"failed on {url}"))
    assert "hunter22" not in safe_message(ValueError("token hunter22 refused"), ["hunter22"])
    router = Router().add("GET", "/v1/feed", httpx.Response(500))
    caplog.set_level(logging.DEBUG)
    client = HttpClient(client=router.client(), sleep=lambda s: None, retries=1, secrets=["EAAtopsecret99"])
    with pytest.raises(TransientError) as err:
        client.request("GET", url)
    assert "EAAtopsecret99" not in str(err.value)
    caplog.set_level(logging.DEBUG, logger="httpx")
    httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))).get(
        url
    )  # httpx logs the URL at INFO
    httpx_lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert httpx_lines and all("EAAtopsecret99" not in line for line in httpx_lines)
    assert any("[masqué]" in line for line in httpx_lines)
    assert "EAAtopsecret99" not in caplog.text
