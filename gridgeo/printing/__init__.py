"""Printed maps and exports for meetings: page furniture, the 一格一图 poster and the review
workbook and map."""
