"""ASGI entry point for uvicorn: `marketplace.web.main:app`."""

from marketplace.web.app import create_app

app = create_app()
