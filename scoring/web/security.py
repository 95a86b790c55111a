"""The page's defences, built from kept middleware (docs/style.md, "The web layer"):

- Starlette's `TrustedHostMiddleware`: any Host header other than 127.0.0.1/localhost is
  refused, so a web site cannot reach the page through DNS rebinding.
- `asgi-csrf`: a double-submit cookie (`csrftoken`, signed) compared with the hidden form field
  of every form, multipart uploads included (the token must come before the files; every form
  here puts it first). asgi-csrf lets a POST without any cookie through unless its path is in
  `always_protect`; a cross-site form post carries no SameSite=Lax cookie, so every path is
  protected here.
- `RequestGuard`: a POST must say its length (Content-Length) and stay within the upload
  limits, and a multipart body must name its boundary (asgi-csrf would fail on one without).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from scoring.web.config import WebConfig

ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
Message = MutableMapping[str, Any]


class _EveryPath:
    """A path set that holds every path: asgi-csrf checks every POST, cookie or not."""

    def __contains__(self, path: object) -> bool:
        return True


async def _plain(send: Send, status: int, text: str) -> None:
    body = (f"<!doctype html><html lang=zh-CN><meta charset=utf-8><title>请求被拒绝</title>"
            f"<p>{text}</p><p><a href=\"/\">返回首页</a></p></html>").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def csrf_failed(scope: Scope, send: Callable[[Message], Awaitable[None]], reason: object) -> None:
    """asgi-csrf's answer to a form without a valid token, in Chinese."""
    await _plain(send, 403, "页面已过期或来源不明，表单未提交。请返回上一页，刷新后重新提交。")


class RequestGuard:
    """Refuse a POST without Content-Length, larger than the upload limits, or multipart
    without a boundary — before anything reads the body."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in {"GET", "HEAD", "OPTIONS"}:
            headers = dict(scope.get("headers") or [])
            length = headers.get(b"content-length", b"")
            if not length.isdigit():
                await _plain(send, 411, "请求没有注明长度，未处理。")
                return
            if int(length) > self.max_bytes:
                limit = self.max_bytes // (1024 * 1024)
                await _plain(send, 413, f"上传的文件太大（合计超过 {limit} MB），未处理。")
                return
            kind = headers.get(b"content-type", b"")
            if kind.startswith(b"multipart/form-data") and b"; boundary=" not in kind:
                await _plain(send, 400, "上传的表单格式不对，未处理。")
                return
        await self.app(scope, receive, send)


def middleware(config: WebConfig) -> list[Middleware]:
    """The middleware stack, outermost first."""
    from asgi_csrf import asgi_csrf

    return [
        Middleware(TrustedHostMiddleware, allowed_hosts=ALLOWED_HOSTS),
        Middleware(RequestGuard, max_bytes=config.max_request_bytes),
        Middleware(asgi_csrf, signing_secret=config.secret, always_protect=_EveryPath(),
                   send_csrf_failed=csrf_failed, cookie_samesite="Strict"),
    ]
