"""Damaged uploads: files of every kind the importers take, damaged at random (bytes changed, cut short, bytes put
in or taken out, a part of a package rewritten), are refused with a Chinese message, never a server error. The seed
is fixed, so a failure names a file that can be made again. Found this way: a panic and an abort of python-calamine
on .xls files, a Word part that does not inflate, a zip field zipfile cannot handle."""

import io
import random
import zipfile
from pathlib import Path

import pytest

from zhiben.core.exceptions import ApplicationError
from zhiben.hazards.ledger import parse_ledger
from zhiben.hazards.tests.ledger_fixtures import biff8_xls, csv_bytes, html_xls, ledger_xlsx
from zhiben.plans.parsing import parse_plan

from .test_excel_docx import docx_bytes, ledger

DATA = Path(__file__).parent / "data"
HEADERS = ["序号", "单位名称", "隐患描述", "隐患级别", "整改措施", "整改期限", "整改状态"]
ROWS = [
    [str(i), f"某某化工有限公司{i}", f"消防通道堵塞第{i}处", "一般", "清理通道", "2024-06-30", "未整改"]
    for i in range(1, 20)
]
FILES = {
    "台账.xlsx": lambda: ledger_xlsx(HEADERS, ROWS),
    "台账.xls": lambda: biff8_xls([HEADERS] + ROWS),
    "台账-网页.xls": lambda: html_xls([HEADERS] + ROWS),
    "台账.csv": lambda: csv_bytes([HEADERS] + ROWS),
    "台账.docx": lambda: docx_bytes(ledger),
    "台账.pdf": lambda: (DATA / "ledger.pdf").read_bytes(),
}
TRIES = 12


def damaged(data, pick):
    """`data` with a few bytes changed, cut short, or a run of bytes put in or taken out."""
    out = bytearray(data)
    how = pick.randrange(4)
    if how == 0:
        for _ in range(pick.randint(1, 20)):
            out[pick.randrange(len(out))] = pick.randrange(256)
    elif how == 1:
        del out[pick.randrange(1, len(out)) :]
    elif how == 2:
        at = pick.randrange(len(out))
        out[at:at] = bytes(pick.randrange(256) for _ in range(pick.randint(1, 50)))
    else:
        start, end = sorted(pick.randrange(len(out)) for _ in range(2))
        del out[start:end]
    return bytes(out)


def repacked(data, pick):
    """A zip package with one of its parts damaged, the package itself whole."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    victim = pick.choice(source.namelist())
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name in source.namelist():
            body = source.read(name)
            package.writestr(name, damaged(body, pick) if name == victim and body else body)
    return out.getvalue()


@pytest.mark.parametrize("name", FILES)
def test_damaged_files_are_refused_in_chinese_never_with_a_server_error(name):
    pick, original = random.Random(name), FILES[name]()
    for attempt in range(TRIES):
        packaged = name.endswith(("xlsx", "docx")) and attempt % 2
        data = repacked(original, pick) if packaged else damaged(original, pick)
        for read in (parse_ledger, parse_plan):
            try:
                read(data, name)
            except ApplicationError as exc:
                assert exc.message and any("\u4e00" <= ch <= "\u9fff" for ch in exc.message)
