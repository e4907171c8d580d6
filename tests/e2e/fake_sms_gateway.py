#!/usr/bin/env python3
"""A stand-in SMS gateway on loopback for t_notify.sh: refuses the first FAILS tries of each
message id with 503, then takes it (200). Every try goes to TRIES (one JSON line each, with
the answer given), every taken message to TAKEN. Prints its port on stdout, then serves
until killed."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

FAILS, TRIES, TAKEN = int(sys.argv[1]), sys.argv[2], sys.argv[3]
seen = {}


class Gateway(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            msg = json.loads(body)
            key = msg["id"]
        except (ValueError, KeyError, TypeError):
            self.send_response(400)
            self.end_headers()
            return
        seen[key] = seen.get(key, 0) + 1
        status = 503 if seen[key] <= FAILS else 200
        with open(TRIES, "a") as f:
            f.write(json.dumps({"status": status, "msg": msg}) + "\n")
        if status == 200:
            with open(TAKEN, "a") as f:
                f.write(json.dumps(msg) + "\n")
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


srv = HTTPServer(("127.0.0.1", 0), Gateway)
print(srv.server_address[1], flush=True)
srv.serve_forever()
