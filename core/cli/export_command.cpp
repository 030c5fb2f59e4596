#include <algorithm>
#include <iostream>
#include <optional>

#include "bootstrap/setup.hpp"
#include "cli/export.hpp"
#include "cli/configured_store.hpp"
#include "cli/exit_codes.hpp"
#include "cli/report_command.hpp"
#include "store/store_open.hpp"

namespace abm::cli {

namespace {

std::string tableList() {
  std::string list;
  for (auto t : exportableTables()) list += (list.empty() ? "" : ", ") + std::string(t);
  return list;
}

int usage(const std::string& why) { return usageError(why, "abmctl export --help"); }

}  // namespace

int runExportCommand(const std::string& config_arg, const std::vector<std::string>& args) {
  std::optional<std::string> table;
  std::string format_text = "csv";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::cout << "usage: abmctl [-c CONFIG] export TABLE [--format csv|ndjson]\n\n"
                   "Streams every row of a table or view of the store to stdout: csv (RFC 4180, a header row,\n"
                   "CRLF line ends, NULL as an empty field; the default) or ndjson (one JSON object per line,\n"
                   "numbers as numbers, NULL as null).\n\nTables: "
                << tableList() << "\n";
      return 0;
    }
    if (a == "--format") {
      if (i + 1 >= args.size()) return usage("--format needs a value (csv or ndjson)");
      format_text = args[++i];
    } else if (a.rfind("--", 0) == 0) {
      return usage("export: unknown option " + a);
    } else if (!table) {
      table = a;
    } else {
      return usage("export takes one table, not '" + *table + "' and '" + a + "'");
    }
  }
  if (!table) return usage("export takes a TABLE: " + tableList());
  if (format_text != "csv" && format_text != "ndjson")
    return usage("--format '" + format_text + "' is not one of csv, ndjson");
  const auto& known = exportableTables();
  if (std::find(known.begin(), known.end(), *table) == known.end())
    return usage("export has no table '" + *table + "'; it exports: " + tableList());

  int exit_code = 0;
  auto db = openConfiguredStoreForReading(config_arg, exit_code);
  if (!db) return exit_code;
  auto s = exportTable(*db, *table, format_text == "csv" ? ExportFormat::Csv : ExportFormat::Ndjson, std::cout);
  if (!s) {
    std::cerr << "abmctl: export " << *table << ": " << s.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace abm::cli
