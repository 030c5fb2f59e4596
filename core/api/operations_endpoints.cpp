// GET /api/v1/runs, /api/v1/runs/{run_id}, /api/v1/connectors and /api/v1/health: what the daemon
// has run and how it stands.
#include <algorithm>

#include "api/endpoint.hpp"
#include "api/list_query.hpp"

namespace abm::api {

namespace {

using Step = store::Statement::Step;

const ListSpec& runsSpec() {
  static const ListSpec spec{"runs", {{"run_id", "r.run_id", KeyType::Integer}}, "-run_id", "r.run_id"};
  return spec;
}

// Connectors come from the daemon's configuration, not from a table, and page by name.
const ListSpec& connectorsSpec() {
  static const ListSpec spec{"connectors", {{"name", "name", KeyType::Text}}, "name", "name", KeyType::Text};
  return spec;
}

constexpr const char* kRunColumns =
    "r.run_id, r.connector, r.started_at, r.finished_at, r.status, r.records, r.rejected, r.full_refresh, "
    "r.error,"
    " r.owner";

nlohmann::json runJson(const RowReader& r) {
  return {{"run_id", r.integer(0)},   {"connector", r.text(1)},       {"started_at", r.text(2)},
          {"finished_at", r.text(3)}, {"status", r.text(4)},          {"records", r.integer(5)},
          {"rejected", r.integer(6)}, {"full_refresh", r.boolean(7)}, {"error", r.text(8)},
          {"owner", r.text(9)}};
}

// The newest run of a connector and the end of its newest successful one.
ApiResult<bool> addRunSummary(Connection& c, nlohmann::json& item, const std::string& connector) {
  {
    auto st = c.prepare(std::string("SELECT ") + kRunColumns +
                        " FROM sync_runs r WHERE r.connector = ? ORDER BY r.run_id DESC LIMIT 1");
    if (!st) return st.error();
    ScopedReset reset(*st);
    (*st)->bind(1, connector);
    item["last_run"] = nullptr;
    if ((*st)->step() == Step::Row)
      item["last_run"] = runJson(RowReader(**st));
    else if (auto ok = finished(**st, "the connector's last run"); !ok)
      return ok.error();
  }
  auto st = c.prepare(
      "SELECT finished_at FROM sync_runs WHERE connector = ? AND status = 'succeeded' ORDER BY run_id DESC "
      "LIMIT 1");
  if (!st) return st.error();
  ScopedReset reset(*st);
  (*st)->bind(1, connector);
  item["last_success_at"] = nullptr;
  if ((*st)->step() == Step::Row)
    item["last_success_at"] = RowReader(**st).text(0);
  else if (auto ok = finished(**st, "the connector's last success"); !ok)
    return ok.error();
  return true;
}

}  // namespace

std::vector<ParamSpec> runsParams() {
  std::vector<ParamSpec> p = {
      textParam("connector"),
      enumParam("status", {"running", "succeeded", "failed", "retry", "interrupted", "rate_limited"}),
      timestampParam("since")};
  for (auto& x : pagingParams(runsSpec())) p.push_back(std::move(x));
  return p;
}

std::vector<ParamSpec> connectorsParams() {
  std::vector<ParamSpec> p = {enumParam("kind", {"pull", "push"})};
  for (auto& x : pagingParams(connectorsSpec())) p.push_back(std::move(x));
  return p;
}

QueryResult listRuns(Connection& c, const Call& call) {
  const auto& q = call.query;
  ListQuery query{kRunColumns, "FROM sync_runs r"};
  if (const auto* v = q.text("connector")) query.filter.add("r.connector = ?", {*v});
  if (const auto* v = q.text("status")) query.filter.add("r.status = ?", {*v});
  if (const auto* v = q.text("since")) query.filter.add("r.started_at >= ?", {*v});
  auto page = runList(c, runsSpec(), q, query, runJson);
  if (!page) return page.error();
  return ok(*page);
}

QueryResult getRun(Connection& c, const Call& call) {
  auto id = idParam(call, "run_id");
  if (!id) return id.error();
  auto st = c.prepare(std::string("SELECT ") + kRunColumns + " FROM sync_runs r WHERE r.run_id = ?");
  if (!st) return st.error();
  ScopedReset reset(*st);
  (*st)->bind(1, *id);
  if ((*st)->step() != Step::Row) {
    if (auto ok = finished(**st, "the run"); !ok) return ok.error();
    return ApiError::notFound("no run " + std::to_string(*id) + "; GET /api/v1/runs lists the runs");
  }
  return ok(runJson(RowReader(**st)));
}

QueryResult listConnectors(Connection& c, const Call& call) {
  if (!call.control)
    return ApiError::unavailable("unavailable",
                                 "this daemon does not report its connectors (" + call.endpoint + ")");
  const auto& q = call.query;
  const auto& spec = connectorsSpec();
  auto connectors = call.control->connectors();
  if (const auto* kind = q.text("kind"))
    std::erase_if(connectors, [&](const ConnectorView& v) { return v.kind != *kind; });

  const std::string sort = q.text("sort") ? *q.text("sort") : spec.default_sort;
  const bool descending = sort == "-name";
  std::sort(connectors.begin(), connectors.end(), [&](const ConnectorView& a, const ConnectorView& b) {
    return descending ? b.name < a.name : a.name < b.name;
  });
  const std::string identity = "sort=" + sort + "|" + q.canonical({"limit", "cursor", "sort"});
  // Every connector's last runs from one snapshot of the store.
  ReadSnapshot snapshot(c.db());
  if (auto b = snapshot.begin(); !b) return b.error();
  auto from = connectors.begin();
  if (const auto* cursor = q.text("cursor")) {
    auto position = decodeCursor(*cursor, spec.list, identity, KeyType::Text, KeyType::Text);
    if (!position) return position.error();
    const auto last = std::get<std::string>(position->id);
    from = std::find_if(connectors.begin(), connectors.end(),
                        [&](const ConnectorView& v) { return descending ? v.name < last : v.name > last; });
  }
  const auto limit = static_cast<size_t>(q.integer("limit").value_or(spec.default_limit));
  nlohmann::json items = nlohmann::json::array();
  nlohmann::json next = nullptr;
  for (auto it = from; it != connectors.end(); ++it) {
    if (items.size() == limit) {
      const auto& last = items.back()["name"].get_ref<const std::string&>();
      next = encodeCursor(spec.list, identity, CursorPosition{last, last});
      break;
    }
    nlohmann::json item = {
        {"name", it->name},
        {"plugin", it->plugin},
        {"kind", it->kind},
        {"schedule", it->schedule.empty() ? nlohmann::json(nullptr) : nlohmann::json(it->schedule)},
        {"enabled", it->enabled},
        {"settings", it->settings}};
    if (auto added = addRunSummary(c, item, it->name); !added) return added.error();
    items.push_back(std::move(item));
  }
  return ok({{"items", std::move(items)}, {"next_cursor", std::move(next)}});
}

QueryResult getHealth(Connection* c, const std::string& open_error, const Call& call) {
  nlohmann::json out = {{"status", "ok"}, {"version", ABMD_VERSION}};
  // Health is public: it says whether the store can be read, never where it is or why not (the
  // authenticated endpoints and the daemon log say that).
  if (!c) {
    out["status"] = "unavailable";
    out["store"] = {{"readable", false}};
    return jsonResponse(503, out);
  }
  auto st = c->prepare("SELECT max(version) FROM schema_migrations");
  if (!st) return st.error();
  ScopedReset reset(*st);
  if ((*st)->step() != Step::Row) {
    out["status"] = "unavailable";
    out["store"] = {{"readable", false}};
    return jsonResponse(503, out);
  }
  out["store"] = {{"readable", true}, {"schema_version", RowReader(**st).integer(0)}};
  (*st)->reset();
  auto m = c->prepare("SELECT as_of, finished_at FROM metrics_runs ORDER BY run_id DESC LIMIT 1");
  if (!m) return m.error();
  ScopedReset reset_m(*m);
  out["metrics"] = nullptr;
  if ((*m)->step() == Step::Row)
    out["metrics"] = {{"as_of", RowReader(**m).text(0)}, {"finished_at", RowReader(**m).text(1)}};
  else if (auto ok = finished(**m, "the last metrics run"); !ok)
    return ok.error();
  return ok(out);
}

}  // namespace abm::api
