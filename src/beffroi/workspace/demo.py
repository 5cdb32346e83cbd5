"""The demo commune: created by `beffroi demo` (the README's first command).

``load_demo()`` builds Saint-Aubin-sur-Loire from the files of ``beffroi/data/demo/`` (format:
docs/briefs/CORPUS.md, section 3): its team, its municipal services and saved replies, the default
charter (published), one replay-backed account per entry of ``accounts.json`` (decisions are really
applied, to the replay platform's local store), every item of ``items.jsonl`` ingested through
``do_ingest_item`` (so each one is judged and routed by the charter), the mentions of
``mentions.jsonl`` as watched items, and a few decisions already taken by the team. Running it
again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from beffroi.core.models import Commune, Membership
from beffroi.core.roles import Role

logger = logging.getLogger(__name__)

DEMO_SLUG = "saint-aubin-sur-loire"
DEMO_PASSWORD = "beffroi-demo-2026"
DEMO_USERS = [
    ("direction", "Camille", "Roussel", Role.DIRECTION_COM),
    ("cm", "Yanis", "Berger", Role.COMMUNITY_MANAGER),
    ("secretaire", "Martine", "Lefort", Role.SECRETAIRE),
    ("benevole", "Hugo", "Marchal", Role.MODERATEUR_BENEVOLE),
    ("maire", "Claire", "Vasseur", Role.ELU),
    ("lecteur", "Inès", "Garnier", Role.LECTEUR),
]
CRISIS_CIRCLE = {"direction", "maire"}
DEMO_SERVICES = [
    ("État civil", "etat-civil@saint-aubin.example", ["acte de naissance", "mariage", "pacs", "carte d'identité", "passeport", "décès", "état civil"]),
    ("Voirie", "voirie@saint-aubin.example", ["trottoir", "nid-de-poule", "nid de poule", "route", "chaussée", "éclairage", "lampadaire", "travaux", "déneigement"]),
    ("Urbanisme", "urbanisme@saint-aubin.example", ["permis de construire", "déclaration préalable", "plu", "clôture", "urbanisme", "cadastre"]),
    ("Périscolaire", "periscolaire@saint-aubin.example", ["cantine", "garderie", "centre de loisirs", "périscolaire", "école", "inscription scolaire"]),
    ("Police municipale", "police-municipale@saint-aubin.example", ["stationnement", "bruit", "fourrière", "police municipale", "vitesse", "incivilité"]),
    ("CCAS", "ccas@saint-aubin.example", ["aide sociale", "ccas", "portage de repas", "logement social", "personnes âgées", "solidarité"]),
    ("Médiathèque", "mediatheque@saint-aubin.example", ["médiathèque", "bibliothèque", "livres", "horaires de la médiathèque", "lecture"]),
]
FALLBACK_REPLIES = [
    {"title": "Remerciement", "kind": "thanks", "text": "Merci beaucoup pour votre message, toute l'équipe municipale y est sensible !"},
    {
        "title": "Rappel de la charte",
        "kind": "moderation",
        "text": "Bonjour, nous vous rappelons que les échanges sur cette page sont soumis à la charte de modération de {commune}. Merci de rester courtois.",
    },
    {
        "title": "Orienter vers la voirie",
        "kind": "answer",
        "service": "Voirie",
        "text": "Bonjour, merci pour votre signalement. Le service {service} le traite ; vous pouvez aussi lui écrire à {service_email}.",
    },
]
KIND_ALIASES = {
    "remerciement": "thanks",
    "merci": "thanks",
    "reponse": "answer",
    "réponse": "answer",
    "orientation": "answer",
    "routing": "answer",
    "route": "answer",
    "charte": "moderation",
    "rappel": "moderation",
    "faits": "facts",
}


def data_dir() -> Path:
    import beffroi.data

    return Path(beffroi.data.__file__).parent / "demo"


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            logger.warning("demo: %s line %d is not valid JSON, skipped", path.name, number)
            continue
        if isinstance(row, dict) and row.get("id") and isinstance(row.get("text"), str):
            yield row


def _read_json(path: Path) -> Any:
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _delay_minutes(key: str, low: int, high: int) -> int:
    """A deterministic pseudo-random delay (same item, same delay on every run)."""
    digest = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16)
    return low + digest % (high - low + 1)


# ---------------------------------------------------------------------------------------------
# Commune, team, services, replies, charter


def _team(commune: Commune) -> dict[str, Any]:
    User = get_user_model()
    users = {}
    for username, first, last, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@saint-aubin.example"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(
            user=user,
            commune=commune,
            defaults={"role": role.value, "in_crisis_circle": username in CRISIS_CIRCLE},
        )
        users[username] = user
    return users


def _services(commune: Commune, directory: Path) -> None:
    """The municipal services of services.json (name, email, keywords), or a built-in list."""
    from beffroi.workspace.actions.replies import parse_keywords
    from beffroi.workspace.models import Service

    data = _read_json(directory / "services.json")
    rows = [
        (str(row.get("name") or "").strip(), str(row.get("email") or "").strip(), parse_keywords(list(row.get("keywords") or [])))
        for row in (data if isinstance(data, list) else [])
        if isinstance(row, dict) and row.get("name")
    ] or DEMO_SERVICES
    for name, email, keywords in rows:
        Service.objects.get_or_create(commune=commune, name=name[:120], defaults={"email": email, "keywords": keywords})


def _reply_rows(directory: Path) -> list[dict[str, Any]]:
    data = _read_json(directory / "saved_replies.json")
    if isinstance(data, dict):
        data = data.get("replies") or data.get("saved_replies") or list(data.values())
    if not isinstance(data, list) or not data:
        return FALLBACK_REPLIES
    return [row for row in data if isinstance(row, dict)]


def _saved_replies(commune: Commune, directory: Path, author: Any) -> None:
    from beffroi.workspace.models import SavedReply, Service

    services = {s.name.lower(): s for s in Service.objects.filter(commune=commune)}
    for row in _reply_rows(directory):
        title = str(row.get("title") or row.get("titre") or "").strip()[:120]
        text = str(row.get("text") or row.get("texte") or "").strip()
        if not title or not text:
            continue
        kind = str(row.get("kind") or row.get("type") or "answer").strip().lower()
        kind = KIND_ALIASES.get(kind, kind)
        if kind not in SavedReply.Kind.values:
            kind = SavedReply.Kind.ANSWER
        service_name = str(row.get("service") or "").strip().lower()
        service = services.get(service_name) or next(
            (s for name, s in services.items() if service_name and (service_name in name or name in service_name)), None
        )
        SavedReply.objects.get_or_create(
            commune=commune, title=title, defaults={"text": text, "kind": kind, "service": service, "created_by": author}
        )


# ---------------------------------------------------------------------------------------------
# Accounts and items


def _accounts(commune: Commune, directory: Path) -> dict[str, Any]:
    """One replay-backed account per entry of accounts.json: the items keep their platform's name
    (Facebook, Instagram …) while actions are applied by the replay connector to its local store."""
    from beffroi.connectors.registry import platform_label
    from beffroi.workspace.models import Account

    data = _read_json(directory / "accounts.json") or {}
    accounts: dict[str, Any] = {}
    for key, raw in sorted(data.items()):
        if not isinstance(raw, dict) or not raw.get("platform"):
            continue
        platform = str(raw["platform"])
        label = platform_label(platform)
        account, _ = Account.objects.get_or_create(
            commune=commune,
            platform="replay",
            external_id=f"{platform}:{raw.get('external_id') or key}",
            defaults={
                "name": str(raw.get("name") or key)[:255],
                "handle": str(raw.get("handle") or "")[:255],
                "url": str(raw.get("url") or "")[:500],
                "owned": True,
                "options": {
                    "demo": True,
                    "account": key,
                    "imitates": platform,
                    "label": f"{label} (démonstration)",
                },
            },
        )
        accounts[key] = (account, platform, str(raw.get("external_id") or ""))
    return accounts


def _fetched(row: dict[str, Any], now: dt.datetime, *, kind: str | None = None, page_ids: frozenset[str] = frozenset()) -> Any:
    from beffroi.connectors.base import FetchedAuthor, FetchedItem

    author_raw = row.get("author") or {}
    if isinstance(author_raw, str):
        author_raw = {"id": author_raw, "name": author_raw}
    author = None
    if author_raw.get("id") or author_raw.get("name"):
        author = FetchedAuthor(
            external_id=str(author_raw.get("id") or author_raw.get("name")),
            handle=str(author_raw.get("handle") or ""),
            display_name=str(author_raw.get("name") or ""),
            profile_url=str(author_raw.get("url") or ""),
            metadata={k: v for k, v in author_raw.items() if k in ("account_age_days", "followers", "location")},
        )
    if "minutes_ago" in row:
        published = now - dt.timedelta(minutes=float(row.get("minutes_ago") or 0))
    elif row.get("created_at"):
        published = dt.datetime.fromisoformat(str(row["created_at"]).replace("Z", "+00:00"))
    else:
        published = now
    item_kind = kind or str(row.get("kind") or ("reply" if row.get("parent") else "comment"))
    from_page = item_kind == "post" or (author is not None and author.external_id in page_ids)
    return FetchedItem(
        external_id=str(row["id"]),
        kind=item_kind,
        text=str(row.get("text") or ""),
        published_at=published,
        author=author,
        url=str(row.get("url") or ""),
        parent_external_id=str(row.get("parent") or ""),
        is_from_account=from_page,
        likes=int(row.get("likes") or 0),
        shares=int(row.get("shares") or 0),
        raw=dict(row),
    )


def _items(commune: Commune, directory: Path, accounts: dict[str, Any], now: dt.datetime) -> int:
    from beffroi.workspace.actions.ingest import do_ingest_item

    rows = list(_read_jsonl(directory / "items.jsonl"))
    # Parents first (oldest first), so replies attach to them.
    rows.sort(key=lambda r: (-float(r.get("minutes_ago") or 0), str(r["id"])))
    page_ids = frozenset(str(ext) for _, _, ext in accounts.values() if ext)
    created = 0
    for row in rows:
        key = str(row.get("account") or "")
        account, platform, _ = accounts.get(key, (None, str(row.get("platform") or "website"), ""))
        platform = str(row.get("platform") or platform)
        fetched = _fetched(row, now, page_ids=page_ids)
        seen = min(now, fetched.published_at + dt.timedelta(minutes=_delay_minutes(str(row["id"]), 1, 25)))
        _, was_created = do_ingest_item(
            commune=commune, fetched=fetched, account=account, platform=platform, first_seen_at=seen
        )
        created += was_created
    return created


def _mentions(commune: Commune, directory: Path, now: dt.datetime) -> int:
    """Posts about the town on accounts that are not the commune's: watched, not moderated."""
    from beffroi.workspace.actions.ingest import do_ingest_item

    created = 0
    for row in _read_jsonl(directory / "mentions.jsonl"):
        fetched = _fetched(row, now, kind="mention")
        seen = min(now, fetched.published_at + dt.timedelta(minutes=_delay_minutes(str(row["id"]), 2, 40)))
        _, was_created = do_ingest_item(
            commune=commune,
            fetched=fetched,
            platform=str(row.get("platform") or "rss"),
            moderated=False,
            first_seen_at=seen,
        )
        created += was_created
    return created


# ---------------------------------------------------------------------------------------------
# A few decisions already taken


def _decisions(commune: Commune, users: dict[str, Any]) -> int:
    """The team already worked a little: hides, a false alarm kept, a thank-you, a legal hold.
    Only on the first run (decisions are never taken twice)."""
    from beffroi.workspace.actions import decisions
    from beffroi.workspace.actions.checks import ActionError
    from beffroi.workspace.actions.retention import do_set_legal_hold
    from beffroi.workspace.models import Decision, Item, ItemStatus, SavedReply

    if Decision.objects.filter(commune=commune, automatic=False).exists():
        return 0
    review = list(
        Item.objects.filter(commune=commune, status=ItemStatus.REVIEW, moderated=True)
        .exclude(kind="private_message")
        .select_related("current_verdict")
        .order_by("external_id")
    )
    todo = list(Item.objects.filter(commune=commune, status=ItemStatus.TODO).select_related("current_verdict").order_by("external_id"))
    taken = 0

    def labels(item: Item) -> set[str]:
        return set(item.current_verdict.labels) if item.current_verdict else set()

    def attempt(fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal taken
        try:
            with transaction.atomic():
                result = fn(*args, **kwargs)
        except ActionError as exc:
            logger.info("demo decision skipped: %s", exc)
            return None
        taken += 1
        return result

    insults = [i for i in review if labels(i) & {"insult", "hate", "spam"}][:4]
    for item in insults:
        attempt(decisions.do_hide_item, item, users["secretaire"])
    false_alarms = [i for i in review if "criticism" in labels(i) and i not in insults][:2]
    for item in false_alarms:
        attempt(decisions.do_keep_item, item, users["cm"])
    threats = [i for i in review if "threat" in labels(i) and i not in insults][:1]
    for item in threats:
        if attempt(decisions.do_hide_item, item, users["direction"]) is not None:
            do_set_legal_hold(item, held=True, actor=users["direction"], reason="Menace envers Mme la Maire : plainte en préparation")
    thanks = SavedReply.objects.filter(commune=commune, kind=SavedReply.Kind.THANKS).first()
    praise = [i for i in todo if "praise" in labels(i)][:2]
    for item in praise:
        text = thanks.text if thanks else "Merci beaucoup pour votre message !"
        attempt(decisions.do_reply, item, users["cm"], text.replace("{commune}", commune.name), saved_reply=thanks)
    return taken


DEMO_AUTOMATIC_LABELS = frozenset({"hate", "threat"})


def load_demo(directory: Path | None = None) -> list[str]:
    """Create the demo commune and everything in it if missing (idempotent); returns the lines to print."""
    from beffroi.workspace.actions.charter import ensure_published_default

    directory = directory or data_dir()
    now = timezone.now()
    with transaction.atomic():
        commune, _ = Commune.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={
                "name": "Saint-Aubin-sur-Loire",
                "population": 9000,
                "insee_code": "",
                "contact_email": "mairie@saint-aubin.example",
            },
        )
        users = _team(commune)
        _services(commune, directory)
        _saved_replies(commune, directory, users["direction"])
        # Automatic hiding is opt-in per label: the demo commune turned it on for hate and threats only,
        # so the demo shows both paths (hidden at once by Beffroi / waiting for a moderator).
        ensure_published_default(commune, actor=users["direction"], automatic=DEMO_AUTOMATIC_LABELS)
        accounts = _accounts(commune, directory)
    from beffroi.veille import demo as veille_demo

    veille_demo.prepare(commune, directory, users["direction"])  # watch terms, facts, sources
    items = _items(commune, directory, accounts, now)
    mentions = _mentions(commune, directory, now)
    taken = _decisions(commune, users)
    veille_demo.finish(commune)  # the detector reads the demo's mentions; a room for its rumour
    lines = [
        f"Connexion : identifiant « direction », mot de passe « {DEMO_PASSWORD} »",
        "Autres rôles (même mot de passe) : cm, secretaire, benevole, maire, lecteur",
    ]
    if items or mentions or taken:
        lines.append(f"Commune de démonstration : {items} message(s), {mentions} mention(s), {taken} décision(s) de l'équipe.")
    return lines
