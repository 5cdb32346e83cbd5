"""Instance administrators can look up a website comment (e.g. the e-mail a visitor left, on their request);
publication is decided in the workspace, not here."""

from __future__ import annotations

from django.contrib import admin

from beffroi.connectors.website.models import WebsiteComment


@admin.register(WebsiteComment)
class WebsiteCommentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "commune", "author_name", "state", "from_commune", "page_url")
    list_filter = ("state", "from_commune", "commune")
    search_fields = ("author_name", "author_email", "text", "page_url")
    readonly_fields = [f.name for f in WebsiteComment._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
