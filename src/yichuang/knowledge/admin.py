"""The county admin edits the synonym groups here; articles are written and
published on /knowledge/ (their actions keep versions and events)."""

from django.contrib import admin

from yichuang.lib.audit import audit_record

from .models import SynonymGroup


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    list_display = ["__str__", "note", "updated_at"]
    search_fields = ["terms", "note"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            f"knowledge.synonymgroup_{'change' if change else 'create'}",
            request=request,
            obj=obj,
            fields=list(form.changed_data),
        )

    def delete_model(self, request, obj):
        audit_record("knowledge.synonymgroup_delete", request=request, obj=obj)
        super().delete_model(request, obj)
