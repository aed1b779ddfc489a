"""The ASGI app: FastAPI with the API routers, the static files and the page template."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware

from app.api.main import api_router
from app.api.routes import pages
from app.core.config import settings
from app.core.errors import install_error_handlers
from app.core.limits import BodyLimit
from app.store import NetworkStore
from engine import __version__


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.store = NetworkStore(settings.db_path, settings.idle_expiry_seconds,
                                   settings.max_networks, settings.cache_size)
    yield
    app.state.store.close()


app = FastAPI(title="Backprop Explorer", version=__version__, lifespan=lifespan,
              description="Every number of backpropagation, exact: forward, backward, update, "
                          "loss surfaces. W is (n_out, n_in), b is (n_out,), batches are (m, n) "
                          "with one row per sample.")
app.state.templates = Jinja2Templates(directory=settings.templates_dir)
app.add_middleware(GZipMiddleware, minimum_size=2048)
app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
install_error_handlers(app)
app.include_router(api_router, prefix="/api")
app.include_router(pages.router)
app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")


@app.get("/healthz", tags=["health"])
def read_health() -> dict[str, str]:
    """Liveness: the server answers."""
    return {"status": "ok", "version": __version__}
