// A declarative REST source as its connector file describes it: every stream's mapping (the shared
// mapping language, <abm/sdk/mapping.hpp>) plus where it is read from (path, query), where its records
// sit in the answer, how it pages and, for an incremental stream, its cursor. Reading it checks the
// whole definition; a mistake is one line naming its key path.
#pragma once

#include <abm/sdk/mapping.hpp>
#include <abm/sdk/paginator.hpp>

#include <string>
#include <utility>
#include <vector>

namespace rest {

using nlohmann::json;

// How a cursor value is written into its query parameter.
enum class CursorFormat { Raw, Iso, DateTime, Date, EpochSeconds, EpochMillis };
inline constexpr std::string_view kCursorFormats[] = {"raw", "iso", "datetime", "date", "epoch_seconds", "epoch_millis"};

struct Cursor {
  std::string field;  // JSON pointer into a record: its update time (or any value that only grows)
  std::string param;  // query parameter that carries the last value seen
  CursorFormat format = CursorFormat::Raw;
  json start;         // the value of a first run (null: the first run asks for everything)
};

struct RestStream {
  abm::sdk::mapping::StreamMapping mapping;
  std::string path;                                       // under base_url
  std::vector<std::pair<std::string, std::string>> query;  // as written, in the file's order
  std::string records;                                    // JSON pointer to the record array ("" : the answer is it)
  abm::sdk::http::PagingSpec paging;
  bool incremental = false;
  Cursor cursor;
};

// Reads settings.streams; "" or one line naming the key path of the first mistake.
std::string readDefinition(const json& settings, std::vector<RestStream>& out);

}  // namespace rest
