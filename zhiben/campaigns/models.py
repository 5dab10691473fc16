"""Special campaigns (专项整治): targets, checklist, own ledger columns, checks and progress."""

from django.db import models  # noqa: F401
