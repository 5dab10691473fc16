"""“两单两卡一会” endpoints, read only, for the provincial systems and the reports a committee sends up: the posts in
the caller's view with the filters and sorts of their page, one post with its four items in force (岗位风险清单、
岗位职责清单、岗位操作卡、岗位应急处置卡) and its latest 班前会, the 班前会 records with the filters of their page, and
the coverage as the 覆盖情况 page counts it (the figure, and enterprise by enterprise). Scoped like the pages: out of
view is a 404, without `post.view` a 403. Mobile and identity numbers written into the free text of an item or a
班前会 record are answered masked."""

from datetime import date, datetime

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zhiben.core.api import Pages, refusals
from zhiben.core.crypto import mask_text
from zhiben.core.views import require_capability

from . import selectors

router = Router(tags=["两单两卡一会"])

RECENT_BRIEFINGS = 10  # the 班前会 a post's page shows


class PostOut(Schema):
    """A post (岗位) of an enterprise; `active` false: 停用."""

    id: int
    name: str
    team: str = Field(description="班组/车间")
    active: bool
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    region_code: str = Field(alias="region_id")
    industry: str = Field("", alias="industry.code")


class PostCardOut(Schema):
    """One of the four items of a post in its version in force; `version` null: 尚未编制 (no items)."""

    kind: str
    kind_label: str
    version: int | None
    items: list[str]
    note: str = Field(description="修订说明")
    saved_at: datetime | None
    saved_by_name: str


class BriefingOut(Schema):
    """A 班前会 record of a post."""

    id: int
    post_id: int
    post_name: str = Field(alias="post.name")
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    region_code: str = Field(alias="region_id")
    held_on: date
    team: str
    attendee_count: int
    attendees: str
    content: str
    recorder: str

    @staticmethod
    def resolve_attendees(obj):
        return mask_text(obj.attendees)

    @staticmethod
    def resolve_content(obj):
        return mask_text(obj.content)

    @staticmethod
    def resolve_recorder(obj):
        return mask_text(obj.recorder)


class PostDetailOut(PostOut):
    cards: list[PostCardOut] = Field(
        alias="cards_in_force", description="四项（风险清单、职责清单、操作卡、应急处置卡）的现行版本"
    )
    briefings: list[BriefingOut] = Field(alias="recent_briefings", description="最近 10 次班前会")


class PostCoverageQuery(Schema):
    region: str = Field("", description="区划代码（本辖区内；其他辖区的为 404），空为整个辖区")
    industry: str = Field("", description="行业代码，空为全部行业")
    day: date | None = Field(None, description="统计日（不晚于今天），默认今天")


class PostCoverageRowsQuery(PostCoverageQuery):
    missing: bool = Field(False, description="true：仅未全覆盖的企业")
    sort: str = Field("", description="排序。可选值：share（覆盖率↑）、-share（覆盖率↓）；默认按区划、企业名称")


class PostCoverageOut(Schema):
    """两单两卡一会全覆盖: `covered` of the `total` operating enterprises have every active post with all four items
    in force and a 班前会 within the jurisdiction's N days up to `day` (`value` in percent, null when none is
    counted); `missing` are not."""

    day: date
    covered: int
    total: int
    missing: int
    value: float | None


class PostCoverageRowOut(Schema):
    """One enterprise of the coverage: its active `posts`, those with all four items in force (`complete`), with a
    班前会 within `days` days (`briefed`), with both (`full`, `share` of the posts in percent); `covered`: every
    post has both; `missing` what is lacking, post by post (“未建立岗位” for an enterprise without one)."""

    enterprise_id: int = Field(alias="enterprise.pk")
    enterprise_name: str = Field(alias="enterprise.name")
    region_code: str = Field(alias="enterprise.region_id")
    region_name: str = Field(alias="enterprise.region_name")
    industry: str
    posts: int
    complete: int
    briefed: int
    full: int
    days: int
    share: int
    covered: bool
    missing: list[str]

    @staticmethod
    def resolve_industry(obj):
        return obj.enterprise.industry_code or ""


PostFilters = selectors.POST_FILTERS.schema("PostFilters")
BriefingFilters = selectors.BRIEFING_FILTERS.schema("BriefingFilters")


@router.get("/", response={200: list[PostOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_posts(request, filters: Query[PostFilters]):
    """Posts in the caller's view (active and 停用) with the filters and sorts of the 两单两卡一会 page (by enterprise,
    then name)."""
    require_capability(request.user, selectors.VIEW)
    return selectors.post_list(user=request.user, filters=filters.dict())


@router.get("/briefings", response={200: list[BriefingOut], **refusals(403)})
@paginate(Pages, page_size=50)
def list_briefings(request, filters: Query[BriefingFilters]):
    """班前会 records in the caller's view, the latest first, with the filters and sorts of the 班前会记录 page."""
    require_capability(request.user, selectors.VIEW)
    return selectors.briefing_list(user=request.user, filters=filters.dict())


@router.get("/coverage", response={200: PostCoverageOut, **refusals(403, 404)})
def coverage(request, query: Query[PostCoverageQuery]):
    """The coverage figure of the region, industry and day asked, as the 覆盖情况 page counts it."""
    require_capability(request.user, selectors.VIEW)
    args = selectors.coverage_args(request.user, **query.dict())
    result = selectors.coverage(request.user, **args)
    return {
        "day": result.day,
        "covered": result.covered,
        "total": result.total,
        "missing": result.total - result.covered,
        "value": result.value,
    }


@router.get("/coverage/enterprises", response={200: list[PostCoverageRowOut], **refusals(403, 404)})
@paginate(Pages, page_size=50)
def coverage_enterprises(request, query: Query[PostCoverageRowsQuery]):
    """The enterprises of the coverage as the 覆盖情况 page lists them (by region, then name; or by share), all or
    only those not fully covered."""
    require_capability(request.user, selectors.VIEW)
    args = selectors.coverage_args(request.user, region=query.region, industry=query.industry, day=query.day)
    result = selectors.coverage(request.user, **args)
    return selectors.coverage_rows(result, missing=query.missing, sort=query.sort)


@router.get("/{pk}", response={200: PostDetailOut, **refusals(403, 404)})
def get_post(request, pk: int):
    """One post with its four items in force and its latest 10 班前会; 404 when it does not exist or is out of the
    caller's view."""
    require_capability(request.user, selectors.VIEW)
    post = selectors.post_get(request.user, pk)
    post.cards_in_force = [
        {
            "kind": kind,
            "kind_label": label,
            "version": current.version if current else None,
            "items": [mask_text(item) for item in current.items] if current else [],
            "note": mask_text(current.note) if current else "",
            "saved_at": current.created_at if current else None,
            "saved_by_name": current.created_by.name if current and current.created_by_id else "",
        }
        for kind, label, current, _ in selectors.post_cards(post)
    ]
    post.recent_briefings = list(
        selectors.briefing_list(user=request.user, filters={"post": str(post.pk)})[:RECENT_BRIEFINGS]
    )
    return post
