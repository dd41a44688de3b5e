"""The `mediaconduit` command line. User errors are caught here, once.

Each command group lives in a module of its own and imports its heavy
dependencies inside the command, so `mediaconduit --help` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from mediaconduit._version import __version__
from mediaconduit.sdk.errors import MediaConduitError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mediaconduit")
def cli() -> None:
    """Load AI and media providers straight from their git repositories."""


def _register() -> None:
    from mediaconduit.cli import (
        batch,
        cache,
        jobs,
        lock,
        new,
        providers,
        routing,
        usage,
        validate,
    )

    for module in (providers, routing, lock, jobs, cache, validate, new, batch, usage):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 failure, 2 usage error)."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None,
                          prog_name="mediaconduit", standalone_mode=False)
    except MediaConduitError as error:
        click.echo(f"error: {error}", err=True)
        return 1
    except click.UsageError as error:
        error.show()
        return 2
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Exit as error:
        return error.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo("aborted", err=True)
        return 130
    return result if isinstance(result, int) else 0


def run() -> None:
    sys.exit(main())
