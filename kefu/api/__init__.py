"""The versioned REST API (/api/v1/). Endpoints only translate to and from the actions."""
