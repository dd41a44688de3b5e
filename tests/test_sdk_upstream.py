"""The SDK's helpers for upstream errors: Retry-After, did-you-mean, the error context."""

from __future__ import annotations

import email.utils
import time
from datetime import datetime, timezone

from mediaconduit.sdk import http
from mediaconduit.sdk.upstream import ErrorContext, did_you_mean, parse_retry_after


def test_retry_after_as_seconds_or_an_http_date() -> None:
    assert parse_retry_after(" 2.5 ") == 2.5
    assert parse_retry_after("-3") == 0.0
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 < (parse_retry_after(later) or 0) <= 30
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:10 GMT", now=now) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
    assert http.parse_retry_after is parse_retry_after  # still there for httpx providers


def test_did_you_mean_names_the_close_ones() -> None:
    names = ["claude-opus-4-6", "claude-sonnet-4-5", "gpt-4o"]
    assert did_you_mean("claude-opus-4", names) == (
        "; did you mean claude-opus-4-6, claude-sonnet-4-5?")  # closest first
    assert did_you_mean("claude-opus-4", names, cutoff=0.9) == "; did you mean claude-opus-4-6?"
    assert did_you_mean("llama", names) == ""


def test_error_context_scrubs_the_key_and_words_a_missing_model() -> None:
    context = ErrorContext("mistral-smal", ["mistral-small", "codestral"], "sk-123")
    assert context.scrub("bad key sk-123 given") == "bad key *** given"
    assert ErrorContext("m", [], None).scrub("sk-123") == "sk-123"
    assert context.not_found("Mistral", "HTTP 404") == (
        "Mistral has no model 'mistral-smal' (HTTP 404); did you mean mistral-small?")
