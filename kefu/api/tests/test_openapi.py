"""The generated OpenAPI 3 document: it loads, lists every endpoint, and responses match it."""

from __future__ import annotations

import jsonschema
import pytest
from django.test import Client

from kefu.api.tests import openapi_check
from tests.factories import make_case

EXPECTED_PATHS = {
    "/api/v1/auth/token": {"post", "delete"},
    "/api/v1/auth/revoke": {"post"},
    "/api/v1/cases": {"get", "post"},
    "/api/v1/cases/{case_id}": {"get", "patch"},
    "/api/v1/cases/{case_id}/events": {"get"},
    "/api/v1/cases/{case_id}/messages": {"get", "post"},
    "/api/v1/cases/{case_id}/attachments": {"get", "post"},
    **{
        f"/api/v1/cases/{{case_id}}/{step}": {"post"}
        for step in (
            "accept",
            "assign",
            "contact",
            "await-customer",
            "resume",
            "resolve",
            "close",
            "reopen",
            "escalate",
            "transfer",
            "change-kind",
            "return-visit",
        )
    },
    "/api/v1/customers": {"get", "post"},
    "/api/v1/customers/{customer_id}": {"get"},
    "/api/v1/customers/{customer_id}/cases": {"get"},
    "/api/v1/case-kinds": {"get"},
    "/api/v1/cause-categories": {"get"},
    "/api/v1/teams": {"get"},
    "/api/v1/users": {"get"},
}


@pytest.mark.django_db
def test_the_schema_is_served_as_openapi_3_and_lists_every_endpoint():
    # When an anonymous client fetches the document
    response = Client().get("/api/v1/openapi.json")

    # Then it is OpenAPI 3 with exactly the documented paths and methods
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Kefu API"
    paths = {p: set(ops) for p, ops in doc["paths"].items() if p in EXPECTED_PATHS}
    assert paths == EXPECTED_PATHS  # (other parts of Kefu may add endpoints of their own)
    # ... and declares bearer auth on every endpoint but the token exchange
    assert doc["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    for path in EXPECTED_PATHS:
        for method, op in doc["paths"][path].items():
            open_endpoint = (path, method) == ("/api/v1/auth/token", "post")
            assert ("security" in op) is not open_endpoint, (path, method)


@pytest.mark.django_db
def test_the_interactive_docs_are_served_beside_the_schema():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_the_case_detail_schema_documents_the_fields_clients_rely_on():
    detail = openapi_check.openapi()["components"]["schemas"]["CaseDetail"]
    for field in ("id", "number", "status", "version", "allowed_actions", "customer", "kind"):
        assert field in detail["required"], field


def test_the_checker_rejects_a_body_that_breaks_the_document():
    # Given a case detail body with no version
    bad = {"id": 1, "number": "TS-2026-000001"}

    # Then validation fails rather than passing silently
    with pytest.raises(jsonschema.ValidationError):
        openapi_check.validate("/api/v1/cases/1", "get", 200, bad)


def test_a_real_case_detail_matches_the_document(org, api):
    # Given a case
    case = make_case(org)
    client = api(org.supervisor)

    # When the supervisor reads it
    response = client.get(f"/cases/{case.pk}")

    # Then the body matched the OpenAPI schema for a 200 (validated by the client)
    assert response.status_code == 200
    assert client.checked == 1
    assert set(response.json()) >= {"id", "number", "version", "allowed_actions", "customer"}


def test_every_operation_with_a_body_documents_the_400_of_a_malformed_one():
    """Found by schemathesis: a body that is not JSON answers 400, which was undocumented."""
    doc = Client().get("/api/v1/openapi.json").json()
    missing = [
        (path, method)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if "requestBody" in op and "400" not in op["responses"]
    ]
    assert missing == []
