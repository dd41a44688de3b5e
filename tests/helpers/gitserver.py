"""A real git smart-HTTP server on loopback, for tests and benchmarks.

`git http-backend` runs behind a small threaded HTTP server. Repositories are
published from plain folders; `https://github.com/` is pointed at the server
with git's own `url.<base>.insteadOf`, so the real GitHub specifiers go
through real git over a real transport.

Like GitHub, the server matches owner/repo without regard to case and accepts
an optional `.git` suffix.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from tests.helpers.loopback import LoopbackServer, QuietHandler


def _git(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout.strip()


def _read_chunked(rfile: Any) -> bytes:
    body = bytearray()
    while True:
        size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            rfile.readline()
            return bytes(body)
        body += rfile.read(size)
        rfile.readline()


class _Handler(QuietHandler):
    server: _HTTPServer

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return _read_chunked(self.rfile)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def serve(self) -> None:
        self.server.owner.requests += 1
        path, _, query = self.path.partition("?")
        self.server.owner.log.append(f"{self.command} {self.server.owner.map_path(path)}")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "GIT_PROJECT_ROOT": str(self.server.owner.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": self.server.owner.map_path(path),
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
        }
        out = subprocess.run(
            ["git", "http-backend"], input=self._body(), env=env, capture_output=True, check=False
        ).stdout
        self._reply(out)

    def _reply(self, out: bytes) -> None:
        head, _, body = out.partition(b"\r\n\r\n")
        if not _:
            head, _, body = out.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _HTTPServer(LoopbackServer):
    def __init__(self, owner: GitServer, port: int) -> None:
        self.owner = owner
        super().__init__(_Handler, port)


class GitServer:
    """Serves bare repositories under `root`; `publish` turns folders into repos."""

    def __init__(self, root: Path) -> None:
        self.root = root.absolute()
        self.requests = 0
        self.log: list[str] = []
        self.port = 0
        self._httpd: _HTTPServer | None = None
        self.root.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> GitServer:
        """Start serving (again, on the same port after a stop)."""
        self._httpd = _HTTPServer(self, self.port)
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving: later connections are refused."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> GitServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def map_path(self, path: str) -> str:
        """`/Owner/Repo.git/info/refs` -> `/owner/repo.git/info/refs`, like GitHub."""
        parts = path.split("/")
        if len(parts) >= 3:
            name = parts[2].lower()
            parts[1], parts[2] = parts[1].lower(), name if name.endswith(".git") else name + ".git"
        return "/".join(parts)

    def fetches(self, name: str) -> int:
        """How many upload-pack requests (the ones that send objects or refs) `name` got."""
        repo = "/" + name.lower().removesuffix(".git") + ".git/"
        return sum(1 for line in self.log if line.startswith("POST " + repo))

    def bare_path(self, name: str) -> Path:
        owner, repo = name.lower().split("/")
        return self.root / owner / (repo.removesuffix(".git") + ".git")

    def git_config(self, path: Path, base: str = "https://github.com/") -> Path:
        """Write a git config file that sends `base` to this server; returns its path."""
        path.write_text(
            f'[url "{self.url}"]\n\tinsteadOf = {base}\n'
            "[user]\n\tname = Test\n\temail = test@example.invalid\n"
            "[init]\n\tdefaultBranch = main\n"
            "[protocol]\n\tversion = 2\n"
        )
        return path.absolute()

    def publish(
        self, folder: Path, name: str, *, branch: str = "main", tag: str | None = None,
        message: str = "publish",
    ) -> str:
        """Commit `folder`'s files to repo `name` on `branch` (and `tag`); returns the commit."""
        bare = self.bare_path(name)
        work = self.root / "_work" / name.lower()
        if not bare.exists():
            _git("init", "-q", "--bare", "-b", branch, str(bare))
            _git("config", "uploadpack.allowAnySHA1InWant", "true", cwd=bare)
            _git("init", "-q", "-b", branch, str(work))
        _git("checkout", "-q", "-B", branch, cwd=work)
        _sync_tree(folder, work)
        _git("add", "-A", cwd=work)
        _git("-c", "user.name=Test", "-c", "user.email=t@example.invalid",
             "commit", "-q", "--allow-empty", "-m", message, cwd=work)
        if tag:
            _git("tag", "-f", "-a", tag, "-m", tag, cwd=work)
        _git("push", "-q", "-f", "--tags", str(bare), f"{branch}:{branch}", cwd=work)
        return _git("rev-parse", "HEAD", cwd=work)


    def publish_fork_commit(self, folder: Path, name: str) -> str:
        """A commit of `folder` reachable only through `refs/pull/1/head` of repo `name`, as
        GitHub serves a fork's commits through the parent's pull refs; returns the commit."""
        bare, work = self.bare_path(name), self.root / "_work" / name.lower()
        _git("checkout", "-q", "--detach", cwd=work)
        _sync_tree(folder, work)
        _git("add", "-A", cwd=work)
        _git("-c", "user.name=Fork", "-c", "user.email=f@example.invalid",
             "commit", "-q", "--allow-empty", "-m", "from a fork", cwd=work)
        commit = _git("rev-parse", "HEAD", cwd=work)
        _git("push", "-q", "-f", str(bare), "HEAD:refs/pull/1/head", cwd=work)
        _git("checkout", "-q", "main", cwd=work)
        return commit


def _sync_tree(src: Path, dest: Path) -> None:
    for child in dest.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(
        src, dest, dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(".git", "__pycache__", "*.pyc", ".pytest_cache"),
    )
