"""The explorer's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def read_index(request: Request) -> HTMLResponse:
    """The explorer."""
    return request.app.state.templates.TemplateResponse(request, "index.html", {})
