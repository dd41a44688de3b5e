"""Upstream jobs outlive the host that submitted them (Replicate predictions, fal requests).

A provider reports each job it submits with `mediaconduit.sdk.report_job`; the host
writes a record to `<cache>/jobs/` at once, before the result is awaited, so a job of
a host that died mid-call is still findable: `mediaconduit jobs list` shows it,
`jobs cancel ID` cancels it upstream, `jobs fetch ID` downloads a finished job's
outputs instead of paying for it again (both through the provider's `cancel_job` /
`fetch_job`, with the settings of the environment they run in).
"""

from __future__ import annotations

from mediaconduit.jobs.records import JobRecord, JobStore

__all__ = ["JobRecord", "JobStore"]
