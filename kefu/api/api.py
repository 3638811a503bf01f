"""The versioned REST API, mounted at /api/v1/ (OpenAPI 3 at /api/v1/openapi.json)."""

from __future__ import annotations

from ninja import NinjaAPI

from kefu.api import errors
from kefu.api.auth import BearerToken
from kefu.api.auth import router as auth_router
from kefu.api.routers import cases, customers, messages, reference, sla, workflow

api = NinjaAPI(
    title="Kefu API",
    version="1",
    description=(
        "Cases (工单), customers and the accept → handle → improve workflow. "
        "Get a token with POST /api/v1/auth/token and send `Authorization: Bearer <token>`. "
        'Errors are {"error": {"code", "message", "fields"}}.'
    ),
    auth=BearerToken(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("/auth", auth_router)
api.add_router("", cases.router)
api.add_router("", workflow.router)
api.add_router("", messages.router)
api.add_router("", customers.router)
api.add_router("", reference.router)
api.add_router("", sla.router)
api.add_router("/assist", "kefu.api.routers.assist.router")
api.add_router("", "kefu.api.routers.crm.router")
api.add_router("", "kefu.api.routers.surveys.router")
api.add_router("", "kefu.api.routers.channels.router")
