"""Close's side of the fake vendor server: the REST API v1 as Close documents it, the parts the
shipped declarative connector (connectors_config/examples/close.json) reads.

  GET /api/v1/lead/?_skip=&_limit=                          leads (companies)
  GET /api/v1/contact/?_skip=&_limit=                       contacts, each on its lead_id
  GET /api/v1/opportunity/?_skip=&_limit=&date_updated__gte=&_order_by=
                                                            opportunities, value in cents
      {"data": [...], "has_more": bool}; _limit above 100 is a 400.
HTTP Basic with the API key as the user name and an empty password. Errors are {"error": ...}:
401 for a bad key; 429 {"error": {"rate_reset", "message", "rate_limit", "rate_limit_type",
"rate_window"}} with the ratelimit and Retry-After headers (fault kind "close-429").
"""
import base64

CLOSE_KEY = "api_4TestKeyOfCloseAbcdef"


def t(day, hh="10"):
    return "2024-01-%02dT%s:00:00.000000+00:00" % (day, hh)


def seed(params):
    leads = [{"id": "lead_a1", "display_name": "Acme Inc", "name": "Acme Inc", "url": "https://acme.example.com",
              "status_label": "Customer", "date_created": t(2), "date_updated": t(3)},
             {"id": "lead_b2", "display_name": "Bluth Co", "name": "Bluth Co", "url": "http://www.bluth.com/",
              "status_label": "Potential", "date_created": t(2), "date_updated": t(4)},
             {"id": "lead_c3", "display_name": "Cyberdyne", "name": "Cyberdyne", "url": None,
              "status_label": "Potential", "date_created": t(2), "date_updated": t(5)}]
    for i in range(params.get("close_extra_leads", 0)):
        leads.append({"id": "lead_x%d" % i, "display_name": "Extra %d" % i, "name": "Extra %d" % i,
                      "url": "https://extra%d.com" % i, "status_label": "Potential", "date_created": t(6),
                      "date_updated": t(6)})
    contacts = [{"id": "cont_1", "lead_id": "lead_a1", "name": "Ann Smith", "title": "CTO",
                 "emails": [{"type": "office", "email": "ann@acme.example.com"}], "date_created": t(3), "date_updated": t(3)},
                {"id": "cont_2", "lead_id": "lead_b2", "name": "Gob Bluth", "title": "Magician",
                 "emails": [], "date_created": t(4), "date_updated": t(4)},
                # An address Close accepted that is no address: the mapping keeps it, the host refuses it.
                {"id": "cont_3", "lead_id": "lead_c3", "name": "Miles Dyson", "title": "Engineer",
                 "emails": [{"type": "office", "email": "miles at cyberdyne"}], "date_created": t(5), "date_updated": t(5)}]
    opportunities = [
        {"id": "oppo_1", "lead_id": "lead_a1", "lead_name": "Acme Inc", "status_type": "won", "status_label": "Won",
         "value": 500000, "value_currency": "USD", "value_period": "one_time", "confidence": 100,
         "date_won": "2024-01-20", "date_created": t(10), "date_updated": t(20), "note": ""},
        {"id": "oppo_2", "lead_id": "lead_b2", "lead_name": "Bluth Co", "status_type": "active",
         "status_label": "Proposal", "value": 125050, "value_currency": "USD", "value_period": "one_time",
         "confidence": 50, "date_won": None, "date_created": t(11), "date_updated": t(21), "note": ""},
        {"id": "oppo_3", "lead_id": "lead_c3", "lead_name": "Cyberdyne", "status_type": "lost", "status_label": "Lost",
         "value": 0, "value_currency": "USD", "value_period": "one_time", "confidence": 0,
         "date_won": None, "date_created": t(12), "date_updated": t(22), "note": ""}]
    return {"lead": leads, "contact": contacts, "opportunity": opportunities, "keys": {CLOSE_KEY}}


def update(close, req):
    """{"vendor": "close", "object": "opportunity", "id": ..., "set": {...}} changes a record (or adds it)."""
    for rec in close[req["object"]]:
        if rec["id"] == req["id"]:
            rec.update(req["set"])
            return
    close[req["object"]].append(dict(req["set"], id=req["id"]))


FAULTS = {
    "close-429": lambda h: h.send_json(429, {"error": {
        "rate_reset": 1.0, "message": "API call count exceeded for this 15 second window", "rate_limit": 240,
        "rate_limit_type": "key", "rate_window": 15}},
        headers={"Retry-After": "1", "ratelimit": "limit=240, remaining=0, reset=1"}),
}


class CloseApi:
    """A mixin for the request handler: self.send_json comes from JsonHandler."""

    def close(self, close, p, q):
        auth = self.headers.get("Authorization", "")
        user = ""
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode(errors="replace").partition(":")
        if user not in close["keys"]:
            return self.send_json(401, {"error": "Unauthorized"})
        kind = p[len("/api/v1/"):].strip("/")
        if kind not in ("lead", "contact", "opportunity"):
            return self.send_json(404, {"error": "Not found"})
        skip = int(q.get("_skip", "0"))
        limit = int(q.get("_limit", "100"))
        if limit > 100:
            return self.send_json(400, {"error": "The maximum _limit for this endpoint is 100"})
        rows = list(close[kind])
        if kind == "opportunity":
            since = q.get("date_updated__gte")
            if since:
                # Close compares times; the fake compares the UTC texts, which sort as times do.
                since = since.replace("Z", "").replace("+00:00", "")
                rows = [r for r in rows if r["date_updated"][:19] >= since[:19]]
            if q.get("_order_by") == "date_updated":
                rows.sort(key=lambda r: r["date_updated"])
        self.send_json(200, {"data": rows[skip:skip + limit], "has_more": skip + limit < len(rows)})
