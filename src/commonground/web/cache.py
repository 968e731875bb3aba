"""Rendered pages and API answers, cached by URL and data version.

The data changes only in write transactions, each of which bumps the store's
version; a response is therefore valid until the version moves. Every cacheable
answer carries an ETag built from the version, so a browser on a slow link
revalidates with a 304 instead of downloading the page again.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from threading import Lock

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

CACHEABLE_PREFIXES = ("/en/", "/zh/", "/zh-Hant/", "/api/v1/")
MAX_ENTRIES = 1024
MAX_BODY = 4 << 20


class PageCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[
            tuple[int, str], tuple[int, bytes, list[tuple[bytes, bytes]]]
        ] = OrderedDict()
        self._lock = Lock()
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        # One computation per key at a time: concurrent misses wait for the first.
        self.computing: dict[tuple[int, str], asyncio.Lock] = {}

    def get(self, key: tuple[int, str]):  # type: ignore[no-untyped-def]
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return entry

    def put(self, key: tuple[int, str], entry) -> None:  # type: ignore[no-untyped-def]
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


def _etag(version: int, url: str) -> str:
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return f'W/"{version}-{digest}"'


SESSION_COOKIE = "cg_session"


def _personal(request: Request) -> bool:
    """A signed-in request may see restricted records: never served from the cache."""
    return bool(request.headers.get("authorization") or request.cookies.get(SESSION_COOKIE))


def _private(response: Response) -> bool:
    """A page marked private or no-store (forms with a CSRF token) is never cached."""
    control = response.headers.get("cache-control", "")
    return "no-store" in control or "private" in control


def install(app) -> None:  # type: ignore[no-untyped-def]
    cache = PageCache()
    app.state.page_cache = cache

    @app.middleware("http")
    async def cached(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        page_twin = path.endswith((".csv", ".json")) and not path.startswith("/api/")
        if (
            request.method != "GET"
            or not path.startswith(CACHEABLE_PREFIXES)
            or page_twin
            or _personal(request)
        ):
            return await call_next(request)
        version = await run_in_threadpool(app.state.store.version)
        url = f"{path}?{request.url.query}"
        etag = _etag(version, url)
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        key = (version, url)
        entry = cache.get(key)
        if entry is None:
            lock = cache.computing.get(key)
            if lock is None:  # the first miss renders; no await since the lookup above
                lock = cache.computing[key] = asyncio.Lock()
                async with lock:
                    try:
                        return await _compute(request, call_next, cache, key, etag)
                    finally:
                        cache.computing.pop(key, None)
            async with lock:  # later misses wait for it, then use what it cached
                pass
            entry = cache.get(key)
            if entry is None:  # not cacheable (an error, a download): render it here
                return await _compute(request, call_next, cache, key, etag)
        status, body, headers = entry
        response = Response(content=body, status_code=status)
        response.raw_headers = [*headers, (b"content-length", str(len(body)).encode())]
        return response


async def _compute(  # type: ignore[no-untyped-def]
    request: Request, call_next, cache: PageCache, key: tuple[int, str], etag: str
) -> Response:
    """Render the response; keep it in the cache when it is a cacheable 200."""
    response = await call_next(request)
    if (
        response.status_code != 200
        or "text/csv" in response.headers.get("content-type", "")
        or _private(response)
    ):
        return response
    chunks = [chunk async for chunk in response.body_iterator]  # type: ignore[attr-defined]
    body = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks)
    headers = [
        (k, v) for k, v in response.raw_headers if k.lower() not in (b"content-length", b"etag")
    ]
    headers += [(b"etag", etag.encode()), (b"cache-control", b"no-cache")]
    if len(body) <= MAX_BODY:
        cache.put(key, (200, body, headers))
    fresh = Response(content=body, status_code=200)
    fresh.raw_headers = headers + [(b"content-length", str(len(body)).encode())]
    return fresh
