#include "soql_reader.hpp"

#include <abm/sdk/time.hpp>

namespace salesforce {

namespace http = abm::sdk::http;

namespace {

// "2024-03-01T12:00:00.000+0000", `back_s` seconds earlier, as a SOQL dateTime literal to the second.
std::string soqlDateTime(const std::string& iso, int64_t back_s) {
  auto ms = abm::sdk::isoToMillis(iso);
  if (!ms) return {};
  *ms -= back_s * 1000;
  std::string t = abm::sdk::millisToIso(*ms - ((*ms % 1000) + 1000) % 1000);
  return t.substr(0, 19) + "Z";
}

// Pages from `first` through nextRecordsUrl; `on_batch` gets each batch's records and returns
// false to stop after it.
Status pages(Context& ctx, std::string target, const std::function<Status(const json&, bool&)>& on_batch) {
  for (;;) {
    const auto a = ctx.api.call({"GET", target});
    if (!a.ok()) return a.status;
    if (!a.body.is_object() || !a.body.contains("records") || !a.body["records"].is_array())
      return Status::error(a.response.endpoint + ": the answer has no \"records\" array");
    bool go_on = true;
    if (auto s = on_batch(a.body["records"], go_on); !s.isOk()) return s;
    const auto next = http::salesforceNextRecordsUrl(a.body);
    if (!next || !go_on) return Status::ok();
    target = *next;
  }
}

std::string queryPath(const Context& ctx, const char* endpoint, const std::string& soql) {
  return "/services/data/" + ctx.api_version + "/" + endpoint + "?q=" + http::formEncode(soql);
}

}  // namespace

std::string describeError(const http::Response& r) {
  const json body = json::parse(r.body, nullptr, false);
  std::string out;
  if (body.is_array())
    for (const auto& e : body) {
      if (!e.is_object()) continue;
      if (!out.empty()) out += "; ";
      out += http::textOf(e, "errorCode") + ": " + http::textOf(e, "message");
    }
  else if (body.is_object() && body.contains("error"))  // the OAuth endpoint's shape
    out = http::textOf(body, "error") + ": " + http::textOf(body, "error_description");
  return out;
}

Status queryAllBatches(Context& ctx, const std::string& soql, const std::function<void(const json&)>& on_record) {
  return pages(ctx, queryPath(ctx, "query", soql), [&](const json& records, bool&) {
    for (const auto& r : records) on_record(r);
    return Status::ok();
  });
}

Status readSObjects(Context& ctx, const std::string& stream, const SObjectSpec& spec, const json& state) {
  const std::string since = state.is_object() ? state.value("since", "") : "";
  std::string soql = "SELECT Id, SystemModstamp, IsDeleted";
  for (const auto& f : spec.fields) soql += ", " + f;
  soql += " FROM " + spec.object;
  if (!since.empty()) {
    // A record's SystemModstamp is set when its transaction starts; one that commits after this
    // query can carry an older stamp than the checkpoint. Reaching back catches it.
    const std::string literal = soqlDateTime(since, ctx.settings.value("modstamp_lookback_seconds", 300));
    if (literal.empty()) return Status::error("the checkpoint of " + stream + " holds a bad date '" + since + "'; reset it");
    soql += " WHERE SystemModstamp >= " + literal;
  }
  soql += " ORDER BY SystemModstamp ASC";
  // Deleted records matter only to a store that holds their earlier versions.
  const char* endpoint = since.empty() ? "query" : "queryAll";

  std::vector<std::string> out;
  return pages(ctx, queryPath(ctx, endpoint, soql), [&](const json& records, bool& go_on) {
    std::string last;
    for (const auto& r : records) {
      const std::string id = http::textOf(r, "Id");
      // The record's REST URL, as Salesforce gives it in "attributes".
      std::string origin = r.contains("attributes") ? http::textOf(r["attributes"], "url") : "";
      if (origin.empty()) origin = "/services/data/" + ctx.api_version + "/sobjects/" + spec.object + "/" + id;
      if (id.empty()) {
        ctx.host.reject(stream, spec.object, "a record without an Id");
        continue;
      }
      if (r.contains("SystemModstamp") && r["SystemModstamp"].is_string()) last = r["SystemModstamp"].get<std::string>();
      if (r.contains("IsDeleted") && r["IsDeleted"].is_boolean() && r["IsDeleted"].get<bool>()) {
        for (const auto& gone : spec.deleted_ids ? spec.deleted_ids(id) : std::vector<std::string>{id})
          go_on = ctx.host.deleted(stream, gone) && go_on;
        continue;
      }
      out.clear();
      if (const std::string why = spec.map(r, out); !why.empty()) {
        ctx.host.reject(stream, origin, why);
        continue;
      }
      for (const auto& record : out) go_on = ctx.host.emit(stream, record, origin.c_str()) && go_on;
    }
    if (!last.empty()) ctx.host.checkpoint(stream, {{"since", last}});
    return Status::ok();
  });
}

}  // namespace salesforce
