"""Old Word (.doc) and RTF files are converted to .docx by LibreOffice and their tables read as a .docx's are
(`core.convert`); without LibreOffice, or when it fails or hangs, the file is refused in Chinese."""

import os
import shutil
import stat
from pathlib import Path

import pytest
from django.test import override_settings

from zhiben.core.convert import old_word_kind
from zhiben.core.excel import read_sheets, read_table
from zhiben.core.exceptions import ApplicationError
from zhiben.hazards.ledger import parse_ledger
from zhiben.plans.parsing.readers import Table, read_document

from .test_excel_docx import docx_bytes, ledger

DATA = Path(__file__).parent / "data"
DOC = (DATA / "ledger.doc").read_bytes()
RTF = (DATA / "ledger.rtf").read_bytes()
needs_libreoffice = pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")


def test_old_word_files_are_known_by_their_content():
    assert old_word_kind(DOC) == "doc"
    assert old_word_kind(RTF) == "rtf"
    assert old_word_kind(docx_bytes(ledger)) is None
    assert old_word_kind(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600) is None  # an .xls has no WordDocument


@needs_libreoffice
@pytest.mark.parametrize("data, name", [(DOC, "台账.doc"), (RTF, "台账.rtf"), (DOC, "台账.xls")])
def test_a_doc_or_rtf_ledger_reads_as_the_docx_it_was_saved_from(data, name):
    [expected] = read_sheets(docx_bytes(ledger), filename="台账.docx")
    [sheet] = read_sheets(data, filename=name)
    assert sheet.rows == expected.rows
    assert sorted(sheet.merged) == sorted(expected.merged)
    assert [sheet.number(i) for i in range(len(sheet.rows))] == [None, None, 1, 2, 3, 4, None, 5, None]


@needs_libreoffice
def test_the_ledger_importer_and_read_table_take_a_doc():
    parsed = parse_ledger(DOC, "台账.doc")
    assert parsed.mapping["隐患描述"] == "description"
    assert [(row["_row"], row["description"]) for row in parsed.rows] == [
        (3, "配电箱未接地"),
        (4, "消防通道堵塞\n（二号仓库）"),
        (5, "灭火器过期"),
    ]
    assert parsed.meta["填报单位"] == "凤凰镇应急办"
    header_row, headers, _ = read_table(DOC, filename="台账.doc")
    assert (header_row, headers[1]) == (1, "隐患描述")


@needs_libreoffice
def test_a_plan_kept_as_doc_is_read_with_its_paragraphs_and_table():
    document = read_document(DOC, "方案.doc")
    assert "凤凰镇隐患排查整改台账" in document.text
    [table] = [b for b in document.blocks if isinstance(b, Table)][:1]
    assert [c.text for c in table.rows[0]][:3] == ["序号", "隐患描述", "整改情况"]


@override_settings(SOFFICE="")
def test_without_libreoffice_an_old_word_file_is_refused_asking_for_a_docx():
    for data, words in ((DOC, "旧版 Word 文档（.doc）"), (RTF, "RTF 文档")):
        with pytest.raises(ApplicationError) as caught:
            read_sheets(data, filename="台账.doc")
        assert words in caught.value.message and "另存为 .docx" in caught.value.message
    with pytest.raises(ApplicationError) as caught:
        read_document(DOC, "方案.doc")
    assert "另存为 .docx" in caught.value.message


def test_a_conversion_that_hangs_is_stopped_at_the_time_limit(tmp_path):
    hanging = tmp_path / "soffice"
    marker = tmp_path / "child-alive"
    # a child that outlives its parent unless the whole process group is stopped
    hanging.write_text(f"#!/bin/sh\n(sleep 3; touch {marker}) &\nsleep 30\n")
    hanging.chmod(hanging.stat().st_mode | stat.S_IEXEC)
    with override_settings(SOFFICE=str(hanging), CONVERT_TIMEOUT=1), pytest.raises(ApplicationError) as caught:
        read_sheets(DOC, filename="台账.doc")
    assert "转换超时（超过 1 秒）" in caught.value.message
    os.system("sleep 3")
    assert not marker.exists()


@needs_libreoffice
def test_a_damaged_doc_is_refused_in_chinese():
    at = DOC.index("WordDocument".encode("utf-16-le"))
    damaged = DOC[:512] + b"\x00" * (at - 512) + DOC[at:]  # the directory kept, the streams before it gone
    with pytest.raises(ApplicationError) as caught:
        read_sheets(damaged, filename="台账.doc")
    assert "另存为 .docx" in caught.value.message


@pytest.mark.skipif(not shutil.which("prlimit"), reason="util-linux prlimit is not installed")
def test_a_conversion_runs_under_the_memory_limit(tmp_path):
    reporting = tmp_path / "soffice"
    limit = tmp_path / "limit"
    reporting.write_text(f"#!/bin/sh\nulimit -v > {limit}\nexit 1\n")  # the converter's address-space limit, in KB
    reporting.chmod(reporting.stat().st_mode | stat.S_IEXEC)
    with override_settings(SOFFICE=str(reporting), CONVERT_MEMORY_MB=700), pytest.raises(ApplicationError):
        read_sheets(DOC, filename="台账.doc")
    assert limit.read_text().strip() == str(700 * 1024)
    with override_settings(SOFFICE=str(reporting), CONVERT_MEMORY_MB=0), pytest.raises(ApplicationError):
        read_sheets(DOC, filename="台账.doc")
    assert limit.read_text().strip() == "unlimited"
