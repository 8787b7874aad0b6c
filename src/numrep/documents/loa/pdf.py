"""Laying out the Letter of Authorization as a PDF with fpdf2."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

_MARGIN_MM = 20
_LINE_MM = 5.5
_LABEL_MM = 48
_SIGNATURE_MAX_WIDTH_MM = 60
_SIGNATURE_MAX_HEIGHT_MM = 25

# Typographic characters outside Latin-1 that have a plain equivalent.
_PLAIN_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)


@dataclass(frozen=True, slots=True)
class Party:
    """The identity, address and contact of the enterprise or its agent."""

    legal_name: str
    doing_business_as: str | None
    address_lines: Sequence[str]
    contact_name: str
    contact_title: str
    contact_email: str
    contact_phone: str
    fein: str | None = None


@dataclass(frozen=True, slots=True)
class Letter:
    """Everything printed on one Letter of Authorization."""

    enterprise: Party
    agent: Party | None
    signer_name: str
    signer_title: str | None
    signature: Image.Image | None
    prepared_on: date


def render_pdf(letter: Letter) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="letter")
    pdf.set_title(pdf_text(f"Letter of Authorization - {letter.enterprise.legal_name}"))
    pdf.set_creator("numrep")
    pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN_MM)
    pdf.add_page()

    _write_heading(pdf, letter)
    _write_party(pdf, "Enterprise", letter.enterprise)
    if letter.agent is not None:
        _write_party(pdf, "Authorized agent", letter.agent)
    _write_section_title(pdf, "Authorization")
    for paragraph in authorization_paragraphs(letter):
        _write_paragraph(pdf, paragraph)
    _write_signature(pdf, letter)
    return bytes(pdf.output())


def authorization_paragraphs(letter: Letter) -> list[str]:
    enterprise = letter.enterprise.legal_name
    paragraphs = [
        f'{enterprise} ("the Enterprise") authorizes the provider of this number '
        "reputation service to act for it with call-analytics networks and "
        "carriers for the telephone numbers that the Enterprise registers. This "
        "covers looking up and monitoring the reputation of those numbers and "
        "requesting the review and remediation of numbers labeled as spam or fraud.",
        "The Enterprise confirms that it is the subscriber of each registered "
        "number or is authorized by the subscriber to use it, that it places only "
        "lawful calls from these numbers, and that it will remove any number it "
        "no longer controls.",
    ]
    if letter.agent is not None:
        paragraphs.append(
            f"The Enterprise appoints {letter.agent.legal_name} as its agent. The "
            "agent manages these numbers for the Enterprise and may act under this "
            "authorization on its behalf."
        )
    paragraphs.append(
        "This authorization remains in effect until the Enterprise revokes it in "
        "writing or disables number reputation."
    )
    return paragraphs


def pdf_text(value: str) -> str:
    """Return ``value`` in Latin-1, the only range the built-in PDF fonts cover.

    Accented letters outside Latin-1 lose their accent and any other character
    outside it becomes "?".
    """
    # NOTE: names in non-Latin scripts print as "?". Embedding a Unicode TrueType
    # font would fix that, but numrep ships none.
    value = value.translate(_PLAIN_PUNCTUATION)
    if all(ord(char) < 256 for char in value):
        return value
    return "".join(_latin1_char(char) for char in value)


def _latin1_char(char: str) -> str:
    if ord(char) < 256:
        return char
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(
        part
        for part in decomposed
        if ord(part) < 256 and not unicodedata.combining(part)
    )
    return base or "?"


def _write_heading(pdf: FPDF, letter: Letter) -> None:
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(0, 9, "Letter of Authorization", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=11)
    pdf.cell(
        0,
        _LINE_MM,
        "Number reputation monitoring and remediation",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.cell(
        0,
        _LINE_MM,
        f"Prepared on {letter.prepared_on.isoformat()}",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )


def _write_party(pdf: FPDF, title: str, party: Party) -> None:
    _write_section_title(pdf, title)
    _write_field(pdf, "Legal name", party.legal_name)
    if party.doing_business_as:
        _write_field(pdf, "Doing business as", party.doing_business_as)
    if party.fein:
        _write_field(pdf, "FEIN", party.fein)
    _write_field(pdf, "Address", "\n".join(party.address_lines))
    _write_field(pdf, "Contact", f"{party.contact_name}, {party.contact_title}")
    _write_field(pdf, "Contact email", party.contact_email)
    _write_field(pdf, "Contact phone", party.contact_phone)


def _write_signature(pdf: FPDF, letter: Letter) -> None:
    _write_section_title(pdf, f"Signed for {letter.enterprise.legal_name}")
    if letter.signature is not None:
        width, height = _signature_size_mm(letter.signature)
        pdf.image(letter.signature, w=width, h=height)
    else:
        pdf.ln(_SIGNATURE_MAX_HEIGHT_MM)
    pdf.cell(0, _LINE_MM, "_" * 40, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _write_field(pdf, "Name", letter.signer_name)
    _write_field(pdf, "Title", letter.signer_title or "")
    signed_on = letter.prepared_on.isoformat() if letter.signature else ""
    _write_field(pdf, "Date", signed_on)


def _signature_size_mm(image: Image.Image) -> tuple[float, float]:
    width_px, height_px = image.size
    width = float(_SIGNATURE_MAX_WIDTH_MM)
    height = width * height_px / width_px
    if height > _SIGNATURE_MAX_HEIGHT_MM:
        height = float(_SIGNATURE_MAX_HEIGHT_MM)
        width = height * width_px / height_px
    return width, height


def _write_section_title(pdf: FPDF, title: str) -> None:
    pdf.ln(4)
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.multi_cell(0, 7, pdf_text(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=11)


def _write_field(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font("Helvetica", style="B", size=11)
    pdf.cell(_LABEL_MM, _LINE_MM, f"{label}:")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, _LINE_MM, pdf_text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _write_paragraph(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, _LINE_MM, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
