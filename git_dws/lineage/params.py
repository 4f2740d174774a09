"""Helpers that declare a step's parameters once, for both argparse and the lineage (the original's
CmdLineParameter family)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from argparse import ArgumentParser, Namespace
from collections.abc import Callable, Iterable
from typing import Any


class LineageParameter(ABC):
    def __init__(self, name: str, default: Any) -> None:
        self.name = name
        self.default = default

    @abstractmethod
    def get_value(self, parsed_args: Namespace) -> Any: ...

    @abstractmethod
    def add_to_arg_parser(self, arg_parser: ArgumentParser) -> None: ...


class CmdLineParameter(LineageParameter):
    """`--name-with-dashes VALUE` of the given type."""

    def __init__(self, name: str, default: Any, type: Callable[[str], Any], help: str) -> None:
        super().__init__(name, default)
        self.type = type
        self.help = help

    def get_arg_name(self) -> str:
        return "--" + self.name.replace("_", "-")

    def add_to_arg_parser(self, arg_parser: ArgumentParser) -> None:
        arg_parser.add_argument(self.get_arg_name(), type=self.type, default=self.default, help=self.help,
                                dest=self.name)

    def get_value(self, parsed_args: Namespace) -> Any:
        return getattr(parsed_args, self.name)


class BooleanParameter(CmdLineParameter):
    """A flag: `--name` when the default is False, `--no-name` when it is True."""

    def __init__(self, name: str, default: bool, help: str) -> None:
        super().__init__(name, default, bool, help)

    def get_arg_name(self) -> str:
        return ("--no-" if self.default else "--") + self.name.replace("_", "-")

    def add_to_arg_parser(self, arg_parser: ArgumentParser) -> None:
        arg_parser.add_argument(self.get_arg_name(), default=self.default, dest=self.name, help=self.help,
                                action="store_false" if self.default else "store_true")


class ChoiceParameter(CmdLineParameter):
    def __init__(self, name: str, choices: Iterable[Any], default: Any, type: Callable[[str], Any],
                 help: str) -> None:
        super().__init__(name, default, type, help)
        self.choices = list(choices)
        if default not in self.choices:
            raise ValueError(f"default {default!r} of parameter {name} is not one of its choices")

    def add_to_arg_parser(self, arg_parser: ArgumentParser) -> None:
        arg_parser.add_argument(self.get_arg_name(), type=self.type, default=self.default, choices=self.choices,
                                help=self.help, dest=self.name)


class ConstantParameter(LineageParameter):
    """A fixed value recorded as a parameter, with no command-line option."""

    def get_value(self, parsed_args: Namespace) -> Any:
        return self.default

    def add_to_arg_parser(self, arg_parser: ArgumentParser) -> None:
        pass


def add_lineage_parameters_to_arg_parser(parser: ArgumentParser, params: Iterable[LineageParameter]) -> None:
    for p in params:
        p.add_to_arg_parser(parser)


def get_lineage_parameter_values(params: Iterable[LineageParameter], parsed_args: Namespace) -> dict[str, Any]:
    return {p.name: p.get_value(parsed_args) for p in params}
