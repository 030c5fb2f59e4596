"""HubSpot's side of the fake CRM server: CRM v3 objects, search, v4 associations, deal pipelines,
the email analytics API and the OAuth token endpoint, answering as HubSpot documents them."""
import base64
import json
import re
import time

from crm_data import HS_MODIFIED, iso_ms, parse_iso_ms, state


HS_DEFAULT_PROPS = {"companies": ["name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"],
                    "contacts": ["email", "firstname", "lastname", "createdate", "lastmodifieddate", "hs_object_id"],
                    "deals": ["dealname", "amount", "dealstage", "pipeline", "closedate", "createdate",
                              "hs_lastmodifieddate", "hs_object_id"]}
SINGULAR = {"companies": "company", "contacts": "contact", "deals": "deal", "meetings": "meeting", "calls": "call"}
HS_TYPE_IDS = {("contacts", "companies"): 1, ("deals", "companies"): 5, ("meetings", "companies"): 188,
               ("meetings", "contacts"): 200, ("calls", "companies"): 182, ("calls", "contacts"): 194}


def hs_modified(obj, rec):
    return parse_iso_ms(rec["props"][HS_MODIFIED.get(obj, "hs_lastmodifieddate")])


def hs_result(obj, rid, rec, wanted, assoc_types=()):
    props = {"hs_object_id": rid}
    for p in (wanted or HS_DEFAULT_PROPS.get(obj, [])):
        if p != "hs_object_id":
            props[p] = rec["props"].get(p)
    created = rec["props"].get("createdate") or rec["props"].get("hs_timestamp")
    out = {"id": rid, "properties": props, "createdAt": created, "updatedAt": iso_ms(hs_modified(obj, rec)),
           "archived": bool(rec.get("archivedAt"))}
    if rec.get("archivedAt"):
        out["archivedAt"] = rec["archivedAt"]
    assoc = {}
    for to in assoc_types:
        ids = rec["assoc"].get(to, [])
        if ids:
            results = []
            for i in ids:
                results.append({"id": i, "type": "%s_to_%s" % (SINGULAR[obj], SINGULAR[to])})
                results.append({"id": i, "type": "%s_to_%s_unlabeled" % (SINGULAR[obj], SINGULAR[to])})
            assoc[to] = {"results": results}
    if assoc:
        out["associations"] = assoc
    return out


def encode_after(i):
    return base64.b64encode(str(i).encode()).decode().rstrip("=")


def decode_after(s):
    return int(base64.b64decode(s + "=" * (-len(s) % 4)).decode())


class HubSpotApi:
    """A mixin for the request handler: self.send_json and friends come from JsonHandler."""

    def hs_error(self, status, category, message, headers=None, **extra):
        body = {"status": "error", "message": message, "correlationId": "aeb5f871-7f07-4993-9211-075dc63e7cbf",
                "category": category}
        body.update(extra)
        return self.send_json(status, body, headers)

    def hs_headers(self):
        state["hs_daily_remaining"] = max(0, state["hs_daily_remaining"] - 1)
        return {"X-HubSpot-RateLimit-Daily": "250000",
                "X-HubSpot-RateLimit-Daily-Remaining": str(state["hs_daily_remaining"]),
                "X-HubSpot-RateLimit-Interval-Milliseconds": "10000", "X-HubSpot-RateLimit-Max": "100",
                "X-HubSpot-RateLimit-Remaining": "99"}

    def hs_token(self, body):
        f = self.form(body)
        if f.get("client_id") != "cid" or f.get("client_secret") != "csecret-XYZ":
            return self.send_json(400, {"status": "BAD_CLIENT_ID", "error": "invalid_client",
                                        "error_description": "missing or unknown client id"})
        if f.get("refresh_token") != state["hs_refresh"]:
            return self.send_json(400, {"status": "BAD_REFRESH_TOKEN", "error": "invalid_grant",
                                        "error_description": "missing or unknown refresh token"})
        state["issued"] += 1
        token = "hs-at-%d" % state["issued"]
        state["tokens"].add(token)
        state["hs_refresh"] = "rt-%d" % (state["issued"] + 1)
        return self.send_json(200, {"token_type": "bearer", "refresh_token": state["hs_refresh"],
                                    "access_token": token, "expires_in": 1800})

    def hubspot(self, method, p, q, body):
        hs = state["hs"]
        h = self.hs_headers()
        m = re.fullmatch(r"/crm/v3/objects/(\w+)", p)
        if m and method == "GET" and m.group(1) in hs:
            obj = m.group(1)
            archived = q.get("archived", "false") == "true"
            ids = sorted((i for i in hs[obj] if bool(hs[obj][i].get("archivedAt")) == archived), key=int)
            start = decode_after(q["after"]) if "after" in q else 0
            limit = min(int(q.get("limit", "10")), 100)
            wanted = q["properties"].split(",") if q.get("properties") else None
            assoc = q["associations"].split(",") if q.get("associations") else []
            page = ids[start:start + limit]
            out = {"results": [hs_result(obj, i, hs[obj][i], wanted, assoc) for i in page]}
            if start + limit < len(ids):
                nxt = encode_after(start + limit)
                out["paging"] = {"next": {"after": nxt, "link": "http://%s%s?after=%s" % (self.headers["Host"], p, nxt)}}
            return self.send_json(200, out, h)
        m = re.fullmatch(r"/crm/v3/objects/(\w+)/search", p)
        if m and method == "POST" and m.group(1) in hs:
            obj = m.group(1)
            req = json.loads(body or b"{}")
            prop = HS_MODIFIED.get(obj, "hs_lastmodifieddate")
            rows = [(i, r) for i, r in hs[obj].items() if not r.get("archivedAt")]
            for group in req.get("filterGroups", []):
                for flt in group.get("filters", []):
                    if flt["propertyName"] != prop:
                        return self.hs_error(400, "VALIDATION_ERROR", "unsupported filter in this fake")
                    v = int(flt["value"])
                    op = {"GTE": lambda a: a >= v, "GT": lambda a: a > v, "LT": lambda a: a < v,
                          "LTE": lambda a: a <= v}[flt["operator"]]
                    rows = [(i, r) for i, r in rows if op(hs_modified(obj, r))]
            rows.sort(key=lambda ir: (hs_modified(obj, ir[1]), int(ir[0])))
            after = int(req.get("after", 0) or 0)
            limit = min(int(req.get("limit", 10)), 200)
            if after >= state["search_ceiling"]:
                return self.hs_error(400, "VALIDATION_ERROR", "There was a problem with the request.",
                                     errors=[{"message": "paging beyond 10000 results is not supported"}])
            page = rows[after:after + limit]
            out = {"total": len(rows),
                   "results": [hs_result(obj, i, r, req.get("properties")) for i, r in page]}
            if after + limit < len(rows):
                out["paging"] = {"next": {"after": str(after + limit)}}
            return self.send_json(200, out, h)
        m = re.fullmatch(r"/crm/v4/associations/(\w+)/(\w+)/batch/read", p)
        if m and method == "POST":
            frm, to = m.groups()
            results = []
            for inp in json.loads(body)["inputs"]:
                rec = hs.get(frm, {}).get(inp["id"])
                if rec and rec["assoc"].get(to):
                    results.append({"from": {"id": inp["id"]}, "to": [
                        {"toObjectId": int(t), "associationTypes": [
                            {"category": "HUBSPOT_DEFINED", "typeId": HS_TYPE_IDS.get((frm, to), 1), "label": "Primary"},
                            {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None}]}
                        for t in rec["assoc"][to]]})
            now = iso_ms(int(time.time() * 1000))
            return self.send_json(200, {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}, h)
        if p == "/crm/v3/pipelines/deals":
            stages = [("appointmentscheduled", "Appointment Scheduled", "false", "0.2"),
                      ("qualifiedtobuy", "Qualified To Buy", "false", "0.4"),
                      ("closedwon", "Closed Won", "true", "1.0"), ("closedlost", "Closed Lost", "true", "0.0")]
            return self.send_json(200, {"results": [{
                "id": "default", "label": "Sales Pipeline", "displayOrder": 0, "archived": False,
                "createdAt": "2023-01-01T00:00:00Z", "updatedAt": "2023-01-01T00:00:00Z",
                "stages": [{"id": sid, "label": label, "displayOrder": k, "archived": False,
                            "metadata": {"isClosed": closed, "probability": prob},
                            "createdAt": "2023-01-01T00:00:00Z", "updatedAt": "2023-01-01T00:00:00Z"}
                           for k, (sid, label, closed, prob) in enumerate(stages)]}]}, h)
        if p == "/email/public/v1/campaigns/by-id":
            ids = sorted(state["campaigns"])
            start = int(q.get("offset", "0") or 0)
            limit = int(q.get("limit", "250"))
            page = ids[start:start + limit]
            c = state["campaigns"]
            return self.send_json(200, {
                "campaigns": [{"id": c[i]["id"], "appId": 113, "appName": "Batch",
                               "lastUpdatedTime": c[i]["lastUpdatedTime"]} for i in page],
                "hasMore": start + limit < len(ids), "offset": str(start + limit)}, h)
        m = re.fullmatch(r"/email/public/v1/campaigns/(\d+)", p)
        if m:
            c = state["campaigns"].get(m.group(1))
            if not c:
                return self.hs_error(404, "OBJECT_NOT_FOUND", "campaign not found")
            return self.send_json(200, dict(c, appId=113, appName="Batch", contentId=99,
                                            counters={"sent": 10, "open": 5}), h)
        if p == "/email/public/v1/events":
            lo = int(q.get("startTimestamp", "0"))
            hi = int(q.get("endTimestamp", str(10 ** 15)))
            evs = [e for e in state["events"] if lo <= e["created"] <= hi]
            start = int(base64.b64decode(q["offset"]).decode()) if q.get("offset") else 0
            limit = min(int(q.get("limit", "100")), 1000)
            page = evs[start:start + limit]
            more = start + limit < len(evs)
            out = {"hasMore": more, "events": page}
            if more:
                out["offset"] = base64.b64encode(str(start + limit).encode()).decode()
            return self.send_json(200, out, h)
        return self.hs_error(404, "OBJECT_NOT_FOUND", "no such path " + p)
