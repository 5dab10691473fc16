"""The inspections API."""

from ninja import Router

router = Router(tags=["inspections"])
