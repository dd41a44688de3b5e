"""The Replicate HTTP API: predictions, models, files and downloads, with typed errors.

Hand-written over `mediaconduit.sdk.http` rather than the `replicate` client; the
README says why.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from mediaconduit.sdk import MediaConduitError, ProviderUnavailableError
from mediaconduit.sdk.http import ErrorResponse, HTTPClient, json_body, parse_retry_after
from replicate_provider.catalog import Spec
from replicate_provider.errors import map_error
from replicate_provider.settings import Settings


class ReplicateAPI:
    """The calls the provider makes. Constructing it does no I/O."""

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.http = HTTPClient(settings.base_url, timeouts=settings.timeouts,
                               retry=settings.retry, error_mapper=map_error,
                               transport=transport)
        self.origin = urlsplit(settings.base_url).netloc

    def close(self) -> None:
        self.http.close()

    def auth(self) -> dict[str, str]:
        return self.settings.auth_headers()

    def auth_for(self, url: str) -> dict[str, str]:
        """The token goes only to Replicate's own host, never to a file host."""
        host = urlsplit(url).netloc
        return self.auth() if not host or host == self.origin else {}

    def create(self, spec: Spec, input: Mapping[str, Any], *, wait: int = 0,
               stream: bool = False) -> dict[str, Any]:
        """`POST` a prediction (by version when known, else by model name)."""
        headers = {**self.auth(), **({"Prefer": f"wait={wait}"} if wait else {})}
        body: dict[str, Any] = {"input": dict(input), **({"stream": True} if stream else {})}
        if spec.version:
            path = "v1/predictions"
            body["version"] = spec.version
        else:
            path = f"v1/models/{spec.owner}/{spec.name}/predictions"
        return self._json("POST", path, json=body, headers=headers)

    def get(self, url: str) -> dict[str, Any]:
        return self._json("GET", url, headers=self.auth_for(url))

    def cancel(self, url: str) -> dict[str, Any]:
        return self._json("POST", url, headers=self.auth_for(url))

    def model(self, owner: str, name: str) -> dict[str, Any]:
        return self._json("GET", f"v1/models/{owner}/{name}", headers=self.auth())

    def version(self, owner: str, name: str, version: str) -> dict[str, Any]:
        return self._json("GET", f"v1/models/{owner}/{name}/versions/{version}",
                          headers=self.auth())

    def upload(self, path: Path, mime_type: str) -> dict[str, Any]:
        """`POST /v1/files` (multipart `content`), the file streamed from disk."""
        with path.open("rb") as handle:
            files = {"content": (path.name, handle, mime_type)}
            try:
                response = self.http.client.post("v1/files", files=files, headers=self.auth(),
                                                 timeout=self.settings.timeouts.for_request())
            except httpx.TransportError as error:
                raise ProviderUnavailableError(
                    f"uploading {path.name} to Replicate failed ({type(error).__name__})"
                ) from error
        if not response.is_success:
            raise _mapped(response)
        return _object(json_body(response), "POST /v1/files")

    @contextmanager
    def stream(self, url: str, accept: str | None = None) -> Iterator[httpx.Response]:
        headers = {**self.auth_for(url), **({"Accept": accept, "Cache-Control": "no-store"}
                                            if accept else {})}
        with self.http.stream("GET", url, headers=headers) as response:
            yield response

    def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return _object(self.http.request_json(method, path, **kwargs), f"{method} {path}")


def _object(body: Any, where: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ProviderUnavailableError(f"Replicate answered {where} with a body that is not "
                                       "a JSON object")
    return body


def _mapped(response: httpx.Response) -> MediaConduitError:
    return map_error(ErrorResponse(
        status=response.status_code, method=response.request.method,
        path=response.request.url.path, headers=dict(response.headers), text=response.text,
        retry_after=parse_retry_after(response.headers.get("retry-after"))))
