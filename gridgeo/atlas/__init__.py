"""The grid atlas: the data model (streets, communities, grids, legacy grids, basic units),
loading and single-layer I/O, validation, and the import of an office's own files."""
