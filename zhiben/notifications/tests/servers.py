"""Real local servers for sender tests: an SMTP server (aiosmtpd) and an HTTP webhook (http.server),
both on 127.0.0.1 and stopped when the test ends. No test ever reaches the outside network."""

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """An SMTP server keeping every message it accepts in `messages` (parsed email.message objects)."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.envelopes = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                outer.envelopes.append(envelope)
                outer.messages.append(
                    email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
                )
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class WebhookServer:
    """An HTTP server answering every POST with `answer` (JSON) and keeping the JSON bodies it got."""

    def __init__(self, answer=None, status=200):
        self.requests = []
        self.answer = {"errcode": 0, "errmsg": "ok"} if answer is None else answer
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                outer.requests.append(
                    {
                        "path": self.path,
                        "json": json.loads(body.decode("utf-8")),
                        "content_type": self.headers.get("Content-Type"),
                    }
                )
                payload = json.dumps(outer.answer).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=test"

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
