"""What abmd's fake vendor servers share: JSON answers, raw answers, and serving on a free port."""
import argparse
import gzip
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JsonHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_raw(self, status, body, content_type="application/json;charset=utf-8", headers=None,
                 content_length=None, close=False):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if content_length is None else content_length))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if close:
            self.close_connection = True

    def send_json(self, status, obj, headers=None, gzip_body=False):
        body = json.dumps(obj).encode()
        headers = dict(headers or {})
        if gzip_body:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self.send_raw(status, body, headers=headers)

    def read_body(self):
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length) if length else b""


def parse_args(doc):
    """The fakes' command line: one PORT_FILE, with --help from the module's docstring."""
    summary, _, details = (doc or "").strip().partition("\n")
    parser = argparse.ArgumentParser(description=summary, epilog=details,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("port_file", metavar="PORT_FILE",
                        help="file to write the bound port to, once the server listens on 127.0.0.1")
    return parser.parse_args()


def serve(handler_class, port_file):
    """Binds 127.0.0.1 on a free port, writes the port to port_file (atomically) and serves."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    server.daemon_threads = True
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()
