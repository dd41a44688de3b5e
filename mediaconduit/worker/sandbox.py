"""An opt-in sandbox for a worker (Linux, bubblewrap).

`MEDIACONDUIT_SANDBOX=<provider id>[,<id>...]` (or `all`) runs those providers' workers
under `bwrap`: the worker sees the system's programs and libraries (read-only), the
Python it runs on, its environment, the SDK and its checkout (read-only), its output
folder (writable), an empty home and `/tmp`, and the network; nothing else of yours:
no `~/.ssh`, no other projects, no other providers' checkouts.

What it does not do: limit the network, CPU or memory. A media input the host passes
by path must lie inside the output folder for a sandboxed worker to read it (pass
bytes or a URL otherwise).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mediaconduit.sdk.errors import ProviderLoadError

if TYPE_CHECKING:
    from mediaconduit.worker.process import WorkerSpec

SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc/alternatives",
          "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/localtime",
          "/etc/ssl", "/etc/ca-certificates", "/etc/pki", "/etc/mime.types")


def wanted(provider_id: str, environ: Mapping[str, str] | None = None) -> bool:
    """Does `MEDIACONDUIT_SANDBOX` ask for this provider's worker to be sandboxed?"""
    value = (os.environ if environ is None else environ).get("MEDIACONDUIT_SANDBOX", "")
    names = {part.strip() for part in value.split(",") if part.strip()}
    return "all" in names or provider_id in names


def _bwrap() -> str:
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = Path(folder) / "bwrap"
        if os.access(candidate, os.X_OK):
            return str(candidate)
    raise ProviderLoadError("MEDIACONDUIT_SANDBOX asks for a sandbox, but bubblewrap is not "
                            "installed: install it (apt-get install bubblewrap) or unset it")


def _system() -> list[str]:
    args: list[str] = []
    for path in SYSTEM:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            args += ["--ro-bind", path, path]
    return args


def command(spec: WorkerSpec) -> list[str]:
    """The `bwrap ...` prefix that runs `spec`'s worker in its sandbox."""
    if not sys.platform.startswith("linux"):
        raise ProviderLoadError("MEDIACONDUIT_SANDBOX works on Linux only (bubblewrap)")
    spec.output_root.mkdir(parents=True, exist_ok=True)
    python = Path(os.path.realpath(spec.python))
    readable = dict.fromkeys(str(p) for p in (
        Path(sys.base_prefix).resolve(), python.parent.parent, spec.python.parent.parent,
        spec.sdk_path, spec.repo))
    home = spec.env.get("HOME", "/nonexistent")
    # No --die-with-parent: that ties bwrap to the *thread* that started it (a worker is
    # started on a thread that ends); the worker exits anyway once its socket closes.
    args = [_bwrap(), "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            *_system(), "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--tmpfs", home]
    for path in readable:
        args += ["--ro-bind", path, path]
    return [*args, "--bind", str(spec.output_root), str(spec.output_root),
            "--chdir", str(spec.repo), "--"]
