"""Enforcement: cases and penalties, 责令限期整改 orders and their review, enforcement statistics and the zero-penalty flag."""

from django.db import models  # noqa: F401
