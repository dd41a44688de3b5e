"""A model's task from the Hub: `GET {HF_ENDPOINT}/api/models/{id}` -> `pipeline_tag`.

Answers are cached for the provider's life (a model's pipeline tag does not
change under a running process); failures are not cached.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from huggingface_provider.settings import Settings
from mediaconduit.sdk import ProviderUnavailableError
from mediaconduit.sdk.http import HTTPClient


class Hub:
    def __init__(self, http: HTTPClient, settings: Settings) -> None:
        self.http = http
        self.settings = settings
        self._cache: dict[str, Mapping[str, Any]] = {}
        self._lock = threading.Lock()

    def model_info(self, model_id: str) -> Mapping[str, Any]:
        """The Hub's JSON for the model (`:provider` suffix dropped), cached."""
        repo = base_id(model_id)
        with self._lock:
            if repo in self._cache:
                return self._cache[repo]
        info = self.http.request_json("GET", f"api/models/{quote(repo, safe='/')}",
                                      headers=self.settings.hub_headers())
        if not isinstance(info, Mapping):
            raise ProviderUnavailableError(f"the Hub answered for {repo} with {info!r}")
        with self._lock:
            self._cache[repo] = info
        return info

    def pipeline_tag(self, model_id: str) -> str | None:
        tag = self.model_info(model_id).get("pipeline_tag")
        return tag if isinstance(tag, str) and tag else None


def base_id(model_id: str) -> str:
    """`org/model:provider` -> `org/model`."""
    return model_id.split(":", 1)[0]
