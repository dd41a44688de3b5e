"""The OpenRouter provider's own fake server and test constants, for the host's tests.

They live in `providers/openrouter-provider/tests/` (the provider repo's tests);
that folder goes on `sys.path` here so the host's tests use the very same fake.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.helpers.provider_tests import provider_tests

PROVIDER = provider_tests("openrouter")

from fake_openrouter import (  # noqa: E402
    CATALOG,
    FakeOpenRouter,
    RecordedRequest,
    Reply,
    completion,
    error_reply,
    find_data,
    load_catalog,
    mid_stream_error,
    no_endpoints,
    payment_required,
    rate_limited,
    server_error,
    unauthorized,
)
from openrouter_helpers import FAST, KEY  # noqa: E402

#: the model of the seed's example (README, DESIGN.md)
SEED_MODEL = "meta-llama/llama-3.1-8b-instruct:free"


def seed_catalog() -> dict[str, Any]:
    """The 2026-08 default listing plus the free variant that the seed's example uses.

    The capture lists only the paid `meta-llama/llama-3.1-8b-instruct`; the free
    variant is added as OpenRouter shapes one: `:free` id, ` (free)` name, zero
    token prices, everything else as the paid entry.
    """
    catalog = load_catalog(find_data(CATALOG))
    paid_id = SEED_MODEL.removesuffix(":free")
    paid = next(m for m in catalog["data"] if m["id"] == paid_id)
    free = copy.deepcopy(paid)
    free.update(id=SEED_MODEL, name=f"{paid['name']} (free)",
                canonical_slug=f"{paid['canonical_slug']}:free",
                pricing={"prompt": "0", "completion": "0"})
    entries = [*catalog["data"], free]
    return {**catalog, "data": entries, "total_count": len(entries)}


__all__ = [
    "FAST", "KEY", "PROVIDER", "SEED_MODEL", "FakeOpenRouter", "RecordedRequest", "Reply",
    "completion", "error_reply", "mid_stream_error", "no_endpoints", "payment_required",
    "rate_limited", "seed_catalog", "server_error", "unauthorized",
]
