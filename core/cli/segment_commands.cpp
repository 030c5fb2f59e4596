#include "cli/segment_commands.hpp"
#include "cli/exit_codes.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <optional>

#include "cli/account_output.hpp"
#include "cli/list_commands.hpp"
#include "cli/segments_store.hpp"
#include "common/timestamp.hpp"
#include "segments/filter_parser.hpp"
#include "segments/segment_members.hpp"
#include "segments/segment_store.hpp"

namespace abm::cli {

const char* const kSegmentCommandsUsage = R"(  segments create NAME 'FILTER' [--replace]
                              save a segment: accounts matching FILTER, e.g.
                              'industry in ("Software","Fintech") and employee_count between 200
                              and 5000 and stage >= engaged' (docs/segments.md); an existing NAME
                              is refused unless --replace
  segments list | show NAME | delete NAME
                              saved segments with their member counts; one segment; remove one
  accounts --segment NAME | --filter 'FILTER' [--format table|json|csv]
                              the accounts a saved segment or a filter selects
  lists import NAME FILE.csv [--target] [--tier T] [--unmatched PATH]
                              import an account list: rows of company names and/or domains matched
                              to accounts by registrable domain, then by normalized name; prints
                              matched, ambiguous and unmatched rows and writes the rows not matched
                              to PATH (default NAME-unmatched.csv beside FILE.csv). Importing NAME
                              again replaces its accounts. A --target list makes its accounts
                              targets; --tier gives its accounts a tier where their source has none
  lists list | show NAME | delete NAME
                              imported lists; one list's accounts; remove one
)";

namespace {

int usage(const std::string& why) { return usageError(why); }

// The options these commands take: flags, and options with a value.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;
  std::map<std::string, bool> flags;
};

std::optional<std::string> parseArgs(const std::vector<std::string>& args, const std::vector<std::string>& with_value,
                                     const std::vector<std::string>& flags, Args& out) {
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a.rfind("--", 0) != 0) {
      out.positional.push_back(a);
      continue;
    }
    if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
      out.flags[a] = true;
    } else if (std::find(with_value.begin(), with_value.end(), a) != with_value.end()) {
      if (i + 1 >= args.size()) return a + " needs a value";
      out.values[a] = args[++i];
    } else {
      return "unknown option " + a;
    }
  }
  return std::nullopt;
}

bootstrap::Setup setupOrThrow(const std::string& config_arg) {
  return bootstrap::loadSetup(config::resolveConfigPath(config_arg), config::Secrets::Optional);
}

int segmentsCreate(const bootstrap::Setup& s, const Args& a) {
  const auto& name = a.positional[1];
  const auto& filter = a.positional[2];
  if (auto st = segments::checkName("segment", name); !st) return usage(st.message());
  auto parsed = segments::parseFilter(filter);
  if (!parsed) {
    printFilterError(filter, parsed.error());
    return 2;
  }
  auto db = openSegmentsForWriting(s);
  if (!db) return failed(db.error());
  const bool replace = a.flags.count("--replace") > 0;
  if (auto st = segments::saveSegment(*db, name, filter, replace ? segments::IfExists::Replace : segments::IfExists::Refuse); !st)
    return failed(st.message());
  auto members = segments::matchingAccounts(*db, *parsed, nowEpochSeconds());
  if (!members) return failed(members.error());
  std::cout << "segment " << name << " saved: " << members->size() << " account(s) match now\n";
  return 0;
}

int segmentsList(const bootstrap::Setup& s) {
  auto db = openSegmentsForReading(s);
  if (!db) return failed(db.error());
  auto saved = segments::listSegments(*db);
  if (!saved) return failed(saved.error());
  std::vector<std::vector<std::string>> rows;
  bool broken = false;
  for (const auto& seg : *saved) {
    std::string count = "(filter does not parse)";
    if (auto parsed = segments::parseFilter(seg.filter)) {
      auto members = segments::matchingAccounts(*db, *parsed, nowEpochSeconds());
      if (!members) return failed(members.error());
      count = std::to_string(members->size());
    } else {
      broken = true;
    }
    rows.push_back({seg.name, count, seg.filter});
  }
  printTable(std::cout, {"segment", "accounts", "filter"}, rows);
  // A filter that no longer parses fails the KPIs of every segment: say so in the exit status.
  return broken ? 1 : 0;
}

int segmentsShow(const bootstrap::Setup& s, const std::string& name) {
  auto db = openSegmentsForReading(s);
  if (!db) return failed(db.error());
  auto found = segments::findSegment(*db, name);
  if (!found) return failed(found.error());
  if (!*found) return failed("no segment named '" + name + "' (abmctl segments list shows them)");
  const auto& seg = **found;
  std::cout << "segment:  " << seg.name << "\nfilter:   " << seg.filter << "\ncreated:  " << seg.created_at
            << "\nupdated:  " << seg.updated_at << "\n";
  auto parsed = segments::parseFilter(seg.filter);
  if (!parsed) {
    printFilterError(seg.filter, "its filter no longer parses: " + parsed.error());
    return 1;
  }
  auto members = segments::matchingAccounts(*db, *parsed, nowEpochSeconds());
  if (!members) return failed(members.error());
  std::cout << "accounts: " << members->size() << " (abmctl accounts --segment " << name << " lists them)\n";
  return 0;
}

int segmentsDelete(const bootstrap::Setup& s, const std::string& name) {
  auto db = openSegmentsForWriting(s);
  if (!db) return failed(db.error());
  auto gone = segments::deleteSegment(*db, name);
  if (!gone) return failed(gone.error());
  if (!*gone) return failed("no segment named '" + name + "' (abmctl segments list shows them)");
  std::cout << "segment " << name << " deleted\n";
  return 0;
}

int cmdSegments(const std::vector<std::string>& args, const std::string& config_arg) {
  Args a;
  if (auto e = parseArgs(args, {}, {"--replace"}, a)) return usage("segments: " + *e);
  const auto& p = a.positional;
  const std::string sub = p.empty() ? "" : p[0];
  const bool ok = (sub == "create" && p.size() == 3) || (sub == "list" && p.size() == 1) ||
                  ((sub == "show" || sub == "delete") && p.size() == 2);
  if (!ok) return usage("segments takes 'create NAME FILTER [--replace]', 'list', 'show NAME' or 'delete NAME'");
  if (a.flags.count("--replace") && sub != "create") return usage("--replace goes with segments create");
  const auto s = setupOrThrow(config_arg);
  if (sub == "create") return segmentsCreate(s, a);
  if (sub == "list") return segmentsList(s);
  if (sub == "show") return segmentsShow(s, p[1]);
  return segmentsDelete(s, p[1]);
}

int cmdAccounts(const std::vector<std::string>& args, const std::string& config_arg) {
  Args a;
  if (auto e = parseArgs(args, {"--segment", "--filter", "--format"}, {}, a)) return usage("accounts: " + *e);
  if (!a.positional.empty()) return usage("accounts takes no arguments besides its options, found '" + a.positional[0] + "'");
  const bool by_segment = a.values.count("--segment") > 0, by_filter = a.values.count("--filter") > 0;
  if (by_segment == by_filter) return usage("accounts takes one of --segment NAME or --filter 'FILTER'");
  const auto format = parseReportFormat(a.values.count("--format") ? a.values.at("--format") : "table");
  if (!format) return usage("--format takes table, json or csv, not '" + a.values.at("--format") + "'");
  std::string filter = by_filter ? a.values.at("--filter") : "";
  std::optional<segments::Expr> parsed;
  if (by_filter) {
    auto p = segments::parseFilter(filter);
    if (!p) {
      printFilterError(filter, p.error());
      return 2;
    }
    parsed = std::move(*p);
  }
  const auto s = setupOrThrow(config_arg);
  auto db = openSegmentsForReading(s);
  if (!db) return failed(db.error());
  if (by_segment) {
    const auto& name = a.values.at("--segment");
    auto found = segments::findSegment(*db, name);
    if (!found) return failed(found.error());
    if (!*found) return failed("no segment named '" + name + "' (abmctl segments list shows them)");
    filter = (*found)->filter;
    auto p = segments::parseFilter(filter);
    if (!p) {
      printFilterError(filter, "segment '" + name + "': its filter no longer parses: " + p.error());
      return 1;
    }
    parsed = std::move(*p);
  }
  std::vector<segments::AccountFacts> accounts;
  auto st = segments::forEachMatchingAccount(*db, *parsed, nowEpochSeconds(), [&](const segments::AccountFacts& f) {
    accounts.push_back(f);
    accounts.back().contacts = nullptr;  // they live only while the walk runs
  });
  if (!st) return failed(st.message());
  printAccounts(std::cout, accounts, *format);
  return 0;
}

}  // namespace

bool isSegmentCommand(const std::string& command) {
  return command == "segments" || command == "accounts" || command == "lists";
}

int runSegmentCommand(const std::string& command, const std::vector<std::string>& args, const std::string& config_arg) {
  try {
    if (command == "segments") return cmdSegments(args, config_arg);
    if (command == "accounts") return cmdAccounts(args, config_arg);
    return runListCommand(args, config_arg);
  } catch (const std::exception& e) {  // the daemon config is unusable (ConfigError)
    std::cerr << "abmctl: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace abm::cli
