"""One error type for business rules: views show its message, the API maps it to HTTP 400."""


class ApplicationError(Exception):
    """A rule was broken by the input; `message` is Chinese and shown to the user as is."""

    def __init__(self, message, *, errors=None, code="invalid"):
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.code = code


def named(filename):
    """How a message names an uploaded file: “台账.xlsx” (without its folders), or 文件 when it has no name."""
    return f"“{filename.rsplit('/', 1)[-1]}”" if filename else "文件"


class ScopeError(ApplicationError):
    """The object lies outside the actor's jurisdiction (shown as 404 by views and the API)."""

    def __init__(self, message="对象不存在或不在您的管辖范围内。"):
        super().__init__(message, code="out_of_scope")
