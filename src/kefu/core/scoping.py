"""Organisation-unit scope: a user sees the data of their unit and its
children. Every list, detail view and API endpoint narrows its queryset here."""

from django.db.models import Q

from kefu.core.models import Department, OrgUnit


def visible_unit_ids(user) -> list[int] | None:
    """Ids of the units whose data ``user`` may see; ``None`` means all."""
    if user.is_superuser:
        return None
    if user.unit_id is None:
        return []
    return list(
        OrgUnit.objects.filter(path__startswith=user.unit.path).values_list("id", flat=True)
    )


def scope_by_unit(queryset, user, field="unit"):
    ids = visible_unit_ids(user)
    if ids is None:
        return queryset
    # Headquarters sees every unit: a filter listing them all would only make
    # the database sort every row instead of walking its date index.
    if _always_set(queryset.model, field) and len(ids) == OrgUnit.objects.count():
        return queryset
    return queryset.filter(**{f"{field}__in": ids})


def _always_set(model, path) -> bool:
    """Whether every row has a unit through ``path`` (no nullable link on the way)."""
    for name in path.split("__"):
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        if field.null:
            return False
        model = field.related_model
    return True


def unit_q(user, field="unit") -> Q:
    ids = visible_unit_ids(user)
    if ids is None:
        return Q()
    return Q(**{f"{field}__in": ids})


def can_see_unit(user, unit) -> bool:
    if user.is_superuser:
        return True
    return user.unit_id is not None and unit is not None and unit.path.startswith(user.unit.path)


def visible_departments(user):
    """Departments ``user`` may see: those of their units and of the units
    above them (group-wide departments such as finance, outside factories),
    plus their own department."""
    queryset = Department.objects.select_related("unit")
    if user.is_superuser:
        return queryset
    cond = Q(pk=user.department_id) if user.department_id else Q(pk__in=[])
    if user.unit_id is not None:
        path = user.unit.path
        ancestors = [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0]
        cond |= Q(unit__path__in=ancestors) | Q(unit__path__startswith=path)
    return queryset.filter(cond)
