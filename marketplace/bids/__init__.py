"""Bids (揭榜方案): drafting, sealed submission, withdrawal, formal review."""
