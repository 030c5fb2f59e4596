"""Pipedrive's side of the fake vendor server: API v1 as Pipedrive documents it, the parts the
shipped declarative connector (connectors_config/examples/pipedrive.json) reads.

  GET /api/v1/recents?since_timestamp=YYYY-MM-DD HH:MM:SS&items=organization|person|deal&start=&limit=
      {"success": true, "data": [{"item": "deal", "id": 7, "data": {...the deal...}}, ...],
       "additional_data": {"since_timestamp", "last_timestamp_on_page",
                           "pagination": {"start", "limit", "more_items_in_collection", "next_start"}}}
      Changes at or after since_timestamp (UTC, no zone, as Pipedrive writes every time), oldest first;
      since_timestamp is required. "data" is null when nothing changed.
The API token goes in the api_token query parameter. Errors are {"success": false, "error": ...,
"errorCode": N, "error_info": ...}: 401 for a bad token; 429 "Request over limit" with the token
bucket's x-ratelimit-* headers and Retry-After (fault kind "pd-429"); 400 for a missing or malformed
since_timestamp.
"""
import re

PD_TOKEN = "pd-token-0123456789abcdef"
ERROR_INFO = "Please check developers.pipedrive.com for more information about Pipedrive API."


def org(i, name, website, country, t):
    return {"id": i, "name": name, "owner_id": {"id": 11, "name": "Rep"}, "website": website,
            "address_country": country, "people_count": 1, "open_deals_count": 1, "active_flag": True,
            "add_time": t, "update_time": t}


def person(i, first, last, email, org_id, t):
    return {"id": i, "name": first + " " + last, "first_name": first, "last_name": last,
            "email": [{"label": "work", "value": email, "primary": True}] if email else [{"value": "", "primary": True}],
            "org_id": {"name": "", "value": org_id} if org_id else None, "job_title": "Buyer",
            "add_time": t, "update_time": t, "active_flag": True}


def deal(i, title, org_id, value, status, t, close=None):
    return {"id": i, "title": title, "org_id": {"name": "", "value": org_id}, "value": value, "currency": "EUR",
            "status": status, "stage_id": 3, "probability": None, "add_time": t, "update_time": t,
            "close_time": close, "won_time": close if status == "won" else None, "expected_close_date": "2024-06-30",
            "active": status == "open"}


def seed(params):
    """Three organizations, four persons (one without an organization), three deals. Every change
    has its own second; the ids of each item kind count from 1."""
    items = [("organization", org(1, "Acme GmbH", "https://www.acme-gmbh.de/", "Germany", "2024-01-05 10:00:00")),
             ("organization", org(2, "Globex", "globex.com", "United States", "2024-01-06 09:30:00")),
             ("organization", org(3, "Initech", "", "United States", "2024-01-07 08:00:00")),
             ("person", person(1, "Ann", "Lee", "ann@acme-gmbh.de", 1, "2024-01-08 12:00:00")),
             ("person", person(2, "Bob", "Ray", "bob@globex.com", 2, "2024-01-08 12:00:01")),
             ("person", person(3, "Cy", "Doe", "cy@initech.com", 3, "2024-01-08 12:00:02")),
             ("person", person(4, "Dee", "Free", "dee@gmail.com", None, "2024-01-08 12:00:03")),
             ("deal", deal(1, "Acme renewal", 1, 12000, "won", "2024-02-01 10:00:00", "2024-03-01 16:00:00")),
             ("deal", deal(2, "Globex pilot", 2, 4500.5, "open", "2024-02-02 10:00:00")),
             ("deal", deal(3, "Initech upsell", 3, 800, "lost", "2024-02-03 10:00:00", "2024-02-20 09:00:00"))]
    for i in range(params.get("pd_extra_orgs", 0)):
        items.append(("organization", org(100 + i, "Extra %d" % i, "extra%d.com" % i, "France",
                                          "2024-01-09 00:%02d:00" % i)))
    # pd_page_cap: answer fewer rows than asked for, as Pipedrive may; the client follows next_start.
    return {"items": items, "tokens": {PD_TOKEN}, "page_cap": params.get("pd_page_cap", 500)}


def update(pd, req):
    """{"vendor": "pipedrive", "item": "deal", "id": 2, "set": {...}, "time": "YYYY-MM-DD HH:MM:SS"}
    changes an item (or adds it, from the fields set) at that time."""
    for kind, data in pd["items"]:
        if kind == req["item"] and data["id"] == req["id"]:
            data.update(req["set"], update_time=req["time"])
            return
    pd["items"].append((req["item"], dict(req["set"], id=req["id"], add_time=req["time"], update_time=req["time"])))


def error(handler, status, message, headers=None, **extra):
    handler.send_json(status, dict({"success": False, "error": message, "errorCode": status, "error_info": ERROR_INFO},
                                   **extra), headers=headers)


FAULTS = {
    "pd-429": lambda h: error(h, 429, "Request over limit", headers={
        "Retry-After": "1", "x-ratelimit-limit": "80", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1"}),
}


class PipedriveApi:
    """A mixin for the request handler: self.send_json comes from JsonHandler."""

    def pipedrive(self, pd, p, q):
        if q.get("api_token") not in pd["tokens"]:
            return error(self, 401, "unauthorized access")
        if p != "/api/v1/recents":
            return error(self, 404, "Unknown method .")
        since = q.get("since_timestamp", "")
        if not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", since):
            return error(self, 400, "Parameter 'since_timestamp' must be of format 'YYYY-MM-DD HH:MM:SS'")
        kinds = q.get("items", "").split(",") if q.get("items") else None
        rows = [(k, d) for k, d in pd["items"] if (kinds is None or k in kinds) and d["update_time"] >= since]
        rows.sort(key=lambda r: r[1]["update_time"])
        start = int(q.get("start", "0"))
        limit = min(int(q.get("limit", "100")), 500, pd["page_cap"])
        page = rows[start:start + limit]
        more = start + limit < len(rows)
        pagination = {"start": start, "limit": limit, "more_items_in_collection": more}
        if more:
            pagination["next_start"] = start + limit
        self.send_json(200, {
            "success": True,
            "data": [{"item": k, "id": d["id"], "data": d} for k, d in page] or None,
            "additional_data": {"since_timestamp": since,
                                "last_timestamp_on_page": page[-1][1]["update_time"] if page else since,
                                "pagination": pagination}})
