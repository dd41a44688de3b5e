"""What the cache remembers about repositories: refs resolved, and each checkout's marker.

- `refs/<dirname>.json` holds the last commit each ref of a repo resolved to
  (`{"url", "display", "refs": {ref: commit}}`); the default branch is `HEAD`.
  A branch, tag or short commit resolved before loads without the network.
- A checkout is complete once its marker (`.mediaconduit-checkout.json`) exists
  and every file it lists is there. `mediaconduit.git` writes it last, with
  what the manifest says.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediaconduit.cache.files import read_json, write_json
from mediaconduit.cache.layout import Layout

if TYPE_CHECKING:
    from mediaconduit.specifier import Specifier

MARKER = ".mediaconduit-checkout.json"
HEAD = "HEAD"


# --- refs -------------------------------------------------------------------------------------

def cached_commit(layout: Layout, spec: Specifier) -> str | None:
    """The commit `spec` resolved to last time, without the network."""
    if spec.is_full_commit:
        return spec.ref
    refs = (read_json(layout.refs(spec.dirname)) or {}).get("refs", {})
    commit = refs.get(spec.ref or HEAD)
    if commit is None and spec.is_short_commit:
        matches = [c for c in set(refs.values()) if c.startswith(str(spec.ref))]
        commit = matches[0] if len(matches) == 1 else None
    return commit if isinstance(commit, str) else None


def remember(layout: Layout, spec: Specifier, commit: str) -> None:
    """Note what `spec` resolved to; credentials written in a URL are not kept on disk."""
    path = layout.refs(spec.dirname)
    data = read_json(path) or {}
    refs = {**data.get("refs", {}), (spec.ref or HEAD): commit}
    write_json(path, {"url": spec.display, "display": spec.display, "refs": refs})


def refs_file(layout: Layout, dirname: str) -> dict[str, Any]:
    """What `remember` wrote for a repo: url, display, refs."""
    data = read_json(layout.refs(dirname))
    return data if isinstance(data, dict) else {}


# --- the checkout marker ----------------------------------------------------------------------

def read_marker(checkout: Path) -> dict[str, Any] | None:
    """The marker of a published checkout, or None when it or a file it lists is missing."""
    marker = read_json(checkout / MARKER)
    if not isinstance(marker, dict):
        return None
    if not all(os.path.lexists(checkout / name) for name in marker.get("files", {})):
        return None
    return marker


def write_marker(checkout: Path, marker: dict[str, Any]) -> None:
    """Write the marker (atomically): the checkout counts as complete from then on."""
    write_json(checkout / MARKER, marker)


def file_stamps(checkout: Path, files: dict[str, str]) -> dict[str, list[int]]:
    """Each listed file's [size, mtime_ns] as it is now (links not followed)."""
    stamps = {}
    for name in files:
        try:
            st = os.lstat(checkout / name)
        except OSError:
            continue
        stamps[name] = [st.st_size, st.st_mtime_ns]
    return stamps
