"""Writes of analytics: a region's map (GeoJSON of its children) uploaded or removed by an 安委办, and the
links that show a big screen on a display (大屏投放), made or revoked by one — one transaction each, with its
audit event; the chart exports are recorded in the audit log too."""

import hashlib
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhiben.audit.services import audit_record
from zhiben.core.exceptions import ApplicationError, ScopeError
from zhiben.core.rules import rule
from zhiben.core.scoping import normalize_code
from zhiben.regions.models import Region

from . import geo
from .models import RegionMap, ScreenLink
from .selectors import read_filters


def _manager(actor, what="统计地图"):
    if actor is None or not actor.can("analytics.manage"):
        raise ApplicationError(f"您的角色无权管理{what}。", code="forbidden")


def _region(actor, code):
    region = Region.objects.for_user(actor).filter(code=normalize_code(code)).first()
    if region is None:
        raise ScopeError("区划不存在或不在您的管辖范围内。")
    return region


def _read_upload(upload, limit):
    """The upload's bytes, refusing one above `limit` bytes without reading all of it."""
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        size = getattr(upload, "size", None) or len(data)
        raise geo.refuse([f"文件过大：{size / 1048576:.1f} MB，上限为 {limit / 1048576:.0f} MB"])
    return data


def region_map_save(*, actor, region_code, upload):
    """Check the uploaded GeoJSON against the children of region `region_code` (in the actor's scope) and
    keep it as the region's map, replacing the previous one. Returns (RegionMap, names of the children
    without a shape). Nothing is stored when any feature is wrong."""
    _manager(actor)
    region = _region(actor, region_code)
    if upload is None:
        raise ApplicationError("请选择地图文件（GeoJSON）。", errors=[{"field": "file", "message": "请选择文件。"}])
    limit = int(rule("analytics.map_max_mb", region.code)) * 1024 * 1024
    data = _read_upload(upload, limit)
    children = list(Region.objects.filter(parent=region).order_by("code"))
    read = geo.read_map(data, region, children)
    sha256 = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        region_map, _ = RegionMap.objects.update_or_create(
            region=region,
            defaults={
                "geojson": read.geojson,
                "original_name": (getattr(upload, "name", "") or "map.geojson")[-200:],
                "size": len(data),
                "sha256": sha256,
                "features": read.features,
                "children": read.children,
                "uploaded_at": timezone.now(),
                "uploaded_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="analytics.map_upload",
            obj=region_map,
            region_code=region.code,
            data={"features": read.features, "size": len(data), "sha256": sha256, "missing": read.missing[:50]},
        )
    return region_map, read.missing


def region_map_delete(*, actor, region_code):
    """Remove the region's map: the big screen goes back to a ranked bar chart of the children."""
    _manager(actor)
    region = _region(actor, region_code)
    with transaction.atomic():
        deleted, _ = RegionMap.objects.filter(region=region).delete()
        if not deleted:
            raise ApplicationError(f"{region.name}没有上传地图。")
        audit_record(
            actor=actor,
            action="analytics.map_delete",
            region_code=region.code,
            object_type="analytics.regionmap",
            object_id=region.code,
            object_repr=f"{region.name} 地图",
        )


def export_recorded(*, actor, what, region, period, rows):
    """The audit event of a figures export (the dashboard table or one chart)."""
    audit_record(
        actor=actor,
        action="analytics.export",
        region_code=region.code,
        object_type="analytics.chart",
        object_id=what,
        object_repr=f"{region.name} {period.label}",
        data={"what": what, "period": period.text or period.label, "rows": rows},
    )


def screen_link_create(*, actor, name, region_code, period="", industry=""):
    """A link showing the big screen of region `region_code` (in the actor's scope) without logging in, for
    `period` ("" the current year) and `industry` ("" every industry). Returns (link, key): the key is in the
    address and shown once; only its digest is kept."""
    _manager(actor, "大屏投放链接")
    name = (name or "").strip()
    if not name:
        raise ApplicationError(
            "请填写名称（如“区应急指挥中心大屏”）。", errors=[{"field": "name", "message": "请填写名称。"}]
        )
    if len(name) > 100:
        raise ApplicationError("名称过长（不超过 100 字）。", errors=[{"field": "name", "message": "不超过 100 字。"}])
    region = _region(actor, region_code)
    period, industry = (period or "").strip(), (industry or "").strip()
    _, _, found, errors = read_filters(actor, region=region.code, period=period, industry=industry)
    if errors:
        raise ApplicationError(
            "；".join(errors.values()), errors=[{"field": k, "message": v} for k, v in errors.items()]
        )
    key = ScreenLink.new_key()
    days = int(rule("analytics.screen_link_days", region.code))
    with transaction.atomic():
        link = ScreenLink.objects.create(
            name=name,
            region=region,
            industry=found,
            period=period,
            prefix=key[:8],
            key_hash=ScreenLink.hash_key(key),
            created_by=actor,
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit_record(
            actor=actor,
            action="analytics.screen_link_create",
            obj=link,
            region_code=region.code,
            data={"period": period, "industry": found.code if found else "", "expires_at": link.expires_at},
        )
    return link, key


def screen_link_revoke(*, actor, link):
    """Stop the link (the caller found it through selectors.screen_link_get, in the actor's scope)."""
    _manager(actor, "大屏投放链接")
    if link.revoked_at is not None:
        raise ApplicationError("该链接已撤销。")
    with transaction.atomic():
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="analytics.screen_link_revoke", obj=link, region_code=link.region_id)
    return link
