"""Inserting many rows of a model with ``executemany``: one INSERT statement
built from the model's fields, defaults for the fields the caller leaves
out, values adapted the way the ORM would for the current database."""

from datetime import UTC

from django.core.management.color import no_style
from django.db import connection, models


class RowWriter:
    def __init__(self, model, fields, *, batch=5000):
        """``fields``: the attnames the caller gives, in the order of the
        tuples passed to ``add``; every other concrete field takes its default."""
        self.model = model
        self.batch = batch
        self.rows = []
        self.count = 0
        concrete = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(fields) - set(concrete)
        if unknown:
            raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
        self.given = [concrete[name] for name in fields]
        self.adapters = [self._adapter(f) for f in self.given]
        self.defaults = [
            f.get_db_prep_save(f.get_default(), connection)
            for f in concrete.values()
            if f.attname not in fields and not f.primary_key
        ]
        columns = [f.column for f in self.given] + [
            f.column for f in concrete.values() if f.attname not in fields and not f.primary_key
        ]
        quote = connection.ops.quote_name
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(model._meta.db_table),
            ", ".join(quote(c) for c in columns),
            ", ".join(["%s"] * len(columns)),
        )

    @staticmethod
    def _adapter(field):
        ops = connection.ops
        if isinstance(field, models.DateTimeField):
            if connection.vendor == "sqlite":
                # What the SQLite backend stores (UTC, as text), without its checks.
                return lambda v: str(v.astimezone(UTC).replace(tzinfo=None))
            return ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return ops.adapt_datefield_value
        if isinstance(field, models.DecimalField):
            return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
        if isinstance(field, models.JSONField):
            return lambda v: field.get_db_prep_save(v, connection)
        return None

    def add(self, values):
        self.rows.append(
            [
                v if a is None or v is None else a(v)
                for v, a in zip(values, self.adapters, strict=True)
            ]
            + self.defaults
        )
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self):
        if not self.rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, self.rows)
        self.count += len(self.rows)
        self.rows = []


def next_id(model):
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def reset_sequences(*models_):
    """After inserting explicit ids (PostgreSQL's sequences do not follow)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
