"""The Letter of Authorization render endpoint."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Response

from numrep.core.deps import DbDep, PrincipalDep
from numrep.core.http import JsonRoute
from numrep.core.openapi import described
from numrep.documents.loa import service
from numrep.documents.loa.schemas import LoaRenderRequest

router = APIRouter(route_class=JsonRoute, tags=["Reputation"])


@router.post(
    "/enterprises/{enterprise_id}/reputation/loa",
    response_class=Response,
    responses=described(None, media_types=("application/pdf",)),
)
def render_loa(
    enterprise_id: uuid.UUID,
    db: DbDep,
    principal: PrincipalDep,
    body: Annotated[LoaRenderRequest | None, Body()] = None,
) -> Response:
    """Render the enterprise's LOA as a PDF, signed when a signature is given."""
    with db.unit_of_work(write=False) as session:
        pdf = service.render_letter(
            session,
            account_id=principal.account_id,
            enterprise_id=enterprise_id,
            body=body or LoaRenderRequest(),
        )
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'inline; filename="letter-of-authorization.pdf"'
        },
    )
