"""HTTP to the router and the Hub, and waiting out a model that is loading.

`RouterClient` is the SDK's `HTTPClient` plus raw-bytes request bodies (audio
and images go to the task API as they are, as Hugging Face's own client sends
them). `patiently(...)` repeats a request while the router answers 503 "currently
loading": it waits the answer's `estimated_time` (within `min_load_poll` ..
`max_load_poll`), reports each wait as progress, gives up after `max_load_wait` in
all, and stops at once when the call is cancelled (timeout, Ctrl-C). Any other
503 is retried with the SDK's backoff.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

import httpx

from huggingface_provider.errors import Busy, ModelLoading
from huggingface_provider.settings import Settings
from mediaconduit.sdk import ProviderError, ProviderUnavailableError, report_progress, wait
from mediaconduit.sdk.http import HTTPClient

T = TypeVar("T")


class RouterClient(HTTPClient):
    """`HTTPClient` with `send_bytes`: a request whose body is raw bytes."""

    def send_bytes(self, method: str, path: str, content: bytes, *,
                   headers: Mapping[str, str], stream: bool = False) -> httpx.Response:
        """Send `content` as the body (retried like any request: it is bytes in memory)."""
        timeout = self.timeouts.for_stream() if stream else self.timeouts.for_request()
        request = self.client.build_request(method, path.lstrip("/"), content=content,
                                            headers=dict(headers), timeout=timeout)
        # The SDK's request()/stream() take only JSON bodies; _send adds the same
        # retries, typed errors and credential scrubbing to this one.
        return self._send(request, None, stream)


def patiently(settings: Settings, model_id: str, attempt: Callable[[], T]) -> T:
    """`attempt()`, repeated while the model loads (see the module docstring)."""
    waited, busy = 0.0, 0
    while True:
        try:
            return attempt()
        except ModelLoading as loading:
            delay = _load_delay(settings, loading, waited, model_id)
            waited += delay
        except Busy as error:
            backoff = settings.retry.wait(busy, None)
            if backoff is None:
                raise ProviderUnavailableError(str(error)) from None
            delay, busy = backoff, busy + 1
        if wait(delay):
            raise ProviderError(f"the call to {model_id} was cancelled while it waited")


def _load_delay(settings: Settings, loading: ModelLoading, waited: float,
                model_id: str) -> float:
    estimate = loading.estimated_time
    delay = min(max(estimate or 0.0, settings.min_load_poll), settings.max_load_poll)
    if waited + delay > settings.max_load_wait:
        raise ProviderUnavailableError(
            f"{model_id} was still loading on Hugging Face after {waited:.1f} s "
            f"(max_load_wait is {settings.max_load_wait} s): {loading}") from None
    about = f"about {estimate:.0f} s left" if estimate is not None else "no estimate"
    report_progress(message=f"{model_id} is loading on Hugging Face ({about}); "
                            f"retrying in {delay:.1f} s")
    return delay
