"""`/v1/items`: list (cursor pagination, filters, sorting), create, read, update, delete."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from ..domain.model import MAX_PRICE_CENTS, NAME_MAX_LENGTH, Item, ItemStatus
from ..domain.queries import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ItemFilter, ItemQuery, ItemSort
from ..domain.service import Created, Idempotency, NewItem, StoredResponse
from .cursor import MAX_CURSOR_LENGTH, decode_cursor, encode_cursor
from .dependencies import ItemServiceDep, Reader, Writer
from .errors import problem_responses
from .idempotency import (
    IDEMPOTENCY_KEY_HEADER,
    KEY_PATTERN,
    MAX_KEY_LENGTH,
    REPLAYED_HEADER,
    request_hash,
)
from .schemas import ItemCreate, ItemPageRead, ItemRead, ItemUpdate

router = APIRouter(prefix="/v1/items", tags=["items"])

_AUTH_ERRORS = problem_responses(401, 403)


class SortOrder(StrEnum):
    """A field to sort by; a leading `-` sorts descending. Ties are broken by id."""

    NAME = "name"
    NAME_DESC = "-name"
    CREATED_AT = "created_at"
    CREATED_AT_DESC = "-created_at"
    PRICE = "price"
    PRICE_DESC = "-price"


@router.get(
    "",
    summary="List items",
    response_model=ItemPageRead,
    responses={**_AUTH_ERRORS, **problem_responses(400, 422)},
)
def list_items(
    *,
    _principal: Reader,
    service: ItemServiceDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None,
        Query(max_length=MAX_CURSOR_LENGTH, description="`next_cursor` of the previous page."),
    ] = None,
    item_status: Annotated[ItemStatus | None, Query(alias="status")] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=NAME_MAX_LENGTH,
            description="Only items whose name contains this text (case-insensitive).",
        ),
    ] = None,
    min_price: Annotated[
        int | None,
        Query(ge=0, le=MAX_PRICE_CENTS, description="Lowest price_cents, inclusive."),
    ] = None,
    max_price: Annotated[
        int | None,
        Query(ge=0, le=MAX_PRICE_CENTS, description="Highest price_cents, inclusive."),
    ] = None,
    sort: SortOrder = SortOrder.CREATED_AT,
) -> ItemPageRead:
    item_sort = ItemSort.parse(sort.value)
    query = ItemQuery(
        filter=ItemFilter(
            status=item_status,
            name_contains=q,
            min_price_cents=min_price,
            max_price_cents=max_price,
        ),
        sort=item_sort,
        limit=limit,
        after=None if cursor is None else decode_cursor(cursor, item_sort),
    )
    page = service.list_items(query)
    return ItemPageRead(
        items=[ItemRead.from_item(item) for item in page.items],
        next_cursor=None if page.next is None else encode_cursor(item_sort, page.next),
    )


@router.post(
    "",
    summary="Create an item",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemRead,
    responses={**_AUTH_ERRORS, **problem_responses(409, 422)},
)
def create_item(
    body: ItemCreate,
    request: Request,
    principal: Writer,
    service: ItemServiceDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_KEY_HEADER,
            max_length=MAX_KEY_LENGTH,
            pattern=KEY_PATTERN,
            description=(
                "Makes retries safe: a repeated request with the same key and body gets the "
                "first response again (with `Idempotent-Replayed: true`); the same key with "
                "another body is refused with 422."
            ),
        ),
    ] = None,
) -> JSONResponse:
    new = NewItem(
        sku=body.sku,
        name=body.name,
        description=body.description,
        price_cents=body.price_cents,
        currency=body.currency,
        status=body.status,
    )
    idempotency = None
    if idempotency_key is not None:
        idempotency = Idempotency(
            principal=principal.subject,
            key=idempotency_key,
            request_hash=request_hash("POST", request.url.path, body.model_dump(mode="json")),
            render=_created_response,
        )
    result = service.create(new, idempotency=idempotency)
    headers: dict[str, str] = {}
    if isinstance(result, Created):
        stored = _created_response(result.item)
    else:
        stored = result.response
        headers[REPLAYED_HEADER] = "true"
    item_id = stored.body.get("id")
    if stored.status == status.HTTP_201_CREATED and isinstance(item_id, str):
        headers["Location"] = request.app.url_path_for("get_item", item_id=item_id)
    return JSONResponse(stored.body, status_code=stored.status, headers=headers)


def _created_response(item: Item) -> StoredResponse:
    return StoredResponse(
        status=status.HTTP_201_CREATED,
        body=jsonable_encoder(ItemRead.from_item(item)),
    )


@router.get(
    "/{item_id}",
    summary="Read an item",
    response_model=ItemRead,
    responses={**_AUTH_ERRORS, **problem_responses(404, 422)},
)
def get_item(item_id: UUID, _principal: Reader, service: ItemServiceDep) -> ItemRead:
    return ItemRead.from_item(service.get(item_id))


@router.patch(
    "/{item_id}",
    summary="Change an item",
    response_model=ItemRead,
    responses={**_AUTH_ERRORS, **problem_responses(404, 409, 422)},
)
def update_item(
    item_id: UUID, body: ItemUpdate, _principal: Writer, service: ItemServiceDep
) -> ItemRead:
    item = service.update(item_id, body.changes(), expected_version=body.version)
    return ItemRead.from_item(item)


@router.delete(
    "/{item_id}",
    summary="Delete an item",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses={**_AUTH_ERRORS, **problem_responses(404, 422)},
)
def delete_item(item_id: UUID, _principal: Writer, service: ItemServiceDep) -> Response:
    service.delete(item_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
