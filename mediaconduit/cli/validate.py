"""`mediaconduit validate` and `mediaconduit schema`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from mediaconduit.manifest.model import ManifestReport

FORMATS = ("text", "json", "github")


@click.command("validate")
@click.option("--strict", is_flag=True, help="Count warnings (such as unknown keys) as errors.")
@click.option("--deep", is_flag=True,
              help="Also load each repository: build its environment, import its entry class, "
                   "run discovery and check the models' capabilities (slower; for CI).")
@click.option(
    "--format", "output", type=click.Choice(FORMATS), default="text", show_default=True,
    help="text for people, json for scripts, github for GitHub Actions annotations.",
)
@click.argument(
    "paths", nargs=-1, required=True, metavar="PATH...",
    type=click.Path(exists=True, readable=False, path_type=Path),
)
@click.pass_context
def validate(ctx: click.Context, strict: bool, deep: bool, output: str,
             paths: tuple[Path, ...]) -> None:
    """Check provider manifests and repositories, for people and CI.

    Each PATH is a provider repository folder (its MediaConduit.provider.yml,
    entry module and dependency list are checked) or a manifest file. A file
    named MediaConduit.provider.yml is checked with its folder as the repository.

    Exit status: 0 when every PATH passes, 1 when any fails (a folder without a
    manifest, an unreadable file and a file that is not YAML all fail), 2 for a
    usage error (no PATH, a PATH that does not exist).

    With --deep, a repository whose manifest is valid is also loaded as the host
    loads it; what fails (an entry class that does not import or is not a
    Provider, a model capability the manifest does not list) is an error.
    """
    from mediaconduit.manifest.report import FORMATTERS

    reports = [_check(path, strict, deep) for path in paths]
    text = FORMATTERS[output](reports)
    if text:
        click.echo(text)
    ctx.exit(0 if all(report.ok for report in reports) else 1)


def _check(path: Path, strict: bool, deep: bool = False) -> ManifestReport:
    """One path's report; a bug in a check becomes a failed report, never a traceback."""
    from mediaconduit.manifest.deep import deep_check
    from mediaconduit.manifest.model import Issue, make_report
    from mediaconduit.manifest.repo import check_path

    try:
        report = check_path(path, strict=strict)
        return deep_check(report, strict=strict) if deep else report
    except Exception as error:
        message = (f"internal error while checking this path ({type(error).__name__}: {error}); "
                   "this is a bug in mediaconduit, please report it")
        return make_report(path, None, [Issue("", message)], [])


@click.command("schema")
@click.option("--project", "project", is_flag=True,
              help="The schema of the project file mediaconduit.yaml instead.")
def schema(project: bool) -> None:
    """Print the JSON Schema of MediaConduit.provider.yml (draft 2020-12).

    Save it and point your editor at it, for example with the comment
    `# yaml-language-server: $schema=./manifest.schema.json` at the top of the manifest.
    """
    if project:
        from mediaconduit.project.model import json_schema as project_schema

        click.echo(json.dumps(project_schema(), indent=2))
        return
    from mediaconduit.manifest.model import json_schema

    click.echo(json.dumps(json_schema(), indent=2))


COMMANDS: list[click.Command] = [validate, schema]
