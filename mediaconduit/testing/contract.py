"""The contract check: load a provider through the real host and use every model once.

The steps, each a `Check` in the report: load (specifier, checkout,
manifest), the repository's own checks (`mediaconduit validate`), the
handle's facts against the manifest file, the worker start (environment,
import of the entry class, construction), discovery, health, the model list
(not empty, ids unique, capabilities within the manifest's, static models
discovered), an unknown id giving `ModelNotFoundError`, and for each model
and each input kind it takes: one transform on a sample input whose result
must be an asset of a declared output kind (real media by its bytes), plus a
stream when the output is text. A step that stops the provider from running
ends the report early.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mediaconduit.sdk.assets import Asset, Text
from mediaconduit.sdk.errors import MediaConduitError, ModelNotFoundError
from mediaconduit.sdk.models import Capability, ModelInfo
from mediaconduit.testing.media import as_asset, asset_problems, describe_asset, write_samples

if TYPE_CHECKING:
    from mediaconduit.handles import ModelHandle, ProviderHandle
    from mediaconduit.registry import ProviderRegistry

UNKNOWN_MODEL = "mediaconduit-contract-check-no-such-model"


@dataclass(frozen=True)
class Check:
    """One step of the contract: its name, whether it passed, and what was seen."""

    name: str
    passed: bool
    detail: str = ""

    def line(self) -> str:
        mark = "ok  " if self.passed else "FAIL"
        return f"  {mark}  {self.name}" + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class ContractReport:
    """Every check made on one provider; `ok` when they all passed."""

    spec: str
    checks: tuple[Check, ...]
    models: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.passed)

    def format(self) -> str:
        head = (f"MediaConduit contract for {self.spec}: {len(self.checks)} checks, "
                f"{len(self.failures)} failed")
        return "\n".join([head, *(check.line() for check in self.checks)])

    def __str__(self) -> str:
        return self.format()


@dataclass(frozen=True)
class Options:
    """What the caller chose: settings, which models, their parameters, the samples."""

    config: Mapping[str, Any] = field(default_factory=dict)
    models: tuple[str, ...] | None = None
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    samples: Mapping[str, Asset] = field(default_factory=dict)
    timeout: float = 600.0


# --- the public functions -------------------------------------------------------------------

def check_provider(
    spec: str | Path, *, config: Mapping[str, Any] | None = None,
    sample_inputs: Mapping[str, Asset | str | Path] | None = None,
    models: Sequence[str] | None = None, params: Mapping[str, Mapping[str, Any]] | None = None,
    registry: ProviderRegistry | None = None, timeout: float = 600.0,
) -> ContractReport:
    """Load `spec` (a folder, URL or any specifier) through the host and check the contract.

    `sample_inputs` replaces the built-in sample of a kind (`{"image": "cat.png"}`),
    `models` limits the transforms to these ids, `params` gives a model's
    parameters (`{"swatch": {"width": 8}}`), `timeout` bounds the worker's start
    (seconds). Without `registry`, a registry of its own is used and closed.
    """
    target = _target(spec)
    given = {kind: as_asset(kind, value) for kind, value in (sample_inputs or {}).items()}
    with _registry(registry) as host, tempfile.TemporaryDirectory(prefix="mc-contract-") as tmp:
        options = Options(dict(config or {}), tuple(models) if models is not None else None,
                          dict(params or {}), {**write_samples(Path(tmp)), **given}, timeout)
        checks, listed = _run(host, target, options)
    return ContractReport(target, tuple(checks), tuple(info.id for info in listed))


def assert_provider_contract(spec: str | Path, **options: Any) -> ContractReport:
    """`check_provider`, raising `AssertionError` with the whole report when a check fails."""
    report = check_provider(spec, **options)
    if not report.ok:
        raise AssertionError(report.format())
    return report


def _target(spec: str | Path) -> str:
    """A folder (a `Path`, or a string naming one) as an absolute path; else the spec as is."""
    path = Path(spec)
    if isinstance(spec, Path) or ("://" not in str(spec) and path.is_dir()):
        return str(path.expanduser().resolve())
    return str(spec)


@contextlib.contextmanager
def _registry(given: ProviderRegistry | None) -> Iterator[ProviderRegistry]:
    if given is not None:
        yield given
        return
    from mediaconduit.registry import ProviderRegistry

    with ProviderRegistry() as registry:
        yield registry


# --- the steps --------------------------------------------------------------------------------

def _run(registry: ProviderRegistry, spec: str,
         options: Options) -> tuple[list[Check], list[ModelInfo]]:
    try:
        handle = registry.get_provider(spec, config=options.config)
    except MediaConduitError as error:
        return [Check("load", False, str(error))], []
    checks = [Check("load", True, f"{handle.id} {handle.version} from {handle.source.display}"),
              *_repository_checks(handle)]
    started = _start(handle, options.timeout)
    checks.append(started)
    if not started.passed:
        return checks, []
    listed, discovery = _discover(handle)
    chosen, missing = _chosen(listed, options)
    checks += [discovery, _health(handle), *_listing_checks(handle, listed), *missing]
    for info in chosen:
        checks += _model_checks(handle, info, options)
    return checks, listed


def _repository_checks(handle: ProviderHandle) -> list[Check]:
    """`mediaconduit validate` on the checkout, and the handle's facts against its manifest."""
    from mediaconduit.manifest.repo import check_repo
    from mediaconduit.manifest.report import format_text

    report = check_repo(handle.source.repo)
    checks = [Check("manifest and repository", report.ok, format_text([report]))]
    if report.manifest is None:
        return checks
    manifest = report.manifest
    wanted = {"id": manifest.id, "name": manifest.name, "version": manifest.version,
              "type": manifest.type, "capabilities": [c.value for c in manifest.capabilities]}
    wrong = [f"{key} is {getattr(handle, key)!r}, the manifest says {value!r}"
             for key, value in wanted.items() if getattr(handle, key) != value]
    return [*checks, Check("handle facts match the manifest", not wrong, "; ".join(wrong))]


def _start(handle: ProviderHandle, timeout: float) -> Check:
    try:
        handle.wait_ready(timeout)
    except MediaConduitError as error:
        return Check("worker starts (environment, entry class)", False, str(error))
    except TimeoutError:
        return Check("worker starts (environment, entry class)", False,
                     f"not ready after {timeout} s")
    return Check("worker starts (environment, entry class)", True, f"entry {_entry(handle)}")


def _entry(handle: ProviderHandle) -> str:
    return handle.source.facts.entry


def _discover(handle: ProviderHandle) -> tuple[list[ModelInfo], Check]:
    try:
        listed = handle.refresh_models()
    except MediaConduitError as error:
        return [], Check("discovery", False, f"{type(error).__name__}: {error}")
    return listed, Check("discovery", bool(listed),
                         f"{len(listed)} models" if listed else "it lists no models")


def _health(handle: ProviderHandle) -> Check:
    try:
        report = handle.health()
    except MediaConduitError as error:
        return Check("health", False, f"{type(error).__name__}: {error}")
    return Check("health", report.get("ok") is not False,
                 ", ".join(f"{k}={v}" for k, v in report.items()
                           if k not in ("log", "worker_pid")))


def _listing_checks(handle: ProviderHandle, listed: list[ModelInfo]) -> list[Check]:
    ids = [info.id for info in listed]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    outside = [f"{info.id} has {cap}" for info in listed for cap in info.capabilities
               if cap not in handle.capabilities]
    bare = [info.id for info in listed if not info.capabilities]
    return [
        Check("model ids are unique", not duplicates, ", ".join(duplicates)),
        Check("model capabilities are among the manifest's", not outside and not bare,
              "; ".join([*outside, *(f"{i} lists no capability" for i in bare)])
              + (f" (the manifest lists {', '.join(handle.capabilities)})" if outside else "")),
        _static_models_check(handle, listed),
        _unknown_model_check(handle),
    ]


def _static_models_check(handle: ProviderHandle, listed: list[ModelInfo]) -> Check:
    found = {info.id: set(info.capabilities) for info in listed}
    problems = []
    for model in handle.source.facts.models:
        if model.id not in found:
            problems.append(f"{model.id} is in the manifest but not discovered")
        elif set(model.capabilities) != found[model.id]:
            problems.append(f"{model.id} has {sorted(found[model.id])} when discovered, "
                            f"{sorted(model.capabilities)} in the manifest")
    return Check("the manifest's static models are discovered", not problems,
                 "; ".join(problems))


def _unknown_model_check(handle: ProviderHandle) -> Check:
    name = "an unknown model id raises ModelNotFoundError"
    try:
        handle.get_model(UNKNOWN_MODEL)
    except ModelNotFoundError:
        return Check(name, True)
    except MediaConduitError as error:
        return Check(name, False, f"it raised {type(error).__name__}: {error}")
    return Check(name, False, f"get_model({UNKNOWN_MODEL!r}) returned a model")


def _chosen(listed: list[ModelInfo], options: Options) -> tuple[list[ModelInfo], list[Check]]:
    """The models to run: all, or those the caller named (an unlisted name fails a check)."""
    if options.models is None:
        return listed, []
    by_id = {info.id: info for info in listed}
    missing = [model_id for model_id in options.models if model_id not in by_id]
    checks = [Check("the models asked for are listed", False, ", ".join(missing))]
    return [by_id[i] for i in options.models if i in by_id], checks if missing else []


# --- one model ----------------------------------------------------------------------------------

def _outputs_by_input(info: ModelInfo) -> dict[str, set[str]]:
    """`{input kind: {output kinds}}` from the model's capabilities."""
    table: dict[str, set[str]] = {}
    for name in info.capabilities:
        capability = Capability(name)
        table.setdefault(capability.input, set()).add(capability.output)
    return table


@dataclass(frozen=True)
class _Call:
    """One model called on one sample input."""

    model: ModelHandle
    source: str
    sample: Asset
    params: Mapping[str, Any]

    def label(self, what: str) -> str:
        return f"model {self.model.id}: {self.source} in, {what}"


def _model_checks(handle: ProviderHandle, info: ModelInfo, options: Options) -> list[Check]:
    try:
        model = handle.get_model(info.id)
    except MediaConduitError as error:
        return [Check(f"model {info.id}: get_model", False, f"{type(error).__name__}: {error}")]
    params = options.params.get(info.id, {})
    checks = []
    for source, outputs in _outputs_by_input(info).items():
        call = _Call(model, source, options.samples[source], params)
        checks.append(_transform_check(call, outputs))
        if outputs == {"text"}:
            checks.append(_stream_check(call))
    return checks


def _transform_check(call: _Call, outputs: set[str]) -> Check:
    name = call.label(f"{' or '.join(sorted(outputs))} out")
    try:
        result = call.model.transform(call.sample, **call.params)
    except Exception as error:  # any failure is a finding, never a crash of the kit
        return Check(name, False, f"transform raised {type(error).__name__}: {error}")
    if isinstance(result, list):  # several outputs: each must be right; the first is shown
        if not result:
            return Check(name, False, "transform returned an empty list")
        result = result[0]
    kind = getattr(result, "kind", "")
    problems = asset_problems(result, kind if kind in outputs else sorted(outputs)[0])
    detail = "; ".join(problems) if problems else describe_asset(result)
    return Check(name, not problems, detail)


def _stream_check(call: _Call) -> Check:
    name = call.label("text streamed")
    try:
        chunks = list(call.model.stream(call.sample, **call.params))
    except Exception as error:  # any failure is a finding, never a crash of the kit
        return Check(name, False, f"stream raised {type(error).__name__}: {error}")
    if not all(isinstance(chunk, str) for chunk in chunks):
        return Check(name, False, "a chunk is not a string")
    problems = asset_problems(Text("".join(chunks)), "text")
    return Check(name, not problems, "; ".join(problems) or f"{len(chunks)} chunks")
