"""The fake CRMs' data set: built by seed(), changed by update(), guarded by lock."""
import calendar
import re
import threading
import time

from ads_data import seed_ads, update_ads

lock = threading.Lock()
BASE_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z


def iso_ms(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


def sf_time(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03d+0000" % (ms % 1000)


def parse_iso_ms(text):
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?(Z|[+-]\d\d:?\d\d)?$", text)
    if not m:
        return None
    secs = calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))
    return secs * 1000 + int((m.group(7) or "0").ljust(3, "0"))


# ---------------------------------------------------------------------------------------------
# The data set. seed() builds a deterministic one; the tests change it through /__control/update.

state = {}


def seed(params):
    n = params.get("companies", 5)
    sf_n = params.get("sf_accounts", 3)
    hs = {"companies": {}, "contacts": {}, "deals": {}, "meetings": {}, "calls": {}}
    t = BASE_MS
    for i in range(n):
        t += 1000
        cid = str(1000 + i)
        hs["companies"][cid] = {
            "props": {"name": "HubCo %d" % i, "domain": "acme.com" if i == 0 else "company%d.com" % i,
                      "industry": "COMPUTER_SOFTWARE", "numberofemployees": str(50 * (i + 1)),
                      "annualrevenue": str(1000000 * (i + 1)), "country": "United States",
                      "hs_is_target_account": "true" if i % 2 == 0 else "false",
                      "hs_ideal_customer_profile": "tier_1" if i == 0 else None,
                      "createdate": iso_ms(t - 86400000), "hs_lastmodifieddate": iso_ms(t)},
            "assoc": {}}
    if params.get("broken_company", True):
        hs["companies"]["1999"] = {"props": {"name": "", "domain": None, "createdate": iso_ms(t),
                                             "hs_lastmodifieddate": iso_ms(t + 1)}, "assoc": {}}
    for i in range(min(n, params.get("companies_with_people", n))):
        cid = str(1000 + i)
        domain = hs["companies"][cid]["props"]["domain"]
        for j in range(2):
            t += 1000
            pid = str(2000 + i * 2 + j)
            hs["contacts"][pid] = {
                "props": {"email": "person%d@%s" % (j, domain), "firstname": "Pat%d" % j, "lastname": "Lee%d" % i,
                          "jobtitle": "VP Marketing" if j == 0 else "Engineer",
                          "hs_buying_role": "DECISION_MAKER;BUDGET_HOLDER" if j == 0 else None,
                          "associatedcompanyid": cid,
                          "createdate": iso_ms(t - 3600000), "lastmodifieddate": iso_ms(t)},
                "assoc": {"companies": [cid]}}
        t += 1000
        stage = ["appointmentscheduled", "closedwon", "closedlost"][i % 3]
        hs["deals"][str(3000 + i)] = {
            "props": {"dealname": "Deal %d" % i, "amount": str(10000 * (i + 1)) if i != 2 else None,
                      "deal_currency_code": "USD", "dealstage": stage, "pipeline": "default",
                      "dealtype": "newbusiness" if i % 2 == 0 else "existingbusiness",
                      # Open deals carry the date they are expected to close, closed ones when they did.
                      "closedate": iso_ms(t + 86400000 * (1 if stage != "appointmentscheduled" else 90)),
                      "createdate": iso_ms(t - 86400000 * 30), "hs_lastmodifieddate": iso_ms(t)},
            "assoc": {"companies": [cid]}}
    if n > 0:
        t += 1000
        hs["meetings"]["4001"] = {"props": {"hs_timestamp": iso_ms(t), "hs_meeting_title": "Discovery call",
                                            "hs_meeting_outcome": "COMPLETED", "hs_lastmodifieddate": iso_ms(t)},
                                  "assoc": {"companies": ["1000"], "contacts": ["2000"]}}
        hs["meetings"]["4002"] = {"props": {"hs_timestamp": iso_ms(t), "hs_meeting_title": "Orphan",
                                            "hs_lastmodifieddate": iso_ms(t)}, "assoc": {}}
        hs["calls"]["4101"] = {"props": {"hs_timestamp": iso_ms(t), "hs_call_title": "Intro", "hs_call_direction": "OUTBOUND",
                                         "hs_call_disposition": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
                                         "hs_call_duration": "120000", "hs_lastmodifieddate": iso_ms(t)},
                               "assoc": {"contacts": ["2001"]}}
    campaigns = {"5001": {"id": 5001, "name": "Q1 Newsletter", "subject": "News", "type": "BATCH_EMAIL",
                          "lastUpdatedTime": BASE_MS + 5000, "lastProcessingStartedAt": BASE_MS + 4000},
                 "5002": {"id": 5002, "name": "", "subject": "Webinar invite", "type": "BATCH_EMAIL",
                          "lastUpdatedTime": BASE_MS + 6000}}
    events = []
    for k, (pid, c) in enumerate(sorted(hs["contacts"].items())):
        for m, kind in enumerate(["SENT", "DELIVERED", "OPEN"] + (["CLICK"] if k % 2 == 0 else [])):
            ev = {"id": "ev-%s-%d" % (pid, m), "type": kind, "recipient": c["props"]["email"],
                  "created": BASE_MS + 10000 + k * 100 + m, "emailCampaignId": 5001 if k % 2 == 0 else 5002,
                  "portalId": 62515, "appId": 113, "appName": "BatchEmail"}
            if kind == "CLICK":
                ev["url"] = "https://example.com/pricing"
            events.append(ev)

    sf = {"Account": {}, "Contact": {}, "Opportunity": {}, "Campaign": {}, "CampaignMember": {}}
    ts = BASE_MS
    def add(obj, rid, fields):
        nonlocal ts
        ts += 1000
        rec = {"Id": rid, "IsDeleted": False, "CreatedDate": sf_time(ts - 86400000), "SystemModstamp": sf_time(ts)}
        rec.update(fields)
        sf[obj][rid] = rec
    for i in range(sf_n):
        aid = "001%012dAAA" % i
        add("Account", aid, {"Name": "SF Account %d" % i,
                             "Website": "https://eu.acme.com/de" if i == 0 else "www.sfco%d.com" % i,
                             "Industry": "Technology", "NumberOfEmployees": 100 * (i + 1), "AnnualRevenue": 5e6,
                             "BillingCountry": "Germany", "ABM_Target__c": i == 0, "ABM_Tier__c": "Tier 2"})
        dom = "acme.com" if i == 0 else "sfco%d.com" % i
        for j in range(params.get("sf_contacts_per_account", 2)):
            add("Contact", "003%010d%02dAAA" % (i, j), {"AccountId": aid, "Email": "sf%d@%s" % (j, dom),
                                                       "FirstName": "Sam", "LastName": "Fox%d" % i, "Title": "CMO"})
        add("Opportunity", "006%012dAAA" % i, {
            "AccountId": aid, "Name": "SF Opp %d" % i, "StageName": ["Prospecting", "Closed Won", "Closed Lost"][i % 3],
            "Type": "New Customer", "Amount": 25000.0 * (i + 1), "Probability": None if i % 3 == 0 else [0, 100, 0][i % 3],
            "IsClosed": i % 3 != 0, "IsWon": i % 3 == 1, "CloseDate": "2024-03-31" if i % 3 != 0 else "2024-06-28"})
    add("Campaign", "701000000000001AAA", {"Name": "Spring Email", "Type": "Email", "StartDate": "2024-01-10",
                                           "EndDate": "2024-02-10"})
    add("Campaign", "701000000000002AAA", {"Name": "ABM Webinar", "Type": "Webinar", "StartDate": "2024-02-01",
                                           "EndDate": None})
    for k, (cid, c) in enumerate(sorted(sf["Contact"].items())):
        camp = "701000000000001AAA" if k % 2 == 0 else "701000000000002AAA"
        add("CampaignMember", "00v%012dAAA" % k, {
            "CampaignId": camp, "ContactId": cid, "LeadId": None, "Email": c["Email"],
            "Status": "Responded" if k % 2 == 0 else "Sent", "HasResponded": k % 2 == 0,
            "FirstRespondedDate": "2024-02-15" if k % 2 == 0 else None})
    add("CampaignMember", "00v999999999999AAA", {
        "CampaignId": "701000000000002AAA", "ContactId": None, "LeadId": "00Q000000000001AAA",
        "Email": "lead@sfco1.com", "Status": "Attended", "HasResponded": True, "FirstRespondedDate": "2024-02-20"})
    stages = [("Prospecting", 10, False, False), ("Qualification", 20, False, False),
              ("Closed Won", 100, True, True), ("Closed Lost", 0, True, False)]
    state.clear()
    state.update({"hs": hs, "campaigns": campaigns, "events": events, "sf": sf, "stages": stages,
                  "clock": max(t, ts) + 1000, "search_ceiling": 10000, "batch": params.get("sf_batch", 2),
                  "cursors": {}, "faults": [], "log": [],
                  "tokens": {"pat-good"}, "hs_refresh": "rt-1", "issued": 0,
                  "hs_daily_remaining": params.get("hs_daily_remaining", 249000),
                  "sf_used": 10, "sf_limit": params.get("sf_limit", 15000)})
    state.update(seed_ads(params))


def ticks(n):
    """Modification times for n changes made now, after every request served so far: ten changes a
    millisecond, as a bulk import shares timestamps. Returns once they are all in the past."""
    start = max(state["clock"] + 1, int(time.time() * 1000))
    state["clock"] = start + (n - 1) // 10
    while int(time.time() * 1000) <= state["clock"]:
        time.sleep(0.001)
    return [start + i // 10 for i in range(n)]


# ---------------------------------------------------------------------------------------------


HS_MODIFIED = {"contacts": "lastmodifieddate"}  # the modification property search filters on


def update(req):
    """{"vendor": "hubspot"|"salesforce", "object": ..., "ids": [...] or "all": true,
        "set": {field: value, ...} (str.format with the record's fields), "delete": true}"""
    if update_ads(state, req):
        return
    if req["vendor"] == "hubspot":
        table = state["hs"][req["object"]]
        ids = sorted(table, key=int) if req.get("all") else req["ids"]
        prop = HS_MODIFIED.get(req["object"], "hs_lastmodifieddate")
        for i, when in zip(ids, ticks(len(ids))):
            if req.get("delete"):  # HubSpot archives: gone from lists and search, listed with archived=true
                table[i]["archivedAt"] = iso_ms(when)
                continue
            if i not in table:
                table[i] = {"props": {"createdate": iso_ms(BASE_MS)}, "assoc": {}}
            rec = table[i]
            for k, v in req.get("set", {}).items():
                rec["props"][k] = v.format(**{a: b for a, b in rec["props"].items() if b is not None}) \
                    if isinstance(v, str) else v
            for k, v in req.get("assoc", {}).items():
                rec["assoc"][k] = v
            rec["props"][prop] = iso_ms(when)
    else:
        table = state["sf"][req["object"]]
        ids = sorted(table) if req.get("all") else req["ids"]
        for i, when in zip(ids, ticks(len(ids))):
            if i not in table:
                table[i] = {"Id": i, "IsDeleted": False, "CreatedDate": sf_time(BASE_MS)}
            rec = table[i]
            if req.get("delete"):
                rec["IsDeleted"] = True
            for k, v in req.get("set", {}).items():
                rec[k] = v
            rec["SystemModstamp"] = sf_time(when)
