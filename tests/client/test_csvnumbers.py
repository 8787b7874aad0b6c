"""The CSV phone-number reader: file shapes, formats, bad lines, duplicates."""

from __future__ import annotations

import codecs
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numrep.client.csvnumbers import (
    CsvFileError,
    NumberFormatError,
    normalise,
    parse_text,
    read_file,
)

EXPECTED = "+12025550143"


@pytest.mark.parametrize(
    "raw",
    [
        "(202) 555-0143",
        "202.555.0143",
        "1-202-555-0143",
        "+1 202 555 0143",
        "2025550143",
        "12025550143",
        "+12025550143",
        "  202-555-0143  ",
        "+1 (202) 555-0143",
    ],
)
def test_normalise_formats(raw: str) -> None:
    assert normalise(raw) == EXPECTED


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("call me", "letters"),
        ("1-800-FLOWERS", "letters"),
        ("555-0143", "no area code"),
        ("202555014399999", "wrong number of digits"),
        ("---", "not a phone number"),
        ("202-555-0143 x12", "letters"),
        ("202-555-0143;12", "extension"),
    ],
)
def test_normalise_rejects(raw: str, reason: str) -> None:
    with pytest.raises(NumberFormatError, match=reason):
        normalise(raw)


def test_normalise_keeps_country_code() -> None:
    assert normalise("+44 20 7946 0958") == "+442079460958"


def numbers_of(text: str) -> list[str]:
    return [number.e164 for number in parse_text(text).numbers]


def test_single_column_without_header() -> None:
    assert numbers_of("2025550143\n(212) 555-0100\n") == [EXPECTED, "+12125550100"]


def test_header_picks_named_column() -> None:
    text = "id,name,Phone Number,notes\n7,Ann,202.555.0143,9175550100\n"
    result = parse_text(text)
    assert result.header == ["id", "name", "Phone Number", "notes"]
    assert result.column == 2
    assert [n.e164 for n in result.numbers] == [EXPECTED]


@pytest.mark.parametrize("name", ["phone", "number", "phone_number", "TN", "DID"])
def test_header_names(name: str) -> None:
    text = f"account,{name}\n12345,202-555-0143\n"
    assert parse_text(text).column == 1


def test_column_found_by_content() -> None:
    text = "Ann,Sales,2025550143\nBob,Support,2125550100\n"
    result = parse_text(text)
    assert result.header is None
    assert result.column == 2
    assert len(result.numbers) == 2


def test_unnamed_header_column_by_content() -> None:
    text = "name,contact\nAnn,2025550143\nBob,2125550100\n"
    result = parse_text(text)
    assert result.header == ["name", "contact"]
    assert result.column == 1


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters(delimiter: str) -> None:
    rows = [["name", "phone"], ["Smith, Ann", "2025550143"], ["Lee", "2125550100"]]
    text = "\n".join(delimiter.join(row) for row in rows)
    result = parse_text(text)
    assert result.delimiter == delimiter
    assert [n.e164 for n in result.numbers] == [EXPECTED, "+12125550100"]


def test_excel_sep_line() -> None:
    text = "sep=;\r\nname;phone\r\nSmith, Ann;2025550143\r\n"
    result = parse_text(text)
    assert result.delimiter == ";"
    assert result.header == ["name", "phone"]
    assert [(n.line, n.e164) for n in result.numbers] == [(3, EXPECTED)]


def test_bom_crlf_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    text = "phone\r\n\r\n202-555-0143\r\n\r\n212-555-0100\r\n"
    path.write_bytes(codecs.BOM_UTF8 + text.encode())
    result = read_file(path)
    assert result.header == ["phone"]
    assert [(n.line, n.e164) for n in result.numbers] == [
        (3, EXPECTED),
        (5, "+12125550100"),
    ]


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "numbers.txt"
    path.write_bytes("phone\tname\n2025550143\tAnn\n".encode("utf-16"))
    assert [n.e164 for n in read_file(path).numbers] == [EXPECTED]


def test_invalid_utf8_is_file_error(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_bytes(b"phone\n202555\xff0143\n")
    with pytest.raises(CsvFileError, match="UTF-8"):
        read_file(path)


def test_missing_file_is_file_error(tmp_path: Path) -> None:
    with pytest.raises(CsvFileError, match="cannot read"):
        read_file(tmp_path / "absent.csv")


def test_bad_lines_have_line_numbers() -> None:
    text = "phone,name\n2025550143,Ann\nnot a number,Bob\n\n555,Cy\n,Dee\n"
    result = parse_text(text)
    assert [n.e164 for n in result.numbers] == [EXPECTED]
    assert [(bad.line, bad.raw) for bad in result.bad_lines] == [
        (3, "not a number"),
        (5, "555"),
        (6, ""),
    ]
    assert "letters" in result.bad_lines[0].reason
    assert "empty" in result.bad_lines[2].reason


def test_short_row_is_bad_line() -> None:
    text = "name,phone\nAnn,2025550143\nBob\n"
    result = parse_text(text)
    assert [bad.line for bad in result.bad_lines] == [3]
    assert "no phone" in result.bad_lines[0].reason


def test_duplicates_reported_once() -> None:
    text = "2025550143\n(202) 555-0143\n2125550100\n+1 202 555 0143\n"
    result = parse_text(text)
    assert [n.e164 for n in result.numbers] == [EXPECTED, "+12125550100"]
    assert len(result.duplicates) == 1
    duplicate = result.duplicates[0]
    assert duplicate.e164 == EXPECTED
    assert duplicate.first_line == 1
    assert duplicate.repeat_lines == (2, 4)


def test_empty_text() -> None:
    result = parse_text("\n\n")
    assert result.numbers == []
    assert result.bad_lines == []


def test_quoted_cell_with_delimiter() -> None:
    text = 'name,phone\n"Smith, Ann","(202) 555-0143"\n'
    assert numbers_of(text) == [EXPECTED]


def nanp_numbers() -> st.SearchStrategy[str]:
    """Valid US numbers, as libphonenumber defines them."""
    digits = st.tuples(
        st.integers(200, 999), st.integers(200, 999), st.integers(0, 9999)
    ).map(lambda parts: f"{parts[0]}{parts[1]}{parts[2]:04d}")
    return digits.filter(
        lambda national: phonenumbers.is_valid_number(
            phonenumbers.parse(national, "US")
        )
    )


SEPARATORS = st.sampled_from(["", " ", "-", ".", "  "])


@given(
    national=nanp_numbers(),
    prefix=st.sampled_from(["", "1", "+1", "+1 ", "1-", "1 "]),
    first=SEPARATORS,
    second=SEPARATORS,
    parentheses=st.booleans(),
)
def test_any_formatting_same_e164(
    national: str, prefix: str, first: str, second: str, parentheses: bool
) -> None:
    area, exchange, line = national[:3], national[3:6], national[6:]
    area_text = f"({area})" if parentheses else area
    formatted = f"{prefix}{area_text}{first}{exchange}{second}{line}"
    assert normalise(formatted) == f"+1{national}"


@given(national=nanp_numbers(), delimiter=st.sampled_from([",", ";", "\t"]))
def test_any_delimiter_finds_number(national: str, delimiter: str) -> None:
    text = delimiter.join(["name", "phone"]) + "\n" + delimiter.join(["Ann", national])
    assert numbers_of(text) == [f"+1{national}"]
