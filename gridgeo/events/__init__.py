"""Petitions as data: the event schema, the lifecycle, the dispatch rule and point → grid
assignment. Nothing here touches a database."""
