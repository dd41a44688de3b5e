"""`mediaconduit validate` and `mediaconduit schema` (placeholder until the manifest lands)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
