"""``/openapi.json``, ``/docs`` (Swagger UI) and ``/redoc`` behind the same read access as the data
(with ``GRIDGEO_READ_ACCESS=token`` the schema is not shown to anonymous clients)."""

from __future__ import annotations

from fastapi import Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from gridgeo.api.auth import require_read
from gridgeo.api.encoding import JSONOut
from gridgeo.api.routing import guarded_router

router = guarded_router(require_read)


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request) -> JSONOut:
    """The OpenAPI document of the app."""
    return JSONOut(request.app.openapi())


@router.get("/docs", include_in_schema=False)
def swagger(request: Request) -> HTMLResponse:
    """Swagger UI over /openapi.json."""
    return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{request.app.title} - docs")


@router.get("/redoc", include_in_schema=False)
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over /openapi.json."""
    return get_redoc_html(openapi_url="/openapi.json", title=f"{request.app.title} - ReDoc")
