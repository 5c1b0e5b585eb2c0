"""The Streamlit pages; each file is one page, run by app.py's navigation."""
