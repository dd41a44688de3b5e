"""Routing: one interface over every configured provider (DESIGN §8).

- `candidates`: which models fit a step, and the policy's order (local, free,
  cheapest, fastest; pinned defaults first; paid ones only with allow_paid).
- `planner`: the steps from the input's kind to the kind asked for (chains of up
  to three), without running anything.
- `runner`: running a plan with fallback, cooldowns after rate limits, route and
  attempts in the result's metadata.
- `router`: the registry's providers as one pool; plans cached.
"""

from __future__ import annotations

from mediaconduit.routing.candidates import Candidate, Rejected
from mediaconduit.routing.errors import NoRouteError
from mediaconduit.routing.planner import Plan, Step
from mediaconduit.routing.router import Router
from mediaconduit.routing.runner import RoutedStream

__all__ = ["Candidate", "NoRouteError", "Plan", "Rejected", "RoutedStream", "Router", "Step"]
