"""Actors, password hashing, sessions, API tokens and login rate limiting."""
