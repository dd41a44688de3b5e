"""A fake paid API for the ledger's tests: every `POST /bill` is logged and billed.

Each bill is held `hold` seconds (so racing calls overlap) and costs `price`; the
log is what was sent, and `billed` is what the API would charge.
"""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal

from tests.helpers.loopback import LoopbackServer, QuietHandler


class BillingUpstream:
    def __init__(self, price: str = "0.25", hold: float = 0.03) -> None:
        self.price = Decimal(price)
        self.hold = hold
        self.log: list[str] = []  # the body of every bill, in arrival order
        self._lock = threading.Lock()
        self.server = LoopbackServer(self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> BillingUpstream:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def billed(self) -> Decimal:
        with self._lock:
            return self.price * len(self.log)

    def clear(self) -> None:
        with self._lock:
            self.log.clear()

    def _bill(self, body: str) -> bytes:
        with self._lock:
            self.log.append(body)
        time.sleep(self.hold)
        return json.dumps({"text": f"billed {body}", "cost": str(self.price)}).encode()

    def _handler(self) -> type[QuietHandler]:
        upstream = self

        class Handler(QuietHandler):
            def serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if self.path != "/bill":
                    self.send_error(404)
                    return
                answer = upstream._bill(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        return Handler
