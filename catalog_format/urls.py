"""The one rule for a shop link: what the server accepts, the Buy button opens and the kiosk's QR code encodes.

Python's `urlsplit` and a browser's WHATWG parser disagree on odd URLs: `https://evil.example\\@shop.com/`
is host `shop.com` to `urlsplit` and `evil.example` to a browser (which reads `\\` as `/`). So instead of
parsing leniently and checking the host, a URL must be in a plain form on which every parser agrees: scheme
`https://` (or `http://` where allowed), a host of DNS labels, no user info, no port, and then only RFC 3986
characters (percent-encoded where needed) with no backslash, space, control or non-ASCII character. Everything
else is refused with a reason, never repaired.
"""

from __future__ import annotations

import re

MAX_URL_CHARS = 2000
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TAIL = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")  # RFC 3986 characters, nothing else
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _host_problem(host: str) -> str | None:
    if not host:
        return "has no host"
    if "@" in host:
        return "contains user info (user:password@ before the host): refused, browsers read it differently"
    if ":" in host:
        return "names a port: only the default port is allowed"
    labels = host.lower().split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return "has a host that is not a plain DNS name (letters, digits, hyphens and dots)"
    if not labels[-1][0].isalpha():
        return "has a numeric host: a shop link needs a DNS name"
    return None


def _split(url: object, schemes: tuple[str, ...]) -> tuple[str, str] | str:
    """(lower-case host, rest) of an acceptable URL, or the reason it is refused."""
    if not isinstance(url, str):
        return "is not text"
    if len(url) > MAX_URL_CHARS:
        return f"is longer than {MAX_URL_CHARS} characters"
    if "\\" in url:
        return "contains a backslash (browsers read it as '/', which can change the host)"
    if not url.isascii() or not url.isprintable() or " " in url:
        return "contains spaces, control or non-ASCII characters (percent-encode them)"
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in schemes:
        return "is not an http(s) address" if set(schemes) == {"http", "https"} else f"is not an {schemes[0]} address"
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    host, tail = rest[:cut], rest[cut:]
    problem = _host_problem(host)
    if problem:
        return problem
    if not _TAIL.match(tail) or _BAD_PERCENT.search(tail):
        return "contains characters that must be percent-encoded"
    return host.lower(), tail


def url_problem(url: object, *, schemes: tuple[str, ...] = ("https", "http")) -> str | None:
    """Why `url` is not an acceptable link (a phrase to follow the URL in a sentence), or None when it is."""
    parts = _split(url, schemes)
    return parts if isinstance(parts, str) else None


def buy_url_problem(url: object) -> str | None:
    """The check the Buy button and the kiosk's QR code make before opening or encoding a product's link.

    None means the link may be opened or encoded as it is; otherwise the reason it may not be.
    """
    return url_problem(url)


def https_host(url: str) -> str:
    """The lower-case host of an https link that passes the rule; ValueError (with the reason) otherwise."""
    parts = _split(url, ("https",))
    if isinstance(parts, str):
        raise ValueError(f"url {quoted(url)} {parts}")
    return parts[0]


def quoted(value: str, limit: int = 80) -> str:
    """repr() of a value, cut so that an error message stays short whatever was sent."""
    return repr(value if len(value) <= limit else value[:limit] + "…")
