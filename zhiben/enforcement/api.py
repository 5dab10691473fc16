"""The enforcement API."""

from ninja import Router

router = Router(tags=["enforcement"])
