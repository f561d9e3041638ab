"""What the hub asks of browsers, and when it trusts a browser's request.

Plain rules (no HTTP here); ``hub/api/browser.py`` applies them to every request.

- Every response carries the same protective headers: a Content-Security-Policy that
  allows only the hub's own scripts, styles, fonts and connections and forbids
  framing, ``nosniff``, and a Referrer-Policy that sends nothing to other sites.
  Other sites embed the widget with a ``<script>`` tag, never a frame, so
  ``frame-ancestors 'none'`` does not stop them.
- A request that changes something and carries the advisors' cookie must come from
  the hub's own pages: browsers name the page's origin in ``Origin`` on every such
  request. SameSite alone does not cover this: a page on a sibling host of the same
  site (any other ``*.nav.no``) is "same-site" and gets the cookie sent along.
"""

from __future__ import annotations

from urllib.parse import urlsplit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # Aksel's CSS draws a few icons with data: URLs.
        "img-src 'self' data:",
        "font-src 'self'",
        # 'self' covers the hub's own ws:// and wss:// too.
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)

# Nav's widget (the /frida page) as published: styled-components writes <style> elements
# and React style attributes, and its CSS inlines fonts as data: URLs. Only that page.
FRIDA_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
).replace("font-src 'self'", "font-src 'self' data:")

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # "same-origin", not "no-referrer": with no-referrer a browser sends "Origin: null"
    # on the hub's own POSTs (Fetch standard), and the origin check below needs it.
    "Referrer-Policy": "same-origin",
    # For browsers older than frame-ancestors.
    "X-Frame-Options": "DENY",
}

# Only over TLS (a browser ignores it over plain HTTP, and it must not pin a demo on
# http://localhost to HTTPS).
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def host_of(url: str) -> str:
    """``host[:port]`` of an origin or URL, lower case ("" for ``null`` or garbage)."""
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def same_origin(url: str, own_host: str) -> bool:
    """``url`` (an ``Origin`` or ``Referer``) names the hub itself.

    Hosts are compared, not schemes: behind a proxy that ends TLS the hub itself is
    asked over http while the browser's page is https.
    """
    host = host_of(url)
    return bool(host) and host == own_host.lower()


def foreign_request(
    method: str, origin: str | None, referer: str | None, own_host: str, has_cookie: bool
) -> bool:
    """A request that changes something and may have been sent by another site's page.

    - Safe methods (GET, HEAD, OPTIONS) change nothing: never foreign.
    - ``Origin`` present (browsers send it on every POST, PUT and DELETE): it must be
      the hub's own; ``null`` (a sandboxed frame, a redirect) is not.
    - No ``Origin`` and no advisor cookie: not a browser riding on a login (a script
      with its own ``Authorization``, the bot, a health check).
    - No ``Origin`` but the cookie: an old browser; its ``Referer`` must be the hub's.
    """
    if method.upper() in SAFE_METHODS:
        return False
    if origin is not None:
        return not same_origin(origin, own_host)
    if not has_cookie:
        return False
    return referer is None or not same_origin(referer, own_host)


def foreign_websocket(origin: str | None, own_host: str) -> bool:
    """A WebSocket handshake from another site's page (no ``Origin``: not a browser)."""
    return origin is not None and not same_origin(origin, own_host)


def secure_cookies(forced: bool, scheme: str) -> bool:
    """Cookies get ``Secure`` when the setting says so or the browser came over TLS
    (``scheme`` as the server saw it, a trusted proxy's ``X-Forwarded-Proto`` included)."""
    return forced or scheme in {"https", "wss"}
