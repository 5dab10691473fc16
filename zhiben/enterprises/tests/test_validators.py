import pytest

from zhiben.enterprises.validators import (
    credit_code_check_char,
    credit_code_error,
    make_credit_code,
    normalize_credit_code,
)

VALID = "91512081MA62K0260E"


def test_it_accepts_a_real_code():
    assert credit_code_error(VALID) is None
    assert credit_code_check_char(VALID[:17]) == "E"


def test_it_names_the_expected_check_char():
    message = credit_code_error(VALID[:17] + "F")
    assert message == "统一社会信用代码校验位错误：第18位应为“E”，实际为“F”。"


@pytest.mark.parametrize("code, length", [(VALID[:17], 17), (VALID + "1", 19), ("9151", 4)])
def test_it_reports_a_bad_length(code, length):
    assert credit_code_error(code) == f"统一社会信用代码应为18位，当前为{length}位。"


@pytest.mark.parametrize("char", ["I", "O", "Z", "S", "V"])
def test_it_rejects_letters_outside_gb32100(char):
    code = VALID[:10] + char + VALID[11:]
    assert credit_code_error(code) == f"统一社会信用代码含非法字符“{char}”（不得含 I、O、Z、S、V 及小写字母）。"


def test_it_rejects_lowercase_until_normalized():
    assert "非法字符" in credit_code_error(VALID.lower())
    assert credit_code_error(normalize_credit_code(f" {VALID.lower()} ")) is None


def test_it_reports_an_empty_code():
    assert credit_code_error("") == "统一社会信用代码不能为空。"


def test_make_credit_code_completes_a_valid_code():
    assert make_credit_code(VALID[:17]) == VALID
    assert credit_code_error(make_credit_code("91500106MA0000001")) is None
