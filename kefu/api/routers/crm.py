"""/api/v1/ endpoints of the crm app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["crm"])
