"""Partition planner: propose unified all-element grids (全要素网格) from overlapping legacy grids.

``propose_grids(communities, legacy, units, min_households, max_households, ...)`` returns
(grids, crosswalk, metrics). Modules: overlay (common refinement + maup repair), apportion
(counts to atoms), adjacency (rook graph), regionalize (per-community solver), scoring, crosswalk,
codes, pipeline (the whole run). See docs/partition.md.
"""

from gridgeo.partition.pipeline import PartitionResult, propose_grids, run_partition

__all__ = ["PartitionResult", "propose_grids", "run_partition"]
