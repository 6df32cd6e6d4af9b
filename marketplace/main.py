"""ASGI entry point for uvicorn: `marketplace.main:app`."""

from marketplace.app import create_app

app = create_app()
