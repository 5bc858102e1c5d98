"""Rate limits: per caller on every authenticated route (taken in `api.deps.get_principal`, once the
caller is known, keyed on the principal's id, so each user and each API key has its own budget), and
per client address on the open routes (sign-in, refresh, logout: a dependency of that router). The
counting is `app.core.throttle`: in this process, or in Redis when REDIS_URL is set. Over budget is
429 problem+json with `Retry-After`.

Requests refused as unauthenticated (401) are not counted: answering them costs no more than a 429.

The client's address is the TCP peer's, unless that peer is one of `trusted_proxies`: then it is
the last address in X-Forwarded-For that is not a trusted proxy (the one the proxy itself saw; a
client may prepend anything). From any other peer the header is ignored.
"""

import ipaddress
import math
from functools import lru_cache

from fastapi import Request

from app.authz.principal import Principal
from app.core import metrics
from app.core.config import get_settings
from app.core.errors import TooManyRequests
from app.core.throttle import throttle

SLOW_DOWN = "Too many requests: slow down and retry after the delay in Retry-After"


async def limit_caller(principal: Principal) -> Principal:
    """The principal, when it is within its budget; else 429."""
    settings = get_settings()
    if settings.rate_limit_per_minute:
        wait = await throttle.hit(
            f"p:{principal.id}", settings.rate_limit_per_minute, settings.rate_limit_burst
        )
        if wait is not None:
            metrics.RATE_LIMITED.labels("caller").inc()
            raise TooManyRequests(SLOW_DOWN, retry_after=math.ceil(wait))
    return principal


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request) -> str:
    """The client's address, as far as it can be known (see the module's docstring)."""
    peer = request.client.host if request.client else "unknown"
    networks = _networks(tuple(get_settings().trusted_proxies))
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for value in request.headers.getlist("x-forwarded-for") for h in value.split(",")]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # the proxy forwarded garbage: count the proxy
    return peer


async def limit_address(request: Request) -> None:
    """A dependency: the open routes' budget, per client address."""
    settings = get_settings()
    if settings.rate_limit_anonymous_per_minute:
        address = client_address(request)
        wait = await throttle.hit(
            f"a:{address}", settings.rate_limit_anonymous_per_minute, settings.rate_limit_anonymous_burst
        )
        if wait is not None:
            metrics.RATE_LIMITED.labels("address").inc()
            raise TooManyRequests(SLOW_DOWN, retry_after=math.ceil(wait))
