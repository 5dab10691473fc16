"""The bulletin's chart: a horizontal bar chart of the scores by subject, drawn with Pillow as a PNG.

Chinese names need a CJK font from the system. `find_cjk_font()` looks, in order, at the file named by
the environment variable ZHIBEN_CJK_FONT, the usual Debian/Ubuntu/RHEL paths of Noto CJK and WenQuanYi
(fonts-noto-cjk, fonts-wqy-zenhei, fonts-wqy-microhei: scripts/setup.sh installs the first two), then
whatever `fc-list :lang=zh` names, and keeps the first file that really draws Chinese (a face of a .ttc
collection named "… SC" preferred). None found: a Chinese ApplicationError saying what to install.
"""

import glob
import io
import os
import shutil
import subprocess
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from zhiben.core.exceptions import ApplicationError

FONT_ENV = "ZHIBEN_CJK_FONT"
FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
)
FONT_GLOBS = ("/usr/share/fonts/**/*CJK*", "/usr/share/fonts/**/wqy*", "/usr/local/share/fonts/**/*CJK*")
NO_FONT = (
    "未找到可显示中文的字体，无法绘制通报中的得分图：请安装 fonts-noto-cjk 或 fonts-wqy-zenhei"
    "（scripts/setup.sh 会安装），或用环境变量 ZHIBEN_CJK_FONT 指定一个中文字体文件。"
)
PROBE = "镇街得分"

TIER_COLOURS = [(46, 125, 50), (21, 101, 192), (239, 108, 0), (198, 40, 40), (106, 27, 154), (84, 110, 122)]
INK, GRID, PAPER = (33, 33, 33), (224, 224, 224), (255, 255, 255)


def _draws_chinese(path, index):
    """The face `index` of `path` if it draws the probe text with real glyphs (not .notdef boxes)."""
    try:
        font = ImageFont.truetype(path, 32, index=index)
    except (OSError, ValueError):
        return None
    masks = {bytes(font.getmask(ch)) for ch in PROBE}
    box = font.getbbox(PROBE)
    return font if len(masks) == len(PROBE) and box[2] - box[0] > 0 else None


def _usable(path):
    """(path, face index) when `path` has a face that draws Chinese, preferring a simplified-Chinese face."""
    if not path or not os.path.isfile(path):
        return None
    usable = []
    for index in range(8 if path.lower().endswith((".ttc", ".otc")) else 1):
        font = _draws_chinese(path, index)
        if font is None:
            if index:
                break
            continue
        family = " ".join(font.getname()).upper()
        usable.append((0 if " SC" in family or "ZEN HEI" in family or "MICRO HEI" in family else 1, index))
    return (path, min(usable)[1]) if usable else None


def _fc_list():
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())


def font_candidates():
    """Every file worth trying, in order of preference."""
    named = os.environ.get(FONT_ENV, "").strip()
    found = [named] if named else []
    found += list(FONT_PATHS)
    for pattern in FONT_GLOBS:
        found += sorted(glob.glob(pattern, recursive=True))
    return list(dict.fromkeys(found + _fc_list()))


def find_cjk_font(candidates=None):
    """(path, face index) of the first candidate that draws Chinese; ApplicationError (Chinese) when none does."""
    for path in candidates if candidates is not None else font_candidates():
        found = _usable(path)
        if found is not None:
            return found
    raise ApplicationError(NO_FONT, code="no_font")


@lru_cache(maxsize=1)
def _system_font():
    return find_cjk_font()


def _font(size, where):
    path, index = where
    return ImageFont.truetype(path, size, index=index)


def bar_chart(bars, *, title="", tiers=(), full=100, font=None):
    """PNG bytes: one horizontal bar per (name, score, tier), in the given order (best first), scaled to
    `full` points, coloured by the tier's place in `tiers`, with the score at the bar's end and a legend."""
    where = font or _system_font()
    scale = 2  # drawn at twice the size it is shown, for print
    width = 780 * scale
    row = 38 * scale
    top = (64 if title else 24) * scale
    left = 170 * scale
    right = 70 * scale
    bottom = 56 * scale
    height = top + row * max(len(bars), 1) + bottom
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    text_font, small, head = _font(17 * scale, where), _font(15 * scale, where), _font(19 * scale, where)
    if title:
        draw.text((width // 2, 20 * scale), title, font=head, fill=INK, anchor="mt")
    plot = width - left - right
    for step in range(0, 11):  # grid every 10%
        x = left + plot * step / 10
        draw.line((x, top - 6 * scale, x, top + row * len(bars)), fill=GRID, width=scale)
        label = f"{full * step / 10:g}"
        draw.text((x, top + row * len(bars) + 6 * scale), label, font=small, fill=INK, anchor="mt")
    names = list(tiers)
    for n, (name, score, tier) in enumerate(bars):
        y = top + row * n
        colour = TIER_COLOURS[names.index(tier) % len(TIER_COLOURS)] if tier in names else TIER_COLOURS[-1]
        length = max(0.0, min(float(score), full)) / full * plot if full else 0
        draw.rectangle((left, y + 6 * scale, left + length, y + row - 6 * scale), fill=colour)
        draw.text(
            (left - 10 * scale, y + row // 2),
            _fit(draw, name, text_font, left - 16 * scale),
            font=text_font,
            fill=INK,
            anchor="rm",
        )
        draw.text((left + length + 6 * scale, y + row // 2), f"{float(score):.2f}", font=small, fill=INK, anchor="lm")
    draw.line((left, top - 6 * scale, left, top + row * len(bars)), fill=INK, width=scale)
    x = left  # legend
    legend_y = height - 18 * scale
    for n, tier in enumerate(names):
        colour = TIER_COLOURS[n % len(TIER_COLOURS)]
        draw.rectangle((x, legend_y - 6 * scale, x + 14 * scale, legend_y + 6 * scale), fill=colour)
        draw.text((x + 20 * scale, legend_y), f"{tier}等", font=small, fill=INK, anchor="lm")
        x += 80 * scale
    out = io.BytesIO()
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=64).save(out, "PNG", optimize=True)
    return out.getvalue()


def _fit(draw, text, font, width):
    """`text`, cut with … when it is wider than `width`."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"
