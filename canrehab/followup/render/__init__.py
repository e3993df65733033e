"""Rendering of follow-up tables: CSV for machines (decimal point), Excel and HTML for people (Swedish),
charts as PNG/SVG (matplotlib, Agg backend)."""
