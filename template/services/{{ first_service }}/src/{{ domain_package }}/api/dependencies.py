"""FastAPI dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from service_kit.auth import Principal, require_scopes

from ..domain.service import ItemService

READ_SCOPE = "items:read"
WRITE_SCOPE = "items:write"


def get_item_service(request: Request) -> ItemService:
    service: ItemService = request.app.state.item_service
    return service


ItemServiceDep = Annotated[ItemService, Depends(get_item_service)]
Reader = Annotated[Principal, Depends(require_scopes(READ_SCOPE))]
Writer = Annotated[Principal, Depends(require_scopes(WRITE_SCOPE))]
