"""Acting in the crisis room (permission CRISIS_ACT): the playbook checklist, reporting the false
posts, answering residents with the facts, the information sheet about fake accounts, closing and
reopening. Every action is audited. The views check the permission; these functions check the state
(a closed room accepts no action but reopening) and that the objects belong to the room.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from beffroi.core.audit import log_audit
from beffroi.core.models import Commune
from beffroi.veille.lint import LintWarning, lint_reply
from beffroi.veille.models import (
    Alert,
    ChecklistEntry,
    Crisis,
    CrisisPost,
    CrisisReply,
    CrisisStatus,
    Fact,
    PostReport,
    WatchTerm,
)
from beffroi.workspace.models import Account, AccountStatus, Item

MAX_SHEET_LENGTH = 6000
MAX_REPLY_LENGTH = 2000


class CrisisError(Exception):
    """A refused crisis-room action; ``message`` is French and shown as is."""

    def __init__(self, message: str, *, warnings: list[LintWarning] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.warnings = warnings or []


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    help: str


#: The playbook (practitioners' advice for a false rumour), in order.
PLAYBOOK: tuple[Step, ...] = (
    Step(
        "verify",
        "Vérifier les faits auprès du service concerné",
        "Avant toute réponse, confirmez l'information juste avec le service (piscine, école, marché…).",
    ),
    Step(
        "circle",
        "Resserrer le cercle de décision",
        "Une petite équipe décide ; une seule personne valide chaque message public au nom de la commune.",
    ),
    Step(
        "no_feed",
        "Ne pas nourrir les trolls",
        "Pas de démenti en grand titre qui répète la rumeur, pas de débat avec les comptes qui la lancent.",
    ),
    Step(
        "answer",
        "Répondre aux habitants, un par un, avec les faits",
        "Répondez aux questions sincères avec le fait officiel et le lien vers la source, sans reprendre la rumeur.",
    ),
    Step(
        "report",
        "Signaler les messages faux aux plateformes",
        "Signalez chaque message faux et les faux comptes, sur chaque plateforme (liste ci-dessous).",
    ),
    Step(
        "fake_accounts",
        "Informer les habitants sur les faux comptes",
        "Publiez la fiche d'information : quels sont les comptes officiels, comment reconnaître un faux.",
    ),
)
STEP_KEYS = frozenset(s.key for s in PLAYBOOK)


def _require_open(crisis: Crisis) -> None:
    if crisis.status != CrisisStatus.OPEN:
        raise CrisisError("La cellule de crise est close : rouvrez-la pour agir.")


def _crisis_item(crisis: Crisis, item_id: int) -> Item:
    post = CrisisPost.objects.select_related("item", "item__account", "item__author", "item__commune").filter(
        crisis=crisis, item_id=item_id
    ).first()
    if post is None:
        raise CrisisError("Ce message ne fait pas partie de cette alerte.")
    return post.item


# ---------------------------------------------------------------------------------------------
# Checklist


@transaction.atomic
def tick_step(crisis: Crisis, step: str, actor: Any, *, done: bool = True, note: str = "") -> ChecklistEntry:
    if step not in STEP_KEYS:
        raise CrisisError("Étape inconnue.")
    _require_open(crisis)
    entry, _ = ChecklistEntry.objects.get_or_create(crisis=crisis, step=step)
    entry.done = done
    entry.by = actor
    entry.at = timezone.now()
    entry.note = (note or "").strip()[:300]
    entry.save()
    log_audit("veille.checklist", commune=crisis.commune, actor=actor, target=crisis, step=step, done=done)
    return entry


# ---------------------------------------------------------------------------------------------
# Reports to the platforms


def can_report_on_platform(item: Item, connectors: dict[int, Any] | None = None) -> tuple[bool, str]:
    """Whether Beffroi can report this item through its connector (outbox), else why not (French)."""
    from beffroi.workspace.actions import checks

    if not item.moderated or item.account_id is None:
        return False, "Message publié hors des comptes de la commune : signalez-le depuis la plateforme."
    result = checks.platform_check(item, "report", connectors=connectors)
    return result.allowed, result.reason_fr


@transaction.atomic
def report_post(crisis: Crisis, item_id: int, actor: Any, *, manual: bool, reason: str = "") -> PostReport:
    """Report a false post: through the platform's API (outbox ``report`` action) or record that it
    was reported by hand on the platform."""
    _require_open(crisis)
    item = _crisis_item(crisis, item_id)
    if PostReport.objects.filter(crisis=crisis, item=item).exists():
        raise CrisisError("Ce message est déjà signalé.")
    reason = (reason or "").strip()[:300] or "Fausse information sur la commune (rumeur démentie par les faits officiels)."
    decision = None
    if not manual:
        from beffroi.workspace.actions import checks
        from beffroi.workspace.actions.decisions import do_report

        allowed, why = can_report_on_platform(item)
        if not allowed:
            raise CrisisError(f"{why} Indiquez-le ensuite ici (« Signalé à la main »).")

        try:
            decision = do_report(item, actor, reason=reason)
        except checks.ActionError as exc:
            raise CrisisError(f"{exc.message} Vous pouvez le signaler depuis la plateforme puis l'indiquer ici.") from None
    report = PostReport.objects.create(
        crisis=crisis,
        item=item,
        method=PostReport.Method.MANUAL if manual else PostReport.Method.PLATFORM,
        decision=decision,
        reason=reason,
        by=actor,
    )
    log_audit(
        "veille.post_reported", commune=crisis.commune, actor=actor, target=crisis, item=item.pk,
        method=report.method, decision=decision.pk if decision is not None else None,
    )
    return report


# ---------------------------------------------------------------------------------------------
# Replies to residents


def facts_of(commune: Commune) -> list[str]:
    return list(Fact.objects.filter(commune=commune, active=True).order_by("id").values_list("text", flat=True))


def lint(crisis: Crisis, draft: str) -> list[LintWarning]:
    facts = facts_of(crisis.commune)
    if crisis.contradicted_fact and crisis.contradicted_fact not in facts:
        facts.append(crisis.contradicted_fact)
    claims = [crisis.title, *[a.claim for a in crisis.alerts.all() if a.claim != crisis.title]]
    # the commune's name and its watch terms are no rumour wording ("la piscine de Saint-Aubin")
    neutral = [crisis.commune.name, *WatchTerm.objects.filter(commune=crisis.commune).exclude(kind="other")
               .values_list("text", flat=True)]
    warnings: list[LintWarning] = []
    seen: set[str] = set()
    for claim in claims:
        for w in lint_reply(draft, claim, facts, neutral):
            if w.code not in seen:
                seen.add(w.code)
                warnings.append(w)
    return warnings


def reply_templates(crisis: Crisis) -> list[tuple[str, str]]:
    """(title, text) of reply templates built from the facts: they state the fact and never the rumour."""
    commune = crisis.commune
    fact = crisis.contradicted_fact or next(iter(facts_of(commune)), "")
    source = (
        Fact.objects.filter(commune=commune, text=fact).exclude(source_url="").values_list("source_url", flat=True).first()
        or ""
    )
    where = f" L'information officielle est ici : {source}" if source else " L'information officielle est sur le site de la mairie."
    sign = f"Le service communication de {commune.name}"
    fact_text = fact or "[le fait officiel]"
    return [
        (
            "Réponse à une question",
            f"Bonjour, merci de votre question. {fact_text}{where} Bonne journée. — {sign}",
        ),
        (
            "Réponse à un partage de bonne foi",
            f"Bonjour, merci de votre vigilance. Pour avoir la bonne information : {fact_text}{where} — {sign}",
        ),
        (
            "Réponse courte",
            f"Bonjour, {fact_text[:1].lower() + fact_text[1:] if fact_text else ''}{where} — {sign}",
        ),
    ]


@transaction.atomic
def reply_to_resident(
    crisis: Crisis, item_id: int, actor: Any, text: str, *, manual: bool, confirmed: bool = False
) -> CrisisReply:
    """Answer a resident: through Beffroi where the platform allows it, or record a reply written on
    the platform by hand. A draft that repeats the rumour is sent only once confirmed."""
    _require_open(crisis)
    item = _crisis_item(crisis, item_id)
    cleaned = (text or "").strip()
    if not cleaned:
        raise CrisisError("Écrivez la réponse.")
    if len(cleaned) > MAX_REPLY_LENGTH:
        raise CrisisError(f"La réponse est trop longue ({len(cleaned)} caractères, {MAX_REPLY_LENGTH} au plus).")
    warnings = lint(crisis, cleaned)
    if warnings and not confirmed:
        raise CrisisError("Relisez le brouillon avant l'envoi :", warnings=warnings)
    decision = None
    if not manual:
        from beffroi.workspace.actions import checks
        from beffroi.workspace.actions.decisions import do_reply

        try:
            decision = do_reply(item, actor, cleaned)
        except checks.ActionError as exc:
            raise CrisisError(
                f"{exc.message} Vous pouvez répondre depuis la plateforme puis l'indiquer ici."
            ) from None
    reply = CrisisReply.objects.create(
        crisis=crisis,
        item=item,
        text=cleaned,
        method=CrisisReply.Method.MANUAL if manual else CrisisReply.Method.PLATFORM,
        decision=decision,
        warnings=[w.to_dict() for w in warnings],
        by=actor,
    )
    log_audit(
        "veille.resident_answered", commune=crisis.commune, actor=actor, target=crisis, item=item.pk,
        method=reply.method, warnings=[w.code for w in warnings],
    )
    return reply


# ---------------------------------------------------------------------------------------------
# Information sheet about fake accounts


def default_info_sheet(commune: Commune) -> str:
    accounts = Account.objects.filter(commune=commune, owned=True).exclude(status=AccountStatus.DISABLED)
    official = [
        f"- {a.name} ({a.platform}){' : ' + a.url if a.url else ''}"
        for a in accounts.order_by("platform", "name")
        if a.platform not in ("import", "replay", "website")
    ]
    listing = "\n".join(official) or "- [ajoutez ici les comptes officiels de la commune]"
    contact = commune.contact_email or "[téléphone ou e-mail de l'accueil de la mairie]"
    return (
        f"Attention aux faux comptes\n\n"
        f"Ces derniers jours, de fausses informations sur {commune.name} ont circulé sur les réseaux sociaux, "
        "parfois publiées par des comptes qui se font passer pour la mairie ou pour des habitants.\n\n"
        f"Les seuls comptes officiels de la commune sont :\n{listing}\n\n"
        "Comment reconnaître un faux compte :\n"
        "- il a été créé très récemment et compte peu d'abonnés ;\n"
        "- son nom ressemble à celui de la mairie, sans être exactement le même ;\n"
        "- il publie surtout des messages alarmants et demande de « partager vite » ;\n"
        "- il ne renvoie jamais vers le site officiel de la commune.\n\n"
        "En cas de doute :\n"
        "- vérifiez sur le site de la mairie ou auprès de l'accueil "
        f"({contact}) ;\n"
        "- ne partagez pas le message ;\n"
        "- signalez le compte à la plateforme (menu « … » puis « Signaler »).\n\n"
        f"Merci de votre vigilance. — La mairie de {commune.name}"
    )


@transaction.atomic
def save_info_sheet(crisis: Crisis, text: str, actor: Any) -> list[LintWarning]:
    cleaned = (text or "").strip()
    if not cleaned:
        raise CrisisError("La fiche est vide : écrivez son texte (ou gardez le modèle proposé).")
    if len(cleaned) > MAX_SHEET_LENGTH:
        raise CrisisError(f"La fiche est trop longue ({len(cleaned)} caractères, {MAX_SHEET_LENGTH} au plus).")
    crisis.info_sheet = cleaned
    crisis.info_sheet_updated_at = timezone.now()
    crisis.info_sheet_updated_by = actor
    crisis.save(update_fields=["info_sheet", "info_sheet_updated_at", "info_sheet_updated_by"])
    log_audit("veille.info_sheet_saved", commune=crisis.commune, actor=actor, target=crisis, length=len(cleaned))
    return [w for w in lint(crisis, cleaned) if w.code == "repeats_claim"]


# ---------------------------------------------------------------------------------------------
# Opening, closing, reopening


@transaction.atomic
def open_from_alert(alert: Alert, actor: Any) -> Crisis:
    """Open a crisis room for an alert that did not open one (a spike the team wants to follow)."""
    from beffroi.veille.actions.alerts import add_crisis_posts, open_crisis

    if alert.crisis_id:
        return alert.crisis  # type: ignore[return-value]
    crisis = Crisis.objects.filter(commune=alert.commune, cluster_id=alert.cluster_id).order_by("-id").first()
    if crisis is None:
        crisis = open_crisis(alert, actor=actor)
    Alert.objects.filter(pk=alert.pk).update(crisis=crisis)
    alert.crisis = crisis
    ids = [int(p) for p in alert.post_ids if str(p).isdigit()]
    add_crisis_posts(crisis, ids, claim_ids=set(ids))
    from beffroi.veille.models import Mention

    more = list(
        Mention.objects.filter(commune=alert.commune, cluster_id=alert.cluster_id).values_list("item_id", flat=True)[:3000]
    )
    add_crisis_posts(crisis, more)
    _sync_with_detector(crisis)
    return crisis


def _sync_with_detector(crisis: Crisis) -> None:
    """Bring in the posts the detector's cluster holds now (read from its saved state)."""
    from beffroi.veille.actions.alerts import sync_crisis_posts
    from beffroi.veille.actions.detection import load_detector
    from beffroi.veille.models import DetectorState
    from beffroi.veille.provider import config_for

    row = DetectorState.objects.filter(commune=crisis.commune).select_related("commune").first()
    if row is None or not row.state:
        return
    sync_crisis_posts(crisis, load_detector(row, config_for(crisis.commune)))


@transaction.atomic
def close_crisis(crisis: Crisis, actor: Any, *, note: str = "") -> Crisis:
    _require_open(crisis)
    crisis.status = CrisisStatus.CLOSED
    crisis.closed_at = timezone.now()
    crisis.closed_by = actor
    crisis.closing_note = (note or "").strip()[:4000]
    crisis.save(update_fields=["status", "closed_at", "closed_by", "closing_note"])
    log_audit("veille.crisis_closed", commune=crisis.commune, actor=actor, target=crisis)
    return crisis


@transaction.atomic
def reopen_crisis(crisis: Crisis, actor: Any) -> Crisis:
    if crisis.status == CrisisStatus.OPEN:
        raise CrisisError("La cellule de crise est déjà ouverte.")
    crisis.status = CrisisStatus.OPEN
    crisis.closed_at = None
    crisis.closed_by = None
    crisis.save(update_fields=["status", "closed_at", "closed_by"])
    log_audit("veille.crisis_reopened", commune=crisis.commune, actor=actor, target=crisis)
    return crisis


def record_report_generated(crisis: Crisis, actor: Any, *, size: int) -> None:
    """The post-crisis report leaves Beffroi: keep a trace of who took it."""
    log_audit("veille.report_generated", commune=crisis.commune, actor=actor, target=crisis, size=size)
