"""Public pages (no log-in): a commune's published charter, accepting an invitation."""

from django.urls import path

from beffroi.workspace.views import public

urlpatterns = [
    path("charte/<slug:commune>/", public.charter_page, name="public_charter"),
    path("invitation/<str:uidb64>/<str:token>/", public.accept_invitation, name="accept_invitation"),
]
