"""Signing in without stalling intake or locking anyone out (``POST /api/v1/auth/token``).

- **Client address**: :func:`gridgeo.api.deps.client_address` (``X-Forwarded-For`` only from a
  trusted proxy).
- **Per client**: at most :data:`ATTEMPTS_PER_MINUTE` attempts a minute (in this process): 429,
  answered after a pause of up to :data:`TARPIT_S` (no thread held; at most :data:`MAX_TARPIT`
  answers paused at once), so a flooding client makes about one request a second instead of
  hundreds and intake keeps the event loop.
- **Per user name and client**: after ``MAX_FAILED_LOGINS`` failures in a row that client waits
  ``LOCKOUT`` for that name (stored, every worker sees it): 429 with ``Retry-After``. Unknown
  names are counted the same way, so the answers say nothing about which accounts exist; another
  client (the account's owner) can still sign in. ``gridgeo users unlock`` forgets the failures.
- **Per account**: the failures of the last 15 minutes from every client slow each failed
  answer (``asyncio.sleep``: no thread or CPU held), up to :data:`MAX_DELAY_S`.
- **Hashing**: argon2 runs outside every store lock on ``GRIDGEO_LOGIN_HASHES`` dedicated threads
  (:class:`HashPool`) at a lower CPU priority (nice +:data:`HASH_NICE`), so on a busy machine
  intake gets the CPU first; at most that many sign-ins at once (the semaphore of
  :class:`HashGate`), beyond :data:`MAX_WAITING` waiting the answer is 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from gridgeo.access.secrets import issue_token, verify_password
from gridgeo.api.deps import client_address
from gridgeo.api.errors import ApiError
from gridgeo.api.state import service_state
from gridgeo.events.safe_text import text_problem

ATTEMPTS_PER_MINUTE = 10
MAX_WAITING = 16
DELAY_PER_FAILURE_S = 0.1
MAX_DELAY_S = 2.0
TARPIT_S = 1.0
HASH_NICE = 10
MAX_TARPIT = 64


class AttemptLimiter:
    """At most ``limit`` login attempts per client address in any 60 s (in this process)."""

    def __init__(self, limit: int = ATTEMPTS_PER_MINUTE, span_s: float = 60.0):
        self.limit, self.span = limit, span_s
        self._seen: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, client: str) -> float:
        """0 when an attempt is allowed now, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen[client]
            while seen and now - seen[0] > self.span:
                seen.popleft()
            if len(seen) >= self.limit:
                return self.span - (now - seen[0])
            seen.append(now)
            return 0.0


def _lower_priority() -> None:
    """Run this (hashing) thread at nice +HASH_NICE (Linux: per thread; elsewhere nothing)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_NICE)


class HashPool:
    """``size`` dedicated low-priority threads for password checks (never the request thread pool,
    whose threads also serve intake)."""

    def __init__(self, size: int):
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="argon2", initializer=_lower_priority)

    def verify(self, stored_hash: str, password: str) -> bool:
        """:func:`gridgeo.access.secrets.verify_password` on a hashing thread (the caller waits)."""
        return self._pool.submit(verify_password, stored_hash, password).result()


class HashGate:
    """At most ``size`` password checks at once; at most :data:`MAX_WAITING` waiting (then 429)."""

    def __init__(self, size: int):
        self._semaphore = asyncio.Semaphore(size)
        self.hashes = HashPool(size)
        self.waiting = 0

    async def run(self, func: Any, *args: Any) -> Any:
        """``func(*args)`` in a worker thread once a slot is free."""
        if self.waiting >= MAX_WAITING:
            raise _throttled("too many sign-ins at once; try again in 1 s", 1)
        self.waiting += 1
        try:
            await self._semaphore.acquire()
        finally:
            self.waiting -= 1
        try:
            return await run_in_threadpool(func, *args)
        finally:
            self._semaphore.release()


@dataclass
class SignInState:
    """One app's sign-in throttle: the per-client limiter, the hash gate, the paused answers."""

    limiter: AttemptLimiter
    gate: HashGate
    paused: int = 0


def _state(request: Request) -> SignInState:
    """The app's sign-in state (``ServiceState.signin``, made on first use)."""
    service = service_state(request)
    if service.signin is None:
        service.signin = SignInState(AttemptLimiter(), HashGate(service.settings.login_hashes))
    return service.signin


def _throttled(message: str, seconds: float) -> ApiError:
    retry = max(1, int(seconds + 0.999))
    return ApiError(429, message.replace("{s}", str(retry)), headers={"Retry-After": str(retry)})


def _check_name(username: str) -> None:
    problem = text_problem(username)
    if problem:
        raise ApiError(422, f"username: {problem}", [{"field": "username", "message": problem}])


async def sign_in(request: Request, store: Any, username: str, password: str) -> dict:
    """The token answer for a right password; the ApiError to answer otherwise (the rule itself
    is :func:`gridgeo.store.identities.login`, shared with the app)."""
    from gridgeo.store import identities

    _check_name(username)
    client = client_address(request) or "?"
    state = _state(request)
    wait = state.limiter.allow(client)
    if wait:
        await _tarpit(state, wait)
        raise _throttled(f"too many sign-in attempts from {client}; try again in {{s}} s", wait)
    try:
        who = await state.gate.run(identities.login, store, username, password, client, None, state.gate.hashes.verify)
    except identities.LoginRefused as refused:
        raise await _refusal(refused, username, client) from None
    secret = await run_in_threadpool(identities.signing_secret, store)
    access, ttl = issue_token(who, secret)
    return {"access_token": access, "token_type": "bearer", "expires_in": ttl, "role": who.role,
            "scopes": list(who.scopes)}


async def _tarpit(state: SignInState, wait: float) -> None:
    """Pause a throttled answer (up to TARPIT_S, while fewer than MAX_TARPIT are paused)."""
    if state.paused >= MAX_TARPIT:
        return
    state.paused += 1
    try:
        await asyncio.sleep(min(wait, TARPIT_S))
    finally:
        state.paused -= 1


async def _refusal(refused: Any, username: str, client: str) -> ApiError:
    """The answer to a refused sign-in, after the account-wide slow-down."""
    from datetime import UTC, datetime

    await asyncio.sleep(min(MAX_DELAY_S, DELAY_PER_FAILURE_S * max(0, refused.recent - 1)))
    if refused.reason == "locked":
        wait = (refused.until - datetime.now(UTC)).total_seconds() if refused.until else 60
        return _throttled(f"too many failed sign-ins for {username} from {client}; try again in {{s}} s "
                          "or ask an admin (gridgeo users unlock)", wait)
    if refused.reason == "disabled":
        return ApiError(403, f"user {username} is disabled; ask an admin (gridgeo users enable)")
    return ApiError(401, "wrong user name or password", headers={"WWW-Authenticate": "Bearer"})
