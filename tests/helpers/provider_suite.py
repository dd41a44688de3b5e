"""Running a provider repository's own test suite the way its own CI would.

The suite runs in an environment the host builds from the provider's dependencies
(plus the test tools), with the SDK on the path and no host: so a provider whose
tests need its vendor client (which the host's venv never has) is tested with it.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mediaconduit.cache import Layout
from mediaconduit.environment import ensure_environment, ensure_sdk
from mediaconduit.manifest.repo import read_repo_manifest

_SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


@dataclass(frozen=True)
class SuiteResult:
    counts: dict[str, int]  # "passed", "failed", "error", "skipped", ...
    output: str

    @property
    def passed(self) -> int:
        return self.counts.get("passed", 0)


def run_provider_suite(provider: Path, cache_root: Path, *, tools: Sequence[str] = ("pytest>=8",),
                       extra_path: Sequence[Path] = (), timeout: float = 600) -> SuiteResult:
    """`pytest <provider>/tests` in the provider's environment; asserts it passed."""
    layout = Layout(cache_root)
    _facts, dependencies, error = read_repo_manifest(provider)
    assert error is None, error
    env = ensure_environment(layout, [*dependencies, *tools], label=f"{provider.name} (tests)")
    path = [str(ensure_sdk(layout)), *map(str, extra_path)]
    done = subprocess.run(
        [str(env.python), "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "--import-mode=importlib", "--rootdir", str(provider), "-c",
         str(provider / "pyproject.toml"), str(provider / "tests")],
        cwd=provider, capture_output=True, text=True, check=False, timeout=timeout,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"),
             "PYTHONPATH": os.pathsep.join(path), "PYTHONDONTWRITEBYTECODE": "1"})
    output = done.stdout[-4000:] + done.stderr[-2000:]
    assert done.returncode == 0, output
    counts = {kind.rstrip("s"): int(n) for n, kind in _SUMMARY.findall(done.stdout)}
    return SuiteResult(counts, output)
