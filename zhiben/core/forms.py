"""Form helpers shared by every app."""


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
