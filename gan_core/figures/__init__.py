"""Figures: Plotly figure builders and Pillow pictures (the cloud, the digits sheets, curves,
mode charts, the diagram, GIFs). Built from the engine's snapshots; imports only the engine."""
