"""Database-level protection of append-only tables (audit trail, evidence).

Triggers refuse UPDATE and DELETE on the protected tables unless the single row of
``core_writeguard`` has ``purge_allowed = 1``; only :func:`purge_allowed` sets it, inside the
retention purge's transaction (other transactions never see it set). Works on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

GUARD_TABLE = "core_writeguard"


def _sqlite_sql(table: str) -> list[str]:
    cond = f"(SELECT purge_allowed FROM {GUARD_TABLE} WHERE id = 1) IS NOT 1"
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} WHEN {cond} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} WHEN {cond} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
    ]


def _postgres_sql(table: str) -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION {table}_guard() RETURNS trigger AS $$
BEGIN
  IF (SELECT purge_allowed FROM {GUARD_TABLE} WHERE id = 1) IS DISTINCT FROM 1 THEN
    RAISE EXCEPTION '{table} is append-only';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END; $$ LANGUAGE plpgsql;""",
        f"CREATE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_guard();",
    ]


def install_guard(schema_editor: Any, table: str) -> None:
    vendor = schema_editor.connection.vendor
    statements = _postgres_sql(table) if vendor == "postgresql" else _sqlite_sql(table) if vendor == "sqlite" else []
    for sql in statements:
        schema_editor.execute(sql)


def remove_guard(schema_editor: Any, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_guard ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_guard()")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


@contextmanager
def purge_allowed() -> Iterator[None]:
    """Let the current transaction delete rows of protected tables (retention purge only)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {GUARD_TABLE} SET purge_allowed = 1 WHERE id = 1")
        try:
            yield
        finally:
            cursor.execute(f"UPDATE {GUARD_TABLE} SET purge_allowed = 0 WHERE id = 1")
