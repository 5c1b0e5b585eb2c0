"""Alembic migrations of the store (events, grid sets, plans, aggregates): see gridgeo.store.migrate."""
