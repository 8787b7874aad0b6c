"""``numrep accounts`` and ``numrep keys``."""

from __future__ import annotations

import uuid

import typer

from numrep.account import service
from numrep.account.models import KeyRole
from numrep.cli import context
from numrep.core.clock import isoformat

accounts_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="Issue, list and revoke API keys.", no_args_is_help=True)


@accounts_app.command("create")
def create_account(
    name: str = typer.Argument(..., help="Display name of the account."),
    operator: bool = typer.Option(False, help="Give the first key the operator role."),
) -> None:
    """Create an account and print its first API key (shown once)."""
    current = context.services()
    try:
        with current.db.unit_of_work() as session:
            account = service.create_account(session, name=name)
            role = KeyRole.OPERATOR if operator else KeyRole.CUSTOMER
            issued = service.issue_key(
                session,
                current.secret_key,
                account_id=account.id,
                name="first key",
                role=role,
            )
    finally:
        current.db.dispose()
    typer.echo(f"account_id: {account.id}")
    typer.echo(f"api_key:    {issued.secret}  (role {role}; shown only once)")


@keys_app.command("create")
def create_key(
    account_id: uuid.UUID = typer.Option(..., "--account", help="Account id."),
    name: str = typer.Option("", help="A label to recognise the key by."),
    operator: bool = typer.Option(False, help="Give the key the operator role."),
) -> None:
    """Issue an API key for an account; the key is printed once."""
    current = context.services()
    role = KeyRole.OPERATOR if operator else KeyRole.CUSTOMER
    try:
        with current.db.unit_of_work() as session:
            issued = service.issue_key(
                session,
                current.secret_key,
                account_id=account_id,
                name=name,
                role=role,
            )
    except LookupError as error:
        typer.echo(
            f"error: {error}; check the id printed by 'accounts create'.", err=True
        )
        raise typer.Exit(1) from error
    finally:
        current.db.dispose()
    typer.echo(f"key_id:  {issued.key.id}")
    typer.echo(f"api_key: {issued.secret}  (role {role}; shown only once)")


@keys_app.command("list")
def list_keys(
    account_id: uuid.UUID | None = typer.Option(None, "--account", help="Account id."),
) -> None:
    """List API keys (prefix, role, state); the keys themselves are not stored."""
    with context.unit_of_work() as session:
        keys = service.list_keys(session, account_id=account_id)
        for key in keys:
            state = "revoked" if key.revoked_at else "active"
            last_used = isoformat(key.last_used_at) or "never"
            typer.echo(
                f"{key.id}  account={key.account_id}  nrk_{key.prefix}_…  "
                f"role={key.role}  {state}  last_used={last_used}  {key.name}"
            )


@keys_app.command("revoke")
def revoke_key(key_id: uuid.UUID = typer.Argument(..., help="Key id.")) -> None:
    """Revoke an API key; requests with it get 401 from then on."""
    try:
        with context.unit_of_work() as session:
            key = service.revoke_key(session, key_id=key_id)
    except LookupError as error:
        typer.echo(f"error: {error}; list key ids with 'numrep keys list'.", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"revoked {key.id}")
