"""Forms of the accounts screen: connect / reconnect an account, import a file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beffroi import conf
from beffroi.connectors.base import Connector
from beffroi.connectors.importer.formats import FORMAT_LABELS_FR


class ConnectForm(forms.Form):
    """Built from the connector's ``credential_fields``; credential values are never rendered back."""

    def __init__(
        self,
        *args: Any,
        connector_cls: type[Connector],
        reconnect: bool = False,
        initial_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.connector_cls = connector_cls
        self.reconnect = reconnect
        for spec in connector_cls.credential_fields:
            widget = (
                forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
                if spec.secret
                else forms.TextInput(attrs={"autocomplete": "off"})
            )
            self.fields[f"cred_{spec.name}"] = forms.CharField(
                label=spec.label_fr,
                help_text=spec.help_fr,
                required=spec.required,
                widget=widget,
                strip=True,
                max_length=4000,
            )
        for option in connector_cls.option_fields:
            self.fields[f"opt_{option.name}"] = forms.BooleanField(
                label=option.label_fr,
                help_text=option.help_fr,
                required=False,
                initial=(initial_options or {}).get(option.name, option.default),
            )
        if not reconnect:
            self.fields["external_id"] = forms.CharField(
                label=connector_cls.external_id_label_fr,
                required=False,
                max_length=255,
                help_text=_("Facultatif si Beffroi peut le retrouver à partir du jeton."),
            )
            self.fields["name"] = forms.CharField(
                label=_("Nom affiché dans Beffroi"),
                required=False,
                max_length=255,
                help_text=_("Par exemple : Page de la mairie."),
            )

    def clean(self) -> dict[str, Any]:
        """Addresses Beffroi will fetch (RSS feed, Mastodon instance, Bluesky server) must be http(s) and
        lead to the public Internet, not inside the server's network (``connectors.urlguard``)."""
        from beffroi.connectors.urlguard import UnsafeAddress, check_url

        cleaned: dict[str, Any] = super().clean() or {}
        for name in self.connector_cls.address_fields:
            field = "external_id" if name == "external_id" else f"cred_{name}"
            value = str(cleaned.get(field) or "").strip()
            if not value or field not in self.fields:
                continue
            # A Mastodon instance or a Bluesky server may be typed without https:// (as the SDKs accept).
            url = value if "://" in value or name == "external_id" else f"https://{value}"
            try:
                check_url(url)
            except UnsafeAddress as exc:
                self.add_error(field, exc.message_fr)
        return cleaned

    def options(self) -> dict[str, bool]:
        return {
            o.name: bool(self.cleaned_data.get(f"opt_{o.name}")) for o in self.connector_cls.option_fields
        }

    def credentials(self) -> dict[str, str]:
        return {
            spec.name: self.cleaned_data.get(f"cred_{spec.name}", "")
            for spec in self.connector_cls.credential_fields
            if self.cleaned_data.get(f"cred_{spec.name}")
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier à importer"),
        help_text=_("JSON Lines, CSV (tableur) ou export Facebook comments.json."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Deviner d'après le nom du fichier")), *FORMAT_LABELS_FR.items()],
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = int(conf.get("IMPORT_MAX_MB"))
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("Le fichier dépasse la taille maximale de %(mb)s Mo.") % {"mb": limit}
            )
        return upload
