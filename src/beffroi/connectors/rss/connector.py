"""RSS 2.0 / Atom 1.0 feeds (local press, blogs, other communes' news) watched for the "veille".

A feed is not the commune's account (``owned_account = False``): its entries are ``mention`` items that
are never moderated (``moderated=False``) — Beffroi cannot hide, delete or answer anything on the site that
publishes them.

Reading: one HTTP GET per poll, fetched with httpx (through ``connectors.http``: time-outs, retries,
Retry-After; only public addresses, see ``connectors.urlguard``; the body is streamed and the download
stops past ``RSS_MAX_BYTES``) and parsed with feedparser. The GET is conditional (RFC 9110 §13.1): the ``ETag`` and
``Last-Modified`` of the previous answer are sent back as ``If-None-Match`` / ``If-Modified-Since``, and a
``304 Not Modified`` costs the site nothing and yields no item. Each entry gets a stable id (its ``<guid>``
/ ``<id>``, else its link, else a hash of its content), its HTML is stripped to plain text, and its date is
normalised to an aware UTC datetime. A feed that is gone (404/410), refused (401/403), not a feed (an HTML
page) or unreadable is reported with a French explanation.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import time
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

import feedparser
import httpx

from beffroi.connectors.base import (
    AccountIdentity,
    AuthError,
    Capability,
    Connector,
    ConnectorError,
    CredentialField,
    FetchedAuthor,
    FetchedItem,
    FetchPage,
    PermanentError,
)
from beffroi.connectors.http import HttpClient, ResponseTooLarge
from beffroi.connectors.rss.text import html_to_text

ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
SEEN_KEEP = 500  # entry ids remembered between polls (a feed rarely lists more than 50)
TEXT_MAX = 20_000
URL_MAX = 1000  # Item.url
PROFILE_URL_MAX = 500  # Author.profile_url
_READ_ONLY_FR = (
    "Un flux RSS se lit seulement : Beffroi ne peut ni masquer, ni supprimer, ni répondre sur le site qui le "
    "publie. Si un article pose problème, contactez sa rédaction (droit de réponse)."
)


class NotModified(PermanentError):
    """304 Not Modified: nothing new since the last poll (not an error for the caller)."""


def _feed_error(response: httpx.Response) -> ConnectorError | None:
    status = response.status_code
    where = f"GET {response.request.url} → {status}"
    if status == 304:
        return NotModified(where, status=status)
    if status in (404, 410):
        return PermanentError(
            where,
            message_fr=f"Le flux n'existe plus à cette adresse (erreur {status}). Vérifiez l'adresse sur le site qui le "
            "publie et reconnectez-le.",
            status=status,
        )
    if status in (401, 403):
        return AuthError(
            where,
            message_fr=f"Le site refuse l'accès au flux (erreur {status}) : il est peut-être réservé aux abonnés.",
            status=status,
        )
    return None  # 429, 5xx …: the shared mapping (retry later)


def _struct_to_datetime(value: Any) -> dt.datetime | None:
    """feedparser's ``*_parsed`` fields are UTC ``time.struct_time``."""
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def entry_id(entry: Mapping[str, Any], feed_url: str) -> str:
    """A stable id for an entry: its guid/id if it is a global URI, its link, or a hash of its content.
    Ids that are only unique inside one feed (``<guid isPermaLink="false">12</guid>``) are prefixed
    with the feed, so two feeds never collide."""
    raw = str(entry.get("id") or "").strip()
    prefix = "feed-" + hashlib.sha256(feed_url.encode()).hexdigest()[:10] + ":"
    if raw and ("://" in raw or raw.startswith(("urn:", "tag:"))):
        ident = raw
    elif str(entry.get("link") or "").strip():
        ident = str(entry["link"]).strip()
    elif raw:
        ident = prefix + raw
    else:
        content = "\n".join(
            str(entry.get(key) or "") for key in ("title", "published", "updated", "summary")
        )
        ident = prefix + "sha256:" + hashlib.sha256(content.encode()).hexdigest()[:32]
    if len(ident) > 255:
        ident = prefix + "sha256:" + hashlib.sha256(ident.encode()).hexdigest()[:32]
    return ident


class RssConnector(Connector):
    platform = "rss"
    label = "Flux RSS / Atom"
    guide = "GUIDE.fr.md"
    owned_account = False
    capabilities = frozenset({Capability.FETCH})
    limits_fr: ClassVar[Mapping[Capability, str]] = {
        Capability.HIDE: _READ_ONLY_FR,
        Capability.UNHIDE: _READ_ONLY_FR,
        Capability.DELETE: _READ_ONLY_FR,
        Capability.REPLY: _READ_ONLY_FR,
        Capability.PRIVATE_REPLY: _READ_ONLY_FR,
        Capability.REPORT: _READ_ONLY_FR,
        Capability.BLOCK: _READ_ONLY_FR,
        Capability.UNBLOCK: _READ_ONLY_FR,
        Capability.LIKE: _READ_ONLY_FR,
        Capability.WEBHOOK: "Les flux RSS n'envoient pas de notifications : Beffroi les relit régulièrement.",
        Capability.PRIVATE_MESSAGES: "Un flux RSS ne contient pas de messages privés.",
    }
    credential_fields: ClassVar[tuple[CredentialField, ...]] = ()  # public feeds
    external_id_label_fr = "Adresse du flux RSS ou Atom (commence par https://)"
    address_fields = ("external_id",)
    idempotent_actions = frozenset()

    clock = staticmethod(time.time)

    def __init__(self, config: Any, *, http: Any | None = None) -> None:
        super().__init__(config, http=http)
        self.api = HttpClient.from_injected(http, error_mapper=_feed_error)

    @property
    def feed_url(self) -> str:
        return str(self.config.options.get("url") or self.config.external_id).strip()

    # -- reading ---------------------------------------------------------------------------
    def _get(self, url: str, cursor: Mapping[str, Any]) -> httpx.Response | None:
        """GET the feed: only an http(s) address of the public Internet (``connectors.urlguard``, on each
        redirect too), read in pieces and abandoned past ``RSS_MAX_BYTES``."""
        from beffroi import conf

        if not url.lower().startswith(("http://", "https://")):
            raise PermanentError(
                f"not an http(s) URL: {url!r}",
                message_fr="L'adresse du flux doit commencer par https:// (ou http://).",
            )
        headers = {"Accept": ACCEPT}
        if cursor.get("etag"):
            headers["If-None-Match"] = str(cursor["etag"])
        if cursor.get("modified"):
            headers["If-Modified-Since"] = str(cursor["modified"])
        limit = int(conf.get("RSS_MAX_BYTES"))
        try:
            return self.api.request("GET", url, headers=headers, max_bytes=limit)
        except NotModified:
            return None
        except ResponseTooLarge as exc:
            raise PermanentError(
                f"feed too large: more than {limit} bytes",
                message_fr=f"Le flux est trop volumineux (plus de {limit // 1024} Ko) : Beffroi a arrêté de le lire.",
                status=exc.status,
            ) from exc

    def _parse(self, response: httpx.Response, url: str) -> Any:
        parsed = feedparser.parse(
            response.content,
            response_headers={"content-type": response.headers.get("content-type", ""), "content-location": url},
        )
        if not parsed.get("version") and not parsed.entries:
            content_type = response.headers.get("content-type", "")
            if "html" in content_type.lower() or response.content.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
                message = (
                    "Cette adresse mène à une page web, pas à un flux RSS ou Atom. Sur le site, cherchez le lien "
                    "« RSS » ou « Flux » (souvent une icône orange) et copiez son adresse."
                )
            else:
                reason = str(parsed.get("bozo_exception") or "format inconnu")[:200]
                message = f"Le flux est illisible : ce n'est pas un flux RSS ou Atom valide ({reason})."
            raise PermanentError(f"not a feed: {url}", message_fr=message)
        return parsed

    def fetch(self, cursor: Mapping[str, Any]) -> FetchPage:
        url = str(cursor.get("location") or self.feed_url)
        now = dt.datetime.fromtimestamp(self.clock(), tz=dt.UTC)
        response = self._get(url, cursor)
        new_cursor: dict[str, Any] = {k: v for k, v in cursor.items() if k in ("etag", "modified", "seen", "location")}
        new_cursor["checked_at"] = now.isoformat()
        if response is None:  # 304: nothing new
            return FetchPage(items=[], cursor=new_cursor, has_more=False)
        parsed = self._parse(response, url)
        seen = list(cursor.get("seen") or [])
        seen_set = set(seen)
        items = []
        for entry in parsed.entries:
            item = self._item(entry, parsed.feed, url, now)
            if item.external_id in seen_set:
                continue
            seen_set.add(item.external_id)
            seen.append(item.external_id)
            items.append(item)
        items.sort(key=lambda i: i.published_at)
        new_cursor["seen"] = seen[-SEEN_KEEP:]
        new_cursor["etag"] = response.headers.get("etag") or None
        new_cursor["modified"] = response.headers.get("last-modified") or None
        permanent = [r for r in response.history if r.status_code in (301, 308)]
        if permanent and str(response.url) != url:
            new_cursor["location"] = str(response.url)  # moved for good: ask the new address next time
        return FetchPage(items=items, cursor={k: v for k, v in new_cursor.items() if v is not None}, has_more=False)

    def _item(self, entry: Mapping[str, Any], feed: Mapping[str, Any], url: str, now: dt.datetime) -> FetchedItem:
        ident = entry_id(entry, url)
        published = (
            _struct_to_datetime(entry.get("published_parsed"))
            or _struct_to_datetime(entry.get("updated_parsed"))
            or _struct_to_datetime(entry.get("created_parsed"))
            or now
        )
        published = min(published, now)  # some feeds date their entries in the future
        title = html_to_text(str(entry.get("title") or ""))
        contents = entry.get("content") or []
        body_html = str(contents[0].get("value") or "") if contents else str(entry.get("summary") or "")
        body = html_to_text(body_html)
        text = "\n\n".join(part for part in (title, body) if part)[:TEXT_MAX]
        site = (urlsplit(str(feed.get("link") or url)).hostname or urlsplit(url).hostname or url)[:255]
        feed_link = str(feed.get("link") or "")
        author = FetchedAuthor(
            external_id=site,
            handle=site,
            display_name=html_to_text(str(feed.get("title") or site))[:255],
            profile_url=feed_link if len(feed_link) <= PROFILE_URL_MAX else "",
        )
        link = str(entry.get("link") or "")
        raw = {
            "id": str(entry.get("id") or ""),
            "title": str(entry.get("title") or ""),
            "link": str(entry.get("link") or ""),
            "author": str(entry.get("author") or ""),
            "published": str(entry.get("published") or entry.get("updated") or ""),
            "tags": [str(t.get("term")) for t in entry.get("tags") or [] if t.get("term")],
            "summary": body_html[:TEXT_MAX],
            "feed_title": str(feed.get("title") or ""),
            "feed_url": url,
        }
        return FetchedItem(
            external_id=ident,
            kind="mention",
            text=text,
            published_at=published,
            author=author,
            url=link if len(link) <= URL_MAX else "",
            thread_external_id=ident,
            raw=raw,
            moderated=False,
        )

    # -- connecting ------------------------------------------------------------------------
    def identify(self) -> AccountIdentity | None:
        """Read the feed once: its title names the account; a broken feed is refused at once."""
        url = self.feed_url
        if not url:
            return None
        response = self._get(url, {})
        if response is None:
            return AccountIdentity(external_id=url)
        parsed = self._parse(response, url)
        return AccountIdentity(
            external_id=url,
            name=html_to_text(str(parsed.feed.get("title") or "")) or (urlsplit(url).hostname or url),
            url=str(parsed.feed.get("link") or ""),
        )
