"""Which server is there: `CHATTERBOX_API`, else asked of the server itself.

travisvn answers `GET /health` with `model_loaded`; devnen has no `/health` (404)
but answers `GET /api/model-info` with `loaded`. Without a base URL, each server's
default port on localhost is tried in turn.
"""

from __future__ import annotations

from chatterbox_provider.backend import Backend
from chatterbox_provider.devnen import Devnen
from chatterbox_provider.settings import Settings
from chatterbox_provider.transport import Transport
from chatterbox_provider.travisvn import Travisvn
from mediaconduit.sdk import MediaConduitError, ProviderUnavailableError
from mediaconduit.sdk.http import RetryPolicy

BACKENDS: dict[str, type[Backend]] = {"devnen": Devnen, "travisvn": Travisvn}


def backend_for(settings: Settings) -> Backend:
    """The backend of the first candidate server that answers (as the configured kind,
    else as whichever of the two it says it is). A set URL and kind need no probe."""
    if settings.base_url and settings.api:
        return _backend(settings.base_url, settings.api, settings)
    problems: list[str] = []
    for url in settings.candidates():
        probe = Transport(url, settings, settings.api, retry=RetryPolicy(attempts=1))
        try:
            found = _probe(probe, problems)
        finally:
            probe.close()
        if found is not None and (settings.api or found != "unknown"):
            return _backend(url, settings.api or found, settings)
    raise ProviderUnavailableError("; ".join(problems) + f"; {settings.start_hint()}")


def _backend(url: str, api: str, settings: Settings) -> Backend:
    transport = Transport(url, settings, api)
    return BACKENDS[api](transport, settings.route, settings.stream_format)


def _probe(transport: Transport, problems: list[str]) -> str | None:
    """"travisvn", "devnen", "unknown" (it answers, as neither), or None (nothing answers;
    the reason appended to `problems`)."""
    for api, path, key in (("travisvn", "health", "model_loaded"),
                           ("devnen", "api/model-info", "loaded")):
        try:
            answer = transport.http.request_json("GET", path)
        except MediaConduitError as error:
            if str(error).startswith("cannot reach"):
                problems.append(f"nothing answers at {transport.base_url}")
                return None
            continue
        if isinstance(answer, dict) and key in answer:
            return api
    problems.append(f"{transport.base_url} answers, but neither as devnen's nor as travisvn's "
                    "Chatterbox server (set CHATTERBOX_API if it is one)")
    return "unknown"
