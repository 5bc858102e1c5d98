from fastapi.responses import JSONResponse

from api.unit_of_work import Router
from app.core.db import ping

router = Router(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "The database is not reachable"}})
async def readyz() -> dict[str, str]:
    """Readiness: the database answers a query."""
    if not await ping():
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return {"status": "ok", "database": "ok"}
