"""A tampering HTTP proxy on loopback, between a real sync client and a real sync server.

It forwards each GET to the server and hands the answer to `rewrite(path_and_query, status, body)`, which may
return another status and body: a replayed old snapshot, a forged cursor, a malformed product. What the proxy
cannot do is sign: that is the point of the tests that use it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

Rewrite = Callable[[str, int, bytes], tuple[int, bytes, dict[str, str]]]


def passthrough(_path: str, status: int, body: bytes) -> tuple[int, bytes, dict[str, str]]:
    return status, body, {}


class TamperingProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.rewrite: Rewrite = passthrough
        self.requests: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                proxy.requests.append(self.path)
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "if-none-match")}
                answer = requests.get(proxy.upstream + self.path, headers=headers | {"Accept-Encoding": "identity"},
                                      allow_redirects=False, timeout=30)
                status, body, extra = proxy.rewrite(self.path, answer.status_code, answer.content)
                self.send_response(status)
                for name in ("Content-Type", "ETag", "Location", "Retry-After"):
                    if name in answer.headers and name not in extra:
                        self.send_header(name, answer.headers[name])
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
