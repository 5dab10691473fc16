"""Uploaded files parsed in a process of their own, so that a crafted or damaged file cannot take the web worker down.

Parsers of untrusted bytes can go wrong in ways no `except` catches: pdfminer can take memory and time without end on
a crafted PDF, and python-calamine's Rust code aborts the whole process when an allocation fails — a 6.6 KB damaged
.xls asked for 40 GB, a 1.5 KB .xlsx with one cell in A1 and one in XFD1048576 asks for 512 GB, a shared-string table
declaring four billion strings for 96 GB (a 502 for the user, the worker restarted).

`parse_apart(kind, data, name, *options)` runs the parser of `kind` (`PARSERS`) in a child process with its address
space limited to settings.PARSE_MEMORY_MB and its time to settings.CONVERT_TIMEOUT, and hands back what it returned.
The children are forked from a small server (`python -m zhiben.core.isolated`, started once per web process, its
environment only PATH and LANG) that has the parsers' libraries loaded: a parse starts in a few milliseconds rather
than the 100–160 ms of a new Python. What comes back is JSON, not pickle: the child is the one process that has seen
the file. The limits are about availability: a parser made to run code would run it as the web process's user. With
PARSE_MEMORY_MB = 0 the parser runs in the calling process.
"""

import contextlib
import gc
import importlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import traceback
from datetime import date, datetime, time, timedelta
from pathlib import Path

from .exceptions import ApplicationError, named

log = logging.getLogger(__name__)

# kind: "module:function" taking (data, name, *options) and returning what the caller gets back
PARSERS = {
    "pdf": "zhiben.core.pdf:_parse",
    "workbook": "zhiben.core.excel:_calamine_read",
}
# loaded once by the server the children are forked from (what they take is the program's, not the file's)
LIBRARIES = ["zhiben.core.pdf", "zhiben.core.excel", "pdfplumber", "python_calamine", "openpyxl.utils"]


class ParserFailed(ApplicationError):
    """The parser's process ended without an answer: it aborted, or the system killed it."""


def parse_apart(kind, data, name, *options):
    from django.conf import settings

    limit = settings.PARSE_MEMORY_MB
    if not limit:
        return _parser(kind)(data, name, *options)
    what = named(name)
    timeout = settings.CONVERT_TIMEOUT
    request = {"kind": kind, "name": name, "limit": limit, "options": options, "size": len(data)}
    with _server.lock:
        try:
            status, body = _server.ask(_dumps(request) + b"\n" + data, timeout)
        except TimeoutError:
            raise ApplicationError(
                f"{what}解析超时（超过 {timeout} 秒）：文件过大或内容异常，请拆分后再导入，或另存为其他格式。"
            ) from None
        except OSError:
            log.exception("the parsing server stopped")
            raise ApplicationError(f"服务器读取{what}时出错，请稍后重试。") from None
    try:
        answer = _loads(body) if status == 0 else {}
    except ValueError:
        answer = {}
    if "error" in answer:
        raise ApplicationError(answer["error"])
    if "result" not in answer:  # aborted, or killed by the system
        raise ParserFailed(f"无法读取{what}：文件已损坏或内容异常，请在原软件中重新保存后再导入。")
    return answer["result"]


class _Server:
    """The web process's end of the parsing server: one request at a time, the server started when first needed and
    again after it was stopped (a parse over its time is stopped with the server: they are one process group)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process = None
        self.owner = None  # the process that started it: a process forked from that one starts its own

    def ask(self, request, timeout):
        """(the child's exit status, what it answered) for `request`; TimeoutError, or OSError when the server died."""
        if self.owner != os.getpid():
            self.process, self.owner = None, os.getpid()
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "zhiben.core.isolated"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=Path(__file__).resolve().parents[2],  # where `zhiben` is found
                env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
                start_new_session=True,
            )
        try:
            self.process.stdin.write(request)
            self.process.stdin.flush()
            if not select.select([self.process.stdout], [], [], timeout)[0]:
                raise TimeoutError
            header = self.process.stdout.readline()
            if not header:
                raise OSError("the parsing server ended")
            status, size = json.loads(header)
            return status, self.process.stdout.read(size)
        except BaseException:
            self.stop()
            raise

    def stop(self):
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):  # gone already
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process.stdin.close()
            self.process.stdout.close()
            self.process = None


_server = _Server()


def _parser(kind):
    module, function = PARSERS[kind].split(":")
    return getattr(importlib.import_module(module), function)


def _serve():
    """The server's side: a request (a JSON line, then the file) at a time on stdin, each parsed in a child forked
    for it; its exit status and answer (a JSON line, then the answer) on stdout."""
    for library in LIBRARIES:
        importlib.import_module(library)
    # Out of the collector's sight from now on: a child collecting would touch every object it shares with this
    # process and copy the pages they lie on (it made a parse 60 ms slower); a child lives for one file, without it.
    gc.freeze()
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    while line := requests.readline():
        request = _loads(line)
        data = requests.read(request["size"])
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            gc.disable()
            os.close(read_end)
            status = 1
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # nothing it prints reaches the replies
                _child(write_end, request["kind"], request["limit"], data, request["name"], request["options"])
                status = 0
            except BaseException:  # a parser's own bug: told in the server's log, the file refused as unreadable
                traceback.print_exc()
            finally:
                os._exit(status)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as answers:
            body = answers.read()
        _, status = os.waitpid(pid, 0)
        replies.write(json.dumps([os.waitstatus_to_exitcode(status), len(body)]).encode() + b"\n" + body)
        replies.flush()


def _child(out, kind, limit, data, name, options):
    """{"result": …} or {"error": message} written to file descriptor `out` as JSON."""
    import resource

    parse = _parser(kind)
    with contextlib.suppress(ValueError, OSError):  # a system without address-space limits
        resource.setrlimit(resource.RLIMIT_AS, (limit << 20, limit << 20))
    too_big = {"error": f"{named(name)}过于复杂：读取所需内存超过 {limit} MB，请拆分后再导入，或另存为其他格式。"}
    try:
        answer = {"result": parse(data, name, *options)}
    except ApplicationError as exc:
        answer = {"error": exc.message}
    except Exception as exc:
        if not of_memory(exc):
            raise
        answer = too_big
    try:
        body = _dumps(answer)
    except MemoryError:
        body = _dumps(too_big)
    with os.fdopen(out, "wb") as answers:
        answers.write(body)


def of_memory(exc):
    """Whether `exc` is a MemoryError or came of one (a library may wrap it, or raise again while cleaning up)."""
    while exc is not None:
        if isinstance(exc, MemoryError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


# --- what crosses between the processes: JSON, with the parsers' own types tagged ----------------------------------


def _plain(value):
    """`value` with the parsers' own containers tagged; the cells inside them are left to the encoder (`_tag`), which
    meets them at C speed (walking 110,000 cells in Python took 0.3 s)."""
    from .excel import SheetData
    from .pdf import Grid

    if isinstance(value, SheetData):
        return {"$sheet": [value.name, value.rows, value.merged, value.numbers]}
    if isinstance(value, Grid):
        return {"$grid": [value.rows, value.merged]}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _tag(value):
    """The encoder's hook for the values JSON has no type for."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$seconds": value.total_seconds()}
    raise TypeError(f"{type(value).__name__} cannot cross between the processes")


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
    return json.dumps(_plain(value), default=_tag, ensure_ascii=False, separators=(",", ":")).encode()


def _loads(text):
    return json.loads(text, object_hook=_typed)


if __name__ == "__main__":
    _serve()
