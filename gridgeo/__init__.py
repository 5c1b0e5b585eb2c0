"""gridgeo: grid planning, petition assignment and risk mapping for Chinese city governance."""

__version__ = "0.1.0"
