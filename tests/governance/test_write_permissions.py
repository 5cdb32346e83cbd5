"""Every governance write is refused to a member whose role lacks the permission — by the screen (403
on POST, nothing written) AND by the action itself (``ActionForbidden``), so a new caller (a job,
the command line, another screen) cannot skip the check.

Each screen case also posts the same form as the communication director and checks that it DOES
write: the 403 is not a side effect of an invalid form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, reverse

from beffroi.core.models import AuditRecord, Commune, Membership
from beffroi.core.roles import Perm, Role, has_perm
from beffroi.workspace import urls_governance, urls_moderation
from beffroi.workspace.actions import charter as charter_actions
from beffroi.workspace.actions import duty as duty_actions
from beffroi.workspace.actions import replies as replies_actions
from beffroi.workspace.actions import retention as retention_actions
from beffroi.workspace.actions import team as team_actions
from beffroi.workspace.actions.checks import ActionForbidden, ActionNotFound
from beffroi.workspace.actions.evidence import do_verify_chain
from beffroi.workspace.actions.learning import do_request_model_update
from beffroi.workspace.models import (
    Charter,
    CommuneModel,
    EvidenceRecord,
    Item,
    OnCallShift,
    SavedReply,
    Service,
)
from tests.governance.test_charter import as_post, form_data

pytestmark = pytest.mark.django_db

ALL_PATTERNS = {
    p.name: p for p in [*urls_governance.urlpatterns, *urls_moderation.urlpatterns] if isinstance(p, URLPattern)
}
# Governance screens that only read (a POST to the charter editor without a matching preview digest
# only previews).
READ_ONLY = {
    "charter_versions",
    "charter_version",
    "team",
    "saved_replies",
    "services",
    "evidence",
    "evidence_detail",
    "agreement",
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def setup(commune: Any, make_member: Any, make_item: Any, make_decision: Any, director: Any) -> dict[str, Any]:
    """What the screens act on: a lecteur (team screens), a saved reply and a service, an item with
    evidence, an unpublished charter version 2, an on-call shift; and one member per role."""
    from beffroi.workspace.actions.evidence import record_evidence

    lecteur = make_member(commune, Role.LECTEUR)
    charter_actions.ensure_published_default(commune)
    draft, _, _ = charter_actions.draft_from_form(
        as_post(form_data(charter_actions.current_charter(commune), **{"label-spam-action": "review"})), commune
    )
    assert draft is not None
    charter_actions.save_charter(commune, draft, actor=None, publish=False)
    item = make_item(commune, "Espèce d'idiot", ("insult",), "review")
    evidence = record_evidence(item, make_decision(item, "hide"))
    shift = duty_actions.do_add_shift(commune, actor=None, user=lecteur)
    return {
        "director": director,
        "members": {role: make_member(commune, role) for role in Role},
        "lecteur": lecteur,
        "ids": {
            "member_id": Membership.objects.get(user=lecteur, commune=commune).pk,
            "service_id": replies_actions.do_save_service(commune, actor=None, name="Voirie").pk,
            "reply_id": replies_actions.do_save_reply(commune, actor=None, title="Merci", text="Merci !").pk,
            "item_id": item.pk,
            "seq": evidence.seq,
            "version": 2,
            "shift_id": shift.pk,
        },
    }


def snapshot(commune: Any) -> dict[str, Any]:
    """Everything a governance screen may write."""
    fresh = Commune.objects.get(pk=commune.pk)
    return {
        "audit": list(AuditRecord.objects.order_by("id").values_list("id", "verb")),
        "charters": list(Charter.objects.order_by("id").values_list("id", "version", "published", "digest")),
        "members": list(
            Membership.objects.order_by("id").values_list("id", "user_id", "commune_id", "role", "in_crisis_circle", "phone")
        ),
        "users": list(get_user_model().objects.order_by("id").values_list("id", "username", "password", "email")),
        "replies": list(SavedReply.objects.order_by("id").values_list("id", "title", "text", "kind", "service_id")),
        "services": list(Service.objects.order_by("id").values_list("id", "name", "email", "keywords")),
        "items": list(Item.objects.order_by("id").values_list("id", "legal_hold", "deadline_at", "status")),
        "evidence": EvidenceRecord.objects.count(),
        "shifts": list(OnCallShift.objects.order_by("id").values_list("id", "user_id", "starts_at", "ends_at")),
        "models": CommuneModel.objects.count(),
        "commune": [
            getattr(fresh, name)
            for name in (*duty_actions.SETTINGS_FIELDS, "retention_severe_days", "retention_default_days")
        ],
    }


def _charter_save(commune: Any, ids: dict[str, Any]) -> dict[str, Any]:
    data = form_data(charter_actions.current_charter(commune), **{"label-insult-action": "keep", "note": "Conseil"})
    draft, errors, _ = charter_actions.draft_from_form(as_post(data), commune)
    assert draft is not None and not errors
    return {**data, "_action": "save", "preview_digest": charter_actions.draft_digest(draft)}


DUTY_FORM = {
    "working_days": ["0", "1", "2", "3"],
    "work_start": "08:30",
    "work_end": "12:30",
    "review_deadline_hours": "16",
    "reminder_before_hours": "2",
    "oncall_enabled": "on",
    "oncall_deadline_hours": "4",
    "oncall_labels": ["hate", "threat"],
    "recompute": "on",
}

# Every governance screen that writes, with a valid form (the director's post must write).
WRITES: dict[str, Callable[[Any, dict[str, Any]], dict[str, Any]]] = {
    "charter": _charter_save,
    "charter_publish": lambda commune, ids: {},
    "legal_hold": lambda commune, ids: {"held": "1", "reason": "Plainte déposée le 3 mars"},
    "retention": lambda commune, ids: {"severe_months": "20", "default_months": "7"},
    "duty": lambda commune, ids: DUTY_FORM,
    "duty_shift_add": lambda commune, ids: {"user": str(Membership.objects.get(pk=ids["member_id"]).user_id), "note": "week-end"},
    "duty_shift_remove": lambda commune, ids: {},
    "saved_reply_new": lambda commune, ids: {"title": "Horaires", "kind": "answer", "service": "", "text": "La mairie ouvre à 9 h."},
    "saved_reply_edit": lambda commune, ids: {"title": "Merci bien", "kind": "answer", "service": "", "text": "Merci beaucoup !"},
    "saved_reply_delete": lambda commune, ids: {},
    "service_new": lambda commune, ids: {"name": "Urbanisme", "email": "urba@mairie.fr", "keywords": "permis"},
    "service_edit": lambda commune, ids: {"name": "Voirie et propreté", "email": "voirie@mairie.fr", "keywords": "trottoir"},
    "service_delete": lambda commune, ids: {},
    "evidence_export": lambda commune, ids: {"seqs": [str(ids["seq"])], "purpose": "plainte", "fmt": "zip", "note": ""},
    "evidence_verify": lambda commune, ids: {},
    "model_update": lambda commune, ids: {},
    "team_add": lambda commune, ids: {
        "first_name": "Martine", "last_name": "Lefort", "username": "martine.lefort", "email": "",
        "role": "secretaire", "access": "password", "phone": "",
    },
    "team_member": lambda commune, ids: {"role": "elu", "in_crisis_circle": "on", "phone": "06 12 34 56 78"},
    "team_remove": lambda commune, ids: {},
    "team_access": lambda commune, ids: {"access": "password"},
}


def test_every_governance_screen_is_either_read_only_or_covered_here() -> None:
    governance = {p.name for p in urls_governance.urlpatterns if isinstance(p, URLPattern)}
    assert governance - READ_ONLY <= set(WRITES), governance - READ_ONLY - set(WRITES)
    # The duty screens (moderation URLs) are covered too.
    assert {"duty", "duty_shift_add", "duty_shift_remove"} <= set(WRITES)


def _url(name: str, slug: str, ids: dict[str, Any]) -> str:
    pattern = ALL_PATTERNS[name]
    kwargs = {"commune": slug, **{key: ids[key] for key in pattern.pattern.converters}}
    return reverse(f"workspace:{name}", kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(WRITES))
def test_members_without_the_permission_get_403_and_nothing_is_written(
    client: Any, commune: Any, setup: dict[str, Any], name: str
) -> None:
    perm = ALL_PATTERNS[name].callback.required_perm  # type: ignore[attr-defined]
    forbidden = [role for role in Role if not has_perm(role, perm)]
    assert forbidden, f"{name}: every role may do it?"
    ids = setup["ids"]
    url = _url(name, commune.slug, ids)
    data = WRITES[name](commune, ids)
    before = snapshot(commune)
    for role in forbidden:
        client.force_login(setup["members"][role])
        response = client.post(url, data)
        assert response.status_code == 403, f"{role} {name}: {response.status_code}"
        assert snapshot(commune) == before, f"{role} {name} wrote something"
    # The same form, posted by the communication director, writes.
    client.force_login(setup["director"])
    response = client.post(url, data)
    assert response.status_code in (200, 302), f"director {name}: {response.status_code}"
    assert snapshot(commune) != before, f"director {name}: nothing written, the form above proves nothing"


# ---------------------------------------------------------------------------------------------
# The actions themselves


def _actions(commune: Any, ids: dict[str, Any], lecteur: Any) -> dict[str, tuple[Perm, Callable[[Any], Any]]]:
    membership = Membership.objects.get(pk=ids["member_id"])
    reply = SavedReply.objects.get(pk=ids["reply_id"])
    service = Service.objects.get(pk=ids["service_id"])
    item = Item.objects.get(pk=ids["item_id"])
    shift = OnCallShift.objects.get(pk=ids["shift_id"])
    draft = charter_actions.workspace_default_charter({"insult"})
    unpublished = Charter.objects.get(commune=commune, version=2)
    duty = {
        "working_days": [0, 1, 2, 3], "work_start": dt.time(8, 30), "work_end": dt.time(12, 30),
        "review_deadline_hours": 16, "reminder_before_hours": 2, "oncall_enabled": True,
        "oncall_deadline_hours": 4, "oncall_labels": ["hate"],
    }
    return {
        "save_charter": (Perm.EDIT_CHARTER, lambda a: charter_actions.save_charter(commune, draft, actor=a)),
        "publish_version": (Perm.EDIT_CHARTER, lambda a: charter_actions.publish_version(unpublished, actor=a)),
        "do_set_legal_hold": (Perm.LEGAL_HOLD, lambda a: retention_actions.do_set_legal_hold(item, held=True, actor=a, reason="PV 12")),
        "do_set_retention": (
            Perm.EDIT_CHARTER, lambda a: retention_actions.do_set_retention(commune, actor=a, severe_days=600, default_days=200)
        ),
        "do_save_duty_settings": (Perm.MANAGE_TEAM, lambda a: duty_actions.do_save_duty_settings(commune, actor=a, **duty)),
        "do_add_shift": (Perm.MANAGE_TEAM, lambda a: duty_actions.do_add_shift(commune, actor=a, user=lecteur)),
        "do_remove_shift": (Perm.MANAGE_TEAM, lambda a: duty_actions.do_remove_shift(shift, actor=a)),
        "do_save_reply": (
            Perm.MANAGE_SAVED_REPLIES, lambda a: replies_actions.do_save_reply(commune, actor=a, title="T", text="Texte")
        ),
        "do_save_reply (edit)": (
            Perm.MANAGE_SAVED_REPLIES,
            lambda a: replies_actions.do_save_reply(commune, actor=a, title="T", text="Texte", reply=reply),
        ),
        "do_delete_reply": (Perm.MANAGE_SAVED_REPLIES, lambda a: replies_actions.do_delete_reply(commune, reply, actor=a)),
        "do_save_service": (Perm.MANAGE_SAVED_REPLIES, lambda a: replies_actions.do_save_service(commune, actor=a, name="Écoles")),
        "do_save_service (edit)": (
            Perm.MANAGE_SAVED_REPLIES, lambda a: replies_actions.do_save_service(commune, actor=a, name="Rues", service=service)
        ),
        "do_delete_service": (Perm.MANAGE_SAVED_REPLIES, lambda a: replies_actions.do_delete_service(commune, service, actor=a)),
        "do_add_member": (
            Perm.MANAGE_TEAM,
            lambda a: team_actions.do_add_member(commune, actor=a, username="nouveau", role="lecteur", method="password"),
        ),
        "do_change_role": (Perm.MANAGE_TEAM, lambda a: team_actions.do_change_role(membership, role="elu", actor=a)),
        "do_update_member": (
            Perm.MANAGE_TEAM, lambda a: team_actions.do_update_member(membership, actor=a, in_crisis_circle=True, phone="")
        ),
        "do_edit_member": (
            Perm.MANAGE_TEAM,
            lambda a: team_actions.do_edit_member(membership, actor=a, role="elu", in_crisis_circle=True, phone=""),
        ),
        "do_remove_member": (Perm.MANAGE_TEAM, lambda a: team_actions.do_remove_member(membership, actor=a)),
        "do_renew_access": (Perm.MANAGE_TEAM, lambda a: team_actions.do_renew_access(membership, actor=a, method="password")),
        "do_verify_chain": (Perm.EXPORT_EVIDENCE, lambda a: do_verify_chain(commune, actor=a)),
        "do_request_model_update": (Perm.EDIT_CHARTER, lambda a: do_request_model_update(commune, actor=a)),
    }


def test_the_actions_refuse_a_member_whose_role_lacks_the_permission(
    commune: Any, other_commune: Any, make_member: Any, setup: dict[str, Any]
) -> None:
    outsider = make_member(other_commune, Role.DIRECTION_COM)  # every permission, in another commune
    actions = _actions(commune, setup["ids"], setup["lecteur"])
    before = snapshot(commune)
    for name, (perm, call) in actions.items():
        forbidden = [role for role in Role if not has_perm(role, perm)]
        assert forbidden, name
        for role in forbidden:
            with pytest.raises(ActionForbidden, match="Votre rôle ne permet pas"):
                call(setup["members"][role])
            assert snapshot(commune) == before, f"{name} wrote something for {role}"
        with pytest.raises(ActionNotFound):
            call(outsider)
        assert snapshot(commune) == before, f"{name} wrote something for a member of another commune"


def test_the_actions_let_the_director_and_beffroi_itself_act(commune: Any, setup: dict[str, Any]) -> None:
    """The refusals above are not the only outcome: the director (and ``actor=None``, Beffroi's own
    jobs and setup) may act, and each write is audited."""
    director = setup["director"]
    ids = setup["ids"]
    retention_actions.do_set_retention(commune, actor=director, severe_days=600, default_days=200)
    assert AuditRecord.objects.filter(verb="retention.settings_changed", actor=director).get().data == {
        "old": [456, 183], "new": [600, 200]
    }
    assert (Commune.objects.get(pk=commune.pk).retention_severe_days, commune.retention_default_days) == (600, 200)
    with pytest.raises(retention_actions.RetentionError, match="au moins aussi longtemps"):
        retention_actions.do_set_retention(commune, actor=director, severe_days=100, default_days=200)
    replies_actions.do_save_reply(commune, actor=director, title="Horaires", text="9 h - 17 h")
    retention_actions.do_set_legal_hold(Item.objects.get(pk=ids["item_id"]), held=True, actor=None, reason="Plainte")
    assert Item.objects.get(pk=ids["item_id"]).legal_hold
    Item.objects.filter(pk=ids["item_id"]).update(status="review")
    changed = duty_actions.do_save_duty_settings(
        commune, actor=director, working_days=[0, 1, 2, 3], work_start=dt.time(9), work_end=dt.time(17),
        review_deadline_hours=8, reminder_before_hours=2, oncall_enabled=False, oncall_deadline_hours=4, oncall_labels=[],
    )
    assert changed == 1  # the item waiting for review got a new deadline
    audit = AuditRecord.objects.get(verb="commune.duty_settings")
    assert audit.actor == director and audit.data["recomputed"] == 1
    assert "[0, 1, 2, 3]" in audit.data["after"]["working_days"]
