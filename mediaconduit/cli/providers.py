"""`mediaconduit add | info | models | run`: load a provider and use it."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mediaconduit.cli.common import (
    ProgressDisplay,
    cache_options,
    echo_json,
    load_options,
    parse_pairs,
    progress_display,
)

if TYPE_CHECKING:
    from mediaconduit.handles import ProviderHandle
    from mediaconduit.sdk.assets import Asset
    from mediaconduit.sdk.models import ModelInfo


@contextlib.contextmanager
def loaded(spec: str, ref: str | None, update: bool, config: tuple[str, ...],
           cache_dir: Path | None, offline: bool | None,
           display: ProgressDisplay | None = None) -> Iterator[ProviderHandle]:
    """Load `spec` with a progress display; the worker is stopped afterwards."""
    from mediaconduit.registry import ProviderRegistry

    display = display or progress_display()
    settings = parse_pairs(config, "--config")
    with display.shown(), ProviderRegistry(cache_dir, offline=offline, progress=display) as reg:
        handle = reg.get_provider(spec, ref, update=update, config=settings)
        handle.wait_ready()
        yield handle


def summary(handle: ProviderHandle, models: list[ModelInfo]) -> dict[str, Any]:
    return {
        "id": handle.id, "name": handle.name, "version": handle.version, "type": handle.type,
        "commit": handle.commit, "capabilities": handle.capabilities, "models": len(models),
        "free_models": sum(1 for m in models if m.free), "source": handle.source.display,
        "path": str(handle.source.repo),
    }


def _print_summary(data: dict[str, Any]) -> None:
    commit = (data["commit"] or "working tree")[:12]
    click.echo(f"{data['name']} ({data['id']}) {data['version']}  [{data['type']}]  {commit}")
    click.echo(f"  capabilities: {', '.join(data['capabilities'])}")
    click.echo(f"  models: {data['models']} ({data['free_models']} free)")
    click.echo(f"  from: {data['source']}")


@click.command()
@click.argument("spec")
@load_options
@cache_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def add(spec: str, ref: str | None, update: bool, config: tuple[str, ...],
        cache_dir: Path | None, offline: bool | None, as_json: bool) -> None:
    """Load a provider (clone, install, start) and show what it is."""
    with loaded(spec, ref, update, config, cache_dir, offline) as handle:
        data = summary(handle, handle.wait_for_models())
    echo_json(data) if as_json else _print_summary(data)


@click.command()
@click.argument("spec")
@load_options
@cache_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def info(spec: str, ref: str | None, update: bool, config: tuple[str, ...],
         cache_dir: Path | None, offline: bool | None, as_json: bool) -> None:
    """Show a provider's facts: manifest, environment, models, health."""
    with loaded(spec, ref, update, config, cache_dir, offline) as handle:
        facts = handle.source.facts
        data = {**summary(handle, handle.wait_for_models()),
                "description": facts.description or "",
                "dependencies": handle.source.dependencies,
                "env": facts.env_names, "health": handle.health()}
    if as_json:
        echo_json(data)
        return
    _print_summary(data)
    click.echo(f"  dependencies: {', '.join(data['dependencies']) or 'none'}")
    click.echo(f"  environment variables: {', '.join(data['env']) or 'none'}")
    click.echo(f"  health: {data['health']}")


def _capabilities(values: tuple[str, ...]) -> set[str]:
    from mediaconduit.sdk.models import Capability

    try:
        return {Capability.parse(c).value for c in values}
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--capability") from None


def _task(value: str | None) -> str | None:
    from mediaconduit.sdk.models import task_hint

    hint = task_hint(value) if value else None
    if hint:
        raise click.BadParameter(hint, param_hint="--task")
    return value


def _price(info: ModelInfo) -> str:
    if info.pricing is None:
        return "-"
    listed = info.pricing.listed()
    return " ".join(f"{k}={v}" for k, v in listed.items() if k in ("prompt", "completion"))


@click.command()
@click.argument("spec")
@click.option("--free", is_flag=True, help="Only the free models.")
@click.option("--capability", "capabilities", multiple=True, metavar="C",
              help="Only models with this capability (repeatable), e.g. text-to-text.")
@click.option("--task", default=None, metavar="T",
              help="Only models doing this task, e.g. text-generation, text-to-speech.")
@load_options
@cache_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def models(spec: str, free: bool, capabilities: tuple[str, ...], task: str | None,
           ref: str | None, update: bool, config: tuple[str, ...], cache_dir: Path | None,
           offline: bool | None, as_json: bool) -> None:
    """List a provider's models."""
    wanted, task = _capabilities(capabilities), _task(task)
    with loaded(spec, ref, update, config, cache_dir, offline) as handle:
        found = [m for m in handle.wait_for_models()
                 if (m.free or not free) and wanted <= set(m.capabilities)
                 and (task is None or task in m.tasks)]
    if as_json:
        echo_json([m.to_dict() | {"metadata": None} for m in found])
        return
    for m in found:
        flag = "free" if m.free else "    "
        click.echo(f"{m.id:<50} {flag}  {','.join(m.capabilities):<28} {_price(m)}")
    click.echo(f"{len(found)} models", err=True)


def read_input(value: str, kinds: set[str]) -> Asset:
    """A file path becomes media of its MIME type; anything else is text."""
    from mediaconduit.sdk.assets import MEDIA_TYPES, Text, guess_mime_type

    path = Path(value)
    if value == "-":
        asset: Asset = Text(sys.stdin.read())
    elif path.is_file():
        kind = guess_mime_type(path.name, "application/octet-stream").split("/")[0]
        media = MEDIA_TYPES.get(kind)
        asset = media.from_path(path) if media else Text(path.read_text(errors="replace"))
    else:
        asset = Text(value)
    if kinds and asset.kind not in kinds:
        wanted = " or ".join(sorted(kinds))
        raise click.BadParameter(f"this model takes {wanted}, and {value!r} is {asset.kind}"
                                 + ("" if asset.kind != "text" else " (no such file)"),
                                 param_hint="INPUT")
    return asset


RESERVED_PARAMS = frozenset({"self", "input", "on_progress", "timeout"})


class UserError(click.ClickException):
    """A mistake in how a command was called: one line, exit 2."""

    exit_code = 2


def _write_outputs(results: list[Asset], out: Path | None, force: bool) -> None:
    """Several outputs: each into the folder OUT (made if missing), else the current one.

    The names are the CLI's own (`output-1.png`, ...), never the worker's."""
    from mediaconduit.sdk.assets import extension_for

    folder = out or Path.cwd()
    if folder.exists() and not folder.is_dir():
        raise UserError(f"-o {folder} is a file; the model made {len(results)} outputs, "
                        "so -o names a folder for them")
    targets = [folder / f"output-{index + 1}{extension_for(result.mime_type)}"
               for index, result in enumerate(results)]
    for target in targets:
        _refuse_overwrite(target, force)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"cannot make the folder {folder}: {e.strerror or e}") from None
    for result, target in zip(results, targets, strict=True):
        _write_output(result, target, force=True)


def _refuse_overwrite(path: Path, force: bool) -> None:
    if path.is_dir():
        raise UserError(f"{path} is a folder: give -o a file name")
    if path.exists() and not force:
        raise UserError(f"{path} exists: remove it, name another file with -o, or give "
                        "--force to overwrite it")


def _write_output(result: Asset, out: Path | None, force: bool = False) -> None:
    """Text to stdout (or OUT); media to OUT, else to `output.<ext>` in the current folder
    (a name of the CLI's own: never one the worker chose)."""
    from mediaconduit.sdk.assets import Text, extension_for

    if isinstance(result, Text) and out is None:
        click.echo(result.text)
        return
    if out is None:
        out = Path.cwd() / f"output{extension_for(result.mime_type)}"
    _refuse_overwrite(out, force)
    if not out.parent.is_dir():
        raise UserError(f"-o {out}: the folder {out.parent} does not exist")
    try:
        result.save(out)
    except OSError as e:
        raise UserError(f"could not write {out}: {e.strerror or e}") from None
    if not isinstance(result, Text):
        click.echo(f"wrote {out}", err=True)


def _model_params(params: tuple[str, ...]) -> dict[str, Any]:
    arguments = parse_pairs(params, "--param")
    reserved = sorted(RESERVED_PARAMS & set(arguments))
    if reserved:
        raise UserError(f"-p {reserved[0]}=... names an argument of the host's own, not a "
                        "model parameter; choose another name")
    return arguments


@click.command()
@click.argument("spec")
@click.argument("model_id", metavar="MODEL")
@click.argument("input_value", metavar="INPUT")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), default=None,
              help="Write the result here (text goes to stdout otherwise); a folder when "
                   "the model makes several outputs.")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A model parameter (repeatable; VALUE read as JSON if it parses).")
@click.option("--no-stream", is_flag=True, help="Print text only when it is complete.")
@click.option("--force", is_flag=True, help="Overwrite output files that exist.")
@load_options
@cache_options
def run(spec: str, model_id: str, input_value: str, out: Path | None, params: tuple[str, ...],
        no_stream: bool, force: bool, ref: str | None, update: bool, config: tuple[str, ...],
        cache_dir: Path | None, offline: bool | None) -> None:
    """Run one transform. INPUT is text ("-" reads stdin) or a media file.

    On a terminal, the progress the provider reports is drawn as a bar.
    """
    display = progress_display()
    arguments = _model_params(params)
    with loaded(spec, ref, update, config, cache_dir, offline, display) as handle:
        model = handle.get_model(model_id)
        caps = model.info.capabilities or handle.capabilities
        asset = read_input(input_value, {c.split("-to-")[0] for c in caps})
        on_progress = display.for_call(f"{handle.id}/{model.id}")
        if asset.kind == "text" and out is None and not no_stream and "text-to-text" in caps:
            with model.stream(asset, on_progress=on_progress, **arguments) as chunks:
                for chunk in chunks:
                    click.echo(chunk, nl=False)
            click.echo()
            return
        result = model.transform(asset, on_progress=on_progress, **arguments)
    write_result(result, out, force=force)


def write_result(result: Asset | list[Asset], out: Path | None, *, force: bool = False) -> None:
    """One output or several (into the folder OUT); an existing file only with `force`."""
    if isinstance(result, list):
        _write_outputs(result, out, force)
    else:
        _write_output(result, out, force)


COMMANDS: list[click.Command] = [add, info, models, run]
