"""The selfchecks API."""

from ninja import Router

router = Router(tags=["selfchecks"])
