"""Workspace views, one module per page. Each is thin: access → form → action → page/partial."""
