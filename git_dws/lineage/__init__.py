"""Lineage: for every output, the step, code, parameters and exact input versions that produced it.

The public API keeps the original Data Workspaces names (`dataworkspaces.lineage`): LineageBuilder,
Lineage, ResultsLineage, ResourceRef, the argparse parameter helpers and the lineage errors. `invalidate`
is for commands that change resources under the lineage (pull). The record format is described in
docs/LINEAGE.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> submodule. Loaded on first use (PEP 562), so that code needing one piece (the snapshot needs
# only the freezer) does not import the whole API.
_EXPORTS = {
    "Lineage": "api", "LineageBuilder": "api", "ResultsLineage": "api", "set_api_resource_hash": "api",
    "LineageConflictError": "model", "LineageConsistencyError": "model", "LineageError": "model",
    "LineageNotFoundError": "model", "LineagePlaceHolderError": "model", "PathNotAResourceError": "model",
    "ResourceRef": "model",
    "BooleanParameter": "params", "ChoiceParameter": "params", "CmdLineParameter": "params",
    "ConstantParameter": "params", "LineageParameter": "params",
    "add_lineage_parameters_to_arg_parser": "params", "get_lineage_parameter_values": "params",
    "invalidate": "store",
}
__all__ = [  # a literal, for linters and type checkers; equal to sorted(_EXPORTS)
    "BooleanParameter", "ChoiceParameter", "CmdLineParameter", "ConstantParameter", "Lineage",
    "LineageBuilder", "LineageConflictError", "LineageConsistencyError", "LineageError",
    "LineageNotFoundError", "LineageParameter", "LineagePlaceHolderError", "PathNotAResourceError",
    "ResourceRef", "ResultsLineage", "add_lineage_parameters_to_arg_parser", "get_lineage_parameter_values",
    "invalidate", "set_api_resource_hash",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'git_dws.lineage' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


if TYPE_CHECKING:
    from .api import Lineage, LineageBuilder, ResultsLineage, set_api_resource_hash
    from .model import (
        LineageConflictError,
        LineageConsistencyError,
        LineageError,
        LineageNotFoundError,
        LineagePlaceHolderError,
        PathNotAResourceError,
        ResourceRef,
    )
    from .params import (
        BooleanParameter,
        ChoiceParameter,
        CmdLineParameter,
        ConstantParameter,
        LineageParameter,
        add_lineage_parameters_to_arg_parser,
        get_lineage_parameter_values,
    )
    from .store import invalidate
