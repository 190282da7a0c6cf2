"""Command-line tasks: `flask --app telehealth seed-demo`."""
from __future__ import annotations

import click
from flask import Flask, current_app

from telehealth.extensions import db


def init_app(app: Flask) -> None:
    """Register the commands."""

    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Create demo organizations, users and a sample case (idempotent)."""
        from telehealth.seed import DEMO_PASSWORD, DEMO_USERS, demo_email, seed_demo

        seed_demo(db.session, env_name=current_app.config["ENV_NAME"])
        click.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for local, _name, roles, _org in DEMO_USERS:
            click.echo(f"  {','.join(roles):12} {demo_email(local)}")
