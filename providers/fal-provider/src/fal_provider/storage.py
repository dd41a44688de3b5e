"""Media in and out: inputs as URLs (passed through, inline `data:` URIs, or uploaded
through fal's storage flow), outputs downloaded into files.

Upload flow (as fal_client does it): `POST {rest}/storage/auth/token?storage_type=
fal-cdn-v3` with the key and body `{}` gives `{token, token_type, base_url,
expires_at}`; then `POST {base_url}/files/upload` with `Authorization: <token_type>
<token>`, the raw bytes (streamed from the file), `Content-Type` and
`X-Fal-File-Name` gives `{"access_url"}`. The token is reused until it expires.

Downloads are streamed to a file in the call's output folder, never held whole in
memory, and sent without any credential: fal's CDN URLs are public, and the key
must never travel to a host named in a model's output.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import tempfile
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote_to_bytes

import httpx

from fal_provider.errors import map_error
from fal_provider.settings import Settings
from mediaconduit.sdk import (
    InvalidInputError,
    Media,
    MediaConduitError,
    ProviderUnavailableError,
    extension_for,
    output_dir,
)
from mediaconduit.sdk.hangup import hang_up_on_cancel
from mediaconduit.sdk.http import (
    ErrorResponse,
    HTTPClient,
    iter_chunks,
    json_body,
    parse_retry_after,
)

TOKEN_PATH = "storage/auth/token"
#: a token this close to its expiry is renewed first
EXPIRY_MARGIN = timedelta(seconds=30)


@dataclasses.dataclass(frozen=True)
class CDNToken:
    token: str = dataclasses.field(repr=False)
    token_type: str
    base_url: str
    expires_at: datetime

    def fresh(self) -> bool:
        return datetime.now(timezone.utc) + EXPIRY_MARGIN < self.expires_at

    @property
    def header(self) -> str:
        return f"{self.token_type} {self.token}"


class Storage:
    """Turns media assets into URLs fal can read, and output URLs into local files."""

    def __init__(self, settings: Settings, rest: HTTPClient, files: HTTPClient) -> None:
        self.settings = settings
        self.rest = rest
        self.files = files
        self._token: CDNToken | None = None
        self._lock = threading.Lock()

    # --- inputs ---------------------------------------------------------------------------

    def url_for(self, media: Media) -> str:
        """The asset's URL as is; small bytes as a `data:` URI; larger ones uploaded."""
        if media.url:
            return media.url
        if media.path is not None and not media.path.is_file():
            raise InvalidInputError(f"the input file {media.path} does not exist")
        if _size(media) <= self.settings.data_uri_limit:
            return data_uri(media)
        return self.upload(media)

    def upload(self, media: Media) -> str:
        """Upload the asset through fal's storage flow; its `access_url`."""
        token = self.token()
        name = media.path.name if media.path else f"upload{extension_for(media.mime_type)}"
        headers = {"Authorization": token.header, "Content-Type": media.mime_type,
                   "X-Fal-File-Name": name}
        url = f"{token.base_url.rstrip('/')}/files/upload"
        with _body(media) as content:
            body = self._send_raw("POST", url, content, headers, [token.token])
        access_url = body.get("access_url") if isinstance(body, dict) else None
        if not isinstance(access_url, str) or not access_url:
            raise ProviderUnavailableError(f"fal's upload answered without an access_url: {body}")
        return access_url

    def token(self) -> CDNToken:
        """The CDN upload token (asked for once, renewed when it nears expiry)."""
        with self._lock:
            if self._token is None or not self._token.fresh():
                self._token = self._new_token()
            return self._token

    def _new_token(self) -> CDNToken:
        body = self.rest.request_json(
            "POST", TOKEN_PATH, params={"storage_type": "fal-cdn-v3"}, json={},
            headers=self.settings.auth_headers(),
        )
        try:
            return CDNToken(str(body["token"]), str(body["token_type"]), str(body["base_url"]),
                            parse_time(str(body["expires_at"])))
        except (KeyError, TypeError, ValueError) as error:
            raise ProviderUnavailableError(
                f"fal's storage token answer is missing {error}: keys {sorted(body)}"
            ) from None

    def _send_raw(
        self, method: str, url: str, content: Any, headers: dict[str, str], secrets: list[str],
    ) -> Any:
        """A request with a raw body (not retried: a streamed body cannot be sent twice)."""
        client = self.files.client
        request = client.build_request(method, url, content=content, headers=headers,
                                       timeout=self.files.timeouts.for_request())
        try:
            response = client.send(request)
        except httpx.TransportError as error:
            raise ProviderUnavailableError(
                f"fal's upload to {request.url.host} failed: {type(error).__name__}") from error
        if not response.is_success:
            raise scrub(map_error(_error_response(request, response)), secrets)
        return json_body(response)

    # --- outputs --------------------------------------------------------------------------

    def download(self, url: str, mime_type: str | None) -> tuple[Path, str]:
        """Fetch an output (`http(s)` or `data:`) into a new file; (path, MIME type)."""
        if url.startswith("data:"):
            mime, data = parse_data_uri(url)
            return write_file(data, mime_type or mime), mime_type or mime
        with self.files.stream("GET", url) as response:
            hang_up_on_cancel(response)
            mime = mime_type or _content_type(response) or "application/octet-stream"
            return write_file(iter_chunks(response), mime), mime


def _size(media: Media) -> int:
    if media.path is not None:
        return media.path.stat().st_size
    return len(media.data)


class _body:
    """The asset's bytes as an upload body: the open file (streamed) or the bytes."""

    def __init__(self, media: Media) -> None:
        self.media = media
        self.file: IO[bytes] | None = None

    def __enter__(self) -> Any:
        if self.media.path is not None:
            self.file = self.media.path.open("rb")
            return self.file
        return self.media.data

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()


def data_uri(media: Media) -> str:
    encoded = base64.b64encode(media.data).decode("ascii")
    return f"data:{media.mime_type};base64,{encoded}"


def parse_data_uri(uri: str) -> tuple[str, bytes]:
    """(`mime type`, bytes) of a `data:` URI; a malformed one is a clear error."""
    head, sep, payload = uri[5:].partition(",")
    if not sep:
        raise ProviderUnavailableError("fal answered a data: URI without a comma")
    parts = head.split(";")
    mime = parts[0] or "application/octet-stream"
    if "base64" not in parts[1:]:
        return mime, unquote_to_bytes(payload)
    try:
        return mime, base64.b64decode(payload, validate=False)
    except binascii.Error as error:
        raise ProviderUnavailableError(f"fal answered a bad base64 data: URI ({error})") from None


def write_file(data: bytes | Iterator[bytes], mime_type: str) -> Path:
    """Write bytes (or chunks, as they come) to a new file in the call's output folder."""
    fd, name = tempfile.mkstemp(prefix="fal-", suffix=extension_for(mime_type), dir=output_dir())
    with os.fdopen(fd, "wb") as file:
        for chunk in [data] if isinstance(data, bytes) else data:
            file.write(chunk)
    return Path(name)


def _content_type(response: httpx.Response) -> str | None:
    value = response.headers.get("content-type")
    return value.split(";")[0].strip() if value else None


def parse_time(text: str) -> datetime:
    """An ISO-8601 time (a trailing `Z` allowed); naive times are UTC."""
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _error_response(request: httpx.Request, response: httpx.Response) -> ErrorResponse:
    return ErrorResponse(status=response.status_code, method=request.method,
                         path=request.url.path, headers=dict(response.headers),
                         text=response.text,
                         retry_after=parse_retry_after(response.headers.get("retry-after")))


def scrub(error: MediaConduitError, secrets: list[str]) -> MediaConduitError:
    """`error` with each secret in its message replaced by `***`."""
    def clean(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        for secret in sorted((s for s in secrets if s), key=len, reverse=True):
            value = value.replace(secret, "***")
        return value

    error.args = tuple(clean(arg) for arg in error.args)
    return error
