"""Enterprise self-inspection duties (日周月排查), the records enterprises keep, compliance per period and the "查不出问题" flag."""

from django.db import models  # noqa: F401
