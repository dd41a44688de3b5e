"""`mediaconduit usage`: what the recorded calls used and cost, and the budget's state."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mediaconduit.cli.common import cache_options, echo_json
from mediaconduit.ledger.report import GROUPS

if TYPE_CHECKING:
    from mediaconduit.ledger import Ledger
    from mediaconduit.project.settings import Budget


@click.command("usage")
@click.option("--since", default="7d", show_default=True, metavar="SPAN|DATE",
              help="From how long ago (30m, 24h, 7d, 2w) or a UTC date (2026-12-01).")
@click.option("--by", type=click.Choice(GROUPS), default="model", show_default=True,
              help="One line per provider, model, task or UTC day.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--reset-budget", is_flag=True,
              help="Forget the spending so far for every budget (the history stays); asks first.")
@click.option("--yes", is_flag=True, help="With --reset-budget: do not ask.")
@cache_options
def usage(since: str, by: str, as_json: bool, reset_budget: bool, yes: bool,
          cache_dir: Path | None, offline: bool | None) -> None:
    """Calls, failures, usage, cost and latency from the ledger, with the budget left."""
    from mediaconduit import cache
    from mediaconduit.ledger import Ledger

    root = cache_dir.absolute() if cache_dir else cache.default_root()
    ledger = Ledger.in_cache(root)
    try:
        if reset_budget:
            _reset(ledger, yes)
        else:
            _report(ledger, since, by, as_json)
    finally:
        ledger.close()


def _reset(ledger: Ledger, yes: bool) -> None:
    if not yes:
        if not _interactive():
            raise click.UsageError("--reset-budget asks before it forgets the spending; "
                                   "without a terminal, pass --yes")
        click.confirm("forget the spending so far for every budget (the history stays)?",
                      abort=True)
    ledger.reset_budget()
    click.echo("budget reset: calls before now no longer count against daily_usd or "
               "monthly_usd")


def _interactive() -> bool:
    return sys.stdin.isatty()


def _report(ledger: Ledger, since: str, by: str, as_json: bool) -> None:
    from mediaconduit.ledger.report import parse_since, summarize, table

    try:
        start = parse_since(since)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--since") from None
    rows = ledger.rows(start) if ledger.path.exists() else []
    groups, total = summarize(rows, by)
    budget = _budget(ledger)
    if as_json:
        echo_json({"ledger": str(ledger.path), "since": start, "by": by,
                   "groups": [g.to_dict() for g in groups], "total": total.to_dict(),
                   "budget": budget})
        return
    if not rows:
        click.echo(f"no calls recorded since {since} (ledger: {ledger.path})")
    else:
        click.echo(table(groups, total, by))
    if budget:
        click.echo(_budget_line(budget))


def _budget(ledger: Ledger) -> dict[str, Any] | None:
    """The project file's budget (the working directory's) with what is spent and left."""
    from mediaconduit.project import find_project, load_project

    path = find_project()
    if path is None:
        return None
    limits: Budget = load_project(path).budget
    if not limits.limited:
        return None
    day, month = ledger.spent() if ledger.path.exists() else (0, 0)
    state: dict[str, Any] = {"project": str(path)}
    for name, limit, spent in (("daily_usd", limits.daily_usd, day),
                               ("monthly_usd", limits.monthly_usd, month)):
        if limit is not None:
            state[name] = {"limit": str(limit), "spent": str(spent),
                           "left": str(max(limit - spent, 0))}
    if limits.per_call_usd is not None:
        state["per_call_usd"] = {"limit": str(limits.per_call_usd)}
    return state


def _budget_line(budget: dict[str, Any]) -> str:
    parts = [f"{name} ${v['limit']}" + (f": ${v['spent']} spent, ${v['left']} left"
                                         if "spent" in v else "")
             for name, v in budget.items() if name != "project"]
    return "budget: " + "; ".join(parts)


COMMANDS: list[click.Command] = [usage]
