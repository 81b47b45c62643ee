"""Charts: pure functions, data → plotly Figure (never shown here)."""
