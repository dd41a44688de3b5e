"""{{name}}: a MediaConduit provider. The manifest's entry is `{{package}}:{{class}}`."""

from __future__ import annotations

from {{package}}.provider import {{class}}

__all__ = ["{{class}}"]
