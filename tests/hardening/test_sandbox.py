"""The opt-in sandbox (MEDIACONDUIT_SANDBOX, bubblewrap): a worker sees only what it needs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mediaconduit.registry import ProviderRegistry
from mediaconduit.worker import sandbox


def _bwrap_works() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("bwrap") is None:
        return False
    probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "true"], capture_output=True,
                           check=False)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _bwrap_works(), reason="bubblewrap does not run here")
Hostile = Callable[..., str]

LOOKS_AROUND = """
import json
secret = params["secret"]
try:
    seen = open(secret).read()
except OSError as e:
    seen = type(e).__name__
try:
    open("written-into-the-checkout", "w").write("x")
    wrote = True
except OSError:
    wrote = False
from mediaconduit.sdk.assets import output_dir
(output_dir() / "ok.txt").write_text("outputs are writable")
return Text(json.dumps({"secret": seen, "wrote_checkout": wrote,
                        "home": sorted(os.listdir(os.path.expanduser("~")))}))
"""


def _look(registry: ProviderRegistry, folder: str, secret: Path) -> dict[str, object]:
    result = registry.get_provider(folder).get_model("m").transform("x", secret=str(secret))
    return json.loads(result.text)  # type: ignore[union-attr,no-any-return]


def test_a_sandboxed_worker_sees_neither_your_files_nor_writes_its_checkout(
        cache_dir: Path, hostile: Hostile, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "private" / "id_rsa"
    secret.parent.mkdir()
    secret.write_text("PRIVATE KEY")
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("MEDIACONDUIT_SANDBOX", "hostile")
    with ProviderRegistry(cache_dir) as registry:
        seen = _look(registry, hostile(LOOKS_AROUND), secret)
    assert seen == {"secret": "FileNotFoundError", "wrote_checkout": False, "home": []}


def test_without_the_opt_in_the_worker_runs_as_you(
        cache_dir: Path, hostile: Hostile, tmp_path: Path) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY")
    with ProviderRegistry(cache_dir) as registry:
        seen = _look(registry, hostile(LOOKS_AROUND), secret)
    assert seen["secret"] == "PRIVATE KEY"


def test_opt_in_is_per_provider() -> None:
    assert sandbox.wanted("a", {"MEDIACONDUIT_SANDBOX": "b, a"})
    assert sandbox.wanted("a", {"MEDIACONDUIT_SANDBOX": "all"})
    assert not sandbox.wanted("a", {"MEDIACONDUIT_SANDBOX": "b"})
    assert not sandbox.wanted("a", {})
