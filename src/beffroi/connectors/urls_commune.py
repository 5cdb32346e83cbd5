"""The commune's connected accounts (mounted under /c/<commune>/comptes/, namespace workspace)."""

from django.urls import path

from beffroi.connectors import views_accounts as views

urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("import/", views.account_import, name="account_import"),
    path("connecter/<str:platform>/", views.account_connect, name="account_connect"),
    path("guide/<str:platform>/", views.account_guide, name="account_guide"),
    path("<int:account_id>/", views.account_detail, name="account_detail"),
    path("<int:account_id>/synchroniser/", views.account_sync, name="account_sync"),
    path("<int:account_id>/deconnecter/", views.account_disable, name="account_disable"),
]
