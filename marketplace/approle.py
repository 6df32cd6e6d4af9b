"""A least-privilege PostgreSQL role for the running application (T34).

Migrations run as the schema owner; the application should not. The owner (and any superuser) can
`ALTER TABLE auditevent DISABLE TRIGGER`, `TRUNCATE` or drop the triggers, and the append-only audit
log is then only a convention. The application role made here:

- owns nothing and is not a superuser, so it cannot alter tables or disable triggers (only an owner can);
- may SELECT/INSERT/UPDATE/DELETE the application's tables;
- may only SELECT and INSERT the audit tables (no UPDATE, DELETE or TRUNCATE even without the triggers);
- may use the id sequences, and may not create objects in the schema.

`grant_statements` is plain data, so `jiebang db create-app-role --print-sql` shows exactly what runs.
The command is idempotent: re-run it after `jiebang db upgrade` so new tables get their grants.
"""

from __future__ import annotations

import re

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from marketplace.errors import RuleViolation

APPEND_ONLY_TABLES = ("auditevent", "auditcheckpoint")
READ_ONLY_TABLES = ("alembic_version",)
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def grant_statements(*, role: str, database: str, tables: list[str], password: str | None) -> list[str]:
    """The SQL that creates (or re-grants) the application role."""
    if not _IDENTIFIER.match(role) or not _IDENTIFIER.match(database):
        raise RuleViolation("角色名和数据库名只能包含小写字母、数字和下划线")
    if password is not None and ("\x00" in password or len(password) < 12):
        raise RuleViolation("应用角色的密码至少 12 位")
    crud = sorted(t for t in tables if t not in APPEND_ONLY_TABLES + READ_ONLY_TABLES)
    append_only = sorted(t for t in tables if t in APPEND_ONLY_TABLES)
    read_only = sorted(t for t in tables if t in READ_ONLY_TABLES)
    statements = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
        f'THEN CREATE ROLE "{role}" LOGIN; END IF; END $$',
        f'ALTER ROLE "{role}" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS'
        + (f" PASSWORD {_quote_literal(password)}" if password is not None else ""),
        f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"',
        f'REVOKE CREATE ON SCHEMA public FROM PUBLIC, "{role}"',
        f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"',
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
    ]
    if crud:
        statements.append(f'GRANT SELECT, INSERT, UPDATE, DELETE ON {_tables(crud)} TO "{role}"')
    if append_only:
        statements.append(f'GRANT SELECT, INSERT ON {_tables(append_only)} TO "{role}"')
    if read_only:
        statements.append(f'GRANT SELECT ON {_tables(read_only)} TO "{role}"')
    return statements


def _tables(names: list[str]) -> str:
    return ", ".join(f'public."{n}"' for n in names)


def plan(engine: Engine, *, role: str, password: str | None) -> list[str]:
    """The statements for this database (its current tables)."""
    if engine.dialect.name != "postgresql":
        raise RuleViolation("应用角色只适用于 PostgreSQL（SQLite 没有数据库角色）")
    return grant_statements(role=role, database=engine.url.database or "",
                            tables=inspect(engine).get_table_names(schema="public"), password=password)


def create_app_role(engine: Engine, *, role: str, password: str | None) -> list[str]:
    """Create or re-grant the role; refuses a role that owns objects or belongs to another role."""
    statements = plan(engine, role=role, password=password)
    with engine.begin() as conn:
        found = conn.execute(text(
            "SELECT r.oid, r.rolsuper, "
            "(SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) "
            "+ (SELECT count(*) FROM pg_namespace n WHERE n.nspowner = r.oid) "
            "+ (SELECT count(*) FROM pg_database d WHERE d.datdba = r.oid), "
            "(SELECT count(*) FROM pg_auth_members m WHERE m.member = r.oid) "
            "FROM pg_roles r WHERE r.rolname = :r"), {"r": role}).first()
        if found is not None:
            _oid, _super, owned, memberships = found
            if owned:
                raise RuleViolation(f"角色 {role} 拥有数据库对象，不能作为应用角色（应用角色不应拥有任何对象）")
            if memberships:
                raise RuleViolation(f"角色 {role} 是其他角色的成员，可能继承表所有者的权限，请换一个新角色名")
            if role == conn.execute(text("SELECT current_user")).scalar():
                raise RuleViolation("不能把当前（迁移）用户改成应用角色")
        cursor = conn.connection.driver_connection.cursor()
        for statement in statements:  # no parameters: '%' and ':' in a password stay literal
            cursor.execute(statement)
    return statements
