"""Website comments: accepting a submission, moderating it like any item, publishing it when allowed.

Pre-moderation: a visitor's comment is stored ``pending``, ingested at once through ``do_ingest_item`` (so it is
judged by the engine and routed like every other item), and published only when the engine keeps it or when a
moderator approves it ("conserver" or "rendre visible"). Hiding or deleting it takes it off the site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from beffroi import conf
from beffroi.connectors.base import FetchedAuthor, FetchedItem
from beffroi.connectors.website.models import WebsiteComment
from beffroi.connectors.website.origins import declared_origins, normalize_page_url, origin_of, thread_key
from beffroi.core.audit import log_audit
from beffroi.core.models import Commune
from beffroi.workspace.models import Account, AccountStatus, Item, PlatformState

logger = logging.getLogger(__name__)

PLATFORM = "website"
MAX_NAME = 80
MAX_EMAIL = 254
MAX_TITLE = 200
MAX_PAGE_URL = 900  # Item.url (1000) holds the page address and an anchor
MIN_TEXT = 2
DUPLICATE_WINDOW = dt.timedelta(minutes=10)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class SubmissionError(Exception):
    code: str
    message_fr: str
    status: int = 400
    fields: dict[str, str] = field(default_factory=dict)
    retry_after: int | None = None

    def __str__(self) -> str:
        return f"{self.code}: {self.message_fr}"


@dataclass(frozen=True)
class Submission:
    page_url: str
    page_title: str
    name: str
    email: str
    text: str


# ---------------------------------------------------------------------------------------------
# Visitors


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or the entry of X-Forwarded-For added by the first of
    ``WEBSITE_PROXY_HOPS`` trusted reverse proxies."""
    hops = int(conf.get("WEBSITE_PROXY_HOPS"))
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if hops <= 0:
        return remote
    forwarded = [p.strip() for p in str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if p.strip()]
    return forwarded[-hops] if len(forwarded) >= hops else (forwarded[0] if forwarded else remote)


def ip_hash(ip: str) -> str:
    """A keyed hash of the visitor's address (IPv6: its /64 network, which one person usually holds)."""
    try:
        address = ipaddress.ip_address(ip)
        key = str(ipaddress.ip_network(f"{address}/64", strict=False)) if address.version == 6 else str(address)
    except ValueError:
        key = ip or "inconnu"
    return hmac.new(settings.SECRET_KEY.encode(), b"website-ip:" + key.encode(), hashlib.sha256).hexdigest()[:32]


# ---------------------------------------------------------------------------------------------
# Validation


def _clean(value: Any) -> str:
    text = unicodedata.normalize("NFC", str(value or ""))
    text = _CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def validate(data: Mapping[str, Any]) -> Submission:
    """Check a submission; raise SubmissionError with French messages per field."""
    if str(data.get("homepage") or "").strip():
        # The honeypot: a field hidden from people, which only robots fill in.
        raise SubmissionError("honeypot", "Envoi refusé : il ressemble à un envoi automatique.", status=400)
    errors: dict[str, str] = {}
    name = " ".join(_clean(data.get("name")).split())
    if not name:
        errors["name"] = "Indiquez votre nom (ou un pseudonyme)."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Le nom est trop long ({MAX_NAME} caractères au plus)."
    email = _clean(data.get("email"))
    if email:
        try:
            if len(email) > MAX_EMAIL:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors["email"] = "L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr). Elle est facultative."
    text = _clean(data.get("text"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    limit = int(conf.get("WEBSITE_MAX_COMMENT_CHARS"))
    if len(text) < MIN_TEXT:
        errors["text"] = "Le commentaire est vide."
    elif len(text) > limit:
        errors["text"] = f"Le commentaire est trop long : {len(text)} caractères pour {limit} au plus."
    page_url = normalize_page_url(_clean(data.get("page_url"))[: MAX_PAGE_URL * 2]) or ""
    if not page_url or len(page_url) > MAX_PAGE_URL:
        errors["page_url"] = "L'adresse de la page commentée est manquante ou invalide."
    if errors:
        first = next(iter(errors.values()))
        raise SubmissionError("validation", first, fields=errors)
    title = " ".join(_clean(data.get("page_title")).split())[:MAX_TITLE]
    return Submission(page_url=page_url, page_title=title, name=name, email=email, text=text)


# ---------------------------------------------------------------------------------------------
# Accounts and origins


def website_accounts(commune: Commune) -> list[Account]:
    return list(Account.objects.filter(commune=commune, platform=PLATFORM, status=AccountStatus.ACTIVE).order_by("pk"))


def account_for(accounts: list[Account], origin: str | None) -> Account | None:
    """The website account whose declared origins include ``origin``."""
    if origin is None:
        return None
    for account in accounts:
        if origin in declared_origins(account.external_id, account.options or {}):
            return account
    return None


def check_rate(commune: Commune, visitor: str, now: dt.datetime | None = None) -> None:
    """At most WEBSITE_RATE_LIMIT comments per visitor per WEBSITE_RATE_WINDOW_MINUTES (counted in the
    database, so the limit holds across processes)."""
    now = now or timezone.now()
    limit = int(conf.get("WEBSITE_RATE_LIMIT"))
    window = dt.timedelta(minutes=int(conf.get("WEBSITE_RATE_WINDOW_MINUTES")))
    recent = list(
        WebsiteComment.objects.filter(commune=commune, ip_hash=visitor, created_at__gte=now - window)
        .order_by("created_at")
        .values_list("created_at", flat=True)[: limit + 1]
    )
    if len(recent) >= limit:
        retry = max(1, int((recent[0] + window - now).total_seconds()) + 1)
        minutes = max(1, round(retry / 60))
        raise SubmissionError(
            "rate_limited",
            f"Vous avez envoyé beaucoup de commentaires en peu de temps. Réessayez dans {minutes} minute{'s' if minutes > 1 else ''}.",
            status=429,
            retry_after=retry,
        )


# ---------------------------------------------------------------------------------------------
# Submitting and ingesting


def submit(account: Account, submission: Submission, *, visitor: str) -> tuple[WebsiteComment, bool]:
    """Store the comment (or find the same one sent twice) and have it judged. Returns (comment, created)."""
    duplicate = WebsiteComment.objects.filter(
        account=account, ip_hash=visitor, page_url=submission.page_url, text=submission.text,
        created_at__gte=timezone.now() - DUPLICATE_WINDOW,
    ).first()
    if duplicate is not None:
        return duplicate, False
    check_rate(account.commune, visitor)
    comment = WebsiteComment.objects.create(
        commune=account.commune,
        account=account,
        page_url=submission.page_url,
        page_title=submission.page_title,
        author_name=submission.name,
        author_email=submission.email,
        text=submission.text,
        ip_hash=visitor,
    )
    ingest(comment)
    comment.refresh_from_db()
    return comment, True


def ingest(comment: WebsiteComment) -> Item | None:
    """Ingest now (judged and routed). A failure leaves the comment pending: the account's next
    synchronisation ingests it again (``do_ingest_item`` is idempotent)."""
    from beffroi.workspace.actions.ingest import do_ingest_item

    try:
        item, _ = do_ingest_item(commune=comment.commune, fetched=fetched_item(comment), account=comment.account)
    except Exception:
        logger.exception("website comment %s could not be ingested now; the next sync will", comment.pk)
        return None
    link_and_decide(item)
    return item


def fetched_item(comment: WebsiteComment) -> FetchedItem:
    parent = comment.parent
    author_key = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", comment.author_name.lower())).strip("-")[:40]
    author = FetchedAuthor(
        external_id=("commune" if comment.from_commune else f"visiteur-{comment.ip_hash[:12]}-{author_key or 'anonyme'}"),
        display_name=comment.author_name,
        metadata={"has_email": bool(comment.author_email)},
    )
    return FetchedItem(
        external_id=comment.external_id,
        kind="reply" if parent else "comment",
        text=comment.text,
        published_at=comment.created_at,
        author=author,
        url=f"{comment.page_url}#beffroi-commentaire-{comment.pk}",
        parent_external_id=parent.external_id if parent else "",
        thread_external_id=thread_key(comment.page_url),
        is_from_account=comment.from_commune,
        is_hidden=comment.state != WebsiteComment.State.PUBLISHED,
        awaiting_approval=comment.state == WebsiteComment.State.PENDING and not comment.from_commune,
        raw={
            "comment_id": comment.pk,
            "page_url": comment.page_url,
            "page_title": comment.page_title,
            "name": comment.author_name,
            "has_email": bool(comment.author_email),
            "state": comment.state,
            "submitted_at": comment.created_at.isoformat(),
        },
    )


def comment_for_item(item: Item) -> WebsiteComment | None:
    if item.platform != PLATFORM or not item.external_id.startswith("site-"):
        return None
    try:
        pk = int(item.external_id.removeprefix("site-"))
    except ValueError:
        return None
    return WebsiteComment.objects.filter(pk=pk, commune=item.commune).first()


def link_and_decide(item: Item) -> None:
    """After ingestion: link the item, and publish a pending comment the engine keeps."""
    comment = comment_for_item(item)
    if comment is None:
        return
    if comment.item_id != item.pk:
        WebsiteComment.objects.filter(pk=comment.pk).update(item=item)
        comment.item = item
    verdict = item.current_verdict
    if comment.state == WebsiteComment.State.PENDING and verdict is not None and verdict.action == "keep":
        publish(comment, reason="kept_by_engine")


# ---------------------------------------------------------------------------------------------
# Publication state


def _set_state(comment: WebsiteComment, state: str, *, verb: str, **data: Any) -> bool:
    """Move to ``state`` (atomic, idempotent). Returns True if it changed."""
    now = timezone.now()
    fields: dict[str, Any] = {"state": state, "state_changed_at": now}
    if state == WebsiteComment.State.PUBLISHED:
        fields["published_at"] = now
    with transaction.atomic():
        changed = WebsiteComment.objects.filter(pk=comment.pk).exclude(state=state).update(**fields)
        if changed:
            comment.state = state
            comment.state_changed_at = now
            if state == WebsiteComment.State.PUBLISHED:
                comment.published_at = now
            item = Item.objects.filter(pk=comment.item_id).first() if comment.item_id else None
            platform_state = {
                str(WebsiteComment.State.PUBLISHED): PlatformState.VISIBLE,
                str(WebsiteComment.State.DELETED): PlatformState.DELETED,
            }.get(str(state), PlatformState.HIDDEN)
            if item is not None and item.platform_state != platform_state:
                item.platform_state = platform_state
                item.save(update_fields=["platform_state", "updated_at"])
            log_audit(verb, commune=comment.commune, target=item or comment, comment_id=comment.pk, state=state, **data)
    return bool(changed)


def publish(comment: WebsiteComment, *, reason: str) -> bool:
    if comment.state == WebsiteComment.State.DELETED:
        return False
    return _set_state(comment, WebsiteComment.State.PUBLISHED, verb="website.comment_published", reason=reason)


def hide(comment: WebsiteComment) -> bool:
    if comment.state == WebsiteComment.State.DELETED:
        return False
    return _set_state(comment, WebsiteComment.State.HIDDEN, verb="website.comment_hidden")


def delete(comment: WebsiteComment) -> bool:
    return _set_state(comment, WebsiteComment.State.DELETED, verb="website.comment_deleted")


def reply(comment: WebsiteComment, text: str) -> WebsiteComment:
    """The commune's public answer, published at once under the visitor's comment."""
    top = comment.parent or comment
    answer = WebsiteComment.objects.create(
        commune=comment.commune,
        account=comment.account,
        page_url=comment.page_url,
        page_title=comment.page_title,
        parent=top,
        author_name=comment.commune.name,
        text=text.strip(),
        from_commune=True,
        state=WebsiteComment.State.PUBLISHED,
        published_at=timezone.now(),
    )
    log_audit("website.reply_published", commune=comment.commune, target=answer, comment_id=top.pk)
    return answer


def sweep_decisions(account: Account) -> int:
    """Safety net for approvals made without a post_save signal (bulk updates): publish pending comments
    whose latest decision keeps them."""
    from beffroi.workspace.models import Decision

    published = 0
    pending = WebsiteComment.objects.filter(account=account, state=WebsiteComment.State.PENDING, item__isnull=False).select_related("item")[:500]
    for comment in pending:
        latest = Decision.objects.filter(item_id=comment.item_id, kind__in=("keep", "unhide", "hide", "delete")).order_by("-created_at", "-id").first()
        if latest is not None and latest.kind in ("keep", "unhide") and publish(comment, reason=f"decision_{latest.kind}"):
            published += 1
    return published


# ---------------------------------------------------------------------------------------------
# Reading for the site


def serialize(comment: WebsiteComment, replies: list[WebsiteComment] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": comment.external_id,
        "name": comment.author_name,
        "text": comment.text,
        "published_at": (comment.published_at or comment.created_at).isoformat(),
        "from_commune": comment.from_commune,
    }
    if replies is not None:
        data["replies"] = [serialize(r) for r in replies]
    return data


def published_comments(account: Account, page_url: str, *, limit: int = 500) -> list[dict[str, Any]]:
    rows = list(
        WebsiteComment.objects.filter(account=account, page_url=page_url, state=WebsiteComment.State.PUBLISHED).order_by("created_at", "pk")[: limit * 3]
    )
    children: dict[int, list[WebsiteComment]] = {}
    tops = []
    for row in rows:
        if row.parent_id:
            children.setdefault(row.parent_id, []).append(row)
        else:
            tops.append(row)
    return [serialize(top, children.get(top.pk, [])) for top in tops[:limit]]


def origin_allowed(account: Account, origin: str) -> bool:
    return origin_of(origin) in declared_origins(account.external_id, account.options or {})
