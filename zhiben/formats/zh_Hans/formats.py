"""Input formats for zh-hans with ISO first: a form re-rendering a date writes the first input format into
the field, and an <input type="date"> accepts only 2026-12-05 (Django's zh_Hans puts 2026/12/05 first, which
the browser shows as an empty date). Everything else comes from Django's own zh_Hans formats."""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2026-12-05'
    "%Y/%m/%d",  # '2026/12/05'
    "%Y年%m月%d日",  # '2026年12月5日'
]

DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",  # <input type="datetime-local">
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
]
