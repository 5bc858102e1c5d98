from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import PrincipalDep, SessionDep
from api.ratelimit import client_address
from api.unit_of_work import Router
from app.auth import service
from app.auth.schemas import Me, RefreshRequest, TokenPair

public = Router(prefix="/auth", tags=["auth"])
router = Router(prefix="/auth", tags=["auth"])


@public.post("/token", responses={401: {}, 429: {}})
async def issue_token(
    session: SessionDep, request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenPair:
    """Sign in with `username` and `password` (OAuth2 password form)."""
    return await service.login(session, form.username[:200], form.password[:200], client_address(request))


@public.post("/refresh", responses={401: {}})
async def refresh_token(session: SessionDep, body: RefreshRequest) -> TokenPair:
    """Trade a refresh token for a new pair. A spent token used again revokes its whole family."""
    return await service.refresh(session, body.refresh_token)


@public.post("/logout", status_code=204)
async def logout(session: SessionDep, body: RefreshRequest) -> Response:
    """Revoke the refresh token's family: every token rotated from the same sign-in."""
    await service.logout(session, body.refresh_token)
    return Response(status_code=204)


@router.get("/me")
async def read_me(session: SessionDep, principal: PrincipalDep) -> Me:
    """The caller, with its roles and what they allow."""
    return await service.me(session, principal)
