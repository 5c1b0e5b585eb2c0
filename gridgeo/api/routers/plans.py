"""Plan endpoints: versions, edits, preview, publish, diff, export, audit.

* ``GET  /api/v1/plans`` — every plan (id, name, head and published versions).
* ``POST /api/v1/plans`` — ``{"name", "author", "comment", "start": "current" | "proposal"}`` (atoms
  from the app's ``plan_atoms_provider``) or ``{"from": {"plan_id", "version"}}`` (a copy of a
  saved version). 201 with ``{"id", "version": 1, "source"}``.
* ``GET  /api/v1/plans/{id}?version=N`` — the version with figures, community balance and
  integrity issues (``&assignment=true`` adds atom → grid); ``.../grids.geojson`` and
  ``.../crosswalk.csv`` export it.
* ``POST /api/v1/plans/{id}/versions`` — ``{"base_version", "author", "comment", "edits"}``: the
  edits applied to the base and saved; **409** when the base is stale (``head_version`` in the
  body), 422 when an edit is refused. ``POST .../preview`` — the same without saving (a read).
* ``POST /api/v1/plans/{id}/publish`` — ``{"version", "author", "comment", "base_version",
  "accept_rules"}``: publish as the current grid set; 409 on a stale ``base_version``, 422 when
  an integrity check fails.
* ``GET  /api/v1/plans/{id}/diff?a=1&b=2`` and ``GET .../audit``.

Plan ids and versions are positive and below 2**31 (the columns' range): larger ids are 404,
larger versions 422.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from gridgeo.api import schemas as R
from gridgeo.api.auth import require_plan_read, require_plan_write
from gridgeo.api.deps import StoreDep, check_params, plan_id_in_range
from gridgeo.api.encoding import JSONOut, jsonable, records
from gridgeo.api.errors import ApiError
from gridgeo.api.routing import guarded_router
from gridgeo.api.state import ServiceDep
from gridgeo.events.safe_text import MAX_DB_INT, SafeStr, check_value
from gridgeo.plan.figures import community_balance, grid_figures, summary
from gridgeo.plan.integrity import validate
from gridgeo.plan.ops import Edit, apply_edits, preview
from gridgeo.plan.repository import PlanRepository, export_crosswalk, export_grids

PREFIX = "/api/v1/plans"
Version = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
VersionQuery = Annotated[int | None, Query(ge=1, le=MAX_DB_INT, description="a saved version (default: the head)")]

read = guarded_router(require_plan_read, check_params, plan_id_in_range, prefix=PREFIX, tags=["plans"])
write = guarded_router(require_plan_write, check_params, plan_id_in_range, prefix=PREFIX, tags=["plans"],
                       responses=R.CONFLICT)


class EditIn(BaseModel):
    op: SafeStr
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("params")
    @classmethod
    def _storable(cls, v: dict[str, Any]) -> dict[str, Any]:
        return check_value(v)


class FromIn(BaseModel):
    plan_id: Version
    version: Version | None = None


class CreateIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    name: SafeStr = Field(min_length=1)
    author: SafeStr = Field(min_length=1)
    comment: SafeStr = ""
    start: SafeStr | None = Field(default=None, description="current | proposal")
    from_: FromIn | None = Field(default=None, alias="from")


class SaveIn(BaseModel):
    base_version: Version
    author: SafeStr = Field(min_length=1)
    comment: SafeStr = ""
    edits: list[EditIn] = Field(min_length=1)


class PreviewIn(BaseModel):
    base_version: Version | None = None
    edits: list[EditIn] = Field(min_length=1)


class PublishIn(BaseModel):
    author: SafeStr = Field(min_length=1)
    version: Version | None = None
    base_version: Version | None = None
    comment: SafeStr = ""
    accept_rules: list[SafeStr] = Field(default_factory=list, description="size-band/hole failures accepted, "
                                        "with the reason in comment")


def default_atoms_provider(start: str, store: Any = None):
    """The default atlas's starting plan: ``current`` (atoms → the store's current grid set by
    largest overlap) or ``proposal`` (the partition's proposal). The partition runs once per
    process (about 25 s on the default dataset)."""
    from gridgeo.plan.start import default_start_plan

    return default_start_plan(start, store)


def get_repo(service: ServiceDep, store: StoreDep) -> PlanRepository:
    """The plan repository over the app's store (one per store)."""
    return service.plan_repository(store)


Repo = Annotated[PlanRepository, Depends(get_repo)]


def _issues(plan) -> list[dict]:
    return [i.as_dict() for i in validate(plan)]


@read.get("", responses={200: {"model": R.PlanList}}, summary="List plans")
def list_plans(repo: Repo) -> JSONOut:
    """Every plan with its head and published versions."""
    return JSONOut({"plans": records(repo.list_plans())})


@write.post("", status_code=201, responses={201: {"model": R.PlanCreated}},
            summary="Create a plan from the current grids, a proposal or a saved version")
async def create_plan(body: CreateIn, repo: Repo, service: ServiceDep) -> JSONOut:
    """Version 1 of a new plan from ``start`` or ``from``."""
    if body.from_:
        plan, info = await run_in_threadpool(repo.load, body.from_.plan_id, body.from_.version)
        source = f"plan {body.from_.plan_id} version {info.version}"
    elif body.start in ("current", "proposal"):
        plan = await run_in_threadpool(service.plan_atoms_provider, body.start, repo.store)
        source = body.start
    else:
        raise ApiError(422, "start: give \"current\" or \"proposal\", or from: {plan_id, version}")
    pid, version = await run_in_threadpool(repo.create_plan, body.name, plan, body.author, body.comment, source)
    return JSONOut({"id": pid, "version": version, "source": source}, status_code=201)


@read.get("/{plan_id}", responses={200: {"model": R.PlanDetail}},
          summary="A plan version with figures, balance and integrity issues")
def get_plan(plan_id: int, repo: Repo, version: VersionQuery = None, assignment: bool = False) -> JSONOut:
    """The version (default: the head), its versions list, grids with figures and issues."""
    plan, info = repo.load(plan_id, version)
    versions = repo.versions(plan_id)
    figs = grid_figures(plan)
    plans = repo.list_plans()
    meta = records(plans[plans["id"] == plan_id])[0]
    body = {**meta, "id": plan_id, "version": info.version, "base_version": info.base_version,
            "author": info.author, "created_at": info.created_at, "comment": info.comment,
            "band": plan.band.as_dict(), "summary": summary(plan, figs), "versions": records(versions),
            "grids": figs.reset_index().to_dict("records"),
            "balance": community_balance(plan, figs).reset_index().to_dict("records"), "issues": _issues(plan)}
    if assignment:
        body["assignment"] = plan.assignment_dict
    return JSONOut(body)


def _attachment(plan_id: int, version: int, name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="plan{plan_id}_v{version}_{name}"'}


@read.get("/{plan_id}/grids.geojson", responses={200: {"content": {"application/geo+json": {}}}},
          summary="Export a version's grids as GeoJSON")
def export(plan_id: int, repo: Repo, version: VersionQuery = None) -> Response:
    """The version's grids as a proposal-like GeoJSON file."""
    plan, info = repo.load(plan_id, version)
    text = export_grids(plan).to_json(drop_id=True, ensure_ascii=False)
    return Response(text, media_type="application/geo+json", headers=_attachment(plan_id, info.version, "grids.geojson"))


@read.get("/{plan_id}/crosswalk.csv", responses={200: {"content": {"text/csv": {}}}},
          summary="Export a version's crosswalk from the legacy grids")
def crosswalk(plan_id: int, repo: Repo, version: VersionQuery = None) -> Response:
    """The version's crosswalk from the legacy grids as CSV."""
    plan, info = repo.load(plan_id, version)
    return Response(export_crosswalk(plan).to_csv(index=False), media_type="text/csv",
                    headers=_attachment(plan_id, info.version, "crosswalk.csv"))


@write.post("/{plan_id}/versions", status_code=201, responses={201: {"model": R.PlanSaved}},
            summary="Apply edits to a base version and save")
async def save(plan_id: int, body: SaveIn, repo: Repo) -> JSONOut:
    """The edits applied to ``base_version`` and saved as the next version (409 when stale)."""
    edits = [Edit(e.op, e.params) for e in body.edits]
    base, _ = await run_in_threadpool(repo.load, plan_id, body.base_version)
    plan = await run_in_threadpool(apply_edits, base, edits)
    version = await run_in_threadpool(repo.save_version, plan_id, plan, body.author, body.base_version,
                                      body.comment, edits)
    return JSONOut({"id": plan_id, "version": version, "summary": summary(plan), "issues": _issues(plan)},
                   status_code=201)


@read.post("/{plan_id}/preview", responses={200: {"model": R.PlanPreview}},
           summary="What a batch of edits would do (nothing is saved)")
async def preview_edits(plan_id: int, body: PreviewIn, repo: Repo) -> JSONOut:
    """The diff and the integrity issues the edits would bring or resolve."""
    base, info = await run_in_threadpool(repo.load, plan_id, body.base_version)
    pending = await run_in_threadpool(preview, base, [Edit(e.op, e.params) for e in body.edits])
    return JSONOut(jsonable({
        "base_version": info.version, "ok": pending.ok, "summary": pending.diff.summary,
        "grids": pending.diff.grids.reset_index().to_dict("records"), "moves": pending.diff.moves.to_dict("records"),
        "new_issues": [i.as_dict() for i in pending.new_issues],
        "resolved_issues": [i.as_dict() for i in pending.resolved_issues]}))


@write.post("/{plan_id}/publish", responses={200: {"model": R.PlanPublished}},
            summary="Publish a version as the current grid set (one transaction)")
async def publish(plan_id: int, body: PublishIn, repo: Repo) -> JSONOut:
    """Publish ``version`` (default: the base, else the head); 409 when ``base_version`` is no
    longer the head when the publishing transaction runs (checked inside it: of two racing
    publishes, or a publish and a save, on one base exactly one wins)."""
    version = body.version or body.base_version or await run_in_threadpool(repo.head_version, plan_id)
    gs = await run_in_threadpool(repo.publish, plan_id, version, body.author, body.comment, body.accept_rules,
                                 body.base_version)
    return JSONOut({"id": plan_id, "version": version, "grid_set_version": gs})


@read.get("/{plan_id}/diff", responses={200: {"model": R.PlanDiff}}, summary="Differences between two versions")
def diff(plan_id: int, repo: Repo, a: Annotated[int, Query(ge=1, le=MAX_DB_INT)],
         b: Annotated[int, Query(ge=1, le=MAX_DB_INT)]) -> JSONOut:
    """Changed grids, moved atoms and the moved areas (GeoJSON) from ``a`` to ``b``."""
    d = repo.diff(plan_id, a, b)
    return JSONOut({"a": a, "b": b, "summary": d.summary,
                    "grids": d.grids[d.grids["status"] != "unchanged"].reset_index().to_dict("records"),
                    "moves": d.moves.to_dict("records"), "moved_areas": json.loads(d.moved_areas.to_json(drop_id=True))})


@read.get("/{plan_id}/audit", responses={200: {"model": R.PlanAudit}}, summary="Who saved and published what, when")
def audit(plan_id: int, repo: Repo) -> JSONOut:
    """The plan's audit log, oldest first."""
    return JSONOut({"audit": records(repo.audit(plan_id))})
