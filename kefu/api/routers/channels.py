"""/api/v1/ endpoints of the channels app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["channels"])
