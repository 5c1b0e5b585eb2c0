"""Property-based fuzzing of every operation in the app's own /openapi.json (schemathesis), on
SQLite and on PostGIS: valid and invalid requests (with the token; the access guards have their
own tests in test_api_hardening.py). No answer may be a 5xx, and every answer must match the
status codes, content types and schemas declared."""

from __future__ import annotations

import pytest
import schemathesis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from plan_helpers import lattice_plan

from gridgeo.api import create_app
from gridgeo.config import Settings
from gridgeo.services.workspace import open_store

TOKEN = "fuzz-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PLAN_TABLES = ("plan_audit", "plan_versions", "plans", "plan_atom_sets", "plan_schema_migrations")
EXAMPLES = 12  # per operation and phase: the whole run stays well under a minute per backend
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def fuzz_app(store_url, small_grids):
    if store_url.startswith("postgresql"):
        engine = sa.create_engine(store_url)
        with engine.begin() as conn:
            for table in PLAN_TABLES:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
        engine.dispose()
    store = open_store(store_url, seed_default=False)
    store.publish_grid_set(small_grids, author="tester")
    app = create_app(store, Settings(api_token=TOKEN, read_access="open", max_body_bytes=200_000),
                     plan_atoms_provider=lambda _start, _store: lattice_plan())
    with TestClient(app) as client:  # runs the lifespan; one plan (id 1) and one event to find
        assert client.post("/api/v1/plans", json={"name": "p", "author": "a", "start": "current"},
                           headers=AUTH).status_code == 201
        assert client.post("/api/v1/events", headers=AUTH, json={
            "id": "e1", "reported_at": "2024-05-01T08:00:00+08:00", "lon": 113.905, "lat": 22.705,
            "category": "labour", "level": 3}).status_code == 201
        yield app
    store.close()


def _fuzz(operation, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.call_and_validate(headers=AUTH, checks=CHECKS)

    try:
        check()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to get wrong (no parameters)


# schemathesis' pytest plugin (schema.parametrize / from_fixture) does not run under pytest 9, so
# the operations are walked here: every operation, valid (positive) and invalid (negative) data.
def test_no_5xx_and_answers_match_the_schema(fuzz_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode)
