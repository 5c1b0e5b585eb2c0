"""HTTP endpoints for plans: a FastAPI ``APIRouter`` the service includes.

``create_plan_router(get_store, require_read=None, require_write=None, atoms_provider=None)``;
in ``gridgeo.service.create_app``: ``app.include_router(create_plan_router(get_store,
require_read, require_write))``.

* ``GET  /api/v1/plans`` — every plan (id, name, head and published versions).
* ``POST /api/v1/plans`` — create a plan: ``{"name", "author", "comment", "start":
  "current" | "proposal"}`` (atoms from ``atoms_provider``) or ``{"from": {"plan_id", "version"}}``
  (a copy of a saved version). 201 with ``{"id", "version": 1}``.
* ``GET  /api/v1/plans/{id}?version=N`` — the plan, its versions, the version's grids with
  figures, the community balance and the integrity issues (``&assignment=true`` adds atom → grid).
* ``GET  /api/v1/plans/{id}/grids.geojson?version=N`` and ``.../crosswalk.csv`` — the version's
  grids as a proposal-like GeoJSON and its crosswalk from the legacy grids (export).
* ``POST /api/v1/plans/{id}/versions`` — ``{"base_version", "author", "comment", "edits": [{"op",
  "params"}, ...]}``: the edits applied to the base version and saved. **409** when the base is
  stale (body: message, head_version; reload and re-apply), 422 when an edit is refused.
* ``POST /api/v1/plans/{id}/preview`` — the same body without saving: what the batch would do.
* ``POST /api/v1/plans/{id}/publish`` — ``{"version", "author", "comment", "base_version"}``:
  publish as the current grid set in one transaction; 409 when ``base_version`` is given and is no
  longer the head when the transaction runs (a publish that names its base moves the head to
  base + 1, so of two racing publishes or a publish and a save on one base, one gets 409), 422 when the version fails an integrity check (size-band and hole failures
  can be accepted with ``"accept_rules": [...]`` and a comment saying why).
* ``GET  /api/v1/plans/{id}/diff?a=1&b=2`` and ``GET /api/v1/plans/{id}/audit``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from gridgeo.plan.errors import IntegrityError, PlanEditError, PlanNotFoundError, StaleVersionError
from gridgeo.plan.figures import community_balance, grid_figures, summary
from gridgeo.plan.integrity import validate
from gridgeo.plan.ops import Edit, apply_edits, preview
from gridgeo.plan.repository import PlanRepository, export_crosswalk, export_grids

API = "/api/v1"


class EditIn(BaseModel):
    op: str
    params: dict[str, Any] = Field(default_factory=dict)


class CreateIn(BaseModel):
    name: str = Field(min_length=1)
    author: str = Field(min_length=1)
    comment: str = ""
    start: str | None = Field(default=None, description="current | proposal")
    from_: dict[str, int] | None = Field(default=None, alias="from")


class SaveIn(BaseModel):
    base_version: int
    author: str = Field(min_length=1)
    comment: str = ""
    edits: list[EditIn] = Field(min_length=1)


class PreviewIn(BaseModel):
    base_version: int | None = None
    edits: list[EditIn] = Field(min_length=1)


class PublishIn(BaseModel):
    author: str = Field(min_length=1)
    version: int | None = None
    base_version: int | None = None
    comment: str = ""
    accept_rules: list[str] = Field(default_factory=list, description="size-band/hole failures accepted, "
                                    "with the reason in comment")


def jsonable(value: Any) -> Any:
    """Plain JSON values from numpy/pandas/datetime values (NaN → null)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is not None and not isinstance(value, str | int | float | bool):
        try:
            import pandas as pd

            if pd.isna(value):
                return None
        except (TypeError, ValueError):
            pass
    return value


def default_atoms_provider(start: str, store=None):
    """The default atlas's starting plan: ``current`` (atoms → the store's current grid set by
    largest overlap) or ``proposal`` (the partition's proposal). The partition runs once per
    process (about 25 s on the default dataset)."""
    from gridgeo.plan.start import default_start_plan

    return default_start_plan(start, store)


def _plan_id_in_range(request: Request) -> None:
    """A plan id beyond a 64-bit integer cannot exist (the store would overflow): 404, not 500."""
    raw = request.path_params.get("plan_id")
    if raw is not None and raw.lstrip("-").isdigit() and abs(int(raw)) >= 2**63:
        raise HTTPException(404, f"plan {raw} does not exist")


def _issues(plan) -> list[dict]:
    return [i.as_dict() for i in validate(plan)]


def create_plan_router(get_store: Callable[[], Any], require_read: Callable[[Request], None],
                       require_write: Callable[[Request], None],
                       atoms_provider: Callable[[str, Any], Any] | None = None) -> APIRouter:
    """The plan endpoints over the store returned by ``get_store()`` (see the module docstring).

    ``require_read``/``require_write`` are the service's access checks. ``atoms_provider(start, store)`` returns the starting Plan for ``start``.
    """
    read, write = require_read, require_write
    provider = atoms_provider or default_atoms_provider
    router = APIRouter(prefix=f"{API}/plans", tags=["plans"], dependencies=[Depends(_plan_id_in_range)])
    repos: dict[int, PlanRepository] = {}

    def repo() -> PlanRepository:
        store = get_store()
        key = id(store)
        if key not in repos:
            repos[key] = PlanRepository(store)
        return repos[key]

    def fail(exc: Exception) -> HTTPException:
        if isinstance(exc, StaleVersionError):
            return HTTPException(409, str(exc))
        if isinstance(exc, PlanNotFoundError):
            return HTTPException(404, str(exc))
        if isinstance(exc, IntegrityError | PlanEditError):
            return HTTPException(422, str(exc))
        raise exc

    @router.get("", summary="List plans")
    def list_plans(request: Request):
        read(request)
        frame = repo().list_plans()
        return JSONResponse(jsonable({"plans": frame.to_dict("records")}))

    @router.post("", status_code=201, summary="Create a plan from the current grids, a proposal or a saved version")
    async def create_plan(body: CreateIn, request: Request):
        write(request)
        r = repo()
        try:
            if body.from_:
                src_id, src_v = int(body.from_.get("plan_id", 0)), body.from_.get("version")
                plan, info = await run_in_threadpool(r.load, src_id, src_v)
                source = f"plan {src_id} version {info.version}"
            elif body.start in ("current", "proposal"):
                plan = await run_in_threadpool(provider, body.start, r.store)
                source = body.start
            else:
                raise HTTPException(422, "start: give \"current\" or \"proposal\", or from: {plan_id, version}")
            pid, version = await run_in_threadpool(r.create_plan, body.name, plan, body.author, body.comment, source)
        except (PlanNotFoundError, PlanEditError) as exc:
            raise fail(exc) from None
        return {"id": pid, "version": version, "source": source}

    @router.get("/{plan_id}", summary="A plan version with figures, balance and integrity issues")
    def get_plan(plan_id: int, request: Request, version: int | None = None, assignment: bool = False):
        read(request)
        r = repo()
        try:
            plan, info = r.load(plan_id, version)
            versions = r.versions(plan_id)
        except PlanNotFoundError as exc:
            raise fail(exc) from None
        figs = grid_figures(plan)
        meta = r.list_plans().set_index("id").loc[plan_id].to_dict()
        body = {"id": plan_id, **meta, "version": info.version, "base_version": info.base_version,
                "author": info.author, "created_at": info.created_at, "comment": info.comment,
                "band": plan.band.as_dict(), "summary": summary(plan, figs),
                "versions": versions.to_dict("records"),
                "grids": figs.reset_index().to_dict("records"),
                "balance": community_balance(plan, figs).reset_index().to_dict("records"),
                "issues": _issues(plan)}
        if assignment:
            body["assignment"] = plan.assignment_dict
        return JSONResponse(jsonable(body))

    @router.get("/{plan_id}/grids.geojson", summary="Export a version's grids as GeoJSON")
    def export(plan_id: int, request: Request, version: int | None = None):
        read(request)
        try:
            plan, info = repo().load(plan_id, version)
        except PlanNotFoundError as exc:
            raise fail(exc) from None
        text = export_grids(plan).to_json(drop_id=True, ensure_ascii=False)
        return Response(text, media_type="application/geo+json", headers={
            "Content-Disposition": f'attachment; filename="plan{plan_id}_v{info.version}_grids.geojson"'})

    @router.get("/{plan_id}/crosswalk.csv", summary="Export a version's crosswalk from the legacy grids")
    def crosswalk(plan_id: int, request: Request, version: int | None = None):
        read(request)
        try:
            plan, info = repo().load(plan_id, version)
        except PlanNotFoundError as exc:
            raise fail(exc) from None
        return Response(export_crosswalk(plan).to_csv(index=False), media_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="plan{plan_id}_v{info.version}_crosswalk.csv"'})

    @router.post("/{plan_id}/versions", status_code=201, summary="Apply edits to a base version and save")
    async def save(plan_id: int, body: SaveIn, request: Request):
        write(request)
        r = repo()
        edits = [Edit(e.op, e.params) for e in body.edits]
        try:
            base, _ = await run_in_threadpool(r.load, plan_id, body.base_version)
            plan = await run_in_threadpool(apply_edits, base, edits)
            version = await run_in_threadpool(r.save_version, plan_id, plan, body.author, body.base_version,
                                              body.comment, edits)
        except StaleVersionError as exc:
            return JSONResponse(status_code=409, content={"message": str(exc), "head_version": exc.head_version,
                                                          "base_version": exc.base_version})
        except (PlanNotFoundError, PlanEditError) as exc:
            raise fail(exc) from None
        return {"id": plan_id, "version": version, "summary": jsonable(summary(plan)),
                "issues": jsonable(_issues(plan))}

    @router.post("/{plan_id}/preview", summary="What a batch of edits would do (nothing is saved)")
    async def preview_edits(plan_id: int, body: PreviewIn, request: Request):
        read(request)
        try:
            base, info = await run_in_threadpool(repo().load, plan_id, body.base_version)
            pending = await run_in_threadpool(preview, base, [Edit(e.op, e.params) for e in body.edits])
        except (PlanNotFoundError, PlanEditError) as exc:
            raise fail(exc) from None
        return JSONResponse(jsonable({
            "base_version": info.version, "ok": pending.ok, "summary": pending.diff.summary,
            "grids": pending.diff.grids.reset_index().to_dict("records"),
            "moves": pending.diff.moves.to_dict("records"),
            "new_issues": [i.as_dict() for i in pending.new_issues],
            "resolved_issues": [i.as_dict() for i in pending.resolved_issues]}))

    @router.post("/{plan_id}/publish", summary="Publish a version as the current grid set (one transaction)")
    async def publish(plan_id: int, body: PublishIn, request: Request):
        write(request)
        r = repo()
        try:  # the base is checked inside the publishing transaction (PlanRepository.publish)
            version = body.version or body.base_version or await run_in_threadpool(r.head_version, plan_id)
            gs = await run_in_threadpool(r.publish, plan_id, version, body.author, body.comment,
                                          body.accept_rules, body.base_version)
        except StaleVersionError as exc:
            return JSONResponse(status_code=409, content={
                "message": str(exc), "head_version": exc.head_version, "base_version": body.base_version})
        except (PlanNotFoundError, IntegrityError) as exc:
            raise fail(exc) from None
        return {"id": plan_id, "version": version, "grid_set_version": gs}

    @router.get("/{plan_id}/diff", summary="Differences between two versions")
    def diff(plan_id: int, request: Request, a: int = Query(...), b: int = Query(...)):
        read(request)
        try:
            d = repo().diff(plan_id, a, b)
        except PlanNotFoundError as exc:
            raise fail(exc) from None
        return JSONResponse(jsonable({"a": a, "b": b, "summary": d.summary,
                                      "grids": d.grids[d.grids["status"] != "unchanged"].reset_index().to_dict("records"),
                                      "moves": d.moves.to_dict("records"),
                                      "moved_areas": json.loads(d.moved_areas.to_json(drop_id=True))}))

    @router.get("/{plan_id}/audit", summary="Who saved and published what, when")
    def audit(plan_id: int, request: Request):
        read(request)
        frame = repo().audit(plan_id)
        return JSONResponse(jsonable({"audit": frame.to_dict("records")}))

    return router

