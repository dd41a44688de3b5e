from __future__ import annotations

from mediaconduit.cli import run

run()
