from django.contrib import admin

from beffroi.core.models import AuditRecord, Commune, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "population", "is_active"]
    search_fields = ["name", "slug", "insee_code"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "commune", "role", "in_crisis_circle"]
    list_filter = ["role", "commune"]


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "commune", "actor_label", "verb", "target_type", "target_id"]
    list_filter = ["verb", "commune"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
