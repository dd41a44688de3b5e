"""`ReplicateProvider` and `ReplicateModel`."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from mediaconduit.sdk import (
    Cost,
    Image,
    InvalidInputError,
    Media,
    Model,
    ModelInfo,
    Provider,
    Text,
    Usage,
    cancelled,
    estimate_cost,
    on_cancel,
)
from mediaconduit.sdk.http import SSEEvent, iter_sse
from replicate_provider.api import ReplicateAPI
from replicate_provider.catalog import Spec, load_catalog, parse_ref, spec_from_version
from replicate_provider.inputs import prepare
from replicate_provider.job import CancelledCall, Job
from replicate_provider.outputs import as_text, download_all
from replicate_provider.settings import load_settings


class ReplicateProvider(Provider):
    """The packaged catalog's models, and any public `owner/name[:version]` on demand.

    Constructing it does no network I/O; listing the catalog needs no token.
    """

    def __init__(self, config: Mapping[str, Any] | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        super().__init__(config, env)
        self.settings = load_settings(self.config, self.env)
        self.api = ReplicateAPI(self.settings)
        self.catalog = load_catalog()
        self._on_demand: dict[str, Spec] = {}
        self._lock = threading.Lock()

    def discover_models(self) -> list[ModelInfo]:
        return [spec.info for spec in self.catalog.values()]

    def get_model(self, model_id: str) -> ReplicateModel:
        return ReplicateModel(self.spec(model_id), self)

    def spec(self, model_id: str) -> Spec:
        """A listed model's spec, else one read from `GET /v1/models/...` (cached)."""
        if model_id in self.catalog:
            return self.catalog[model_id]
        with self._lock:
            if model_id not in self._on_demand:
                self._on_demand[model_id] = self._read_spec(model_id)
            return self._on_demand[model_id]

    def _read_spec(self, model_id: str) -> Spec:
        owner, name, version = parse_ref(model_id)
        if version:
            return spec_from_version(owner, name, self.api.version(owner, name, version),
                                     pinned=True)
        model = self.api.model(owner, name)
        latest = model.get("latest_version")
        if not isinstance(latest, Mapping):
            raise InvalidInputError(f"Replicate's {model_id} has no published version to run")
        return spec_from_version(owner, name, latest, model)

    def cancel_job(self, job_id: str, details: Mapping[str, Any]) -> None:
        """`mediaconduit jobs cancel`: cancel a prediction by its id."""
        self.api.cancel(str(details.get("cancel") or f"v1/predictions/{job_id}/cancel"))

    def fetch_job(self, job_id: str, details: Mapping[str, Any]) -> Any:
        """`mediaconduit jobs fetch`: a finished prediction's outputs, downloaded again."""
        model = self.get_model(str(details.get("model") or ""))
        job = Job(self.api, model.spec, self.settings.job)
        job.seen(self.api.get(str(details.get("get") or f"v1/predictions/{job_id}")))
        if job.status != "succeeded":
            job.check()
            raise InvalidInputError(f"Replicate prediction {job_id} is {job.status or 'unknown'}"
                                    ": nothing to fetch yet (try again once it has succeeded)")
        return model.outputs(job)

    def health(self) -> dict[str, Any]:
        return {"ok": True, "base_url": self.settings.base_url,
                "token": bool(self.settings.api_token), "listed": len(self.catalog)}

    def close(self) -> None:
        self.api.close()


class ReplicateModel(Model):
    """One Replicate model, run as a prediction.

    `transform(input, **params)`: `input` fills the model's prompt (a `Text`) or its
    file input of that kind (an `Image`, `Video` or `Audio`); every param is a model
    input, checked against the model's schema before anything is sent. The result is
    one asset, or a list when the model outputs a list of files.
    """

    def __init__(self, spec: Spec, provider: ReplicateProvider) -> None:
        super().__init__(spec.info, provider)
        self.spec, self.replicate = spec, provider

    def transform(self, input: Any, **params: Any) -> Any:
        job = self._start(input, params, wait=self.replicate.settings.job.wait)
        job.follow()
        job.check()
        return self.outputs(job)

    def outputs(self, job: Job) -> Any:
        """The outputs of a prediction that has them: text, or files downloaded."""
        if self.spec.output == "text":
            return self._text(job, job.body.get("output"))
        files = download_all(self.replicate.api, job.body.get("output"), self.spec.output)
        job.finish()
        job.check()
        if not files:
            return self._text(job, job.body.get("output"))
        assets = self._account(job, files)
        return assets if isinstance(job.body.get("output"), list) else assets[0]

    def stream(self, input: Any, **params: Any) -> Iterator[Any]:
        """Text models: the tokens as they come (SSE `urls.stream`), then a usage chunk."""
        if self.spec.output != "text":
            raise InvalidInputError(f"{self.id} makes {self.spec.output}, not text, so it "
                                    "cannot stream; use transform")
        job = self._start(input, params, wait=0, stream=True)
        url = job.url("stream")
        if url is None:  # not a streaming model: the whole answer once it is done
            yield self._whole_text(job)
            return
        yield from self._events(job, url)
        job.finish()
        job.check()
        usage = self._usage(job, [])
        yield Text("", metadata=job.metadata(), usage=usage, cost=self._cost(usage))

    def _events(self, job: Job, url: str) -> Iterator[str]:
        try:
            with self.replicate.api.stream(url, accept="text/event-stream") as response:
                on_cancel(response.close)  # after the upstream cancel, registered first
                for event in iter_sse(response):
                    chunk = self._event(job, event)
                    if chunk is None:
                        return
                    if chunk:
                        yield chunk
        except Exception as error:
            if not cancelled() or isinstance(error, CancelledCall):
                raise
            raise CancelledCall(f"cancelled; Replicate prediction {job.id} was cancelled "
                                "upstream") from error

    def _whole_text(self, job: Job) -> Text:
        job.follow()
        job.check()
        return self._text(job, job.body.get("output"))

    def _start(self, input: Any, params: Mapping[str, Any], *, wait: int,
               stream: bool = False) -> Job:
        settings = self.replicate.settings.job
        values = prepare(self.replicate.api, self.spec, input, params, settings.inline_limit)
        job = Job(self.replicate.api, self.spec, settings)
        job.start(values, wait=wait, stream=stream)
        return job

    def _event(self, job: Job, event: SSEEvent) -> str | None:
        """An SSE event's text ('' for none); None at the end of the stream."""
        if event.event == "output":
            return event.data
        if event.event == "logs":
            job.logs.push(event.data)
        elif event.event == "error":
            raise job.failure(_detail(event.data))
        elif event.event == "done":
            if _detail(event.data, "reason") == "canceled":
                raise CancelledCall(f"Replicate prediction {job.id} was canceled")
            return None
        return ""

    def _text(self, job: Job, output: Any) -> Text:
        usage = self._usage(job, [])
        return dataclasses.replace(as_text(output), metadata=job.metadata(), usage=usage,
                                   cost=self._cost(usage))

    def _usage(self, job: Job, files: list[Media]) -> Usage:
        metrics = job.body.get("metrics")
        seconds = metrics.get("predict_time") if isinstance(metrics, Mapping) else None
        images = sum(isinstance(f, Image) for f in files) or None
        return Usage(compute_seconds=float(seconds) if seconds is not None else None,
                     images=images)

    def _cost(self, usage: Usage) -> Cost:
        return estimate_cost(self.info.pricing, usage) if self.info.pricing else Cost()

    def _account(self, job: Job, files: list[Media]) -> list[Media]:
        """Each file with the prediction's metadata; usage and cost split over the files
        (the first carries the compute seconds, each image counts one), so they add up."""
        total = self._usage(job, files)
        result = []
        for index, media in enumerate(files):
            usage = Usage(compute_seconds=total.compute_seconds if index == 0 else None,
                          images=1 if isinstance(media, Image) else None)
            metadata = {**job.metadata(), **media.metadata, "output_index": index,
                        "usage_total": total.to_dict()}
            result.append(dataclasses.replace(media, metadata=metadata, usage=usage,
                                              cost=self._cost(usage)))
        return result


def _detail(data: str, key: str = "detail") -> str:
    try:
        body = json.loads(data)
    except ValueError:
        return data
    return str(body.get(key) or "") if isinstance(body, Mapping) else data
