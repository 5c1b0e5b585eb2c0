"""Streamlit pages of the map app (each file is one page; helpers in common.py and data.py)."""
