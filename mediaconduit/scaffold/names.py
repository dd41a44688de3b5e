"""Names for a new provider, all derived from the NAME given to `mediaconduit new`.

`acme-widgets` gives the id `acme-widgets`, the package `acme_widgets_provider`,
the class `AcmeWidgetsProvider` and the folder `acme-widgets-provider`. A
trailing `-provider` in NAME is not repeated; accents are dropped
(`Café` -> `cafe`); an id that starts with a digit puts `provider` first in
the package and class names (`provider_3d_tools`, `Provider3dTools`), which
Python needs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from mediaconduit.manifest.rules import ID_PATTERN
from mediaconduit.sdk.errors import MediaConduitError


class ScaffoldError(MediaConduitError):
    """`mediaconduit new` cannot make the provider: a bad name, a folder in the way."""


# --- names ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Names:
    """What NAME becomes: the manifest id, Python package and class, title and folder."""

    id: str
    package: str
    class_name: str
    title: str
    folder: str


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    base = slug.removesuffix("-provider")
    return base if re.fullmatch(ID_PATTERN, base) else slug


def _checked_id(name: str) -> str:
    provider_id = _slug(name)
    if not re.fullmatch(ID_PATTERN, provider_id):
        raise ScaffoldError(
            f"cannot make a provider id from {name!r}: use at least two letters or digits, "
            "for example 'acme-widgets'")
    if len(provider_id) > 64:
        raise ScaffoldError(f"{name!r} makes an id of {len(provider_id)} characters "
                            "(at most 64): choose a shorter name")
    return provider_id


def derive_names(name: str) -> Names:
    """The names for a provider called `name`; a `ScaffoldError` when it makes no valid id."""
    provider_id = _checked_id(name)
    words = provider_id.split("-")
    camel = "".join(word.capitalize() for word in words)
    if provider_id[0].isdigit():
        package, class_name = "provider_" + "_".join(words), "Provider" + camel
    else:
        package, class_name = "_".join(words) + "_provider", camel + "Provider"
    title = " ".join(word.capitalize() for word in words)
    return Names(provider_id, package, class_name, title, f"{provider_id}-provider")
