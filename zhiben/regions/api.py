"""Region and unit endpoints (scoped to the caller's jurisdiction)."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.views import require_capability

from .models import Region, Unit

router = Router(tags=["行政区划"])
unit_router = Router(tags=["单位"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_id: str | None


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    region_id: str
    industries: list[str]

    @staticmethod
    def resolve_industries(obj):
        return [i.code for i in obj.industries.all()]


@router.get("/", response={200: list[RegionOut], **refusals(403)})
@paginate(Pages, page_size=100)
def list_regions(request, parent: str = "", level: int | None = None):
    require_capability(request.user, "region.view")
    qs = Region.objects.for_user(request.user)
    if parent:
        qs = qs.filter(parent_id=parent.ljust(12, "0"))
    if level:
        qs = qs.filter(level=level)
    return qs


@router.get("/{code}", response={200: RegionOut, **refusals(403, 404)})
def get_region(request, code: str):
    require_capability(request.user, "region.view")
    return get_object_or_404(Region.objects.for_user(request.user), code=code.ljust(12, "0"))


@unit_router.get("/", response={200: list[UnitOut], **refusals(403)})
@paginate(Pages, page_size=100)
def list_units(request, industry: str = "", q: str = ""):
    require_capability(request.user, "unit.view")
    qs = Unit.objects.for_user(request.user).prefetch_related("industries")
    if industry:
        qs = qs.filter(industries__code=industry)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


@unit_router.get("/{pk}", response={200: UnitOut, **refusals(403, 404)})
def get_unit(request, pk: int):
    require_capability(request.user, "unit.view")
    return get_object_or_404(Unit.objects.for_user(request.user).prefetch_related("industries"), pk=pk)
