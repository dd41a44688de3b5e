"""The project file's schema as pydantic models: what `mediaconduit.yaml` may say.

Only `project.load` imports this module (pydantic is not on the warm path).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mediaconduit.sdk.models import TASKS

Preference = Literal["local", "free", "cheapest", "fastest"]

PREFERENCES = ("local", "free", "cheapest", "fastest")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProviderEntryModel(_Strict):
    """One provider: a specifier, with an optional ref and settings."""

    spec: str = Field(min_length=1, description="URL, shorthand or local path of the provider")
    ref: str | None = Field(default=None, description="branch, tag or commit (or write SPEC@REF)")
    config: dict[str, Any] = Field(default_factory=dict,
                                   description="the provider's own settings (its config schema)")

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        """A bare specifier is `{spec: ...}`."""
        return {"spec": value} if isinstance(value, str) else value


class RoutingModel(_Strict):
    prefer: list[Preference] = Field(
        default_factory=lambda: list[Preference](["local", "free", "cheapest"]),
        description="order of preference among candidates")
    allow_paid: bool = Field(default=False, description="never spend money unless this is true")
    defaults: dict[str, str] = Field(
        default_factory=dict,
        description="a pinned model per task, as PROVIDER_ID:MODEL_ID",
        json_schema_extra={"propertyNames": {"examples": list(TASKS)}})

    @field_validator("defaults")
    @classmethod
    def _pinned(cls, value: dict[str, str]) -> dict[str, str]:
        for task, pinned in value.items():
            if ":" not in pinned:
                raise ValueError(f"defaults.{task}: write {pinned!r} as PROVIDER_ID:MODEL_ID, "
                                 f"e.g. 'openrouter:{pinned}'")
        return value


class BudgetModel(_Strict):
    daily_usd: Decimal | None = Field(default=None, ge=0, description="at most this a UTC day")
    monthly_usd: Decimal | None = Field(default=None, ge=0, description="at most this a month")
    per_call_usd: Decimal | None = Field(default=None, ge=0, description="at most this a call")
    allow_unbounded: bool = Field(
        default=False, description="allow paid calls whose worst-case cost cannot be bounded")


class LedgerModel(_Strict):
    store_inputs: bool = Field(default=False, description="keep prompts and outputs in the ledger")


class ProjectModel(_Strict):
    """`mediaconduit.yaml`: the providers an application routes over, and how."""

    providers: list[ProviderEntryModel] = Field(
        default_factory=list, description="specifiers, or {spec, ref, config}")
    routing: RoutingModel = RoutingModel()
    budget: BudgetModel = BudgetModel()
    ledger: LedgerModel = LedgerModel()


def json_schema() -> dict[str, Any]:
    schema = ProjectModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mediaconduit.yaml"
    return schema
