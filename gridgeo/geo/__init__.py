"""Coordinates and geometry: China's CRSs (WGS84, CGCS2000, GCJ-02, BD-09), the one metric-CRS
rule, and tessellation."""
