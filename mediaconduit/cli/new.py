"""`mediaconduit new NAME`: scaffold a provider repository from the template."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from mediaconduit.scaffold import Blueprint, Names, Scaffolded

TYPES = ("local", "remote")


@click.command("new")
@click.argument("name")
@click.option("--dir", "folder", type=click.Path(path_type=Path), default=None,
              help="Where to make it (default: ./NAME-provider). Must be absent or empty.")
@click.option("--type", "kind", type=click.Choice(TYPES), default=None,
              help="local (runs on this machine) or remote (calls an API). Default: local.")
@click.option("--capability", "capabilities", multiple=True, metavar="C",
              help="What its models do, e.g. text-to-image (repeatable). Default: text-to-text.")
@click.option("--author", default=None, help="The manifest's author (default: git user.name).")
def new(name: str, folder: Path | None, kind: str | None, capabilities: tuple[str, ...],
        author: str | None) -> None:
    """Scaffold a provider repository called NAME, ready to test and publish.

    It holds a manifest, a small working provider (one model per capability,
    standard library only), tests that load it through the real host, a README,
    and a GitHub workflow that validates it. The folder becomes a git repository
    with one commit. On a terminal, options left out are asked for; otherwise
    (CI, scripts) their defaults are used without asking.
    """
    from mediaconduit.scaffold import derive_names, scaffold

    names = derive_names(name)
    blueprint = _blueprint(names, kind, capabilities, author, interactive())
    result = scaffold(folder if folder is not None else Path(names.folder), blueprint)
    _next_steps(result)


def interactive() -> bool:
    """Ask questions only when a person can answer them: stdin is a terminal."""
    return sys.stdin.isatty()


def _blueprint(names: Names, kind: str | None, capabilities: tuple[str, ...],
               author: str | None, interactive: bool) -> Blueprint:
    """The answers: options as given, the rest asked on a terminal or defaulted."""
    from mediaconduit.scaffold import Blueprint, default_author, parse_capabilities

    if interactive and kind is None:
        kind = click.prompt("Type", type=click.Choice(TYPES), default="local")
    if interactive and not capabilities:
        capabilities = (click.prompt("Capabilities (comma-separated, e.g. text-to-image)",
                                     default="text-to-text"),)
    if author is None:
        author = default_author()
        author = click.prompt("Author", default=author or "") if interactive else author
    return Blueprint(names, parse_capabilities(capabilities), kind or "local", author.strip())


def _next_steps(result: Scaffolded) -> None:
    names, here = result.blueprint.names, _shown(result.path)
    click.echo(f"Created {here}/: provider {names.id!r}, entry "
               f"{names.package}:{names.class_name}")
    for plan in result.blueprint.models:
        click.echo(f"  model {plan.id:<16} {plan.capability.value:<16} {plan.description}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo("\nNext steps:")
    steps = [f"cd {here}", "pip install mediaconduit pytest   # if not installed yet",
             "mediaconduit validate .           # check the manifest",
             "python -m pytest                  # load it through the host, run every model",
             f"# edit src/{names.package}/provider.py, then publish on GitHub:",
             f"git remote add origin https://github.com/OWNER/{names.folder}.git",
             "git push -u origin HEAD:main"]
    click.echo("\n".join(f"  {step}" for step in steps))
    local = here if Path(here).is_absolute() else f"./{here}"
    click.echo(f'\nLoad it: get_provider("https://github.com/OWNER/{names.folder}"), '
               f'or get_provider("{local}") while you work on it.')


def _shown(path: Path) -> str:
    """The path relative to the current folder when it is below it."""
    try:
        return str(path.relative_to(Path.cwd().absolute()))
    except ValueError:
        return str(path)


COMMANDS: list[click.Command] = [new]
