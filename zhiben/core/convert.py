"""Old document formats converted to .docx by LibreOffice, so that their tables are read as a .docx's are; and the
text of a PDF, its paragraphs put back together (`pdf_text`).

Offices keep years of ledgers, rosters and plans as Word 97-2003 (.doc) files, WPS Writer (.wps) files saved in
that format, or RTF exported by older systems. None of them has a mature pure-Python reader; LibreOffice converts
them faithfully, merged cells included (settings.SOFFICE: its `soffice` program, found on the PATH by default).

Each conversion runs in a temporary directory with a profile of its own (conversions may run at once in several
workers), without a network, under a time limit, and is deleted afterwards. Without LibreOffice the file is refused
with a message asking for a .docx, as before.
"""

import os
import re
import signal
import subprocess
import tempfile
import xml.etree.ElementTree as ET

from django.conf import settings

from .exceptions import ApplicationError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RTF_MAGIC = b"{\\rtf"


def old_word_kind(data):
    """ "doc" for a Word 97-2003 (or WPS Writer) file, "rtf" for RTF, else None."""
    if data.startswith(RTF_MAGIC):
        return "rtf"
    if data.startswith(OLE_MAGIC) and "WordDocument".encode("utf-16-le") in data[: 1 << 20]:
        return "doc"
    return None


def docx_of(data, name=""):
    """`data` itself, or the .docx LibreOffice makes of it when it is an old Word or RTF file (read by content, so an
    importer that keeps an upload between its preview and its confirmation converts it once)."""
    kind = old_word_kind(data)
    return to_docx(data, kind, name=name) if kind else data


def to_docx(data, kind, *, name=""):
    """The .docx LibreOffice makes of `data` (an old Word file of `kind`, see `old_word_kind`)."""
    what = f"“{os.path.basename(name)}”" if name else "文件"
    label = "旧版 Word 文档（.doc）" if kind == "doc" else "RTF 文档"
    if not settings.SOFFICE:
        raise ApplicationError(
            f"{what}是{label}，本系统未安装转换程序（LibreOffice），无法读取：请在 Word 或 WPS 中另存为 .docx 后再导入。"
        )
    with tempfile.TemporaryDirectory(prefix="zhiben-convert-") as work:
        source = os.path.join(work, f"source.{kind}")
        with open(source, "wb") as fh:
            fh.write(data)
        _run(
            [
                settings.SOFFICE,
                f"-env:UserInstallation=file://{work}/profile",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                "docx:MS Word 2007 XML",
                "--outdir",
                os.path.join(work, "out"),
                source,
            ],
            work,
            f"{what}是{label}，转换程序无法运行",
            what,
        )
        try:
            with open(os.path.join(work, "out", "source.docx"), "rb") as fh:
                return fh.read()
        except OSError:
            raise ApplicationError(
                f"无法读取{what}：{label}已损坏或设置了密码，请在 Word 或 WPS 中打开并另存为 .docx 后再导入。"
            ) from None


def _run(command, work, cannot_run, what):
    """Run `command` in `work` without a network's environment, stopping it and its children at the time limit."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": work, "LANG": "C.UTF-8"}
    try:
        process = subprocess.Popen(
            command,
            cwd=work,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a timeout stops the program's children too
        )
    except OSError:
        raise ApplicationError(f"{cannot_run}：请另存为 .docx 后再导入。") from None
    try:
        process.wait(timeout=settings.CONVERT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise ApplicationError(
            f"{what}转换超时（超过 {settings.CONVERT_TIMEOUT} 秒）：请在 Word 或 WPS 中另存为 .docx 后再导入。"
        ) from None
    return process.returncode


# ---------------------------------------------------------------------------------------------- PDF

PDF_MAGIC = b"%PDF"
# a line opening with a heading's or an item's number starts a paragraph: 一、 （一） 1. 1、 （1） 第一章
ITEM_START = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、](?!\d)|第[一二三四五六七八九十\d]+[章节条部分])"
)
PAGE_NUMBER = re.compile(r"^[\s\-—–－·•]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*(?:共\s*)?\d{1,4}\s*页?)?[\s\-—–－·•]*$")


def pdf_text(data, *, name=""):
    """The text of a PDF (a plan published as one), a paragraph a line.

    pdftotext breaks a paragraph at every line of the page. Its layout (-bbox-layout: blocks of lines with their
    positions) puts them back together: within a block, a line starts a paragraph when it is indented (公文 indent a
    paragraph's first line by two characters) or when the line before it ended short of the block's right edge; a
    paragraph running on over a page break is joined to its start; a line opening with an item's number ("（二）",
    "3.") starts one. Page numbers ("— 3 —") are left out. A scanned
    PDF holds no text, and is refused."""
    what = f"“{os.path.basename(name)}”" if name else "文件"
    if not settings.PDFTOTEXT:
        raise ApplicationError(
            f"{what}是 PDF 文件，本系统未安装 PDF 读取程序（poppler-utils）：请导入 Word 或文本文件。"
        )
    with tempfile.TemporaryDirectory(prefix="zhiben-pdf-") as work:
        source, out = os.path.join(work, "source.pdf"), os.path.join(work, "out.html")
        with open(source, "wb") as fh:
            fh.write(data)
        _run([settings.PDFTOTEXT, "-q", "-enc", "UTF-8", "-bbox-layout", source, out], work, f"{what}无法读取", what)
        try:
            with open(out, "rb") as fh:
                layout = fh.read()
        except OSError:
            layout = b""
    pages = _pdf_pages(layout)
    if pages is None:
        raise ApplicationError(f"无法读取{what}：PDF 文件已损坏或设置了密码，请导入 Word 或文本文件。")
    text = "\n".join(_paragraphs(pages))
    if not text.strip():
        raise ApplicationError(f"{what}中没有可读取的文字（可能是扫描件或图片）：请导入 Word（.docx/.doc）或文本文件。")
    return text


def _pdf_pages(layout):
    """[[block: [(x_min, x_max, y_min, y_max, text) per line]] per page] of pdftotext's -bbox-layout, or None."""
    body = layout[layout.find(b"<html") :] if b"<html" in layout else b""  # its own DOCTYPE left out
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    ns = "{http://www.w3.org/1999/xhtml}"
    pages = []
    for page in root.iter(f"{ns}page"):
        blocks = []
        for block in page.iter(f"{ns}block"):
            lines = []
            for line in block.iter(f"{ns}line"):
                words = [w.text or "" for w in line.iter(f"{ns}word")]
                text = _join_words(words).strip()
                if not text or PAGE_NUMBER.match(text):
                    continue
                lines.append((*(float(line.get(k, 0)) for k in ("xMin", "xMax", "yMin", "yMax")), text))
            if lines:
                blocks.append(lines)
        pages.append(blocks)
    return pages


def _join_words(words):
    """A line's words: pdftotext cuts a line into words where the script changes ("2024", "年"), and Chinese has no
    spaces: a space goes only between two words of Latin letters, figures or signs."""
    out = ""
    for word in words:
        out = _join(out, word)
    return out


def _join(before, after):
    """`after` appended to `before` (a word to a line, a line to a paragraph), with a space only between ASCII."""
    if before and after and before[-1].isascii() and after[0].isascii() and after[0] not in ",.;:!?)]}%":
        return before + " " + after
    return before + after


def _paragraphs(pages):
    """The paragraphs of the pages' lines (see pdf_text), measured against each page's text margins and line spacing.

    A line starts a paragraph when it is indented from the page's left margin, when the line before ended short of
    the right margin, when it opens with an item's number, or when more space than between a paragraph's lines sets it
    apart from the line above. Blocks are not relied on: with the wide line spacing of 公文 each line is a block."""
    paragraphs, current, last = [], "", None  # last: (x_max, right margin, em) of the line before
    for blocks in pages:
        lines = [line for block in blocks for line in block]
        if not lines:
            continue
        left = min(line[0] for line in lines)
        right = max(line[1] for line in lines)
        gaps = sorted(b[2] - a[3] for a, b in zip(lines, lines[1:]) if b[2] > a[3])
        gap = gaps[len(gaps) // 2] if gaps else 0.0  # the space between lines of a paragraph: the most usual one
        above = None
        for x0, x1, y0, y1, text in lines:
            em = (y1 - y0) or 10.0
            if last is None:
                starts = True
            else:
                x_before, right_before, em_before = last
                starts = (
                    x0 - left > 0.8 * em  # indented: a paragraph's first line, or a centred title
                    # a line that runs on ends near the right margin: exactly when justified, up to three
                    # characters short when left-aligned and the next character may not open a line (、。，” …)
                    or x_before < right_before - 3.5 * em_before
                    or bool(ITEM_START.match(text))
                    or (above is not None and y0 - above > gap + 0.6 * em)  # set apart (on the same page)
                )
            if starts and current:
                paragraphs.append(current)
                current = ""
            current = _join(current, text)
            last, above = (x1, right, em), y1
    if current:
        paragraphs.append(current)
    return paragraphs
