"""Which encoders the running FFmpeg really has."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from ffmpeg_provider.formats import Encoder
from ffmpeg_provider.runner import execute
from mediaconduit.sdk import ProviderUnavailableError


@functools.lru_cache(maxsize=8)
def available_encoders(binary: str) -> frozenset[str]:
    """The names in `ffmpeg -encoders` (read once per binary)."""
    listing = execute([binary, "-hide_banner", "-encoders"]).stdout.splitlines()
    table = listing[next((i for i, ln in enumerate(listing) if ln.strip() == "------"), 0):]
    return frozenset(parts[1] for parts in map(str.split, table) if len(parts) > 1)


def pick_encoder(binary: str, candidates: Sequence[Encoder], purpose: str) -> Encoder:
    """The first of `candidates` that `binary` has."""
    have = available_encoders(binary)
    for encoder in candidates:
        if encoder.name in have:
            return encoder
    names = ", ".join(e.name for e in candidates)
    raise ProviderUnavailableError(f"{binary} has none of the encoders for {purpose}: {names}")
