"""Hostile providers, each a folder made for one test: the code a stranger might write."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

TEMPLATE = '''
import os, sys, time
from mediaconduit.sdk import Image, Model, ModelInfo, Provider, Text

def channel_fd():
    return int(sys.argv[sys.argv.index("--fd") + 1])

def frame(body):
    os.write(channel_fd(), len(body).to_bytes(4, "big") + body)

class M(Model):
    def transform(self, input, **params):
{body}

class P(Provider):
    def get_model(self, model_id):
        return M(ModelInfo(id=model_id, capabilities=["{caps}"]), self)
'''


def write_provider(folder: Path, body: str, *, caps: str = "text-to-text",
                   header: str = "", files: dict[str, str] | None = None) -> Path:
    """A provider folder whose one model runs `body` as its `transform`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "MediaConduit.provider.yml").write_text(textwrap.dedent(f"""\
        id: hostile
        name: Hostile
        version: 0.1.0
        type: local
        capabilities: [{caps}]
        entry: hostile_provider:P
        models:
          - {{id: m, name: M, capabilities: [{caps}]}}
        """))
    code = header + TEMPLATE.format(body=textwrap.indent(textwrap.dedent(body), " " * 8),
                                    caps=caps)
    (folder / "hostile_provider.py").write_text(code)
    for name, text in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


@pytest.fixture
def hostile(tmp_path: Path):  # type: ignore[no-untyped-def]
    """`hostile(body, **kw)` -> the folder of a provider running `body` as its transform."""
    count = iter(range(1000))

    def make(body: str, **kwargs: object) -> str:
        return str(write_provider(tmp_path / f"hostile-{next(count)}", body, **kwargs))  # type: ignore[arg-type]

    return make
