"""Governance screens of a commune (mounted under /c/<commune>/, namespace ``workspace``): charter
editor, team, saved replies and services, evidence, retention, agreement with the engine."""

from django.urls import path

from beffroi.workspace.views import governance_charter as charter
from beffroi.workspace.views import governance_evidence as evidence
from beffroi.workspace.views import governance_learning as learning
from beffroi.workspace.views import governance_replies as replies
from beffroi.workspace.views import governance_team as team

urlpatterns = [
    # Charter
    path("charte/", charter.charter, name="charter"),
    path("charte/versions/", charter.charter_versions, name="charter_versions"),
    path("charte/versions/<int:version>/", charter.charter_version, name="charter_version"),
    path("charte/versions/<int:version>/publier/", charter.charter_publish, name="charter_publish"),
    # Team
    path("equipe/", team.team, name="team"),
    path("equipe/ajouter/", team.team_add, name="team_add"),
    path("equipe/<int:member_id>/", team.team_member, name="team_member"),
    path("equipe/<int:member_id>/retirer/", team.team_remove, name="team_remove"),
    path("equipe/<int:member_id>/acces/", team.team_access, name="team_access"),
    # Saved replies and services
    path("reponses/", replies.saved_replies, name="saved_replies"),
    path("reponses/nouvelle/", replies.saved_reply_edit, name="saved_reply_new"),
    path("reponses/<int:reply_id>/", replies.saved_reply_edit, name="saved_reply_edit"),
    path("reponses/<int:reply_id>/supprimer/", replies.saved_reply_delete, name="saved_reply_delete"),
    path("services/", replies.services, name="services"),
    path("services/nouveau/", replies.service_edit, name="service_new"),
    path("services/<int:service_id>/", replies.service_edit, name="service_edit"),
    path("services/<int:service_id>/supprimer/", replies.service_delete, name="service_delete"),
    # Evidence and retention
    path("preuves/", evidence.evidence, name="evidence"),
    path("preuves/export/", evidence.evidence_export, name="evidence_export"),
    path("preuves/verifier/", evidence.evidence_verify, name="evidence_verify"),
    path("preuves/<int:seq>/", evidence.evidence_detail, name="evidence_detail"),
    path("preuves/gel/<int:item_id>/", evidence.legal_hold, name="legal_hold"),
    path("conservation/", evidence.retention_settings, name="retention"),
    # Agreement with the engine, and the commune's model
    path("accord/", learning.agreement, name="agreement"),
    path("accord/modele/", learning.model_update, name="model_update"),
]
