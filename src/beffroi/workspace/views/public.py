"""Public pages (no log-in): a commune's published charter, and accepting an invitation to a team."""

from __future__ import annotations

from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from beffroi.core.audit import log_audit
from beffroi.core.models import Commune, Membership
from beffroi.workspace.models import Charter


def charter_page(request: HttpRequest, commune: str) -> HttpResponse:
    from beffroi.workspace.actions.charter import public_view

    obj = get_object_or_404(Commune, slug=commune, is_active=True)
    charter = Charter.objects.filter(commune=obj, published=True).order_by("-version").first()
    if charter is None:
        raise Http404("Cette commune n'a pas encore publié sa charte.")
    return render(
        request, "workspace/public_charter.html", {"commune": obj, "charter": charter, "view": public_view(charter)}
    )


class FrenchSetPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    error_messages = {"password_mismatch": "Les deux mots de passe ne sont pas identiques."}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["new_password1"].label = "Choisissez un mot de passe"
        self.fields["new_password1"].help_text = (
            "Au moins 10 caractères ; évitez les mots de passe courants et votre nom. Une phrase de quelques mots "
            "est facile à retenir et solide."
        )
        self.fields["new_password2"].label = "Répétez le mot de passe"
        for field in self.fields.values():
            field.error_messages["required"] = "Ce champ est obligatoire."


def _invited_user(uidb64: str, token: str) -> object | None:
    User = get_user_model()
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    return user if default_token_generator.check_token(user, token) else None


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = _invited_user(uidb64, token)
    if user is None:
        return render(request, "workspace/governance/invitation.html", {"invalid": True}, status=400)
    form = FrenchSetPasswordForm(user, request.POST or None)
    memberships = Membership.objects.filter(user=user).select_related("commune")
    if request.method == "POST" and form.is_valid():
        form.save()
        for membership in memberships:
            log_audit("team.invitation_accepted", commune=membership.commune, actor=user, target=membership)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # type: ignore[arg-type]
        return redirect("home")
    return render(
        request, "workspace/governance/invitation.html", {"form": form, "invited": user, "memberships": memberships}
    )
