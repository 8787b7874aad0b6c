"""Read phone numbers out of the CSV files people actually have.

Accepted shapes: with or without a header row, one column or many, delimited by
``,``, ``;``, tab or ``|`` (or the one an Excel ``sep=`` first line names),
UTF-8 with or without a byte-order mark (or UTF-16 with one), CRLF or LF line
ends, blank lines anywhere. The phone column is the
one whose header is a known name (``phone_number``, ``phone``, ``number``,
``tn``, ``did``, ...), else the column with the most cells that read as phone
numbers. Numbers without a country code are read as US/NANP numbers.

Line numbers are 1-based physical lines, as an editor shows them. A quoted cell
that spans lines is reported at the line where its row ends.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers

from numrep.phone.e164 import is_e164

DEFAULT_REGION = "US"
DELIMITERS = (",", ";", "\t", "|")
# Header names, compared after lowercasing and turning spaces and hyphens into
# underscores; earlier names win when a file has several.
PHONE_HEADERS = (
    "phone_number",
    "phone",
    "number",
    "tn",
    "did",
    "telephone",
    "telephone_number",
    "phone_no",
    "msisdn",
    "e164",
)
# Rows read to choose the delimiter and the phone column.
SAMPLE_ROWS = 50
_LETTERS = re.compile(r"[A-Za-z]")
_DIGITS = re.compile(r"[0-9]")


class CsvFileError(Exception):
    """Raised when a file cannot be read as a CSV file of phone numbers at all."""


class NumberFormatError(ValueError):
    """Error for a cell that cannot be read as a phone number, with the reason."""


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    line: int
    raw: str
    e164: str


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    raw: str
    reason: str


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A number found again after its first line; only the first one is kept."""

    e164: str
    first_line: int
    repeat_lines: tuple[int, ...]


@dataclass
class ParseResult:
    numbers: list[ParsedNumber] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    header: list[str] | None = None
    column: int = 0
    delimiter: str = ","


def normalise(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """Return ``raw`` as E.164, or raise ``NumberFormatError`` saying why not.

    Only the syntax and length are checked here. Whether the server accepts the
    number (US only, valid area code, in the inventory) is the server's call.
    """
    text = raw.strip()
    if not text:
        raise NumberFormatError("the phone number cell is empty")
    if _LETTERS.search(text):
        raise NumberFormatError(
            f"{text!r} contains letters; write the number with digits only"
        )
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise NumberFormatError(f"{text!r} is not a phone number: {error}") from error
    if parsed.extension:
        raise NumberFormatError(f"{text!r} has an extension; remove it")
    possible = phonenumbers.is_possible_number_with_reason(parsed)
    if possible == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        raise NumberFormatError(
            f"{text!r} has no area code; write the number with all 10 digits"
        )
    if possible != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise NumberFormatError(
            f"{text!r} has the wrong number of digits for a phone number"
        )
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if not is_e164(e164):
        raise NumberFormatError(f"{text!r} does not form an E.164 number")
    return e164


def read_file(path: Path) -> ParseResult:
    """Read and parse ``path``; raise ``CsvFileError`` if it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CsvFileError(f"cannot read {path}: {error.strerror}") from error
    return parse_text(decode(data, name=str(path)))


def decode(data: bytes, *, name: str) -> str:
    """Decode UTF-8 (with or without a byte-order mark) or BOM-marked UTF-16."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise CsvFileError(
            f"{name} is not valid {encoding} (byte {error.start}); save it as UTF-8"
        ) from error


def parse_text(text: str) -> ParseResult:
    """Parse the text of a CSV file into numbers, bad lines and duplicates."""
    declared = declared_delimiter(text)
    delimiter = declared or detect_delimiter(text)
    rows = _read_rows(text, delimiter)
    if declared is not None:
        rows = rows[1:]
    content = [(line, cells) for line, cells in rows if _has_content(cells)]
    result = ParseResult(delimiter=delimiter)
    if not content:
        return result

    first_cells = content[0][1]
    if is_header(first_cells):
        result.header = [cell.strip() for cell in first_cells]
        content = content[1:]
    result.column = choose_column(result.header, [cells for _, cells in content])
    _collect_numbers(result, content)
    return result


def declared_delimiter(text: str) -> str | None:
    """Return the delimiter of a first line like ``sep=;``, as Excel writes it."""
    first = text.split("\n", 1)[0].rstrip("\r")
    if len(first) == 5 and first.lower().startswith("sep="):
        return first[4]
    return None


def detect_delimiter(text: str) -> str:
    """Pick the delimiter that splits the sample rows into the most stable width.

    A file with no delimiter at all is one column, read with ``,``.
    """
    sample = [line for line in text.splitlines() if line.strip()][:SAMPLE_ROWS]
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        widths = Counter(
            len(cells) for cells in csv.reader(sample, delimiter=delimiter)
        )
        width, count = widths.most_common(1)[0] if widths else (1, 0)
        score = count if width > 1 else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def is_header(cells: Sequence[str]) -> bool:
    """Read a first row as a header if it names a phone column or has no digits.

    A first data row without a single digit could not hold a number anyway, so
    reading it as a header loses nothing.
    """
    if _header_column(cells) is not None:
        return True
    return not any(_DIGITS.search(cell) for cell in cells)


def choose_column(header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> int:
    """Return the index of the phone column: by header name, else by content."""
    if header is not None:
        named = _header_column(header)
        if named is not None:
            return named
    width = max((len(cells) for cells in rows[:SAMPLE_ROWS]), default=1)
    hits = [0] * width
    for cells in rows[:SAMPLE_ROWS]:
        for index, cell in enumerate(cells):
            if _reads_as_number(cell):
                hits[index] += 1
    best = max(range(width), key=lambda index: (hits[index], -index))
    return best


def _header_column(cells: Sequence[str]) -> int | None:
    names = [_header_key(cell) for cell in cells]
    for name in PHONE_HEADERS:
        if name in names:
            return names.index(name)
    for index, name in enumerate(names):
        if "phone" in name:
            return index
    return None


def _header_key(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def _reads_as_number(cell: str) -> bool:
    try:
        normalise(cell)
    except NumberFormatError:
        return False
    return True


def _read_rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
    except csv.Error as error:
        raise CsvFileError(f"line {reader.line_num}: {error}") from error
    return rows


def _has_content(cells: Iterable[str]) -> bool:
    return any(cell.strip() for cell in cells)


def _collect_numbers(
    result: ParseResult, rows: Sequence[tuple[int, list[str]]]
) -> None:
    first_line: dict[str, int] = {}
    repeats: dict[str, list[int]] = {}
    for line, cells in rows:
        if result.column >= len(cells):
            raw = result.delimiter.join(cells)
            result.bad_lines.append(
                BadLine(line, raw, f"the row has no phone column ({result.column + 1})")
            )
            continue
        raw = cells[result.column]
        try:
            e164 = normalise(raw)
        except NumberFormatError as error:
            result.bad_lines.append(BadLine(line, raw, str(error)))
            continue
        if e164 in first_line:
            repeats.setdefault(e164, []).append(line)
            continue
        first_line[e164] = line
        result.numbers.append(ParsedNumber(line, raw.strip(), e164))
    result.duplicates = [
        Duplicate(e164, first_line[e164], tuple(lines))
        for e164, lines in repeats.items()
    ]
