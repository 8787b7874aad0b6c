"""Rendering an enterprise's Letter of Authorization."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy.orm import Session

from numrep.core.clock import utcnow
from numrep.documents.loa.pdf import Letter, Party, render_pdf
from numrep.documents.loa.schemas import LoaAgent, LoaRenderRequest
from numrep.documents.loa.signature import load_signature_image
from numrep.enterprise import service as enterprises
from numrep.enterprise.models import Enterprise

log = structlog.get_logger(__name__)


def render_letter(
    session: Session,
    *,
    account_id: uuid.UUID,
    enterprise_id: uuid.UUID,
    body: LoaRenderRequest,
) -> bytes:
    """Render the letter as PDF bytes, filled in from the enterprise's record.

    Reputation need not be enabled, because enabling it requires the signed letter.
    """
    enterprise = enterprises.get_owned(
        session, account_id=account_id, enterprise_id=enterprise_id
    )
    signature = body.signature
    image = load_signature_image(signature.image_base64) if signature else None
    party = _enterprise_party(enterprise)
    signer_name = signature.signer_name if signature else None
    letter = Letter(
        enterprise=party,
        agent=_agent_party(body.agent) if body.agent else None,
        signer_name=signer_name or party.contact_name,
        # The contact's title applies only when the contact is the one signing.
        signer_title=None if signer_name else party.contact_title,
        signature=image,
        prepared_on=utcnow().date(),
    )
    pdf = render_pdf(letter)
    log.info(
        "loa.rendered",
        enterprise_id=str(enterprise.id),
        signed=image is not None,
        agent=body.agent is not None,
    )
    return pdf


def _enterprise_party(enterprise: Enterprise) -> Party:
    contact = enterprise.organization_contact
    return Party(
        legal_name=enterprise.legal_name,
        doing_business_as=enterprise.doing_business_as,
        address_lines=_address_lines(enterprise.organization_physical_address),
        contact_name=f"{contact['first_name']} {contact['last_name']}",
        contact_title=contact["job_title"],
        contact_email=contact["email"],
        contact_phone=contact["phone_number"],
        fein=enterprise.fein,
    )


def _agent_party(agent: LoaAgent) -> Party:
    return Party(
        legal_name=agent.legal_name,
        doing_business_as=agent.dba,
        address_lines=_address_lines(agent.model_dump()),
        contact_name=agent.contact_name,
        contact_title=agent.contact_title,
        contact_email=agent.contact_email,
        contact_phone=agent.contact_phone,
    )


def _address_lines(address: dict[str, Any]) -> list[str]:
    lines = [address["street_address"]]
    if address.get("extended_address"):
        lines.append(address["extended_address"])
    lines.append(
        f"{address['city']}, {address['administrative_area']} {address['postal_code']}"
    )
    lines.append(address["country"])
    return lines
