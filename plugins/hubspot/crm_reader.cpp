#include "crm_reader.hpp"

#include <abm/sdk/time.hpp>

#include <charconv>

namespace hubspot {

namespace http = abm::sdk::http;

namespace {

// Search pages may hold 200 results (lists only 100).
constexpr int kSearchPageSize = 200;

// From a list result's "associations": prefer a labelled (primary) association over an unlabelled one.
Associations fromList(const json& result, const std::vector<std::string>& types) {
  Associations out;
  if (!result.contains("associations") || !result["associations"].is_object()) return out;
  for (const auto& type : types) {
    const auto& a = result["associations"];
    if (!a.contains(type) || !a[type].contains("results")) continue;
    for (const auto& r : a[type]["results"]) {
      if (!r.contains("id")) continue;
      const std::string id = idOf(r);
      const std::string kind = http::textOf(r, "type");
      const bool unlabelled = kind.size() >= 10 && kind.compare(kind.size() - 10, 10, "_unlabeled") == 0;
      if (!out.count(type) || !unlabelled) out[type] = id;
      if (!unlabelled) break;
    }
  }
  return out;
}

// Search results carry no associations: one v4 batch read per associated type fills them in.
Status fetchAssociations(Context& ctx, const ObjectSpec& spec, const json& results, std::map<std::string, Associations>& out) {
  if (spec.associations.empty() || results.empty()) return Status::ok();
  json inputs = json::array();
  for (const auto& r : results) inputs.push_back({{"id", idOf(r)}});
  for (const auto& type : spec.associations) {
    const auto a = ctx.api.call({"POST", "/crm/v4/associations/" + spec.object + "/" + type + "/batch/read",
                                 {"Content-Type: application/json"}, json{{"inputs", inputs}}.dump()});
    if (!a.ok()) return a.status;
    for (const auto& r : a.body.value("results", json::array())) {
      const std::string from = r.contains("from") ? idOf(r["from"]) : "";
      for (const auto& to : r.value("to", json::array())) {
        const std::string to_id = http::idText(http::fieldOf(to, "toObjectId"));
        bool primary = false;
        for (const auto& t : to.value("associationTypes", json::array())) primary |= http::textOf(t, "label") == "Primary";
        if (!out[from].count(type) || primary) out[from][type] = to_id;
        if (primary) break;
      }
    }
  }
  return Status::ok();
}

int64_t modifiedMillis(const json& result, const ObjectSpec& spec) {
  const auto& p = result.value("properties", json::object());
  if (p.contains(spec.modified_property) && p[spec.modified_property].is_string())
    if (auto ms = abm::sdk::isoToMillis(p[spec.modified_property].get<std::string>())) return *ms;
  if (result.contains("updatedAt") && result["updatedAt"].is_string())
    if (auto ms = abm::sdk::isoToMillis(result["updatedAt"].get<std::string>())) return *ms;
  return 0;
}

// Emits one page of results; false once the host asked to stop.
bool emitPage(Context& ctx, const std::string& stream, const ObjectSpec& spec, const json& results,
              const std::map<std::string, Associations>* searched) {
  abm::sdk::JsonObjectWriter w;
  bool go_on = true;
  for (const auto& r : results) {
    if (!r.contains("id")) {
      ctx.host.reject(stream, "/crm/v3/objects/" + spec.object, "a result without an id");
      continue;
    }
    const std::string id = idOf(r);
    const std::string origin = "/crm/v3/objects/" + spec.object + "/" + id;  // where the record lives
    Associations assoc;
    if (searched) {
      if (auto it = searched->find(id); it != searched->end()) assoc = it->second;
    } else {
      assoc = fromList(r, spec.associations);
    }
    w.reset();
    if (const std::string why = spec.map(r, assoc, w); !why.empty()) {
      ctx.host.reject(stream, origin, why);
      continue;
    }
    go_on = ctx.host.emit(stream, w.finish(), origin.c_str()) && go_on;
  }
  return go_on;
}

Status failed(Context& ctx, const std::string& stream, const ObjectSpec& spec, const http::Answer& a) {
  return streamFailure(ctx, stream, a, spec.skip_without_scope);
}

// Pages through a CRM v3 list (`query` without limit and cursor) from `after`. `on_page` gets each
// page's results and the next cursor (none on the last page) and returns false to stop after it.
Status listPages(Context& ctx, const std::string& stream, const ObjectSpec& spec, const std::string& query,
                 std::string after,
                 const std::function<bool(const json& results, const std::optional<std::string>& next)>& on_page) {
  const std::string base = "/crm/v3/objects/" + spec.object + "?limit=" + std::to_string(ctx.page_size) + "&" + query;
  for (;;) {
    const auto a = ctx.api.call({"GET", after.empty() ? base : base + "&after=" + http::formEncode(after)});
    if (!a.ok()) return failed(ctx, stream, spec, a);
    if (!a.body.contains("results") || !a.body["results"].is_array())
      return Status::error(a.response.endpoint + ": the page has no \"results\" array");
    const auto next = http::hubspotNextAfter(a.body);
    if (!on_page(a.body["results"], next) || !next) return Status::ok();
    after = *next;
  }
}

Status listAll(Context& ctx, const std::string& stream, const ObjectSpec& spec, const json& state) {
  const int64_t started = state.is_object() ? state.value("started_ms", nowMillis()) : nowMillis();
  std::string query = "archived=false&properties=" + joined(spec.properties);
  if (!spec.associations.empty()) query += "&associations=" + joined(spec.associations);
  return listPages(ctx, stream, spec, query, state.is_object() ? state.value("list_after", "") : "",
                   [&](const json& results, const std::optional<std::string>& next) {
                     const bool go_on = emitPage(ctx, stream, spec, results, nullptr);
                     if (next) ctx.host.checkpoint(stream, {{"list_after", *next}, {"started_ms", started}});
                     else ctx.host.checkpoint(stream, {{"since_ms", started}});
                     return go_on;
                   });
}

// Whether a search cursor has reached the 10,000-result ceiling (search refuses to page past it).
bool pastCeiling(const std::string& after) {
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(after.data(), after.data() + after.size(), n);
  return ec != std::errc() || end != after.data() + after.size() || n >= kSearchCeiling;
}

json searchBody(const ObjectSpec& spec, int64_t from, int64_t until, int page_size, const std::string& after) {
  json body{{"filterGroups",
             json::array({{{"filters", json::array({{{"propertyName", spec.modified_property}, {"operator", "GTE"},
                                                     {"value", std::to_string(from)}},
                                                    {{"propertyName", spec.modified_property}, {"operator", "LT"},
                                                     {"value", std::to_string(until)}}})}}})},
            {"sorts", json::array({{{"propertyName", spec.modified_property}, {"direction", "ASCENDING"}}})},
            {"properties", spec.properties},
            {"limit", page_size}};
  if (!after.empty()) body["after"] = after;
  return body;
}

// Reads everything modified in [from, until); false in `stopped` when the host asked to stop.
Status searchWindow(Context& ctx, const std::string& stream, const ObjectSpec& spec, int64_t from, int64_t until,
                    bool& stopped) {
  std::string after;
  for (bool first = true;; first = false) {
    ctx.search_pace.acquire();
    const auto a = ctx.api.call({"POST", "/crm/v3/objects/" + spec.object + "/search", {"Content-Type: application/json"},
                                 searchBody(spec, from, until, kSearchPageSize, after).dump()});
    if (!a.ok()) return failed(ctx, stream, spec, a);
    if (!a.body.contains("results") || !a.body["results"].is_array())
      return Status::error(a.response.endpoint + ": the search answer has no \"results\" array");
    if (first && http::integerOf(a.body, "total") > kSearchCeiling) {
      if (until - from > 1) {
        const int64_t mid = from + (until - from) / 2;
        if (auto s = searchWindow(ctx, stream, spec, from, mid, stopped); !s.isOk() || stopped) return s;
        return searchWindow(ctx, stream, spec, mid, until, stopped);
      }
      ctx.host.warn(spec.object + ": more than " + std::to_string(kSearchCeiling) +
                    " records share one modification millisecond; the search API returns only the first " +
                    std::to_string(kSearchCeiling) + " (run a full refresh to read them all)");
    }
    const json& results = a.body["results"];
    std::map<std::string, Associations> assoc;
    if (auto s = fetchAssociations(ctx, spec, results, assoc); !s.isOk()) return s;
    const bool go_on = emitPage(ctx, stream, spec, results, &assoc);
    const auto next = http::hubspotNextAfter(a.body);
    if (!next || pastCeiling(*next)) {
      ctx.host.checkpoint(stream, {{"since_ms", until}});
      stopped = !go_on;
      return Status::ok();
    }
    // Sorted by modification: everything before the page's last record is stored (ties are read again).
    if (!results.empty()) ctx.host.checkpoint(stream, {{"since_ms", std::max(from, modifiedMillis(results.back(), spec))}});
    if (!go_on) {
      stopped = true;
      return Status::ok();
    }
    after = *next;
  }
}

// Records archived (deleted) in HubSpot since `since`: the archived list holds each for 90 days with
// its archivedAt, so a scan of it finds what the search for changes cannot show.
Status removeArchived(Context& ctx, const std::string& stream, const ObjectSpec& spec, int64_t since) {
  return listPages(ctx, stream, spec, "archived=true&properties=" + spec.modified_property, "",
                   [&](const json& results, const std::optional<std::string>&) {
                     for (const auto& r : results) {
                       const auto at = abm::sdk::isoToMillis(http::textOf(r, "archivedAt"));
                       if (r.contains("id") && (!at || *at >= since)) ctx.host.deleted(stream, idOf(r));
                     }
                     return true;
                   });
}

}  // namespace

std::string idOf(const json& result) { return http::idText(http::fieldOf(result, "id")); }

Status readObjects(Context& ctx, const std::string& stream, const ObjectSpec& spec, const json& state) {
  if (!state.is_object() || !state.contains("since_ms")) return listAll(ctx, stream, spec, state);
  bool stopped = false;
  const int64_t since = state["since_ms"].get<int64_t>();
  // HubSpot's search index trails its writes by seconds: a window ends that far back, so a record
  // changed just now is found by the next run instead of being skipped by this one.
  const int64_t until = nowMillis() - ctx.settings.value("search_settle_seconds", 30) * 1000LL;
  if (until > since)
    if (auto s = searchWindow(ctx, stream, spec, since, until, stopped); !s.isOk() || stopped) return s;
  return removeArchived(ctx, stream, spec, since);
}

}  // namespace hubspot
