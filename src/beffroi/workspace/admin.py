from django.contrib import admin

from beffroi.workspace.models import Account, Author, Charter, Item, OutboxEntry, SavedReply, Service


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "platform", "commune", "status", "last_fetch_at"]
    list_filter = ["platform", "status", "commune"]
    exclude = ["credentials_encrypted"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["external_id", "platform", "kind", "commune", "status", "platform_state", "published_at"]
    list_filter = ["platform", "kind", "status", "commune"]
    search_fields = ["text", "external_id"]
    raw_id_fields = ["author", "parent", "current_verdict", "account"]


@admin.register(OutboxEntry)
class OutboxEntryAdmin(admin.ModelAdmin):
    list_display = ["action", "commune", "state", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["state", "action"]


admin.site.register(Author)
admin.site.register(Charter)
admin.site.register(SavedReply)
admin.site.register(Service)
