"""The cache on disk: where each entry lives, how it is locked, how it is published.

    from mediaconduit import cache
    layout = cache.Layout(cache.default_root())
    with cache.locked(layout.lock("repo-owner-name")): ...

This package re-exports `layout` (the paths, the lock) and `files` (staging,
publishing, JSON helpers), which import only the standard library, so a warm
load can import it. Its other modules are imported by name:

- `refs`: the last resolution of each ref, and the checkout marker;
- `catalog`: the models each provider discovered last;
- `maintenance`: what `mediaconduit cache list | verify | gc | clean` do.
"""

from __future__ import annotations

from mediaconduit.cache.files import (
    dir_size,
    publish,
    read_json,
    remove,
    staging_dir,
    write_json,
)
from mediaconduit.cache.layout import Layout, default_root, locked

__all__ = [
    "Layout", "default_root", "dir_size", "locked", "publish", "read_json", "remove",
    "staging_dir", "write_json",
]
