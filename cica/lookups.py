"""A lookup for the lean list pages (issue 8)."""

from django.core.exceptions import EmptyResultSet
from django.db.models import Lookup


class AnyOf(Lookup):
    """``column = ANY(%s)`` with the ids as one array parameter on PostgreSQL,
    ``column IN (...)`` elsewhere. Use as an expression:
    ``.filter(AnyOf(F("initiative_id"), ids))``.

    A page's 100 ids passed as 100 parameters cost more in Django and psycopg
    than the query itself (make bench: ~0.6 ms of a ~2 ms query).
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", (*params, *self.rhs)

    def as_postgresql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*params, self.rhs)
