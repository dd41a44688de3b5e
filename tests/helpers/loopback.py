"""What every test HTTP server on loopback shares (the git server, the fake upstreams)."""

from __future__ import annotations

import http.server
import sys
from typing import Any


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1, no Nagle stalls between header and body writes, no log lines.

    GET and POST both go to `serve`, which a subclass writes.
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.serve()

    def do_POST(self) -> None:
        self.serve()

    def serve(self) -> None:
        raise NotImplementedError


class LoopbackServer(http.server.ThreadingHTTPServer):
    """A threaded server on 127.0.0.1 (port 0: any free one)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler: type[QuietHandler], port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up on purpose (a timeout test, a killed process) is no news."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)
