"""What every API module shares: the shape of a refusal, and the refusals an endpoint declares.

Every endpoint is behind a bearer token or a session (401 without one) and reads parameters that may be
malformed (422), so `refusals()` always declares those two; an endpoint adds the refusals its own checks give:

    @router.get("/{pk}", response={200: ThingOut, **refusals(403, 404)})

Ids in paths are plain `{pk}` (not Django's `{int:pk}`), so a malformed id is a 422 naming the parameter
rather than Django's HTML 404 page.
"""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from .db import page_count
from .views import countable


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """A refusal: `detail` in Chinese; `code` and `errors` (by field) when a rule was broken or a parameter
    was malformed."""

    detail: str
    code: str = ""
    errors: list[FieldErrorOut] = []


def refusals(*statuses):
    """{status: ErrorOut} for 401, 422 and the given statuses (400 a broken rule, 403 not allowed,
    404 absent or outside the caller's jurisdiction)."""
    return dict.fromkeys(sorted({401, 422, *statuses}), ErrorOut)


MAX_PAGE = 1_000_000


class Pages(PageNumberPagination):
    """Page-number pagination whose page is bounded: a page past MAX_PAGE is a 422, not an offset the
    database cannot hold (a 500). `count` of a long list is the planner's estimate (`count_estimated`
    true) unless `exact_count=true` (core.db.page_count)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE)
        exact_count: bool = Field(False, description="true：精确计数（长列表默认给出数据库估算的条数）")

    class Output(Schema):
        items: list[Any]
        count: int
        count_estimated: bool = False

    def paginate_queryset(self, queryset, pagination, request, **params):
        size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * size
        if hasattr(queryset, "query"):
            count, estimated = page_count(countable(queryset), exact=pagination.exact_count)
        else:
            count, estimated = len(queryset), False
        return {"items": queryset[offset : offset + size], "count": count, "count_estimated": estimated}
