"""Collects the API routers."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.routes import datasets, networks, play, surface, train

api_router = APIRouter()
api_router.include_router(networks.router, prefix="/networks", tags=["networks"])
api_router.include_router(train.router, prefix="/networks", tags=["training"])
api_router.include_router(surface.router, prefix="/networks", tags=["loss surface"])
api_router.include_router(play.router, prefix="/networks", tags=["play"])
api_router.include_router(train.compute_router, tags=["calculator"])
api_router.include_router(datasets.router, prefix="/datasets", tags=["datasets"])
