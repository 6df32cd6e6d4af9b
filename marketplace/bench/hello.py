"""The bare FastAPI hello world the pages are compared with (same server, same load generator)."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@app.get("/")
def hello() -> dict:
    return {"message": "hello world"}
