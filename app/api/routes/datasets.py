"""The built-in data sets."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.present import FastJSON
from app.schemas import Open
from engine.datasets import describe_datasets

router = APIRouter()


@router.get("", response_class=FastJSON, responses={200: {"model": list[Open]}})
def read_datasets() -> FastJSON:
    """List the built-in data sets with their parameters and limits."""
    return FastJSON(describe_datasets())
