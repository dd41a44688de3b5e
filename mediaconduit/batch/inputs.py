"""What a batch runs over: files, folders, globs and JSONL files of `{input, params}` rows.

Each becomes an `Item`: an input (an absolute file path, or text when a JSONL row's
`input` names no file) and its parameters (the batch's, with the row's on top).
"""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from mediaconduit.sdk.errors import MediaConduitError

_CHUNK = 1 << 20


class BatchInputError(MediaConduitError):
    """A batch input cannot be read: no such file, an empty glob, a bad JSONL row."""


@dataclasses.dataclass(frozen=True)
class Item:
    """One transform to run: its input and its parameters."""

    input: str
    params: Mapping[str, Any]
    origin: str = ""  # where it was listed ("rows.jsonl line 3"), for messages

    @property
    def path(self) -> Path | None:
        """The input file, when the input is one."""
        path = Path(self.input)
        return path if path.is_absolute() and path.is_file() else None

    def digest(self) -> str:
        """sha256 of the file's bytes, or of the text: what the resume key is made of."""
        digest = hashlib.sha256()
        path = self.path
        if path is None:
            digest.update(b"text:" + self.input.encode())
            return digest.hexdigest()
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
        return digest.hexdigest()


def expand(inputs: Sequence[str | Path], params: Mapping[str, Any] | None = None,
           exclude: Path | None = None) -> list[Item]:
    """Every item the inputs name, in order; files under `exclude` (the output) are left out."""
    items: list[Item] = []
    for value in inputs:
        items.extend(_expand_one(str(value), dict(params or {}), exclude))
    return items


def _expand_one(value: str, params: dict[str, Any], exclude: Path | None) -> Iterator[Item]:
    path = Path(value).expanduser()
    if path.is_dir():
        files = _folder_files(path.absolute(), exclude)
    elif path.is_file():
        files = [path.absolute()]
    elif glob.has_magic(value):
        files = _glob_files(value, exclude)
    else:
        raise BatchInputError(f"{value}: no such file or folder (give files, folders, globs "
                              "or a .jsonl file of {\"input\": ..., \"params\": {...}} rows)")
    for file in files:
        if file.suffix == ".jsonl":
            yield from read_rows(file, params)
        else:
            yield Item(str(file), params, str(file))


def _folder_files(folder: Path, exclude: Path | None) -> list[Path]:
    found = [p for p in folder.rglob("*") if p.is_file() and not _hidden(p, folder)]
    return sorted(p for p in found if not _inside(p, exclude))


def _glob_files(pattern: str, exclude: Path | None) -> list[Path]:
    found = [Path(p).absolute() for p in glob.glob(pattern, recursive=True)]
    files = sorted(p for p in found if p.is_file() and not _inside(p, exclude))
    if not files:
        raise BatchInputError(f"{pattern}: the glob matches no file")
    return files


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _inside(path: Path, folder: Path | None) -> bool:
    return folder is not None and path.is_relative_to(folder.absolute())


def read_rows(file: Path, params: Mapping[str, Any]) -> Iterator[Item]:
    """A JSONL file's rows; `input` is a file (relative to the JSONL file's folder) or text."""
    with file.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                yield _row(line, f"{file} line {number}", file.parent, params)


def _row(line: str, where: str, base: Path, params: Mapping[str, Any]) -> Item:
    try:
        row = json.loads(line)
    except ValueError as e:
        raise BatchInputError(f"{where}: not JSON ({e})") from None
    if not isinstance(row, dict) or not isinstance(row.get("input"), str):
        raise BatchInputError(f'{where}: a row is an object with an "input" string, e.g. '
                              '{"input": "clip.mp4", "params": {"time": 1.5}}')
    extra = row.get("params") or {}
    if not isinstance(extra, dict):
        raise BatchInputError(f'{where}: "params" must be an object')
    return Item(_resolve(row["input"], base), {**params, **extra}, where)


def _resolve(value: str, base: Path) -> str:
    """A row's input: the file it names (absolute), else the text itself."""
    try:
        candidate = (base / value).expanduser()
        if candidate.is_file():
            return str(candidate.absolute())
    except (OSError, ValueError):  # text too long or odd for a file name
        pass
    return value
