#!/usr/bin/env python3
"""Fake HubSpot and Salesforce APIs on loopback for the CRM connectors' end-to-end tests.

Usage: fake_crm.py PORT_FILE

Answers at the vendors' real paths with bodies shaped as they document them:
  HubSpot    GET  /crm/v3/objects/{companies,contacts,deals,meetings,calls}   (paging.next.after)
             POST /crm/v3/objects/{type}/search       (filters, sorts, total, 10,000-result ceiling)
             POST /crm/v4/associations/{from}/{to}/batch/read
             GET  /crm/v3/pipelines/deals
             GET  /email/public/v1/campaigns/by-id, /email/public/v1/campaigns/{id},
                  /email/public/v1/events                 (hasMore + offset)
             POST /oauth/v1/token                         (rotates refresh tokens)
  Salesforce GET  /services/data/{version}/query?q=, /queryAll?q=, /query/{cursor}   (done, nextRecordsUrl)
             GET  /services/data/{version}/limits
             POST /services/oauth2/token                  (names the instance_url)
  Mailchimp  GET  /3.0/ping, /3.0/campaigns, /3.0/reports/{id}/email-activity   (offset/count, total_items)
  Marketo    GET  /identity/oauth/token, /rest/v1/activities/pagingtoken.json, /rest/v1/activities.json
                  (nextPageToken until moreResult is false), /rest/v1/leads.json, /rest/v1/activities/types.json
  GA4        POST /v1beta/properties/{id}:runReport    (offset/limit until rowCount; propertyQuota)
             GET  /v1beta/properties/{id}/metadata
             POST /token                                  (Google's OAuth endpoint, GA4's and Google Ads')
  Google Ads POST /v{N}/customers/{id}/googleAds:search    (GAQL; nextPageToken)
  Pipedrive  GET  /api/v1/recents                          (api_token; additional_data.pagination.next_start)
  Close      GET  /api/v1/lead/, /contact/, /opportunity/  (Basic with the key as user; _skip/_limit, has_more)
  LinkedIn   GET  /rest/adAccounts/{id}, /rest/adAccounts/{id}/adCampaigns?q=search (nextPageToken),
                  /rest/adAnalytics?q=analytics (no paging; cut at the row cap), /rest/organizationsLookup
             POST /oauth/v2/accessToken
Failures are injected per path prefix through POST /__control/fault, and every request is logged
for the tests to read (GET /__control/log). See the control handlers at the bottom for the rest.

This file dispatches, injects faults and takes control requests; hubspot_api.py and
salesforce_api.py answer as each vendor does; crm_data.py holds the data set.
"""
import email.utils
import json
import re
import time
from urllib.parse import parse_qs, urlparse

from crm_data import lock, seed, state, update
from fakehttp import JsonHandler, parse_args, serve
from ga4_api import Ga4Api, ga4_seed, ga4_update
from hubspot_api import HubSpotApi
from salesforce_api import SalesforceApi
import mailchimp_api
import marketo_api
from mailchimp_api import MailchimpApi
from marketo_api import MarketoApi
import google_ads_api
import pipedrive_api
import close_api
from pipedrive_api import PipedriveApi
from close_api import CloseApi
import linkedin_api
from google_ads_api import GoogleAdsApi
from linkedin_api import LinkedInApi

# Failure kinds a vendor's own module answers (its rate-limit body, its error shape).
VENDOR_FAULTS = {**mailchimp_api.FAULTS, **marketo_api.FAULTS, **google_ads_api.FAULTS, **linkedin_api.FAULTS,
                 **pipedrive_api.FAULTS, **close_api.FAULTS}


def seed_vendors(params):
    """The data sets of the vendors that keep theirs in their own module."""
    state["mc"] = mailchimp_api.seed(params)
    state["mk"] = marketo_api.seed(params)
    state["pd"] = pipedrive_api.seed(params)
    state["close"] = close_api.seed(params)


class Handler(JsonHandler, HubSpotApi, SalesforceApi, MailchimpApi, MarketoApi, Ga4Api, GoogleAdsApi, LinkedInApi,
              PipedriveApi, CloseApi):
    # -- dispatch ---------------------------------------------------------------------------

    def handle_any(self, method):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = self.read_body()
        p = url.path
        with lock:
            if p.startswith("/__control/"):
                return self.control(p[len("/__control/"):], body)
            state["clock"] = max(state["clock"], int(time.time() * 1000))
            state["log"].append({"method": method, "path": p, "query": q, "body": body.decode(errors="replace"),
                                 "auth": self.headers.get("Authorization", "")})
            fault = self.take_fault(p)
        if fault and self.inject(fault, p):
            return
        with lock:
            if p == "/oauth/v1/token":
                return self.hs_token(body)
            if p == "/services/oauth2/token":
                return self.sf_token(body)
            if p.startswith("/3.0/"):
                return self.mailchimp(state["mc"], p, q)
            if p == "/api/v1/recents":
                return self.pipedrive(state["pd"], p, q)
            if p.startswith("/api/v1/"):
                return self.close(state["close"], p, q)
            if p == "/identity/oauth/token":
                return self.marketo_token(state["mk"], q)
            if p.startswith("/rest/v1/"):
                return self.marketo(state["mk"], p, q)
            if p == "/token":
                # Google's one token endpoint: GA4's tests sign in as client g-cid, Google Ads' as cid.
                if b"client_id=g-cid" in body:
                    return self.google_token(body)
                return self.gads_token(body, state)
            if re.match(r"/v\d+/customers/", p):
                return self.google_ads(method, p, body, state)
            if p == "/oauth/v2/accessToken":
                return self.li_token(body, state)
            if p.startswith("/rest/"):
                return self.linkedin(p, q, state)
            salesforce = p.startswith("/services/")
            if salesforce:
                state["sf_used"] += 1
                if state["sf_used"] > state["sf_limit"]:
                    return self.sf_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            if self.headers.get("Authorization", "")[len("Bearer "):] not in state["tokens"]:
                if salesforce:
                    return self.sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
                if p.startswith("/v1beta/"):
                    return self.ga4_unauthenticated()
                return self.hs_error(401, "EXPIRED_AUTHENTICATION", "The OAuth token used to make this call expired.")
            if salesforce:
                return self.salesforce(method, p, q)
            if p.startswith("/v1beta/properties/"):
                return self.ga4(method, p, body)
            return self.hubspot(method, p, q, body)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def take_fault(self, path):
        for f in state["faults"]:
            if path.startswith(f["match"]) and f["count"] > 0:
                f["count"] -= 1
                return f["kind"]
        return None

    def inject(self, kind, path):
        """Answers with the failure `kind`; returns False when the request should go on normally."""
        if kind == "none":  # passes: lets a later fault hit the request after this one
            return False
        if kind == "slow":
            time.sleep(3)
            return False
        if kind == "429":
            self.hs_error(429, "RATE_LIMITS", "You have reached your ten_secondly_rolling limit.",
                          headers={"Retry-After": "1", "X-HubSpot-RateLimit-Max": "100",
                                   "X-HubSpot-RateLimit-Remaining": "0"},
                          errorType="RATE_LIMIT", policyName="TEN_SECONDLY_ROLLING")
        elif kind == "429-daily":
            when = email.utils.formatdate(time.time() + 3600, usegmt=True)
            self.hs_error(429, "RATE_LIMITS", "You have reached your daily limit.", headers={"Retry-After": when},
                          errorType="RATE_LIMIT", policyName="DAILY")
        elif kind == "500":
            self.send_json(500, {"status": "error", "message": "internal error", "category": "INTERNAL_ERROR"})
        elif kind == "sf-500":
            self.send_json(500, [{"message": "An unexpected error occurred.", "errorCode": "UNKNOWN_EXCEPTION"}])
        elif kind == "truncated":
            self.send_raw(200, b'{"results": [{"id": "1000", "properties": {', content_length=4000, close=True)
        elif kind == "html":
            self.send_raw(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        elif kind == "bad-json":
            self.send_raw(200, b'{"results": [{"id": "1000",, }')
        elif kind == "missing-scopes":
            self.hs_error(403, "MISSING_SCOPES", "This app hasn't been granted all required scopes to make this call.",
                          errors=[{"message": "One or more of the following scopes are required.",
                                   "context": {"requiredGranularScopes": ["crm.objects.contacts.read"]}}])
        elif kind == "ga4-429":  # a short-lived quota: Google sends no Retry-After
            self.g_error(429, "RESOURCE_EXHAUSTED", "Exhausted concurrent requests quota.")
        elif kind == "ga4-bad-page":  # JSON, but not a report
            self.send_json(200, {"rows": {"dimensionValues": []}, "rowCount": 3})
        elif kind == "sf-limit":
            self.sf_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        elif kind in VENDOR_FAULTS:
            VENDOR_FAULTS[kind](self)
        elif kind == "expire":  # every issued token stops working, then this request is judged
            with lock:
                state["tokens"] = {"pat-good"}
                state["mk"]["tokens"] = set()
            return False
        return True

    # -- OAuth form bodies ------------------------------------------------------------------

    def form(self, body):
        return {k: v[0] for k, v in parse_qs(body.decode()).items()}

    # -- control ----------------------------------------------------------------------------

    def control(self, what, body):
        req = json.loads(body) if body else {}
        if what == "seed":
            seed(req)
            seed_vendors(req)
            ga4_seed(req)
        elif what == "log":
            return self.send_json(200, state["log"])
        elif what == "clear-log":
            state["log"] = []
        elif what == "fault":  # {"match": "/path/prefix", "kind": "500", "count": 2}
            state["faults"].append(req)
        elif what == "config":  # search_ceiling, sf_limit, sf_used, batch, hs_daily_remaining, ga4_tokens_per_day/hour
            state.update(req)
        elif what == "expire":
            state["tokens"] = {"pat-good"}
            state["mk"]["tokens"] = set()
        elif what == "update" and req.get("vendor") == "mailchimp":
            mailchimp_api.update(state["mc"], req)
        elif what == "update" and req.get("vendor") == "pipedrive":
            pipedrive_api.update(state["pd"], req)
        elif what == "update" and req.get("vendor") == "close":
            close_api.update(state["close"], req)
        elif what == "update" and req.get("vendor") == "marketo":
            marketo_api.update(state["mk"], req)
        elif what == "update":
            update(req)
        elif what == "ga4-update":
            ga4_update(req)
        else:
            return self.send_json(404, {"message": "no control " + what})
        return self.send_json(200, {"ok": True})


if __name__ == "__main__":
    args = parse_args(__doc__)
    seed({})
    seed_vendors({})
    ga4_seed({})
    serve(Handler, args.port_file)
