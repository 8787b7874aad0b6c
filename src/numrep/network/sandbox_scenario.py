"""Scenario files: fixed sandbox results for chosen numbers and digit patterns.

A scenario is JSON with ``rules`` (matched by suffix, prefix or regular
expression) and ``numbers`` (exact E.164 numbers). Each sets any of the fields of
``ScenarioFields``, and what it leaves out comes from the seed. The format is
described with examples in ``docs/sandbox-scenarios.md``.
"""

from __future__ import annotations

import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from numrep.network.config import NetworkNameField
from numrep.phone.e164 import is_e164

ScenarioOutcome = Literal["cleared", "upheld", "needs_more_information", "none"]
Score = Field(default=None, ge=0, le=100)
Minutes = Field(default=None, ge=0)


class ScenarioError(ValueError):
    """A scenario file is missing, is not JSON, or breaks the format."""


class ScenarioFields(BaseModel):
    """The values a scenario entry fixes, where ``None`` leaves one to the seed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flagged: bool | None = None
    label: str | None = Field(default=None, min_length=1, max_length=64)
    maturity_score: int | None = Score
    connection_score: int | None = Score
    engagement_score: int | None = Score
    sentiment_score: int | None = Score
    tier1: ScenarioOutcome | None = None
    tier2: ScenarioOutcome | None = None
    tier1_delay_minutes: float | None = Minutes
    tier2_delay_minutes: float | None = Minutes
    relabel: bool | None = None
    relabel_after_minutes: float | None = Minutes

    @model_validator(mode="after")
    def _label_needs_flag(self) -> ScenarioFields:
        if self.flagged is False and self.label is not None:
            raise ValueError(
                f"label {self.label!r} is set but flagged is false. "
                "Remove the label or set flagged to true."
            )
        return self

    def overrides(self) -> dict[str, Any]:
        """Return the fields this entry sets, treating null as unset."""
        values = {name: getattr(self, name) for name in ScenarioFields.model_fields}
        return {name: value for name, value in values.items() if value is not None}


class NumberMatch(BaseModel):
    """Conditions selecting the numbers of a rule, all of which must match."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    suffix: str | None = Field(default=None, pattern=r"^[0-9]{1,14}$")
    prefix: str | None = Field(default=None, pattern=r"^\+[0-9]{1,15}$")
    pattern: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _check_conditions(self) -> NumberMatch:
        if self.suffix is None and self.prefix is None and self.pattern is None:
            raise ValueError("match needs at least one of suffix, prefix or pattern")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as error:
                raise ValueError(
                    f"pattern {self.pattern!r} is not a valid regular expression: "
                    f"{error}"
                ) from error
        return self

    @cached_property
    def _regex(self) -> re.Pattern[str] | None:
        return None if self.pattern is None else re.compile(self.pattern)

    def matches(self, phone_number: str) -> bool:
        if self.suffix is not None and not phone_number.endswith(self.suffix):
            return False
        if self.prefix is not None and not phone_number.startswith(self.prefix):
            return False
        regex = self._regex
        return regex is None or regex.fullmatch(phone_number) is not None


class ScenarioRule(ScenarioFields):
    """Values for every number that ``match`` selects, on ``networks`` or all."""

    match: NumberMatch
    networks: list[NetworkNameField] | None = None

    def applies(self, network: str, phone_number: str) -> bool:
        if self.networks is not None and network not in self.networks:
            return False
        return self.match.matches(phone_number)


class NumberEntry(ScenarioFields):
    """Values for one number on every network, then per network."""

    networks: dict[NetworkNameField, ScenarioFields] = Field(default_factory=dict)


class Scenario(BaseModel):
    """A parsed scenario file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    rules: list[ScenarioRule] = Field(default_factory=list)
    numbers: dict[str, NumberEntry] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_numbers(self) -> Scenario:
        for phone_number in self.numbers:
            if not is_e164(phone_number):
                raise ValueError(
                    f"numbers key {phone_number!r} is not an E.164 number "
                    "such as +13125550100"
                )
        return self

    def resolve(self, network: str, phone_number: str) -> dict[str, Any]:
        """Merge every entry for this number and network, later entries winning.

        Rules apply in file order, then the number's own entry, then its entry
        for this network.
        """
        merged: dict[str, Any] = {}
        for rule in self.rules:
            if rule.applies(network, phone_number):
                merged.update(rule.overrides())
        entry = self.numbers.get(phone_number)
        if entry is None:
            return merged
        merged.update(entry.overrides())
        per_network = entry.networks.get(network)
        if per_network is not None:
            merged.update(per_network.overrides())
        return merged


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file, or raise ScenarioError naming the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioError(
            f"sandbox scenario file {path} cannot be read: {error.strerror}. "
            "Check the scenario_file path."
        ) from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            f"sandbox scenario file {path} is not valid JSON: {error.msg} "
            f"at line {error.lineno}, column {error.colno}"
        ) from error
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(
            f"sandbox scenario file {path} is invalid: {_describe(error)}"
        ) from error


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False)[:5]:
        location = _location(item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{location}: {message}" if location else message)
    more = error.error_count() - len(problems)
    if more > 0:
        problems.append(f"and {more} more")
    return "; ".join(problems)


def _location(parts: tuple[int | str, ...]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text
