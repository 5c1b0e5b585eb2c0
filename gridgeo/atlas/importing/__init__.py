"""Import a district grid office's own files as a gridgeo atlas (issue 10).

``import_atlas(sources, name=..., crs=..., field_map=..., progress=...) -> ImportResult`` reads
the files, recognises fields through the one alias table (gridgeo.atlas.importing.fields), detects
text encodings and Gauss–Krüger zones, derives parents and missing layers, and validates the
whole atlas; gridgeo.store.atlases stores it. One job per module:

- discover: which file is which layer (layer names, Chinese file names, one GeoPackage)
- fields: the alias table, ``recognise_fields`` and field-map (TOML) files
- detect: the CRS of a file without .prj, from the coordinate magnitude
- sources: one vector file read into canonical fields (CRS, encoding, mapping)
- units: a building register table (.xlsx/.csv points) with a rejects table
- parents: parents from code field, code prefix, name or location; short codes completed
- derive: streets and district derived from the communities' codes
- result: ``ImportResult`` and the steps assemble and pipeline share
- assemble / pipeline: the steps together
- export: an atlas written as GeoPackage, shapefiles (GBK, Chinese field names), GeoJSON or xlsx
"""

from gridgeo.atlas.importing.fields import ALIASES, load_field_map, recognise_fields
from gridgeo.atlas.importing.pipeline import import_atlas
from gridgeo.atlas.importing.result import ImportResult

__all__ = ["ALIASES", "ImportResult", "import_atlas", "load_field_map", "recognise_fields"]
