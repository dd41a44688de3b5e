"""Specifiers: how an application names a provider, parsed into one normalised form.

| form           | example                                                    |
|----------------|------------------------------------------------------------|
| https URL      | https://github.com/MediaConduit/openrouter-provider[.git][/] |
| URL with ref   | https://github.com/MediaConduit/openrouter-provider@v1.2.0 |
| GitHub web URL | https://github.com/Owner/repo/tree/v1.2.0                  |
| shorthand      | github:Owner/repo@ref                                      |
| ssh            | git@github.com:Owner/repo.git, ssh://git@host/owner/repo   |
| local path     | ./providers/ffmpeg-provider, file:///abs/path              |

A local path without a ref loads in dev mode: straight from the folder, which
may be a plain folder. `file://` URLs and local paths with a ref go through git.

Hostile forms are refused before git ever runs: remote-helper transports
(`ext::`, `fd::`, any `name::`), a leading `-`, control characters, and `.` or
`..` segments in the repository path.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from mediaconduit.errors import SpecifierError
from mediaconduit.process import redact

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TRANSPORT = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::")
_SCP = re.compile(r"^(?P<user>[A-Za-z0-9._-]+)@(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*)$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_.~-]+$")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/+-]*$")
_WEB_REF = re.compile(r"^(?P<repo>[^/]+/[^/]+)/(?:tree|commit|releases/tag)/(?P<ref>.+)$")
_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
_SHORT_SHA = re.compile(r"^[0-9a-f]{4,39}$")
GITHUB = "github.com"


class Specifier(NamedTuple):
    """A parsed specifier. `key` names the repository whatever the spelling."""

    kind: str  # "git" or "local"
    url: str  # handed to git as is (or the folder, for local)
    key: str  # e.g. "github.com/mediaconduit/openrouter-provider"
    ref: str | None
    display: str  # safe to print: credentials hidden
    dirname: str  # the cache folder name, e.g. "mediaconduit-openrouter-provider"

    def __repr__(self) -> str:  # the URL may hold a token: show it redacted
        return (f"Specifier(kind={self.kind!r}, url={redact(self.url)!r}, key={self.key!r}, "
                f"ref={self.ref!r}, dirname={self.dirname!r})")

    @property
    def is_full_commit(self) -> bool:
        return self.ref is not None and _FULL_SHA.match(self.ref) is not None

    @property
    def is_short_commit(self) -> bool:
        return self.ref is not None and _SHORT_SHA.match(self.ref) is not None


def parse_specifier(spec: str, ref: str | None = None, *, cwd: Path | None = None) -> Specifier:
    """Parse `spec` (and an optional `ref` that wins over one written in it)."""
    _refuse_hostile(spec)
    text = spec.strip()
    if text.startswith("github:"):
        text = "https://github.com/" + text.removeprefix("github:")
    if _looks_local(text):
        return _local(text, ref, cwd or Path.cwd())
    if text.startswith("file://"):
        return _file_url(text, ref)
    if _SCP.match(text):
        return _scp(text, ref)
    if re.match(r"^(https?|ssh|git)://", text):
        return _url(text, ref)
    raise SpecifierError(
        f"cannot read provider specifier {redact(spec)!r}: write an https URL "
        "(https://github.com/Owner/repo), github:Owner/repo, git@host:owner/repo.git, "
        "or a local path such as ./my-provider"
    )


MAX_SPECIFIER = 2048  # characters: longer than any real URL, refused before anything else


def _refuse_hostile(spec: str) -> None:
    if len(spec) > MAX_SPECIFIER:
        raise SpecifierError(f"the provider specifier is {len(spec)} characters long; at most "
                             f"{MAX_SPECIFIER} are allowed (it starts {redact(spec[:60])!r})")
    shown = redact(spec).encode("unicode_escape").decode()
    hidden = _hidden_credentials(spec)
    if "/" in hidden:
        raise SpecifierError(f"provider specifier {shown!r}: its credentials hold an "
                             "unencoded '/': percent-encode it as %2F (and '@' as %40), or "
                             "keep the token in a git credential helper")
    if not spec.strip():
        raise SpecifierError("the provider specifier is empty")
    if _CONTROL.search(spec):
        raise SpecifierError(f"provider specifier {shown!r} contains control characters")
    if spec.lstrip().startswith("-"):
        raise SpecifierError(f"provider specifier {shown!r} must not begin with '-'")
    if _TRANSPORT.match(spec.strip()):
        raise SpecifierError(
            f"provider specifier {shown!r} uses a git remote-helper transport ('name::'), "
            "which could run commands; use an https, ssh or file URL"
        )


def _hidden_credentials(spec: str) -> str:
    """What `redact` hides of `spec` (its first URL's credentials), or ''."""
    shown = redact(spec)
    if shown == spec or "***" not in shown:
        return ""
    start = shown.index("***")
    return spec[start:len(spec) - (len(shown) - start - 3)]


def _check_ref(ref: str | None, spec: str) -> str | None:
    if ref is None or ref == "":
        return None
    if not _REF.match(ref) or ".." in ref or ref.endswith((".lock", "/", ".")):
        raise SpecifierError(
            f"ref {ref!r} in {redact(spec)!r} is not a valid branch, tag or commit name"
        )
    return ref


def _split_ref(path: str, ref: str | None, spec: str) -> tuple[str, str | None]:
    """`owner/repo@v1` -> (`owner/repo`, `v1`); an explicit `ref` argument wins."""
    base, sep, written = path.rpartition("@")
    if not sep:
        return path, _check_ref(ref, spec)
    return base, _check_ref(ref if ref is not None else written, spec)


def _repo_segments(path: str, spec: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    for part in parts:
        if part in (".", "..") or not _SEGMENT.match(part):
            raise SpecifierError(
                f"repository path {path!r} in {redact(spec)!r} has a bad segment {part!r}"
            )
    if not parts:
        raise SpecifierError(f"{redact(spec)!r} names a host but no repository")
    parts[-1] = parts[-1].removesuffix(".git")
    return parts


def _url(text: str, ref: str | None) -> Specifier:
    parts = urlsplit(text)
    if parts.query or parts.fragment:
        raise SpecifierError(f"provider URL {redact(text)!r} must not carry ?query or #fragment")
    host = (parts.hostname or "").lower()
    if not host:
        raise SpecifierError(f"provider URL {redact(text)!r} has no host")
    path, ref = _split_ref(parts.path, ref, text)
    if host == GITHUB:
        path, ref = _github_web_ref(path, ref, text)
    segments = _repo_segments(path, text)
    if host == GITHUB and len(segments) != 2:
        raise SpecifierError(
            f"{redact(text)!r}: a GitHub provider URL is https://github.com/Owner/repo"
        )
    netloc = parts.netloc.rsplit("@", 1)
    auth = netloc[0] + "@" if len(netloc) == 2 else ""
    url = f"{parts.scheme}://{auth}{parts.netloc.rsplit('@', 1)[-1]}/{'/'.join(segments)}"
    return _make("git", url, host, segments, ref)


def _github_web_ref(path: str, ref: str | None, spec: str) -> tuple[str, str | None]:
    match = _WEB_REF.match(path.strip("/"))
    if match is None:
        return path, ref
    return match["repo"], _check_ref(ref if ref is not None else match["ref"], spec)


def _scp(text: str, ref: str | None) -> Specifier:
    match = _SCP.match(text)
    assert match is not None
    host = match["host"].lower()
    path, ref = _split_ref(match["path"], ref, text)
    segments = _repo_segments(path, text)
    url = f"{match['user']}@{match['host']}:{'/'.join(segments)}.git"
    return _make("git", url, host, segments, ref)


def _make(kind: str, url: str, host: str, segments: list[str], ref: str | None) -> Specifier:
    if host == GITHUB:
        segments = [s.lower() for s in segments]
    key = f"{host}/{'/'.join(segments)}"
    dirname = "-".join(segments) if host == GITHUB else f"{host}-{'-'.join(segments)}"
    return Specifier(kind, url, key, ref, redact(url), _keyed_dirname(dirname, key))


def _keyed_dirname(name: str, key: str) -> str:
    """A readable name plus a short hash of the key: `acme/foo-bar` and `acme-foo/bar`
    both read `acme-foo-bar`, and must never share a cache folder."""
    import hashlib

    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return f"{_safe_dirname(name)[:69]}-{digest}"


def _safe_dirname(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "-", name).strip(".-")
    return cleaned[:80] or "provider"


def _looks_local(text: str) -> bool:
    return text.startswith(("./", "../", "/", "~", ".\\")) or text in (".", "..")


def _local(text: str, ref: str | None, cwd: Path) -> Specifier:
    try:
        Path(text).expanduser()
    except RuntimeError:  # `~name` of no such user
        raise SpecifierError(f"{text!r}: no such home folder (a local path starting with "
                             "~ needs an existing user)") from None
    written = text
    if ref is None and "@" in Path(text).name and not Path(text).expanduser().exists():
        text, _, ref = text.rpartition("@")
    ref = _check_ref(ref, written)
    folder = (cwd / Path(text).expanduser()).resolve()
    if not folder.is_dir():
        raise SpecifierError(f"local provider folder {folder} does not exist")
    if ref is not None:
        return _file_url(folder.as_uri(), ref)
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:8]
    key = f"local{folder}"
    return Specifier("local", str(folder), key, None, str(folder),
                     _safe_dirname(f"local-{folder.name}-{digest}"))


def _file_url(text: str, ref: str | None) -> Specifier:
    path, ref = _split_ref(text.removeprefix("file://"), ref, text)
    folder = Path(path)
    if not folder.is_absolute() or ".." in folder.parts:
        raise SpecifierError(f"{text!r}: a file URL needs an absolute path without '..'")
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:8]
    return Specifier("git", folder.as_uri(), f"file{folder}", ref, folder.as_uri(),
                     _safe_dirname(f"file-{folder.name}-{digest}"))
