"""E-mails of the workflow: escalations, questions routed to a service, block requests to approve,
deadline reminders and on-call alerts.

They are sent after the decision's transaction commits (``transaction.on_commit``), in plain French,
with a link to the screen. E-mails never carry the text of a private message; reminders carry counts
and links only (an e-mail box is less protected than Beffroi).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from beffroi.core.models import Commune, Membership
from beffroi.core.roles import Perm, Role, has_perm
from beffroi.workspace.actions.verdicts import label_fr
from beffroi.workspace.models import BlockRequest, Decision, Item, ItemKind, ItemStatus

logger = logging.getLogger(__name__)


def _url(name: str, **kwargs: object) -> str:
    return str(settings.BEFFROI_BASE_URL).rstrip("/") + reverse(name, kwargs=kwargs)


def item_url(item: Item) -> str:
    return _url("workspace:item", commune=item.commune.slug, item_id=item.pk)


def _members(commune: Commune, *, perm: Perm | None = None, roles: Iterable[Role] | None = None, exclude_user: int | None = None) -> list[Membership]:
    members = Membership.objects.filter(commune=commune).select_related("user")
    if roles is not None:
        members = members.filter(role__in=[r.value for r in roles])
    result = []
    for m in members:
        if perm is not None and not has_perm(m.role, perm):
            continue
        if exclude_user is not None and m.user_id == exclude_user:
            continue
        if m.user.email and m.user.is_active:
            result.append(m)
    return result


def _send(subject: str, body: str, to: list[str], *, reply_to: list[str] | None = None) -> bool:
    to = sorted(set(to))
    if not to:
        return False
    message = EmailMessage(f"[Beffroi] {subject}", body, None, to, reply_to=reply_to)
    try:
        message.send(fail_silently=False)
    except Exception:  # the screens show the state; a mail server down must not break the workflow
        logger.exception("could not send e-mail %r", subject)
        return False
    return True


def _direction_emails(commune: Commune, *, exclude_user: int | None = None) -> list[str]:
    emails = [m.user.email for m in _members(commune, roles=[Role.DIRECTION_COM], exclude_user=exclude_user)]
    if not emails and commune.contact_email:
        emails = [commune.contact_email]
    return emails


def _excerpt(item: Item, limit: int = 400) -> str:
    if item.kind == ItemKind.PRIVATE_MESSAGE:
        return "(message privé : texte visible dans Beffroi uniquement)"
    text = item.text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _labels(item: Item) -> str:
    verdict = item.current_verdict
    if verdict is None or not verdict.labels:
        return "aucun motif détecté"
    return ", ".join(label_fr(lbl).lower() for lbl in verdict.labels)


def escalated_by_person(decision_id: int) -> bool:
    decision = Decision.objects.select_related("item", "commune", "actor").filter(pk=decision_id).first()
    if decision is None or decision.item is None:
        return False
    item, commune = decision.item, decision.commune
    who = decision.actor_label
    body = (
        "Bonjour,\n\n"
        f"{who} vous transmet un élément reçu par {commune.name} ({item.platform}) : il demande votre décision.\n\n"
        f"Motifs détectés : {_labels(item)}\n"
        f"Note : {decision.note or '(aucune)'}\n\n"
        f"Texte :\n{_excerpt(item)}\n\n"
        f"Pour décider : {item_url(item)}\n\n— Beffroi\n"
    )
    return _send(f"Élément transmis par {who}", body, _direction_emails(commune, exclude_user=decision.actor_id))


def routed_to_service(decision_id: int) -> bool:
    decision = Decision.objects.select_related("item", "commune", "actor", "item__author").filter(pk=decision_id).first()
    if decision is None or decision.item is None:
        return False
    item, data = decision.item, decision.data or {}
    email = data.get("service_email")
    if not email:
        return False
    author = str(item.author) if item.author is not None else "une personne"
    where = f" ({item.url})" if item.url else ""
    reply_to = [decision.actor.email] if decision.actor is not None and decision.actor.email else None
    body = (
        f"Bonjour,\n\nUne question posée à {decision.commune.name} sur {item.platform}{where} concerne votre "
        f"service ({data.get('service_name', '')}).\n\n"
        f"De : {author}\nLe : {item.published_at:%d/%m/%Y à %H:%M}\n\n{item.text.strip()}\n\n"
        f"Message de {decision.actor_label} : {decision.note or '(aucun)'}\n\n"
        "Merci de transmettre les éléments de réponse en répondant à ce message ; la réponse sera publiée par "
        "l'équipe de communication.\n\n— Beffroi\n"
    )
    return _send(f"Question à traiter : {data.get('service_name', '')}", body, [email], reply_to=reply_to)


def block_requested(request_id: int) -> bool:
    request = BlockRequest.objects.select_related("author", "commune", "requested_by").filter(pk=request_id).first()
    if request is None:
        return False
    commune = request.commune
    to = [m.user.email for m in _members(commune, perm=Perm.APPROVE_BLOCK, exclude_user=request.requested_by_id)]
    requester = request.requested_by.get_full_name() or request.requested_by.get_username()
    body = (
        "Bonjour,\n\n"
        f"{requester} demande le blocage de « {request.author} » ({request.author.platform}) pour "
        f"{request.duration_days} jour(s).\nMotif : {request.reason}\n\n"
        "Un blocage doit être approuvé par une deuxième personne. Pour approuver ou refuser :\n"
        f"{_url('workspace:blocks', commune=commune.slug)}\n\n— Beffroi\n"
    )
    return _send("Blocage à approuver", body, to)


def oncall_alert(item_id: int) -> bool:
    from beffroi.workspace.actions.deadlines import oncall_members

    item = Item.objects.select_related("commune", "current_verdict", "author").filter(pk=item_id).first()
    if item is None:
        return False
    commune = item.commune
    users = set(oncall_members(commune))
    to = [m.user.email for m in _members(commune) if m.user_id in users]
    deadline = item.deadline_at.astimezone(commune_zone(commune)) if item.deadline_at else None
    body = (
        "Bonjour,\n\n"
        f"Astreinte {commune.name} : un message à traiter rapidement vient d'arriver ({item.platform}).\n"
        f"Motifs détectés : {_labels(item)}\n"
        + (f"À traiter avant : {deadline:%d/%m à %H:%M}\n" if deadline else "")
        + f"\nTexte :\n{_excerpt(item)}\n\nPour le masquer ou le transmettre : {item_url(item)}\n\n"
        "En cas de menace grave et imminente, appelez le 17.\n\n— Beffroi\n"
    )
    sent = _send(f"Astreinte : {_labels(item)}", body, to)
    from beffroi.core.audit import log_audit

    log_audit("oncall.alert", commune=commune, actor_label="Beffroi (astreinte)", target=item, recipients=len(set(to)), sent=sent)
    return sent


def commune_zone(commune: Commune) -> object:
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(commune.timezone)
    except Exception:
        return ZoneInfo("Europe/Paris")


def deadline_reminder(commune_id: int, item_ids: list[int]) -> int:
    """One e-mail per moderator, with the count of items THEY may see, not the texts."""
    commune = Commune.objects.get(pk=commune_id)
    items = list(Item.objects.filter(pk__in=item_ids))
    sent = 0
    for member in _members(commune, perm=Perm.MODERATE):
        visible = [i for i in items if not i.is_private or has_perm(member.role, Perm.VIEW_PRIVATE)]
        if not visible:
            continue
        questions = sum(1 for i in visible if i.status == ItemStatus.TODO)
        body = (
            "Bonjour,\n\n"
            f"{len(visible)} élément(s) de {commune.name} arrivent bientôt à échéance sans décision"
            + (f", dont {questions} question(s) qui attendent une réponse" if questions else "")
            + ".\nSans décision avant l'échéance, ils seront transmis à la direction de la communication.\n\n"
            f"File à traiter : {_url('workspace:queue', commune=commune.slug)}\n"
            + (f"Questions à traiter : {_url('workspace:todo', commune=commune.slug)}\n" if questions else "")
            + "\n— Beffroi\n"
        )
        sent += int(_send(f"{len(visible)} élément(s) à traiter bientôt", body, [member.user.email]))
    return sent


def deadline_escalation(commune_id: int, item_ids: list[int]) -> bool:
    commune = Commune.objects.get(pk=commune_id)
    body = (
        "Bonjour,\n\n"
        f"{len(item_ids)} élément(s) de {commune.name} ont dépassé leur délai de traitement sans décision : "
        "ils vous sont transmis.\n\n"
        f"Éléments en retard : {_url('workspace:queue', commune=commune.slug)}?status=escalated\n\n— Beffroi\n"
    )
    return _send(f"{len(item_ids)} élément(s) en retard transmis", body, _direction_emails(commune))
