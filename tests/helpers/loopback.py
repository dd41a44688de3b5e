"""What every test HTTP server on loopback shares (the git server, the fake upstreams).

The plumbing itself is the SDK's toolkit for fake upstreams (`mediaconduit.sdk.fakes`),
which the providers' fakes use too; this keeps the host's older `serve()` style.
"""

from __future__ import annotations

from mediaconduit.sdk import fakes

LoopbackServer = fakes.LoopbackHTTPServer


class QuietHandler(fakes.QuietHandler):
    """HTTP/1.1, no Nagle stalls between header and body writes, no log lines.

    GET and POST both go to `serve`, which a subclass writes.
    """

    def do_GET(self) -> None:
        self.serve()

    def do_POST(self) -> None:
        self.serve()

    def serve(self) -> None:
        raise NotImplementedError
