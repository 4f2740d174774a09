"""Lineage: for every output, the step, code, parameters and exact input versions that produced it.

The public API keeps the original Data Workspaces names (`dataworkspaces.lineage`): LineageBuilder,
Lineage, ResultsLineage, ResourceRef, the argparse parameter helpers and the lineage errors. `invalidate`
is for commands that change resources under the lineage (pull). The record format is described in
docs/LINEAGE.md.
"""

from __future__ import annotations

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

__all__ = [
    "BooleanParameter",
    "ChoiceParameter",
    "CmdLineParameter",
    "ConstantParameter",
    "Lineage",
    "LineageBuilder",
    "LineageConflictError",
    "LineageConsistencyError",
    "LineageError",
    "LineageNotFoundError",
    "LineageParameter",
    "LineagePlaceHolderError",
    "PathNotAResourceError",
    "ResourceRef",
    "ResultsLineage",
    "add_lineage_parameters_to_arg_parser",
    "get_lineage_parameter_values",
    "invalidate",
    "set_api_resource_hash",
]
