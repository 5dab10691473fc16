"""Reading an uploaded GeoJSON map of a region's children: every way a file can be wrong becomes a Chinese
message naming the feature and what is wrong (never an exception a person sees), and a good file becomes a
small normalised FeatureCollection whose features are named by the child region they draw.

A file is accepted when it is JSON (UTF-8, or GBK as Chinese GIS tools sometimes write), a FeatureCollection
with at least one feature, every feature a Polygon or MultiPolygon in longitude/latitude whose properties
name a child region of the region, by code (12-digit, or the 6/9-digit short code) or by its exact name."""

import json
import math
from dataclasses import dataclass, field

from zhiben.core.excel import decode_text
from zhiben.core.exceptions import ApplicationError
from zhiben.core.scoping import normalize_code

MAX_FEATURES = 5000
MAX_ERRORS = 20
GEOMETRIES = ("Polygon", "MultiPolygon")


@dataclass
class ReadMap:
    geojson: str  # the normalised FeatureCollection, compact JSON
    features: int
    children: list  # codes of the children drawn, in the order of the region's children
    missing: list = field(default_factory=list)  # names of the children without a shape


def refuse(messages):
    """An ApplicationError listing up to MAX_ERRORS messages (field "file")."""
    shown = messages[:MAX_ERRORS]
    more = len(messages) - len(shown)
    text = "地图文件有误：" + "；".join(shown) + (f"；另有 {more} 处错误未列出" if more > 0 else "") + "。"
    return ApplicationError(text, errors=[{"field": "file", "message": m} for m in shown])


def parse(data):
    """The JSON value of the file's bytes; ApplicationError saying where it is not JSON."""
    if not data or not data.strip():
        raise refuse(["文件为空"])
    try:
        text = decode_text(data)
    except ApplicationError as error:  # binary data, or bytes no encoding reads
        raise refuse([error.message.rstrip("。")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise refuse([f"不是有效的 JSON 文件：第 {error.lineno} 行第 {error.colno} 列附近格式错误"]) from None
    except RecursionError:
        raise refuse(["不是可用的 GeoJSON：嵌套层数过多"]) from None
    except ValueError:  # an integer of thousands of digits
        raise refuse(["不是可用的 GeoJSON：含有过长的数字"]) from None


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _ring_problem(ring, where):
    if not isinstance(ring, list) or len(ring) < 4:
        return f"{where}须为至少 4 个坐标点组成的闭合环"
    for point in ring:
        if not isinstance(point, list) or len(point) < 2 or not all(_number(v) for v in point[:3]):
            return f"{where}有坐标点不是 [经度, 纬度] 数值（{_short(point)}）"
        lon, lat = point[0], point[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return (
                f"{where}的坐标 ({_short(lon)}, {_short(lat)}) 超出经纬度范围，"
                "可能是投影坐标：请导出为经纬度（WGS 84 / CGCS 2000 地理坐标）"
            )
    return None


def _polygon_problem(rings, where):
    if not isinstance(rings, list) or not rings:
        return f"{where}没有坐标"
    for number, ring in enumerate(rings, start=1):
        problem = _ring_problem(ring, f"{where}第 {number} 个环" if len(rings) > 1 else where)
        if problem:
            return problem
    return None


def geometry_problem(geometry):
    """None when `geometry` is a usable Polygon/MultiPolygon, else what is wrong with it."""
    if not isinstance(geometry, dict):
        return "没有几何图形（geometry 为空）"
    kind = geometry.get("type")
    if kind not in GEOMETRIES:
        shown = f"为 {_short(kind)}" if kind else "未注明"
        return f"几何类型{shown}，只接受面（Polygon）或多面（MultiPolygon）"
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return _polygon_problem(coordinates, "面")
    if not isinstance(coordinates, list) or not coordinates:
        return "多面没有坐标"
    for number, polygon in enumerate(coordinates, start=1):
        problem = _polygon_problem(polygon, f"第 {number} 个面")
        if problem:
            return problem
    return None


def _short(value, limit=24):
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def match_child(properties, children):
    """The child region a feature's properties name: a value that is one of the children's codes (any
    accepted form), else one that is a child's exact name; None when nothing names one."""
    if not isinstance(properties, dict):
        return None
    by_code = {child.code: child for child in children}
    by_name = {child.name: child for child in children}
    values = [v for v in properties.values() if isinstance(v, (str, int)) and not isinstance(v, bool)]
    for value in values:
        code = normalize_code(value)
        if code in by_code:
            return by_code[code]
    for value in values:
        if isinstance(value, str) and value.strip() in by_name:
            return by_name[value.strip()]
    return None


def _feature_name(feature):
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if isinstance(properties, dict):
        for key in ("name", "NAME", "名称", "Name", "region_name"):
            if isinstance(properties.get(key), str) and properties[key].strip():
                return properties[key].strip()
    return ""


def read_map(data, region, children):
    """ReadMap of the file's bytes for `region` and its `children` (Region rows); ApplicationError with every
    problem found, each naming the feature (its number and the name it carries)."""
    if not children:
        raise ApplicationError(
            f"{region.name}没有下级区划，无需上传地图。", errors=[{"field": "file", "message": "无下级区划。"}]
        )
    value = parse(data)
    if not isinstance(value, dict):
        raise refuse(["文件不是 GeoJSON 要素集合：最外层须为对象 {…}"])
    if value.get("type") != "FeatureCollection":
        kind = value.get("type")
        shown = f"为“{_short(kind)}”" if kind else "未注明"
        raise refuse([f"文件不是 GeoJSON 要素集合（FeatureCollection）：最外层的 type {shown}"])
    features = value.get("features")
    if not isinstance(features, list) or not features:
        raise refuse(["要素集合中没有要素（features 为空）"])
    if len(features) > MAX_FEATURES:
        raise refuse([f"要素过多：{len(features)} 个，最多 {MAX_FEATURES} 个"])

    problems, out, drawn = [], [], set()
    names = "、".join(child.name for child in children[:30]) + ("等" if len(children) > 30 else "")
    for number, feature in enumerate(features, start=1):
        label = _feature_name(feature)
        where = f"第 {number} 个要素" + (f"（“{_short(label)}”）" if label else "")
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"{where}不是 Feature 对象")
            continue
        problem = geometry_problem(feature.get("geometry"))
        if problem:
            problems.append(f"{where}：{problem}")
            continue
        child = match_child(feature.get("properties"), children)
        if child is None:
            problems.append(f"{where}：属性中没有{region.name}下级区划的代码或名称（下级区划有：{names}）")
            continue
        drawn.add(child.code)
        out.append(
            {
                "type": "Feature",
                "properties": {"name": child.name, "code": child.code},
                "geometry": {"type": feature["geometry"]["type"], "coordinates": feature["geometry"]["coordinates"]},
            }
        )
    if problems:
        raise refuse(problems)
    geojson = json.dumps({"type": "FeatureCollection", "features": out}, ensure_ascii=False, separators=(",", ":"))
    return ReadMap(
        geojson=geojson,
        features=len(out),
        children=[child.code for child in children if child.code in drawn],
        missing=[child.name for child in children if child.code not in drawn],
    )
