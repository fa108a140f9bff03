"""The smallest FastAPI app: its request rate is the ceiling of any endpoint on this machine."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}
