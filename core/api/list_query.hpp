// Keyset paging, the same for every list of the API. A list is a SELECT with filters, ordered by
// one sort key and then a unique id; a page asks for the rows after the last one given
// ((key, id) > (last_key, last_id), or < when descending) and takes one row more than `limit` to
// know whether another page follows. Never OFFSET: a page costs the same wherever it starts, and
// rows written while a client pages do not shift the pages after them (no duplicates, no gaps
// among the rows that were there all along).
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "api/cursor.hpp"
#include "api/query_params.hpp"
#include "api/store_access.hpp"

namespace abm::api {

using SqlValue = std::variant<std::nullptr_t, int64_t, double, std::string>;

// Conditions joined with AND, with the values they bind, in order.
class SqlFilter {
 public:
  SqlFilter& add(std::string condition, std::vector<SqlValue> values = {});
  // "WHERE c1 AND c2" with a leading space, or "" when there is no condition.
  std::string sql() const;
  const std::vector<SqlValue>& values() const { return values_; }

 private:
  std::vector<std::string> conditions_;
  std::vector<SqlValue> values_;
};

void bindValue(store::Statement& st, int index, const SqlValue& value);

struct SortKey {
  std::string name;  // the sort parameter's value, ascending ("name"; "-name" is descending)
  std::string expr;  // an SQL expression that is never NULL ("coalesce(a.name, '')")
  KeyType type = KeyType::Integer;
};

// A sort key over a timestamp column that may be NULL: the missing time sorts before every other.
// Not coalesce(x, ''): a timestamp is text on SQLite but timestamptz on PostgreSQL, where '' is no
// time; the first instant both stores can hold compares the same way on both and reads back alike.
std::string timeOrEarliest(const std::string& column);

struct ListSpec {
  std::string list;  // names the list in cursors ("accounts")
  std::vector<SortKey> sorts;
  std::string default_sort;  // a value of the sort parameter: "account_id", "-occurred_at"
  std::string id_expr;       // the unique tie-break ("a.account_id"), in the sort's direction
  KeyType id_type = KeyType::Integer;
  int default_limit = 100;
  int max_limit = 1000;
};

// The values `sort` accepts: each key, and each key with '-' for descending.
std::vector<std::string> sortValues(const ListSpec& spec);
// limit, cursor and sort: what every list accepts besides its filters.
std::vector<ParamSpec> pagingParams(const ListSpec& spec);

struct ListQuery {
  std::string columns;  // "a.account_id, a.name, ..." read by the row mapper from column 0
  std::string from;     // "FROM accounts a LEFT JOIN ..."
  SqlFilter filter;
  // Anything besides the query parameters that decides the rows (the account of a timeline), so a
  // cursor cannot be carried from one account's timeline to another's.
  std::string identity;
  // Parameters whose resolved value (default filled in) `identity` already carries: left out of
  // the parameters' part, so a cursor stays valid when a client spells out a default.
  std::vector<std::string> resolved;
};

using RowMapper = std::function<nlohmann::json(const RowReader&)>;

// One page: {"items": [...], "next_cursor": "..." | null}.
ApiResult<nlohmann::json> runList(Connection& connection, const ListSpec& spec, const QueryParams& params,
                                  const ListQuery& query, const RowMapper& row);

}  // namespace abm::api
