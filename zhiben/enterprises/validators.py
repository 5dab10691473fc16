"""统一社会信用代码 (GB 32100-2015) check: 18 characters, check character per GB/T 17710."""

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, ...


def credit_code_check_char(first17):
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_error(code):
    """Return a Chinese message describing what is wrong with `code`, or None when it is valid."""
    if not code:
        return "统一社会信用代码不能为空。"
    if len(code) != 18:
        return f"统一社会信用代码应为18位，当前为{len(code)}位。"
    bad = [c for c in code if c not in VALUES]
    if bad:
        return f"统一社会信用代码含非法字符“{bad[0]}”（不得含 I、O、Z、S、V 及小写字母）。"
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第18位应为“{expected}”，实际为“{code[17]}”。"
    return None


def normalize_credit_code(value):
    return (value or "").strip().upper().replace(" ", "")


def make_credit_code(body17):
    """Complete 17 characters with their check character (used by the demo and tests)."""
    return body17 + credit_code_check_char(body17)
