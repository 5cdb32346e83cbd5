"""URLs of a commune's workspace (mounted under /c/<commune>/).

``urls_moderation`` holds the inbox, queue, item and decision screens; ``urls_governance`` the
charter, team, saved replies, evidence and agreement screens; the connectors app adds the accounts
screens (``beffroi.connectors.urls_commune``).
"""

from django.urls import include, path

from beffroi.workspace.views import dashboard

app_name = "workspace"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("", include("beffroi.workspace.urls_moderation")),
    path("", include("beffroi.workspace.urls_governance")),
    path("comptes/", include("beffroi.connectors.urls_commune")),
]
