"""Organisations, users, roles, research-team and expert profiles."""
