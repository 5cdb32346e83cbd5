"""Log-in, log-out, the home page listing the user's communes, and a health probe."""

from __future__ import annotations

from django import forms
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from beffroi.core.labels import role_label
from beffroi.core.models import Membership


class FrenchAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Identifiant ou mot de passe incorrect. Vérifiez la saisie (majuscules comprises)."),
        "inactive": _("Ce compte est désactivé. Contactez la direction de la communication."),
    }

    username = forms.CharField(label=_("Identifiant"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(
        label=_("Mot de passe"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = FrenchAuthenticationForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user, commune__is_active=True)
        .select_related("commune")
        .order_by("commune__name")
    )
    rows = [{"commune": m.commune, "role_label": role_label(m.role)} for m in memberships]
    return render(request, "core/home.html", {"rows": rows})


def health(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
