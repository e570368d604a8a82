"""The authentication backend: Django's ModelBackend, with the user of a session read by one prepared query.

``get_user`` runs on every request of a logged-in user (AuthenticationMiddleware). Django's builds and
compiles a queryset each time; on the status page that was a third of the request's CPU. This reads the same
row (all concrete fields of the user model, by primary key) with a server-side prepared statement and builds
the instance with ``Model.from_db``, then applies the same ``user_can_authenticate`` test. Everything else
(authenticate, permissions, the session-hash check in django.contrib.auth.get_user) is Django's own.

A view that reads the user's row anyway in a query of its own (the status page's state query) can hand it
over with ``user_prefetched``: ``get_user`` then takes that row for that id instead of reading it again; the
checks that follow are the same.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS

from .queries import fetchone_prepared

PATH = "ltci.core.backends.ModelBackend"  # for login(..., backend=PATH) where a view logs a user in itself

_select: tuple[str, list[str]] | None = None
_prefetched: ContextVar[tuple | None] = ContextVar("ltci_prefetched_user", default=None)


def user_columns(alias: str) -> str:
    """The user model's columns, in ``get_user``'s order, for a query that hands its row over."""
    return ", ".join(f'{alias}."{f.column}"' for f in get_user_model()._meta.concrete_fields)


@contextmanager
def user_prefetched(user_id, row):
    """Within the block, ``get_user(user_id)`` uses ``row`` (columns as ``user_columns``) if not None."""
    token = _prefetched.set((user_id, tuple(row)) if row is not None else None)
    try:
        yield
    finally:
        _prefetched.reset(token)


def _user_query() -> tuple[str, list[str]]:
    global _select
    if _select is None:
        meta = get_user_model()._meta
        _select = (
            f'SELECT {user_columns("u")} FROM "{meta.db_table}" u WHERE u."{meta.pk.column}" = %s',  # noqa: S608
            [f.attname for f in meta.concrete_fields],
        )
    return _select


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.get_prep_value(user_model._meta.pk.to_python(user_id))
        except (ValidationError, TypeError, ValueError):  # an unusable id in a session is no user
            return None
        sql, attnames = _user_query()
        prefetched = _prefetched.get()
        row = (
            prefetched[1] if prefetched is not None and prefetched[0] == pk else fetchone_prepared(sql, [pk])
        )
        if row is None:
            return None
        user = user_model.from_db(DEFAULT_DB_ALIAS, attnames, row)
        return user if self.user_can_authenticate(user) else None
