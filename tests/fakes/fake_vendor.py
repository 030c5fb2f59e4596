#!/usr/bin/env python3
"""A fake vendor API on loopback for abmd's HTTP tests.

Usage: fake_vendor.py PORT_FILE   (binds 127.0.0.1 on a free port and writes the port to PORT_FILE)

Answers the way vendors document, including their failures: paged HubSpot v3 lists
(paging.next.after, no "paging" on the last page), Salesforce query batches (done /
nextRecordsUrl), 429 with Retry-After in seconds or as an HTTP date and HubSpot's 429 body, a 5xx
burst, a slow answer, a truncated body, an HTML error page and malformed JSON. GET /stats returns
how many requests each path got, and the User-Agent and Accept-Encoding last seen.
"""
import email.utils
import threading
import time
from urllib.parse import parse_qs, urlparse

from fakehttp import JsonHandler, parse_args, serve

counts = {}
seen = {}
lock = threading.Lock()
# OAuth: HubSpot-style token endpoint that rotates refresh tokens on every refresh.
oauth = {"refresh": "rt-1", "access": None, "issued": 0}


class Handler(JsonHandler):
    def do_GET(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        key = url.path + ("?" + q["id"][0] if "id" in q else "")
        with lock:
            counts[key] = counts.get(key, 0) + 1
            n = counts[key]
            seen["user_agent"] = self.headers.get("User-Agent", "")
            seen["accept_encoding"] = self.headers.get("Accept-Encoding", "")
        p = url.path
        if p == "/stats":
            return self.send_json(200, {"counts": counts, **seen})
        if p == "/reset-oauth":  # back to the first refresh token, for independent tests
            with lock:
                oauth.update({"refresh": "rt-1", "access": None, "issued": 0})
            return self.send_json(200, {})
        if p == "/expire-tokens":  # the vendor expires every access token it issued
            with lock:
                oauth["access"] = None
            return self.send_json(200, {})
        if p in ("/crm/v3/objects/contacts", "/always-401"):
            auth = self.headers.get("Authorization", "")
            with lock:
                good = p != "/always-401" and oauth["access"] is not None and auth == "Bearer " + oauth["access"]
            if not good:
                return self.send_json(401, {
                    "status": "error", "message": "The OAuth token used to make this call expired.",
                    "correlationId": "d1e5", "category": "EXPIRED_AUTHENTICATION"})
            return self.send_json(200, {"results": [{"id": "501", "properties": {"email": "jo@acme.com"}}]})
        if p == "/ok":
            gz = "gzip" in self.headers.get("Accept-Encoding", "")
            return self.send_json(200, {"hello": "world"}, gzip_body=gz)
        if p == "/flaky":  # two 503s, then success
            if n <= 2:
                return self.send_json(503, {"status": "error", "message": "Service Unavailable"})
            return self.send_json(200, {"attempt": n})
        if p == "/always-500":
            return self.send_json(500, {"message": "internal error"})
        if p == "/rate":  # HubSpot's ten-secondly limit, once
            if n == 1:
                return self.send_json(429, {
                    "status": "error", "message": "You have reached your ten_secondly_rolling limit.",
                    "errorType": "RATE_LIMIT", "correlationId": "c0ffee", "policyName": "TEN_SECONDLY_ROLLING"},
                    headers={"Retry-After": "1", "X-HubSpot-RateLimit-Max": "100",
                             "X-HubSpot-RateLimit-Remaining": "0"})
            return self.send_json(200, {"attempt": n})
        if p == "/rate-date":
            if n == 1:
                when = email.utils.formatdate(time.time() + 2, usegmt=True)
                return self.send_json(429, {"message": "slow down"}, headers={"Retry-After": when})
            return self.send_json(200, {"attempt": n})
        if p == "/not-found":
            return self.send_json(404, {"status": "error", "message": "Object not found", "category": "OBJECT_NOT_FOUND"})
        if p == "/slow":
            time.sleep(3)
            return self.send_json(200, {"late": True})
        if p == "/truncated":
            return self.send_raw(200, b'{"results": [{"id": "1"}', content_length=1000, close=True)
        if p == "/html":
            return self.send_raw(502 if "status" not in q else int(q["status"][0]),
                                 b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        if p == "/bad-json":
            return self.send_raw(200, b'{"results": [1, 2,')
        if p == "/crm/v3/objects/companies":  # three pages of HubSpot companies
            after = int(q.get("after", ["0"])[0])
            results = [{"id": str(after + i), "properties": {"name": f"Company {after + i}"},
                        "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-02T00:00:00Z",
                        "archived": False} for i in range(1, 3)]
            page = {"results": results}
            if after < 4:
                nxt = str(after + 2)
                page["paging"] = {"next": {"after": nxt,
                                           "link": f"http://{self.headers['Host']}/crm/v3/objects/companies?after={nxt}"}}
            return self.send_json(200, page)
        if p.startswith("/services/data/v59.0/query"):  # Salesforce: two batches
            if p.endswith("/01gD0000002HU6KIAW-2000"):
                return self.send_json(200, {"totalSize": 3, "done": True, "records": [
                    {"attributes": {"type": "Account", "url": "/services/data/v59.0/sobjects/Account/003"},
                     "Id": "003", "Name": "Three"}]})
            return self.send_json(200, {"totalSize": 3, "done": False,
                                        "nextRecordsUrl": "/services/data/v59.0/query/01gD0000002HU6KIAW-2000",
                                        "records": [
                                            {"attributes": {"type": "Account", "url": "/services/data/v59.0/sobjects/Account/001"},
                                             "Id": "001", "Name": "One"},
                                            {"attributes": {"type": "Account", "url": "/services/data/v59.0/sobjects/Account/002"},
                                             "Id": "002", "Name": "Two"}]})
        return self.send_json(404, {"message": "no such path " + p})


    def do_POST(self):
        url = urlparse(self.path)
        form = {k: v[0] for k, v in parse_qs(self.read_body().decode()).items()}
        with lock:
            counts[url.path] = counts.get(url.path, 0) + 1
        if url.path != "/oauth/v1/token":
            return self.send_json(404, {"message": "no such path"})
        if form.get("grant_type") != "refresh_token" or form.get("client_id") != "cid" \
                or form.get("client_secret") != "csecret-XYZ":
            return self.send_json(400, {"status": "BAD_CLIENT_ID", "error": "invalid_client",
                                        "error_description": "missing or unknown client id"})
        with lock:
            if form.get("refresh_token") != oauth["refresh"]:
                return self.send_json(400, {"status": "BAD_REFRESH_TOKEN", "error": "invalid_grant",
                                            "error_description": "missing or unknown refresh token"})
            oauth["issued"] += 1
            oauth["access"] = "at-%d" % oauth["issued"]
            oauth["refresh"] = "rt-%d" % (oauth["issued"] + 1)
            return self.send_json(200, {"token_type": "bearer", "refresh_token": oauth["refresh"],
                                        "access_token": oauth["access"], "expires_in": 1800})


if __name__ == "__main__":
    args = parse_args(__doc__)
    serve(Handler, args.port_file)
