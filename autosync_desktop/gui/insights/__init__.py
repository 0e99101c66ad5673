"""The Insights page (sync analytics)."""
