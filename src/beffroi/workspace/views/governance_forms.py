"""Forms of the governance screens (team, services, saved replies, evidence, retention)."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from beffroi.core.models import Commune
from beffroi.core.roles import Role
from beffroi.workspace.actions.replies import PLACEHOLDERS_FR
from beffroi.workspace.actions.team import ROLE_DESCRIPTIONS_FR, TeamError, normalise_phone, role_choices
from beffroi.workspace.evidence_pack.legal import LABELS_FR
from beffroi.workspace.models import SavedReply, Service

REQUIRED = {"required": "Ce champ est obligatoire."}
DAYS_PER_MONTH = 365.25 / 12


class FrenchForm(forms.Form):
    """Every field gets French default error messages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("Ce champ est obligatoire.")
            if isinstance(field, forms.EmailField):
                field.error_messages["invalid"] = _("Adresse e-mail invalide (exemple : prenom.nom@mairie.fr).")
            if isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = _("Indiquez un nombre entier.")
                field.error_messages["min_value"] = _("Le nombre doit être au moins %(limit_value)s.")
                field.error_messages["max_value"] = _("Le nombre doit être au plus %(limit_value)s.")
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("Date invalide (exemple : 31/01/2026).")
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = _("Choix invalide.")
            if isinstance(field, forms.ModelChoiceField):
                field.error_messages["invalid_choice"] = _("Choix invalide.")


def _clean_phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except TeamError as exc:
        raise forms.ValidationError(str(exc)) from None


class MemberAddForm(FrenchForm):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    username = forms.CharField(
        label=_("Identifiant de connexion"), max_length=150, help_text=_("Par exemple « martine.lefort » : lettres, chiffres, points.")
    )
    email = forms.EmailField(label=_("Adresse e-mail"), required=False, help_text=_("Nécessaire pour le lien d'invitation."))
    role = forms.ChoiceField(label=_("Rôle"), choices=role_choices(), widget=forms.RadioSelect)
    access = forms.ChoiceField(
        label=_("Comment la personne reçoit son accès"),
        choices=[
            ("invitation", _("Un lien d'invitation par e-mail : elle choisit elle-même son mot de passe (conseillé)")),
            ("password", _("Un mot de passe temporaire que je lui transmets moi-même")),
        ],
        initial="invitation",
        widget=forms.RadioSelect,
    )
    in_crisis_circle = forms.BooleanField(
        label=_("Fait partie du cercle de crise (alertes rumeur et astreinte)"), required=False
    )
    phone = forms.CharField(label=_("Téléphone portable (alertes SMS)"), max_length=32, required=False)

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data.get("phone", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("access") == "invitation" and not data.get("email"):
            self.add_error("email", _("Indiquez l'adresse e-mail pour envoyer le lien d'invitation, ou choisissez un mot de passe temporaire."))
        return data


class MemberEditForm(FrenchForm):
    role = forms.ChoiceField(label=_("Rôle"), choices=role_choices(), widget=forms.RadioSelect)
    in_crisis_circle = forms.BooleanField(label=_("Fait partie du cercle de crise"), required=False)
    phone = forms.CharField(label=_("Téléphone portable (alertes SMS)"), max_length=32, required=False)

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data.get("phone", ""))


class AccessForm(FrenchForm):
    access = forms.ChoiceField(
        label=_("Nouvel accès"),
        choices=[("invitation", _("Un nouveau lien d'invitation (par e-mail)")), ("password", _("Un mot de passe temporaire"))],
        widget=forms.RadioSelect,
        initial="invitation",
    )


class ServiceForm(FrenchForm):
    name = forms.CharField(label=_("Nom du service"), max_length=120)
    email = forms.EmailField(label=_("Adresse e-mail du service"), required=False)
    keywords = forms.CharField(
        label=_("Mots-clés"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Séparés par des virgules : les questions qui les contiennent sont proposées à ce service "
        "(par exemple : trottoir, nid-de-poule, éclairage)."),
    )


class SavedReplyForm(FrenchForm):
    title = forms.CharField(label=_("Titre (pour la retrouver)"), max_length=120)
    kind = forms.ChoiceField(label=_("Type"), choices=SavedReply.Kind.choices)
    service = forms.ModelChoiceField(
        label=_("Service concerné"), queryset=Service.objects.none(), required=False, empty_label="— aucun —"
    )
    text = forms.CharField(
        label=_("Texte de la réponse"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=format_lazy(
            "{} {}.", _("Champs remplis automatiquement :"), " ; ".join(f"{k} = {v}" for k, v in PLACEHOLDERS_FR.items())
        ),
    )

    def __init__(self, *args: Any, commune: Commune, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Service.objects.filter(commune=commune)


LABEL_CHOICES = [("", "Tous les motifs")] + [
    (key, value) for key, value in LABELS_FR.items() if key not in ("criticism", "question", "praise", "shouting")
]


class EvidenceFilterForm(FrenchForm):
    q = forms.CharField(label=_("Rechercher dans le texte ou l'auteur"), required=False)
    label = forms.ChoiceField(label=_("Motif"), choices=LABEL_CHOICES, required=False)
    platform = forms.ChoiceField(label=_("Plateforme"), choices=[("", "Toutes")], required=False)
    since = forms.DateField(label=_("Décidé depuis le"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Jusqu'au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, platforms: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["platform"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Toutes"), *(platforms or [])]


class ExportForm(FrenchForm):
    purpose = forms.ChoiceField(
        label=_("À quoi servira ce dossier ?"),
        choices=[
            ("plainte", _("Un dépôt de plainte (commissariat, gendarmerie, procureur)")),
            ("pharos", _("Un signalement sur PHAROS")),
            ("archive", _("Une archive pour la commune")),
        ],
        initial="plainte",
        widget=forms.RadioSelect,
    )
    fmt = forms.ChoiceField(
        label=_("Format"),
        choices=[("zip", _("Archive ZIP complète (PDF + données + vérification) — conseillé")), ("pdf", _("PDF seul"))],
        initial="zip",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Objet"),
        required=False,
        max_length=200,
        help_text=_("Par exemple : « Plainte de Mme la Maire pour injures, mars 2026 »."),
    )
    seqs = forms.MultipleChoiceField(
        label=_("Preuves"), choices=[], error_messages={"required": "Cochez au moins une preuve à mettre dans le dossier."}
    )

    def __init__(self, *args: Any, seq_choices: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["seqs"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(seq), str(seq)) for seq in seq_choices or []]
        field.error_messages["required"] = _("Cochez au moins une preuve à mettre dans le dossier.")
        field.error_messages["invalid_choice"] = _("Une des preuves choisies n'existe pas ou plus.")


class LegalHoldForm(FrenchForm):
    reason = forms.CharField(label=_("Motif du gel"), max_length=300, required=False)
    held = forms.BooleanField(required=False)


def days_to_months(days: int) -> int:
    return max(1, round(days / DAYS_PER_MONTH))


def months_to_days(months: int) -> int:
    return math.ceil(months * DAYS_PER_MONTH - 0.6)  # 15 months -> 456 days, 6 months -> 183 days


class RetentionForm(FrenchForm):
    severe_months = forms.IntegerField(
        label=_("Haine et menaces : conserver pendant (mois)"),
        min_value=1,
        max_value=120,
        help_text=_("15 mois par défaut : le délai pour agir en justice est d'un an pour les propos haineux, plus une marge."),
    )
    default_months = forms.IntegerField(
        label=_("Tout le reste : conserver pendant (mois)"), min_value=1, max_value=120, help_text=_("6 mois par défaut.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        severe, default = data.get("severe_months"), data.get("default_months")
        if severe is not None and default is not None and severe < default:
            self.add_error(
                "severe_months", "La haine et les menaces doivent être conservées au moins aussi longtemps que le reste."
            )
        return data


ROLE_HELP = [(role.value, ROLE_DESCRIPTIONS_FR[role]) for role in Role]
