"""Shared pieces of the dashboard's pages: header, KPI tile, status badge, freshness marker."""
