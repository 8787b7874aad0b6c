"""The ``POST /enterprises/{id}/reputation/loa`` body, with the contract's limits."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, StringConstraints

from numrep.phone.e164 import E164_PATTERN

Text30 = Annotated[str, StringConstraints(min_length=1, max_length=30)]
Text120 = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Text200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text255 = Annotated[str, StringConstraints(min_length=1, max_length=255)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$", to_upper=True)]
Phone = Annotated[str, StringConstraints(pattern=E164_PATTERN, max_length=30)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class LoaAgent(_Body):
    """A reseller or partner that manages the enterprise's numbers for it."""

    legal_name: Text200
    dba: Text200 | None = None
    street_address: Text255
    extended_address: Text255 | None = None
    city: Text120
    administrative_area: Text120
    postal_code: Text30
    country: CountryCode
    contact_name: Text200
    contact_title: Text200
    contact_email: EmailStr
    contact_phone: Phone


class LoaSignature(_Body):
    """A signature image to embed; without it the letter is rendered unsigned."""

    image_base64: Annotated[str, StringConstraints(min_length=1)]
    signer_name: Text200 | None = None


class LoaRenderRequest(_Body):
    agent: LoaAgent | None = None
    signature: LoaSignature | None = None
