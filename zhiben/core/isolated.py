"""Uploaded files parsed in a process of their own, so that a crafted or damaged file cannot take the web worker down.

Parsers of untrusted bytes can go wrong in ways no `except` catches: pdfminer can take memory and time without end on
a crafted PDF, and python-calamine's Rust code, on a damaged .xls, has asked for 40 GB and aborted the whole process
(a 502 for the user, the worker restarted). `parse_apart(kind, data, name, *options)` runs the parser of `kind`
(`PARSERS`) in `python -m zhiben.core.isolated` with its address space limited to settings.PARSE_MEMORY_MB and its
time to settings.CONVERT_TIMEOUT, and hands back what it returned. What comes back is JSON, not pickle: the child is
the one process that has seen the file. With PARSE_MEMORY_MB = 0 the parser runs in the calling process.
"""

import importlib
import json
import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

from .exceptions import ApplicationError, named

# kind: "module:function" taking (data, name, *options) and returning what the caller gets back, and the libraries
# it loads, loaded in the child before its limits are set (what they take is the program's, not the file's)
PARSERS = {
    "pdf": ("zhiben.core.pdf:_parse", ["pdfplumber"]),
    "workbook": ("zhiben.core.excel:_calamine_read", ["python_calamine"]),
}


def parse_apart(kind, data, name, *options):
    from django.conf import settings

    limit = settings.PARSE_MEMORY_MB
    if not limit:
        return _parser(kind)(data, name, *options)
    what = named(name)
    timeout = settings.CONVERT_TIMEOUT
    try:
        done = subprocess.run(
            [sys.executable, "-m", "zhiben.core.isolated", kind, str(limit), os.path.basename(name), _dumps(options)],
            input=data,
            capture_output=True,
            timeout=timeout,
            cwd=Path(__file__).resolve().parents[2],  # where `zhiben` is found
            env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
        )
    except subprocess.TimeoutExpired:  # the child is killed
        raise ApplicationError(
            f"{what}解析超时（超过 {timeout} 秒）：文件过大或内容异常，请拆分后再导入，或另存为其他格式。"
        ) from None
    try:
        answer = _loads(done.stdout)
    except ValueError:
        answer = {}
    if "error" in answer:
        raise ApplicationError(answer["error"])
    if "result" not in answer:  # killed by the system, or aborted
        raise ApplicationError(f"无法读取{what}：文件已损坏或内容异常，请在原软件中重新保存后再导入。")
    return answer["result"]


def _parser(kind):
    module, function = PARSERS[kind][0].split(":")
    return getattr(importlib.import_module(module), function)


def _child(kind, limit, name, options):
    """The child's side: the file on stdin, {"result": …} or {"error": message} on stdout."""
    parse = _parser(kind)
    for library in PARSERS[kind][1]:
        importlib.import_module(library)
    data = sys.stdin.buffer.read()
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit << 20, limit << 20))
    except (ImportError, ValueError, OSError):  # pragma: no cover - a system without address-space limits
        pass
    try:
        answer = {"result": parse(data, name, *options)}
    except ApplicationError as exc:
        answer = {"error": exc.message}
    except Exception as exc:
        if not of_memory(exc):
            raise
        answer = {"error": f"{named(name)}过于复杂：读取所需内存超过 {limit} MB，请拆分后再导入，或另存为其他格式。"}
    sys.stdout.write(_dumps(answer))


def of_memory(exc):
    """Whether `exc` is a MemoryError or came of one (a library may wrap it, or raise again while cleaning up)."""
    while exc is not None:
        if isinstance(exc, MemoryError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


# --- what crosses between the processes: JSON, with the parsers' own types tagged ----------------------------------


def _plain(value):
    from .excel import SheetData
    from .pdf import Grid

    if isinstance(value, SheetData):
        return {"$sheet": [value.name, _plain(value.rows), _plain(value.merged), _plain(value.numbers)]}
    if isinstance(value, Grid):
        return {"$grid": [_plain(value.rows), _plain(value.merged)]}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$seconds": value.total_seconds()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _typed(obj):
    if len(obj) != 1:
        return obj
    ((tag, value),) = obj.items()
    if tag == "$sheet":
        from .excel import SheetData

        name, rows, merged, numbers = value
        return SheetData(name, rows, [tuple(m) for m in merged], numbers)
    if tag == "$grid":
        from .pdf import Grid

        return Grid(value[0], [tuple(m) for m in value[1]])
    decode = {
        "$datetime": datetime.fromisoformat,
        "$date": date.fromisoformat,
        "$time": time.fromisoformat,
        "$seconds": lambda s: timedelta(seconds=s),
    }.get(tag)
    return decode(value) if decode else obj


def _dumps(value):
    return json.dumps(_plain(value), ensure_ascii=False)


def _loads(text):
    return json.loads(text, object_hook=_typed)


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]), sys.argv[3], _loads(sys.argv[4]))
