"""`mediaconduit new`: render `provider-template/` into a new provider repository.

    from mediaconduit.scaffold import Blueprint, derive_names, scaffold

    result = scaffold(Path("acme-widgets-provider"),
                      Blueprint(derive_names("acme-widgets"), (Capability.TEXT_TO_IMAGE,)))

`names` derives the id, package and class; `blueprint` holds what was asked
for and the value of every template marker; `render` fills the template;
`repo` writes the folder and makes its first commit.
"""

from __future__ import annotations

from mediaconduit.scaffold.blueprint import (
    TYPES,
    Blueprint,
    ModelPlan,
    parse_capabilities,
    placeholders,
    plan_model,
)
from mediaconduit.scaffold.names import Names, ScaffoldError, derive_names
from mediaconduit.scaffold.render import (
    PLACEHOLDER,
    render,
    render_tree,
    template_dir,
    template_files,
)
from mediaconduit.scaffold.repo import (
    STAND_IN_EMAIL,
    Scaffolded,
    check_target,
    default_author,
    initial_commit,
    scaffold,
)

__all__ = [
    "PLACEHOLDER",
    "STAND_IN_EMAIL",
    "TYPES",
    "Blueprint",
    "ModelPlan",
    "Names",
    "ScaffoldError",
    "Scaffolded",
    "check_target",
    "default_author",
    "derive_names",
    "initial_commit",
    "parse_capabilities",
    "placeholders",
    "plan_model",
    "render",
    "render_tree",
    "scaffold",
    "template_dir",
    "template_files",
]
