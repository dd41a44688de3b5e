"""The contract kit: check a provider repository through the real host, from pytest or not.

    from mediaconduit.testing import assert_provider_contract

    def test_contract():
        assert_provider_contract(Path(__file__).parents[1])

`check_provider(spec, ...)` returns a `ContractReport` (`ok`, `failures`,
`format()`); `assert_provider_contract` raises `AssertionError` with the
report when a check fails. Neither needs pytest. `asset_problems(asset, kind)`
checks one asset (a real PNG, WAV, ... by MIME type and bytes), and
`write_samples(folder)` makes the sample inputs the kit uses.
"""

from __future__ import annotations

from mediaconduit.testing.contract import (
    Check,
    ContractReport,
    assert_provider_contract,
    check_provider,
)
from mediaconduit.testing.media import (
    FORMATS,
    Format,
    asset_problems,
    sample_avi,
    sample_png,
    sample_wav,
    sniff,
    write_samples,
)

__all__ = [
    "FORMATS",
    "Check",
    "ContractReport",
    "Format",
    "assert_provider_contract",
    "asset_problems",
    "check_provider",
    "sample_avi",
    "sample_png",
    "sample_wav",
    "sniff",
    "write_samples",
]
