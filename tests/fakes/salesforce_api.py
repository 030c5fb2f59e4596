"""Salesforce's side of the fake CRM server: the REST query and queryAll endpoints with SOQL,
nextRecordsUrl batches, /limits, Sforce-Limit-Info, errors as [{message, errorCode}], and the OAuth
token endpoint that names the instance."""
import re
import time

from crm_data import parse_iso_ms, state


class SalesforceApi:
    """A mixin for the request handler: self.send_json and friends come from JsonHandler."""

    def sf_error(self, status, code, message):
        return self.send_json(status, [{"message": message, "errorCode": code}], self.sf_headers())

    def sf_headers(self):
        return {"Sforce-Limit-Info": "api-usage=%d/%d" % (state["sf_used"], state["sf_limit"])}

    def sf_token(self, body):
        f = self.form(body)
        if f.get("client_id") != "cid" or f.get("client_secret") != "csecret-XYZ" or f.get("refresh_token") != "sf-rt":
            return self.send_json(400, {"error": "invalid_grant", "error_description": "expired access/refresh token"})
        state["issued"] += 1
        token = "00Dxx!sf-at-%d" % state["issued"]
        state["tokens"].add(token)
        return self.send_json(200, {"access_token": token, "signature": "c2lnbmF0dXJl", "scope": "api refresh_token",
                                    "instance_url": "http://%s" % self.headers["Host"],
                                    "id": "http://%s/id/00Dxx/005xx" % self.headers["Host"], "token_type": "Bearer",
                                    "issued_at": str(int(time.time() * 1000))})

    def salesforce(self, method, p, q):
        m = re.fullmatch(r"/services/data/(v\d+\.\d)/(query|queryAll)(?:/([\w-]+))?", p)
        h = self.sf_headers()
        if p.endswith("/limits"):
            return self.send_json(200, {"DailyApiRequests": {"Max": state["sf_limit"],
                                                             "Remaining": state["sf_limit"] - state["sf_used"]}}, h)
        if not m or m.group(1) not in ("v58.0", "v59.0", "v60.0", "v61.0"):
            return self.sf_error(404, "NOT_FOUND", "The requested resource does not exist")
        version, kind, cursor = m.groups()
        if cursor:
            cur = state["cursors"].get(cursor.rsplit("-", 1)[0])
            if cur is None:
                return self.sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            return self.sf_batch(version, cursor.rsplit("-", 1)[0], int(cursor.rsplit("-", 1)[1]), h)
        soql = q.get("q", "")
        m = re.fullmatch(r"SELECT (.+) FROM (\w+)(?: WHERE SystemModstamp >= (\S+))?(?: ORDER BY SystemModstamp ASC)?",
                         soql)
        if not m:
            return self.sf_error(400, "MALFORMED_QUERY", "unexpected token: '%s'" % soql[:40])
        fields = [f.strip() for f in m.group(1).split(",")]
        obj = m.group(2)
        if obj == "OpportunityStage":
            records = [{"attributes": {"type": "OpportunityStage"}, "ApiName": n, "MasterLabel": n,
                        "DefaultProbability": pr, "IsClosed": c, "IsWon": w} for n, pr, c, w in state["stages"]]
            return self.send_json(200, {"totalSize": len(records), "done": True, "records": records}, h)
        table = state["sf"].get(obj)
        if table is None:
            return self.sf_error(400, "INVALID_TYPE", "sObject type '%s' is not supported." % obj)
        since = parse_iso_ms(m.group(3)) if m.group(3) else None
        rows = [r for r in table.values()
                if (kind == "queryAll" or not r["IsDeleted"]) and (since is None or parse_iso_ms(
                    r["SystemModstamp"].replace("+0000", "Z")) >= since)]
        rows.sort(key=lambda r: (r["SystemModstamp"], r["Id"]))
        records = []
        for r in rows:
            rec = {"attributes": {"type": obj, "url": "/services/data/%s/sobjects/%s/%s" % (version, obj, r["Id"])}}
            for f in fields:
                if f == "Campaign.Type":
                    camp = state["sf"]["Campaign"].get(r["CampaignId"])
                    rec["Campaign"] = {"attributes": {"type": "Campaign"}, "Type": camp["Type"] if camp else None}
                elif f in r or f in ("Id", "IsDeleted", "SystemModstamp"):
                    rec[f] = r.get(f)
                else:
                    return self.sf_error(400, "INVALID_FIELD", "No such column '%s' on entity '%s'." % (f, obj))
            records.append(rec)
        cid = "01gD0000002HU6K%04d" % len(state["cursors"])
        state["cursors"][cid] = records
        return self.sf_batch(version, cid, 0, h)

    def sf_batch(self, version, cid, start, h):
        records = state["cursors"][cid]
        size = state["batch"]
        out = {"totalSize": len(records), "done": start + size >= len(records), "records": records[start:start + size]}
        if not out["done"]:
            out["nextRecordsUrl"] = "/services/data/%s/query/%s-%d" % (version, cid, start + size)
        return self.send_json(200, out, h)
