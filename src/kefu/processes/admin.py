"""Process definitions (流程模板) with their states and transitions.

A definition that records already run on is shown read-only: changing it
would change the rules under those records. Load a new version instead."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kefu.processes.models import ProcessDefinition, State, Transition


def in_use(definition) -> bool:
    """Whether any record (of any app) runs on ``definition``."""
    if definition is None or definition.pk is None:
        return False
    for relation in ProcessDefinition._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and relation.one_to_many):
            continue
        model = relation.related_model
        if model in (State, Transition):
            continue
        if model._default_manager.filter(**{relation.field.name: definition}).exists():
            return True
    return False


class LockedWhenInUse:
    """Inline edits only while no record runs on the definition."""

    def has_add_permission(self, request, obj=None):
        return not in_use(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not in_use(obj) and super().has_delete_permission(request, obj)


class StateInline(LockedWhenInUse, admin.TabularInline):
    model = State
    fields = ("position", "code", "name", "name_en", "kind", "color")
    extra = 0


class TransitionInline(LockedWhenInUse, admin.StackedInline):
    model = Transition
    fields = (
        ("position", "code", "style"),
        ("name", "name_en"),
        ("sources", "target"),
        "allowed_roles",
        "fields",
        "conditions",
        "effects",
    )
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("sources", "target") and field is not None:
            # Only the states of the definition being edited.
            object_id = request.resolver_match.kwargs.get("object_id")
            field.queryset = State.objects.filter(definition_id=object_id)
        return field


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "code", "version", "is_active", "in_use_flag", "created_at")
    list_filter = ("is_active", "code")
    search_fields = ("name", "name_en", "code")
    inlines = (StateInline, TransitionInline)

    @admin.display(description=_("in use"), boolean=True)
    def in_use_flag(self, obj):
        return in_use(obj)

    def get_readonly_fields(self, request, obj=None):
        if in_use(obj):
            return ("code", "version", "name", "name_en", "description", "created_at")
        return ("created_at",)

    def has_delete_permission(self, request, obj=None):
        return not in_use(obj) and super().has_delete_permission(request, obj)
