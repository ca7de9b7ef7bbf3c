"""What both Python baselines serve the same way: the OIP v2 error body, the health routes, and the metadata and
readiness of their one model. Imported from the folder they run in (bench/suites/python-baseline.ts sets it)."""

from fastapi.responses import JSONResponse


def error(status, message):
    return JSONResponse({"error": message}, status_code=status)


def add_model_routes(app, model_name, metadata):
    """GET /v2/health/live, /v2/health/ready, /v2/models/{name} and /v2/models/{name}/ready on `app`."""

    @app.get("/v2/health/live")
    async def live():
        return {"live": True}

    @app.get("/v2/health/ready")
    async def ready():
        return {"ready": True}

    @app.get("/v2/models/{name}")
    async def model_metadata(name: str):
        if name != model_name:
            return error(404, f"model '{name}' not found")
        return metadata

    @app.get("/v2/models/{name}/ready")
    async def model_ready(name: str):
        if name != model_name:
            return error(404, f"model '{name}' not found")
        return {"name": name, "ready": True}
