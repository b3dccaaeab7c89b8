"""API throttles: per user when signed in, per address when anonymous, and a
tighter one on the sign-in endpoint.

Rates are read from ``settings.CICA_THROTTLE_RATES`` at each request (DRF
copies its own setting once at import, which tests and operators cannot
change later); a rate of ``None`` turns that throttle off. The counters live
in the default cache (Redis when ``REDIS_URL`` is set, so every process
shares them). If the cache is down the request is let through and logged:
a throttle must not turn a Redis outage into an API outage.

The rule is DRF's (``SimpleRateThrottle``): a sliding log of the times of the
requests let through in the last period; a request is refused when the log
already holds the rate's number, and a refused request is not logged. DRF
keeps the log as one pickled list, read and written whole (two round trips
to Redis per throttle, and a list as long as the rate: thousands of entries
for a busy client). With Redis the same list is a Redis list that one
script (``_SLIDING_LOG``) trims, counts and appends to, for every scope of a
request in one round trip (issue 18 target 2); any other cache keeps DRF's
pickled list.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import NoScriptError
from rest_framework import throttling

from .client import client_address

log = logging.getLogger(__name__)

# KEYS: one log per scope, a Redis list of times, newest first (DRF's list,
# kept by Redis instead of pickled). ARGV: now, then per key its limit, its
# period in seconds and the time at or before which a request has left the
# period. Answers per key {1 if let through, the log's length, its oldest
# time ("" if empty)}.
_SLIDING_LOG = """
local now = ARGV[1]
local answers = {}
for i, key in ipairs(KEYS) do
  local limit, period, since = tonumber(ARGV[3 * i - 1]), ARGV[3 * i], tonumber(ARGV[3 * i + 1])
  -- A key left by DRF's pickled list (before this script) is not a log: start anew.
  local kind = redis.call('TYPE', key)['ok']
  if kind ~= 'list' and kind ~= 'none' then redis.call('DEL', key) end
  while true do
    local oldest = redis.call('LINDEX', key, -1)
    if not oldest or tonumber(oldest) > since then break end
    redis.call('RPOP', key)
  end
  local count = redis.call('LLEN', key)
  if count < limit then
    redis.call('LPUSH', key, now)
    redis.call('EXPIRE', key, period)
    answers[i] = {1, count + 1, ''}
  else
    answers[i] = {0, count, redis.call('LINDEX', key, -1) or ''}
  end
end
return answers
"""
_SLIDING_LOG_SHA = hashlib.sha1(_SLIDING_LOG.encode()).hexdigest()
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass
class _Count:
    """One scope's log for one request: what DRF's ``wait()`` needs."""

    key: str
    limit: int
    period: int
    allowed: bool = True
    length: int = 0
    oldest: float | None = None

    def wait(self, now: float) -> float | None:
        """DRF's advice: the time left until the oldest request leaves the
        period, shared among the requests still allowed in it."""
        remaining = self.period - (now - self.oldest) if self.oldest is not None else self.period
        available = self.limit - self.length + 1
        return remaining / available if available > 0 else None


def _script_client(cache: RedisCache):
    """The Redis client that runs the script. Django's RedisCache has no
    public door to a script, only its client's ``get_client()``, which builds
    a new ``redis.Redis`` at every call (its response callbacks: ~60 µs, a
    third of the throttles' time per request, make bench). One client per
    cache backend serves every request of its thread (Django keeps a cache
    backend per thread; the client's pool reconnects after a fork)."""
    backend = cache._cache
    client = backend.__dict__.get("_cica_script_client")
    if client is None:
        client = backend.__dict__["_cica_script_client"] = backend.get_client(write=True)
    return client


def _count(counts: list[_Count], now: float) -> None:
    """Log this request in each count's scope that still has room, and fill in
    each count's verdict: with Redis, one round trip for all of them."""
    cache = caches["default"]  # the backend itself (django.core.cache.cache is a proxy)
    if isinstance(cache, RedisCache) and counts:
        keys = [cache.make_key(c.key) for c in counts]
        argv: list[str | int] = [repr(now)]
        for c in counts:
            # DRF drops the times at or before now - period.
            argv += [c.limit, c.period, repr(now - c.period)]
        client = _script_client(cache)
        try:
            answers = client.evalsha(_SLIDING_LOG_SHA, len(keys), *keys, *argv)
        except NoScriptError:  # the first request after Redis (re)started
            answers = client.eval(_SLIDING_LOG, len(keys), *keys, *argv)
        for c, (allowed, length, oldest) in zip(counts, answers, strict=True):
            c.allowed, c.length = bool(allowed), int(length)
            c.oldest = float(oldest) if oldest else None
        return
    for c in counts:  # DRF's list, in any other cache (LocMemCache in tests)
        history = [t for t in cache.get(c.key, []) if t > now - c.period]
        c.allowed = len(history) < c.limit
        if c.allowed:
            history.insert(0, now)
            cache.set(c.key, history, c.period)
        c.length, c.oldest = len(history), (history[-1] if history else None)


def _rate(scope: str) -> tuple[int, int] | None:
    rate = settings.CICA_THROTTLE_RATES.get(scope)
    if rate is None:
        return None
    number, period = rate.split("/")  # DRF's syntax: "600/min"
    return int(number), _PERIODS[period[0]]


class _Throttle(throttling.BaseThrottle):
    """Counts a request in each scope that ``counts()`` names, in one go."""

    cache_format = "throttle_%(scope)s_%(ident)s"

    def counts(self, request) -> list[_Count]:
        raise NotImplementedError

    def get_ident(self, request):
        # Not DRF's: without NUM_PROXIES it keys on the whole X-Forwarded-For,
        # which the client writes (issue 13 item 14).
        return client_address(request)

    def count(self, scope: str, ident) -> list[_Count]:
        rate = _rate(scope)
        if rate is None:
            return []
        key = self.cache_format % {"scope": scope, "ident": ident}
        return [_Count(key=key, limit=rate[0], period=rate[1])]

    def allow_request(self, request, view):
        self.now = time.time()
        self.refused: list[_Count] = []
        try:
            counts = self.counts(request)
            if counts:
                _count(counts, self.now)
        except Exception:  # a broken cache must not refuse the request
            log.warning("throttle cache unavailable; request let through", exc_info=True)
            return True
        self.refused = [c for c in counts if not c.allowed]
        return not self.refused

    def wait(self):
        # As DRF does across throttles: the longest wait of the scopes refused.
        waits = [w for c in self.refused if (w := c.wait(self.now)) is not None]
        return max(waits, default=None)


def _anonymous(request) -> bool:
    return not (request.user and request.user.is_authenticated)


class ApiThrottle(_Throttle):
    """Every API view's: the anonymous scope per address, and the user scope
    per user (per address for an anonymous request, as DRF's
    UserRateThrottle counts it), checked together."""

    def counts(self, request):
        anonymous = _anonymous(request)
        if anonymous:
            address = self.get_ident(request)
            return self.count("anon", address) + self.count("user", address)
        return self.count("user", request.user.pk)


class AnonThrottle(_Throttle):
    """The anonymous scope alone (ApiThrottle holds it with the user scope)."""

    def counts(self, request):
        return self.count("anon", self.get_ident(request)) if _anonymous(request) else []


class UserThrottle(_Throttle):
    """The user scope alone (ApiThrottle holds it with the anonymous scope)."""

    def counts(self, request):
        ident = self.get_ident(request) if _anonymous(request) else request.user.pk
        return self.count("user", ident)


class SignInThrottle(_Throttle):
    """Per address, signed in or not: guessing passwords through the API is
    slowed here, and locked out after repeated failures by django-axes."""

    def counts(self, request):
        return self.count("signin", self.get_ident(request))
