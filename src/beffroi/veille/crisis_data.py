"""What the crisis room and the post-crisis report show, read from the database: the cascade's
timeline, the accounts that amplify it, an estimate of its reach, the posts to report per platform
and what the team did. Read-only (the writes are in ``beffroi.veille.actions.crisis``)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from beffroi.connectors.registry import platform_label
from beffroi.domain.rumour.types import load_zone
from beffroi.veille import charts
from beffroi.veille.actions.crisis import PLAYBOOK, facts_of, reply_templates
from beffroi.veille.models import AlertDelivery, Crisis, CrisisPost, DeliveryState, Fact
from beffroi.workspace.models import Item

#: Where to report a post by hand on each platform (help pages of the platforms).
REPORT_HELP = {
    "facebook": "https://www.facebook.com/help/1380418588640631",
    "instagram": "https://help.instagram.com/192435014247952",
    "x": "https://help.x.com/fr/safety-and-security/report-a-post",
    "youtube": "https://support.google.com/youtube/answer/2802027?hl=fr",
    "tiktok": "https://support.tiktok.com/fr/safety-hc/report-a-problem",
    "mastodon": "https://docs.joinmastodon.org/user/moderating/",
    "bluesky": "https://bsky.social/about/support/community-guidelines",
}
NEW_ACCOUNT_DAYS = 30


def shares_words(fact: str, claim: str) -> bool:
    """Whether a fact speaks of what the claim speaks of (a content word in common)."""
    from beffroi.veille.lint import _content, _words

    def stems(text: str) -> set[str]:
        return {s for surface, s in _words(text) if _content(s, surface)}

    return bool(stems(fact) & stems(claim) - stems("Saint mairie commune ville"))


def author_key(item: Item) -> str:
    """The name under which the detector saw the author (see ``detection.post_for``)."""
    author = item.author
    if author is None:
        return "anonyme"
    return author.handle or author.display_name or author.external_id


def account_age_days(item: Item) -> float | None:
    meta = dict(item.author.metadata) if item.author is not None else {}
    value = meta.get("account_age_days")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@dataclass
class Amplifier:
    author: str
    display: str
    platform: str
    posts: int
    followers: int
    shares: int
    why: list[str] = field(default_factory=list)
    profile_url: str = ""

    @property
    def why_text(self) -> str:
        return " ; ".join(self.why)


def amplifiers(crisis: Crisis, posts: list[Item]) -> list[Amplifier]:
    """Accounts flagged by the detector (new, unknown, outside the commune) or that posted the claim
    several times, with their number of posts; the flagged ones first."""
    flagged: dict[str, list[str]] = {}
    for alert in crisis.alerts.all().order_by("detected_at", "id"):
        for entry in alert.amplifiers or []:
            name = str(entry.get("author", ""))
            why = str(entry.get("why", ""))
            if name and why and why not in flagged.setdefault(name, []):
                flagged[name].append(why)
    by_author: dict[str, Amplifier] = {}
    for item in posts:
        key = author_key(item)
        amp = by_author.get(key)
        if amp is None:
            meta = dict(item.author.metadata) if item.author is not None else {}
            amp = by_author[key] = Amplifier(
                author=key,
                display=str(item.author) if item.author is not None else "anonyme",
                platform=item.platform,
                posts=0,
                followers=int(meta.get("followers") or 0),
                shares=0,
                profile_url=item.author.profile_url if item.author is not None else "",
            )
            age = account_age_days(item)
            if age is not None and age <= NEW_ACCOUNT_DAYS and not flagged.get(key):
                amp.why.append(f"compte créé il y a {age:.0f} jour(s)")
        amp.posts += 1
        amp.shares += item.shares
    for key, whys in flagged.items():
        if key in by_author:
            by_author[key].why = whys + [w for w in by_author[key].why if w not in whys]
    out = [a for a in by_author.values() if a.why or a.posts >= 2]
    out.sort(key=lambda a: (not a.why, -a.posts, -a.shares, a.author))
    return out


def reach(crisis: Crisis, posts: list[Item]) -> dict[str, int]:
    """The latest alert's estimate (followers + shares + likes + authors), else one from the posts."""
    latest = crisis.alerts.order_by("-detected_at", "-id").first()
    likes = sum(i.likes for i in posts)
    shares = sum(i.shares for i in posts)
    followers = 0
    seen: set[str] = set()
    for item in posts:
        key = author_key(item)
        if key not in seen and item.author is not None:
            seen.add(key)
            with contextlib.suppress(TypeError, ValueError):
                followers += int(dict(item.author.metadata).get("followers") or 0)
    estimate = followers + 20 * shares + 3 * likes + 50 * len(seen)
    if latest is not None and latest.reach.get("estimate"):
        estimate = max(estimate, int(latest.reach["estimate"]))
    return {"likes": likes, "shares": shares, "followers": followers, "authors": len(seen), "estimate": estimate}


def hourly(posts: list[Item], zone: dt.tzinfo, *, step: dt.timedelta = dt.timedelta(hours=1)) -> list[tuple[str, int]]:
    """Posts per ``step`` (an hour, or a quarter of an hour) from the first post to the last, empty
    buckets included, 72 buckets at most."""
    if not posts:
        return []
    minutes = int(step.total_seconds() // 60)

    def bucket(t: dt.datetime) -> dt.datetime:
        local = t.astimezone(zone)
        return local.replace(minute=local.minute - local.minute % minutes if minutes < 60 else 0, second=0, microsecond=0)

    counts = Counter(bucket(i.published_at) for i in posts)
    start, end = min(counts), max(counts)
    if end - start > step * 71:
        start = end - step * 71
    out = []
    t = start
    while t <= end:
        out.append((t.isoformat(), counts.get(t, 0)))
        t += step
    return out


def peak_per_hour(posts: list[Item]) -> int:
    """The most posts published within any sliding hour of the cascade."""
    times = sorted(i.published_at for i in posts)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= dt.timedelta(hours=1):
            start += 1
        best = max(best, end - start + 1)
    return best


def timeline_chart(posts: list[Item], zone: dt.tzinfo) -> charts.Chart | None:
    """Per quarter of an hour for a cascade of less than 12 hours, else per hour."""
    if not posts:
        return None
    span = posts[-1].published_at - posts[0].published_at
    if span < dt.timedelta(hours=12):
        return charts.bar_chart("Messages par quart d'heure", hourly(posts, zone, step=dt.timedelta(minutes=15)),
                                bucket="quarter")
    return charts.bar_chart("Messages par heure", hourly(posts, zone), bucket="hour")


def crisis_posts(crisis: Crisis) -> list[Item]:
    rows = (
        CrisisPost.objects.filter(crisis=crisis)
        .select_related("item", "item__author", "item__account")
        .order_by("item__published_at", "id")
    )
    posts = []
    for row in rows:
        row.item.carries_claim = row.carries_claim  # type: ignore[attr-defined]
        posts.append(row.item)
    return posts


def room_data(crisis: Crisis) -> dict[str, Any]:
    """Everything the crisis room shows."""
    from beffroi.veille.actions.crisis import can_report_on_platform

    commune = crisis.commune
    zone = load_zone(commune.timezone or "Europe/Paris")
    posts = crisis_posts(crisis)
    reports = {r.item_id: r for r in crisis.reports.select_related("by")}
    replies: dict[int, list[Any]] = {}
    for r in crisis.replies.select_related("by"):
        replies.setdefault(r.item_id, []).append(r)
    entries = {e.step: e for e in crisis.checklist.select_related("by")}
    checklist = [{"step": s, "entry": entries.get(s.key)} for s in PLAYBOOK]
    to_report: dict[str, list[dict[str, Any]]] = {}
    connectors: dict[int, Any] = {}
    for item in posts:
        if not getattr(item, "carries_claim", True) or item.is_from_commune:
            continue
        allowed, why = can_report_on_platform(item, connectors)
        to_report.setdefault(item.platform, []).append(
            {"item": item, "report": reports.get(item.pk), "via_platform": allowed, "why_not": why}
        )
    groups = [
        {"platform": p, "label": platform_label(p), "help": REPORT_HELP.get(p, ""), "rows": rows,
         "done": sum(1 for r in rows if r["report"] is not None)}
        for p, rows in sorted(to_report.items(), key=lambda kv: -len(kv[1]))
    ]
    alerts = list(crisis.alerts.order_by("detected_at", "id"))
    facts = facts_of(commune)
    if crisis.contradicted_fact and crisis.contradicted_fact not in facts:
        facts.insert(0, crisis.contradicted_fact)
    elif crisis.contradicted_fact:
        facts.remove(crisis.contradicted_fact)
        facts.insert(0, crisis.contradicted_fact)
    sources = dict(Fact.objects.filter(commune=commune, active=True).exclude(source_url="").values_list("text", "source_url"))
    related = [f for f in facts if f == crisis.contradicted_fact or shares_words(f, crisis.title)]
    return {
        "posts": posts,
        "answerable": [i for i in posts if not i.is_from_commune],
        "replies": replies,
        "timeline_chart": timeline_chart(posts, zone),
        "amplifiers": amplifiers(crisis, posts)[:30],
        "reach": reach(crisis, posts),
        "alerts": alerts,
        "velocity": max([peak_per_hour(posts), *(a.velocity for a in alerts)]),
        "facts": [{"text": f, "source": sources.get(f, "")} for f in related],
        "other_facts": [{"text": f, "source": sources.get(f, "")} for f in facts if f not in related],
        "templates": reply_templates(crisis),
        "checklist": checklist,
        "checklist_done": sum(1 for c in checklist if c["entry"] is not None and c["entry"].done),
        "report_groups": groups,
        "reports_count": len(reports),
        "platforms": sorted({i.platform for i in posts}),
        "authors": len({author_key(i) for i in posts}),
    }


def report_data(crisis: Crisis) -> dict[str, Any]:
    """The data of the post-crisis report (``beffroi.veille.report_pdf.build_report``)."""
    commune = crisis.commune
    zone = load_zone(commune.timezone or "Europe/Paris")
    posts = crisis_posts(crisis)
    r = reach(crisis, posts)
    timeline = hourly(posts, zone)
    alerts = list(crisis.alerts.order_by("detected_at", "id"))
    for alert in alerts:
        alert.sent = AlertDelivery.objects.filter(alert=alert, state=DeliveryState.SENT).count()  # type: ignore[attr-defined]
    entries = {e.step: e for e in crisis.checklist.select_related("by")}
    checklist = []
    for step in PLAYBOOK:
        entry = entries.get(step.key)
        checklist.append(
            {
                "label": step.label,
                "done": bool(entry and entry.done),
                "by": entry.by.get_username() if entry is not None and entry.by is not None else "",
                "at": entry.at if entry is not None else None,
            }
        )
    return {
        "commune": commune,
        "crisis": crisis,
        "generated_at": timezone.now(),
        "stats": {
            "posts": len(posts),
            "authors": r["authors"],
            "platforms": ", ".join(platform_label(p) for p in sorted({i.platform for i in posts})) or "—",
            "first": posts[0].published_at if posts else None,
            "last": posts[-1].published_at if posts else None,
            "peak": peak_per_hour(posts),
            "reach": r["estimate"],
            "likes": r["likes"],
            "shares": r["shares"],
        },
        "alerts": alerts,
        "timeline": [(charts.short_label(iso, "hour"), n) for iso, n in timeline if n],
        "amplifiers": [{"author": a.display, "why": a.why_text or "a relayé plusieurs fois", "posts": a.posts}
                       for a in amplifiers(crisis, posts)],
        "checklist": checklist,
        "reports": list(crisis.reports.select_related("item", "by")),
        "replies": list(crisis.replies.select_related("by")),
        "first_items": posts,
    }
