"""Small real files for document and LOA tests, built in memory."""

from __future__ import annotations

import base64
import io

import sqlalchemy as sa
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader


def sample_pdf(text: str = "Signed letter") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


def sample_image(image_format: str = "PNG", size: tuple[int, int] = (120, 40)) -> bytes:
    image = Image.new("RGB", size, color=(255, 255, 255))
    for x in range(10, size[0] - 10):
        image.putpixel((x, size[1] // 2), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_image_count(data: bytes) -> int:
    reader = PdfReader(io.BytesIO(data))
    return sum(len(page.images) for page in reader.pages)


def stored_document_rows(database_url: str) -> tuple[int, int]:
    """Return the row counts of the documents and document_contents tables."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            documents = connection.scalar(sa.text("SELECT count(*) FROM documents"))
            contents = connection.scalar(
                sa.text("SELECT count(*) FROM document_contents")
            )
    finally:
        engine.dispose()
    return int(documents or 0), int(contents or 0)
