"""`commonground users …`: accounts, roles, tokens and organisations, as the operator.

The operator (whoever holds the database's credentials) acts as an admin; each change
is written to the audit trail with no account named.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from commonground.cli import DatabaseOption, _store, out
from commonground.errors import Error

app = typer.Typer(
    name="users",
    help="Accounts, roles, API tokens and organisations.",
    no_args_is_help=True,
)
org_app = typer.Typer(
    name="org", help="Organisations that accounts belong to.", no_args_is_help=True
)
app.add_typer(org_app, name="org")

RoleOption = Annotated[
    list[str],
    typer.Option("--role", help="viewer, reporter, triager, editor or admin; repeatable."),
]


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise Error("--password-stdin: no password on standard input")
    return password


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="3 to 80 characters: a-z 0-9 . _ -")],
    role: RoleOption = ["viewer"],  # noqa: B006 (Typer copies defaults)
    org: Annotated[str | None, typer.Option("--org", help="Organisation id.")] = None,
    display_name: Annotated[str | None, typer.Option("--display-name")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read a password (12+ characters) from stdin."),
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Create an account (without --password-stdin it signs in with tokens only)."""
    from commonground.auth import accounts
    from commonground.auth.operator import OPERATOR

    password = _read_password() if password_stdin else None
    with _store(database_url).transaction() as session:
        account = accounts.create_account(
            session, OPERATOR, username, password=password, roles=role, organisation_id=org,
            display_name=display_name, email=email,
        )  # fmt: skip
        out.print(f"created account {account.username} (id {account.id}): {account.roles}")


@app.command("roles")
def roles(
    username: Annotated[str, typer.Argument()],
    role: Annotated[list[str], typer.Argument(help="The account's new roles (replace the old).")],
    database_url: DatabaseOption = None,
) -> None:
    """Set an account's roles."""
    from commonground.auth import accounts
    from commonground.auth.operator import OPERATOR

    with _store(database_url).transaction() as session:
        account = accounts.set_roles(session, OPERATOR, username, role)
        out.print(f"{account.username}: {account.roles}")


@app.command("password")
def password(
    username: Annotated[str, typer.Argument()], database_url: DatabaseOption = None
) -> None:
    """Set an account's password, read from stdin (12+ characters)."""
    from commonground.auth import accounts
    from commonground.auth.operator import OPERATOR

    new = _read_password()
    with _store(database_url).transaction() as session:
        accounts.set_password(session, OPERATOR, username, new)
    out.print(f"password set for {username}")


@app.command("disable")
def disable(
    username: Annotated[str, typer.Argument()], database_url: DatabaseOption = None
) -> None:
    """Disable an account: its sessions end and its tokens stop working."""
    from commonground.auth import accounts
    from commonground.auth.operator import OPERATOR

    with _store(database_url).transaction() as session:
        accounts.disable_account(session, OPERATOR, username)
    out.print(f"disabled {username}")


@app.command("token")
def token(
    username: Annotated[str, typer.Argument()],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")],
    scope: Annotated[
        list[str], typer.Option("--scope", help="read, write, triage or admin; repeatable.")
    ] = ["read"],  # noqa: B006
    expires_in_days: Annotated[
        int | None, typer.Option("--expires-in-days", help="1 to 366; default: never.")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create an API token and print it once (only its hash is kept)."""
    from commonground.auth import accounts, tokens
    from commonground.auth.operator import OPERATOR

    with _store(database_url).transaction() as session:
        account = accounts.get_account(session, username)
        row, raw = tokens.create_token(
            session, OPERATOR, account, name, scope, expires_in_days=expires_in_days
        )
        token_id = row.id
    typer.echo(raw)
    typer.echo(f"token {token_id} for {username}; it is not shown again", err=True)


@app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (`users list` shows them).")],
    database_url: DatabaseOption = None,
) -> None:
    """Revoke an API token."""
    from commonground.auth import tokens
    from commonground.auth.operator import OPERATOR

    with _store(database_url).transaction() as session:
        tokens.revoke_token(session, OPERATOR, token_id)
    out.print(f"revoked token {token_id}")


@app.command("list")
def list_(database_url: DatabaseOption = None) -> None:
    """Accounts with their organisation, roles, state and tokens."""
    from commonground.auth import accounts, tokens

    table = Table("username", "organisation", "roles", "state", "tokens (id:prefix:scopes)")
    with _store(database_url).sessions() as session:
        for a in accounts.list_accounts(session):
            live = [
                f"{t.id}:{t.prefix}:{t.scopes.replace(' ', ',')}"
                for t in tokens.tokens_of(session, a.id)
                if t.revoked_at is None
            ]
            state = "disabled" if a.disabled_at else "active"
            table.add_row(a.username, a.organisation_id or "", a.roles, state, " ".join(live))
    out.print(table)


@org_app.command("add")
def org_add(
    id: Annotated[str, typer.Argument(help="A slug, e.g. uk-aisi.")],
    name_en: Annotated[str, typer.Option("--name-en", help="The English name.")],
    name_zh: Annotated[str | None, typer.Option("--name-zh", help="The Chinese name.")] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="The registry actor it is, if any.")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create an organisation."""
    from commonground.auth import accounts
    from commonground.auth.operator import OPERATOR

    with _store(database_url).transaction() as session:
        accounts.create_organisation(session, OPERATOR, id, name_en, name_zh, actor)
    out.print(f"created organisation {id}")
