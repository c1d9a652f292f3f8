"""Organisation-unit scope: a user sees the data of their unit and its
children. Every list, detail view and API endpoint narrows its queryset here."""

from django.db.models import Q

from kefu.core.models import OrgUnit


def visible_unit_ids(user) -> list[int] | None:
    """Ids of the units whose data ``user`` may see; ``None`` means all."""
    if user.is_superuser:
        return None
    if user.unit_id is None:
        return []
    return list(OrgUnit.objects.filter(path__startswith=user.unit.path).values_list("id", flat=True))


def scope_by_unit(queryset, user, field="unit"):
    ids = visible_unit_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": ids})


def unit_q(user, field="unit") -> Q:
    ids = visible_unit_ids(user)
    if ids is None:
        return Q()
    return Q(**{f"{field}__in": ids})


def can_see_unit(user, unit) -> bool:
    if user.is_superuser:
        return True
    return user.unit_id is not None and unit is not None and unit.path.startswith(user.unit.path)
