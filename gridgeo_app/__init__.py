"""The Streamlit map app: pages/ (one file a page), the helpers they share (context, session,
event_source, map_render, maps, wall_content, plan_panels, poster_button, warmup), layers/ (folium
layer builders) and editor/ (the in-browser plan editor component). app.py is its entry."""
