"""E.164 syntax, US number rules and masking for logs.

The request path checks syntax with one regex, which is cheap for 2,000 numbers.
The US rules go through phonenumbers, which took about 30 microseconds a number
here (2,000 numbers in 60 ms on 2 cores). So they run where a request carries at
most 100 numbers, or on numbers already known to the account.
"""

from __future__ import annotations

import re
from enum import StrEnum

import phonenumbers

E164_PATTERN = r"^\+[1-9][0-9]{9,14}$"
E164_RE = re.compile(E164_PATTERN)
# str.isdigit() accepts full-width and other Unicode digits; the contract does not.
_ASCII_E164_RE = re.compile(r"\A\+[1-9][0-9]{9,14}\Z", re.ASCII)


class UsNumberProblem(StrEnum):
    """Reasons a syntactically valid number cannot be registered for US reputation."""

    NOT_NANP = "not a North American number (+1)"
    WRONG_LENGTH = "a +1 number has exactly 10 digits after the +1"
    CANADIAN = "a Canadian number; number reputation covers US numbers only"
    NON_US = "not a US number; number reputation covers US numbers only"
    IMPOSSIBLE = "not a possible US number (invalid area code or exchange)"


def is_e164(value: str) -> bool:
    return _ASCII_E164_RE.match(value) is not None


def us_number_problem(value: str) -> UsNumberProblem | None:
    """Return why an E.164 string is not a valid US number, or None when it is."""
    if not value.startswith("+1"):
        return UsNumberProblem.NOT_NANP
    if len(value) != 12:
        return UsNumberProblem.WRONG_LENGTH
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return UsNumberProblem.IMPOSSIBLE
    if not phonenumbers.is_valid_number(parsed):
        return UsNumberProblem.IMPOSSIBLE
    region = phonenumbers.region_code_for_number(parsed)
    if region == "CA":
        return UsNumberProblem.CANADIAN
    if region != "US":
        return UsNumberProblem.NON_US
    return None


def is_toll_free(value: str) -> bool:
    parsed = phonenumbers.parse(value, None)
    return phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE


def mask(value: str) -> str:
    """Mask the middle digits of a number for logs: ``+1949***3498``."""
    if len(value) < 8:
        return "***"
    return f"{value[:5]}***{value[-4:]}"
