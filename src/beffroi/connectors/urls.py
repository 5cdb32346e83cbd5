"""Public endpoints of connectors: webhooks and the website comment widget."""

from django.urls import include, path

from beffroi.connectors import views

urlpatterns = [
    path("hooks/<str:platform>/<int:account_id>/", views.webhook, name="webhook"),
    path("", include("beffroi.connectors.website.urls")),
]
