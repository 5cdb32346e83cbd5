"""Forms of the watch screens (French labels and errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from beffroi.veille.models import DigestFrequency, TermKind, WebhookFormat

PERIODS = [("1", "24 dernières heures"), ("7", "7 derniers jours"), ("30", "30 derniers jours")]
SENTIMENTS = [("", "Tous"), ("negative", "Négatif"), ("neutral", "Neutre"), ("positive", "Positif")]
ORIGINS = [("", "Toutes"), ("own", "Comptes de la commune"), ("watched", "Sources surveillées")]


class MentionFilterForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=200)
    period = forms.ChoiceField(label="Période", choices=PERIODS, required=False, initial="7")
    platform = forms.ChoiceField(label="Source", required=False)
    sentiment = forms.ChoiceField(label="Sentiment", choices=SENTIMENTS, required=False)
    topic = forms.ChoiceField(label="Thème", required=False)
    term = forms.ChoiceField(label="Terme suivi", required=False)
    origin = forms.ChoiceField(label="Origine", choices=ORIGINS, required=False)

    def __init__(self, *args: Any, platforms: list[tuple[str, str]], topics: list[tuple[str, str]],
                 terms: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [("", "Toutes"), *platforms]
        self.fields["topic"].choices = [("", "Tous"), *topics]
        self.fields["term"].choices = [("", "Tous"), *[(t, t) for t in terms]]


class VolumeForm(forms.Form):
    period = forms.ChoiceField(label="Période", choices=PERIODS, required=False, initial="7")
    bucket = forms.ChoiceField(label="Par", choices=[("day", "jour"), ("hour", "heure")], required=False, initial="day")


class TermForm(forms.Form):
    terms = forms.CharField(
        label="Termes à suivre",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Un terme par ligne (ou séparés par des virgules) : variantes du nom, élu·es, lieux, événements, "
        "mots-dièse. Majuscules et accents sont ignorés.",
        max_length=4000,
    )
    kind = forms.ChoiceField(label="Type", choices=TermKind.choices, initial=TermKind.OTHER)


class FactForm(forms.Form):
    text = forms.CharField(
        label="Fait officiel",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        help_text="Une phrase affirmative, comme on la dirait à un habitant : « La piscine municipale est ouverte à "
        "toutes et à tous, aux horaires habituels. »",
    )
    source_url = forms.URLField(
        label="Source officielle", required=False, max_length=500, assume_scheme="https",
        help_text="Page du site de la commune qui le dit (facultatif, proposé dans les réponses).",
        error_messages={"invalid": "Saisissez une adresse web complète (https://…)."},
    )
    active = forms.BooleanField(label="En vigueur", required=False, initial=True)


def _email_lines(raw: str) -> list[str]:
    out: list[str] = []
    for line in (raw or "").replace(",", "\n").splitlines():
        value = line.strip()
        if not value:
            continue
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(f"« {value} » n'est pas une adresse e-mail valide.") from None
        if value not in out:
            out.append(value)
    if len(out) > 20:
        raise ValidationError("20 adresses supplémentaires au plus.")
    return out


class SourcesForm(forms.Form):
    official = forms.CharField(
        label="Comptes officiels", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
        help_text="Un nom ou pseudo par ligne : la préfecture, la presse locale, les services… (les comptes connectés "
        "de la commune le sont déjà). Leurs messages confirment les faits et ne sont jamais pris pour une rumeur.",
    )
    places = forms.CharField(
        label="Lieux de la commune", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000,
        help_text="Un lieu par ligne (quartiers, communes associées) : un compte situé ailleurs est dit « extérieur ».",
    )
    follow_all = forms.MultipleChoiceField(
        label="Sources suivies en entier", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Pour un groupe local ou le journal de la commune : tous leurs messages comptent, même sans terme suivi.",
    )
    posts_per_day = forms.FloatField(
        label="Mentions par jour (estimation)", min_value=1, max_value=100000, initial=40,
        help_text="Sert au début, avant que Beffroi ait appris le rythme de la commune.",
        error_messages={"min_value": "Au moins 1.", "max_value": "100 000 au plus.", "invalid": "Saisissez un nombre."},
    )

    def __init__(self, *args: Any, watched: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follow_all"].choices = watched


class AlertingForm(forms.Form):
    notify_bad_buzz = forms.BooleanField(label="Envoyer aussi les alertes « bad buzz » (vague de critiques)", required=False)
    notify_spike = forms.BooleanField(label="Envoyer aussi les « sujets en forte hausse » (fête, match, orage…)", required=False)
    circle = forms.MultipleChoiceField(
        label="Cercle de crise", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Ces personnes reçoivent chaque alerte par e-mail dans la minute.",
    )
    extra_emails = forms.CharField(
        label="Adresses supplémentaires", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000,
        help_text="Une adresse par ligne (le cabinet du maire, une passerelle e-mail vers SMS…).",
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["circle"].choices = members

    def clean_extra_emails(self) -> list[str]:
        return _email_lines(self.cleaned_data.get("extra_emails", ""))


class WebhookForm(forms.Form):
    name = forms.CharField(label="Nom", max_length=100, help_text="Pour vous y retrouver : « SMS astreinte », « Salon Matrix du cabinet ».")
    format = forms.ChoiceField(label="Format", choices=WebhookFormat.choices, widget=forms.RadioSelect, initial=WebhookFormat.JSON)
    url = forms.URLField(
        label="Adresse", max_length=500, assume_scheme="https",
        help_text="Adresse fournie par la passerelle SMS, Slack ou Matrix (https://…).",
        error_messages={"invalid": "Saisissez une adresse web complète (https://…)."},
    )
    matrix_token = forms.CharField(
        label="Jeton Matrix", required=False, max_length=500, widget=forms.PasswordInput(render_value=False),
        help_text="Seulement pour Matrix : le jeton d'accès du compte qui publie dans le salon (jamais réaffiché).",
    )
    active = forms.BooleanField(label="Actif", required=False, initial=True)


class ReplyForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label="Réponse", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    confirm = forms.BooleanField(required=False)


class InfoSheetForm(forms.Form):
    text = forms.CharField(label="Texte de la fiche", widget=forms.Textarea(attrs={"rows": 22}), max_length=6000)


class CloseForm(forms.Form):
    note = forms.CharField(
        label="Bilan (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
        help_text="Ce qui a marché, ce qu'il faudra faire autrement : repris dans le rapport.",
    )
    confirm = forms.BooleanField(
        label="Je confirme : la rumeur est retombée, la cellule peut être close.",
        error_messages={"required": "Cochez la case pour confirmer la clôture."},
    )


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(label="Recevoir un résumé par e-mail", choices=DigestFrequency.choices, widget=forms.RadioSelect)
