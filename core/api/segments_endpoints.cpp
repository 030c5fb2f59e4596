// GET /api/v1/segments (saved segments with their member counts) and /api/v1/segments/{name} (one
// segment with its accounts, paged). Members are evaluated here, on the query thread, over the
// store as it is (docs/segments.md): an answer is never older than the store.
#include <algorithm>
#include <string>
#include <vector>

#include "api/endpoint.hpp"
#include "api/list_query.hpp"
#include "common/timestamp.hpp"
#include "segments/filter_parser.hpp"
#include "segments/segment_members.hpp"
#include "segments/segment_store.hpp"

namespace abm::api {

namespace {

using Step = store::Statement::Step;

// Accounts of a segment sort by account_id only: the members are known as ids, and the page is
// cut from them before any row is read.
const ListSpec& segmentAccountsSpec() {
  static const ListSpec spec{"segment_accounts", {{"account_id", "a.account_id", KeyType::Integer}}, "account_id",
                             "a.account_id"};
  return spec;
}

// The accounts of one page are read by ids, this many per statement, unused places bound to 0 (no
// account has id 0): one SQL text for every page, so the connection's statement cache stays small.
constexpr int kIdsPerRead = 100;

std::string byIdsSql() {
  std::string sql = std::string("SELECT ") + kAccountColumns + kAccountJoins + " WHERE a.account_id IN (";
  for (int i = 1; i <= kIdsPerRead; ++i) sql += (i > 1 ? ", ?" : "?") + std::to_string(i);
  return sql + ")";
}

ApiResult<std::vector<nlohmann::json>> accountsByIds(Connection& c, const std::vector<int64_t>& ids) {
  std::vector<std::pair<int64_t, nlohmann::json>> found;
  static const std::string sql = byIdsSql();
  for (size_t start = 0; start < ids.size(); start += kIdsPerRead) {
    auto st = c.prepare(sql);
    if (!st) return st.error();
    ScopedReset reset(*st);
    for (int i = 0; i < kIdsPerRead; ++i) {
      const size_t k = start + static_cast<size_t>(i);
      (*st)->bind(i + 1, k < ids.size() ? ids[k] : int64_t{0});
    }
    while ((*st)->step() == Step::Row) {
      RowReader r(**st);
      found.emplace_back(r.rawInt(0), accountJson(r));
    }
    if (auto ok = finished(**st, "the segment's accounts"); !ok) return ok.error();
  }
  // In the order of `ids`.
  std::vector<nlohmann::json> out;
  for (auto id : ids)
    for (auto& [fid, json] : found)
      if (fid == id) out.push_back(std::move(json));
  return out;
}

ApiError notParsing(const std::string& name, const std::string& error) {
  return ApiError{409, "invalid_filter",
                  "segment '" + name + "' has a filter that no longer parses: " + error +
                      "; save it again with abmctl segments create " + name + " '<filter>' --replace"};
}

nlohmann::json segmentJson(const segments::SavedSegment& s) {
  return {{"name", s.name}, {"filter", s.filter}, {"created_at", s.created_at}, {"updated_at", s.updated_at}};
}

}  // namespace

std::vector<ParamSpec> segmentParams() { return pagingParams(segmentAccountsSpec()); }

QueryResult listSegments(Connection& c, const Call&) {
  ReadSnapshot snapshot(c.db());
  if (auto b = snapshot.begin(); !b) return b.error();
  auto saved = segments::listSegments(c.db());
  if (!saved) return storeError("the segments", saved.error());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& s : *saved) {
    auto item = segmentJson(s);
    auto parsed = segments::parseFilter(s.filter);
    if (!parsed) {
      // One broken filter must not hide the others: it is given with its error.
      item["accounts"] = nullptr;
      item["error"] = notParsing(s.name, parsed.error()).message;
    } else {
      auto members = segments::matchingAccounts(c.db(), *parsed, nowEpochSeconds());
      if (!members) return storeError("the members of segment " + s.name, members.error());
      item["accounts"] = members->size();
    }
    items.push_back(std::move(item));
  }
  return ok({{"items", std::move(items)}});
}

QueryResult getSegment(Connection& c, const Call& call) {
  const std::string name = call.params.at("name");
  ReadSnapshot snapshot(c.db());
  if (auto b = snapshot.begin(); !b) return b.error();
  auto found = segments::findSegment(c.db(), name);
  if (!found) return storeError("the segment", found.error());
  if (!*found) return ApiError::notFound("no segment '" + name + "'; GET /api/v1/segments lists the saved segments");
  auto parsed = segments::parseFilter((*found)->filter);
  if (!parsed) return notParsing(name, parsed.error());
  auto members = segments::matchingAccounts(c.db(), *parsed, nowEpochSeconds());
  if (!members) return storeError("the members of segment " + name, members.error());

  const auto& q = call.query;
  const std::string sort = q.text("sort") ? *q.text("sort") : segmentAccountsSpec().default_sort;
  const bool descending = sort[0] == '-';
  std::vector<int64_t> ids = *members;
  if (descending) std::reverse(ids.begin(), ids.end());
  const std::string identity = "segment=" + name + "|sort=" + sort;
  auto start = ids.begin();
  if (const auto* cursor = q.text("cursor")) {
    auto position = decodeCursor(*cursor, segmentAccountsSpec().list, identity, KeyType::Integer, KeyType::Integer);
    if (!position) return position.error();
    const int64_t last = std::get<int64_t>(position->id);
    start = descending ? std::upper_bound(ids.begin(), ids.end(), last, std::greater<>())
                       : std::upper_bound(ids.begin(), ids.end(), last);
  }
  const auto limit = static_cast<size_t>(q.integer("limit").value_or(segmentAccountsSpec().default_limit));
  const size_t left = static_cast<size_t>(ids.end() - start);
  std::vector<int64_t> page(start, start + static_cast<std::ptrdiff_t>(std::min(limit, left)));
  auto accounts = accountsByIds(c, page);
  if (!accounts) return accounts.error();

  auto out = segmentJson(**found);
  out["accounts_total"] = members->size();
  out["items"] = std::move(*accounts);
  out["next_cursor"] = nullptr;
  if (left > limit)
    out["next_cursor"] = encodeCursor(segmentAccountsSpec().list, identity, CursorPosition{page.back(), page.back()});
  return ok(out);
}

}  // namespace abm::api
