"""Old document formats converted to .docx by LibreOffice, so that their tables are read as a .docx's are.

Offices keep years of ledgers, rosters and plans as Word 97-2003 (.doc) files, WPS Writer (.wps) files saved in
that format, or RTF exported by older systems. None of them has a mature pure-Python reader; LibreOffice converts
them faithfully, merged cells included (settings.SOFFICE: its `soffice` program, found on the PATH by default).

Each conversion runs in a temporary directory with a profile of its own (conversions may run at once in several
workers), without a network, under a time limit and a memory limit (settings.CONVERT_MEMORY_MB, set by util-linux's
`prlimit` where it is installed), and is deleted afterwards. Without LibreOffice the file is refused
with a message asking for a .docx, as before.
"""

import os
import shutil
import signal
import subprocess
import tempfile

from django.conf import settings

from .exceptions import ApplicationError, named

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
    what = named(name)
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
                *_bounded(),
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


def _bounded():
    """The words that start a program under the conversion's memory limit: [] without a limit or `prlimit`."""
    limit, prlimit = settings.CONVERT_MEMORY_MB, shutil.which("prlimit")
    return [prlimit, f"--as={limit << 20}", "--"] if limit and prlimit else []


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
