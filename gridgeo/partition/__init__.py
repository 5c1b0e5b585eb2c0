"""Partition planner: propose unified all-element grids (全要素网格) from overlapping legacy grids.

``propose_grids(PartitionInputs(communities, legacy, units), PartitionOptions(min_households=...,
max_households=...))`` returns (grids, crosswalk, metrics). Modules: options (inputs, settings,
checks), overlay (common refinement + maup repair), apportion (counts to atoms), adjacency (rook
graph), regionalize (per-community solver), scoring, crosswalk, codes, assemble (grids and
preservation figures), pipeline (the staged run). See docs/partition.md.
"""

from gridgeo.partition.options import PartitionInputs, PartitionOptions
from gridgeo.partition.pipeline import PartitionResult, partition_atoms, propose_grids, run_partition

__all__ = ["PartitionInputs", "PartitionOptions", "PartitionResult", "partition_atoms", "propose_grids",
           "run_partition"]
