"""What sits above the store: intake (validate → assign → dispatch → store), the active atlas,
and the store a process opens (seeded with the demo grids only when it is the demo store)."""
