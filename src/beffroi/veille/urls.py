"""URLs of the watch, the rumour alerts and the crisis room (mounted under /c/<commune>/veille/)."""

from django.urls import path

from beffroi.veille import views_alerts, views_crisis, views_settings, views_watch

app_name = "veille"

urlpatterns = [
    # watch
    path("", views_watch.home, name="home"),
    path("mentions/", views_watch.mentions, name="mentions"),
    path("volumes/", views_watch.volumes, name="volumes"),
    path("resume/", views_alerts.digest, name="digest"),
    path("resume/apercu/", views_alerts.digest_preview, name="digest_preview"),
    # alerts and crisis room
    path("alertes/", views_alerts.alerts, name="alerts"),
    path("alertes/<int:alert_id>/suivre/", views_alerts.alert_follow, name="alert_follow"),
    path("crise/<int:crisis_id>/", views_crisis.room, name="crisis"),
    path("crise/<int:crisis_id>/etape/", views_crisis.step, name="crisis_step"),
    path("crise/<int:crisis_id>/signaler/", views_crisis.report, name="crisis_report"),
    path("crise/<int:crisis_id>/relire/", views_crisis.check_reply, name="crisis_check_reply"),
    path("crise/<int:crisis_id>/repondre/", views_crisis.reply, name="crisis_reply"),
    path("crise/<int:crisis_id>/fiche/", views_crisis.info_sheet, name="crisis_sheet"),
    path("crise/<int:crisis_id>/fiche.txt", views_crisis.info_sheet_text, name="crisis_sheet_text"),
    path("crise/<int:crisis_id>/cloture/", views_crisis.close, name="crisis_close"),
    path("crise/<int:crisis_id>/reouvrir/", views_crisis.reopen, name="crisis_reopen"),
    path("crise/<int:crisis_id>/rapport.pdf", views_crisis.report_pdf, name="crisis_pdf"),
    # settings
    path("reglages/termes/", views_settings.terms, name="settings_terms"),
    path("reglages/termes/<int:term_id>/retirer/", views_settings.term_remove, name="term_remove"),
    path("reglages/faits/", views_settings.facts, name="settings_facts"),
    path("reglages/faits/<int:fact_id>/", views_settings.fact_edit, name="fact_edit"),
    path("reglages/faits/<int:fact_id>/basculer/", views_settings.fact_toggle, name="fact_toggle"),
    path("reglages/sources/", views_settings.sources, name="settings_sources"),
    path("reglages/alertes/", views_settings.alerting, name="settings_alerting"),
    path("reglages/webhooks/nouveau/", views_settings.webhook_edit, name="webhook_new"),
    path("reglages/webhooks/<int:webhook_id>/", views_settings.webhook_edit, name="webhook_edit"),
    path("reglages/webhooks/<int:webhook_id>/secret/", views_settings.webhook_secret, name="webhook_secret"),
    path("reglages/webhooks/<int:webhook_id>/supprimer/", views_settings.webhook_delete, name="webhook_delete"),
    path("reglages/envois/<int:delivery_id>/reessayer/", views_settings.delivery_retry, name="delivery_retry"),
]
