#include "api/list_query.hpp"

namespace abm::api {

SqlFilter& SqlFilter::add(std::string condition, std::vector<SqlValue> values) {
  conditions_.push_back(std::move(condition));
  for (auto& v : values) values_.push_back(std::move(v));
  return *this;
}

std::string SqlFilter::sql() const {
  std::string out;
  for (const auto& c : conditions_) out += (out.empty() ? " WHERE (" : " AND (") + c + ")";
  return out;
}

void bindValue(store::Statement& st, int index, const SqlValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>)
          st.bindNull(index);
        else
          st.bind(index, v);
      },
      value);
}

std::string timeOrEarliest(const std::string& column) {
  return "coalesce(" + column + ", '0001-01-01T00:00:00Z')";
}

std::vector<std::string> sortValues(const ListSpec& spec) {
  std::vector<std::string> out;
  for (const auto& s : spec.sorts) {
    out.push_back(s.name);
    out.push_back("-" + s.name);
  }
  return out;
}

std::vector<ParamSpec> pagingParams(const ListSpec& spec) {
  return {integerParam("limit", 1, spec.max_limit), textParam("cursor", 8192),
          enumParam("sort", sortValues(spec))};
}

namespace {

SqlValue toSql(const KeyValue& v) {
  return std::visit([](const auto& x) { return SqlValue(x); }, v);
}

KeyValue readKey(const store::Statement& st, int col, KeyType type) {
  switch (type) {
    case KeyType::Integer:
      return st.columnInt(col);
    case KeyType::Real:
      return st.columnDouble(col);
    case KeyType::Text:
      return st.columnText(col);
  }
  return int64_t{0};
}

}  // namespace

ApiResult<nlohmann::json> runList(Connection& connection, const ListSpec& spec, const QueryParams& params,
                                  const ListQuery& query, const RowMapper& row) {
  const std::string sort_value = params.text("sort") ? *params.text("sort") : spec.default_sort;
  const bool descending = !sort_value.empty() && sort_value[0] == '-';
  const std::string key_name = descending ? sort_value.substr(1) : sort_value;
  const SortKey* key = nullptr;
  for (const auto& s : spec.sorts)
    if (s.name == key_name) key = &s;
  if (!key) return ApiError::internal("list " + spec.list + " has no sort key " + key_name);
  const int64_t limit = params.integer("limit").value_or(spec.default_limit);

  // The sort is part of the identity even when it was left to its default, so a cursor made under
  // the default stays valid when a client then spells the same sort out.
  std::vector<std::string> leave_out = {"limit", "cursor", "sort"};
  leave_out.insert(leave_out.end(), query.resolved.begin(), query.resolved.end());
  const std::string identity = query.identity + "|sort=" + sort_value + "|" + params.canonical(leave_out);

  SqlFilter filter = query.filter;
  const bool key_is_id = key->expr == spec.id_expr;
  const char* op = descending ? "<" : ">";
  if (const auto* cursor = params.text("cursor")) {
    auto position = decodeCursor(*cursor, spec.list, identity, key->type, spec.id_type);
    if (!position) return position.error();
    if (key_is_id)
      filter.add(spec.id_expr + " " + op + " ?", {toSql(position->id)});
    else
      // The first term alone lets SQLite seek in an index on (key, id) (it does not seek on a
      // row-value comparison over an expression); the second is the exact position.
      filter.add(key->expr + (descending ? " <= ?" : " >= ?") + " AND (" + key->expr + ", " + spec.id_expr +
                     ") " + op + " (?, ?)",
                 {toSql(position->key), toSql(position->key), toSql(position->id)});
  }
  const char* dir = descending ? " DESC" : "";
  std::string sql = "SELECT " + key->expr + ", " + spec.id_expr + ", " + query.columns + " " + query.from +
                    filter.sql() + " ORDER BY ";
  sql += key_is_id ? spec.id_expr + dir : key->expr + dir + ", " + spec.id_expr + dir;
  sql += " LIMIT ?";

  auto st = connection.prepare(sql);
  if (!st) return st.error();
  ScopedReset reset(*st);
  int index = 1;
  for (const auto& v : filter.values()) bindValue(**st, index++, v);
  (*st)->bind(index, limit + 1);

  nlohmann::json items = nlohmann::json::array();
  std::optional<CursorPosition> last;
  bool more = false;
  while ((*st)->step() == store::Statement::Step::Row) {
    if (static_cast<int64_t>(items.size()) == limit) {
      more = true;
      break;
    }
    last = CursorPosition{readKey(**st, 0, key->type), readKey(**st, 1, spec.id_type)};
    items.push_back(row(RowReader(**st, 2)));
  }
  if (!more) {
    if (auto ok = finished(**st, spec.list); !ok) return ok.error();
  }
  nlohmann::json page = {{"items", std::move(items)}, {"next_cursor", nullptr}};
  if (more && last) page["next_cursor"] = encodeCursor(spec.list, identity, *last);
  return page;
}

}  // namespace abm::api
