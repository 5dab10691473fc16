"""Form helpers shared by every app: how a service's refusal reaches the person."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .exceptions import ApplicationError, ScopeError


def raise_for_refusal(exc):
    """Out of scope becomes a 404 and a forbidden action a 403, the same in every view."""
    if isinstance(exc, ScopeError):
        raise Http404 from exc
    if exc.code == "forbidden":
        raise PermissionDenied(exc.message) from exc


def apply_service_errors(form, exc):
    """Show an ApplicationError's field errors next to their fields, anything else above the form."""
    placed = False
    for error in exc.errors:
        field = error.get("field")
        if field in form.fields:
            form.add_error(field, error["message"])
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def form_service(form, call):
    """Run `call` (a service) for `form`: its result, or None with the refusal placed on the form
    (a 404 or 403 when the refusal is about scope or rights)."""
    try:
        return call()
    except ApplicationError as exc:
        raise_for_refusal(exc)
        apply_service_errors(form, exc)
        return None


def run_service(request, call, success):
    """Run `call` (a service) for a button on a page: its result with `success` (text, or a function of the
    result) as a message; or None with the refusal as an error message (a 404 or 403 when the refusal is
    about scope or rights)."""
    from django.contrib import messages

    try:
        result = call()
    except ApplicationError as exc:
        raise_for_refusal(exc)
        messages.error(request, exc.message)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result
