"""A FastAPI app behind ``corsair_cors.asgi.CORSMiddleware``, for uvicorn in the browser suite:
the middleware's arguments are the JSON object in the environment variable CORSAIR_TEST_ASGI
(refused ones stop uvicorn at start when it runs with ``--lifespan on``)."""

from __future__ import annotations

import json
import os

from fastapi import FastAPI, Request

from corsair_cors.asgi import CORSMiddleware

app = FastAPI()


@app.get("/api/hello")
def hello() -> dict:
    return {"message": "hello from fastapi"}


@app.put("/api/items/{item}")
async def put_item(item: str, request: Request) -> dict:
    return {"item": item, "body": await request.json(), "session": request.cookies.get("session")}


app.add_middleware(CORSMiddleware, **json.loads(os.environ.get("CORSAIR_TEST_ASGI", "{}")))
