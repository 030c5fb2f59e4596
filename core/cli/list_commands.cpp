#include "cli/list_commands.hpp"
#include "cli/exit_codes.hpp"

#include <fstream>
#include <iostream>
#include <set>

#include "cli/account_output.hpp"
#include "cli/segments_store.hpp"
#include "common/csv_field.hpp"
#include "segments/account_lists.hpp"
#include "segments/list_file.hpp"
#include "segments/list_matching.hpp"
#include "segments/segment_store.hpp"

namespace abm::cli {

namespace {

int usage(const std::string& why) { return usageError(why); }

struct ImportOptions {
  std::string name;
  std::filesystem::path file, unmatched;
  bool target = false;
  std::optional<std::string> tier;
};

std::string ids(const std::vector<int64_t>& v) {
  std::string out;
  for (auto id : v) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return out;
}

// "Acme Inc / acme.com": how a row is named in the report.
std::string rowLabel(const segments::ListRow& r) {
  if (!r.name.empty() && !r.domain.empty()) return r.name + " / " + r.domain;
  if (r.name.empty() && r.domain.empty()) return "(no name or domain)";
  return r.name.empty() ? r.domain : r.name;
}

int importList(const bootstrap::Setup& s, const ImportOptions& o) {
  auto file = segments::readListFile(o.file);
  if (!file) return failed(file.error());
  auto db = openSegmentsForWriting(s);
  if (!db) return failed(db.error());
  auto index = segments::AccountIndex::load(*db);
  if (!index) return failed(index.error());

  std::vector<segments::ListMember> members;
  std::vector<std::string> matched_lines, ambiguous_lines, unmatched_lines;
  std::string not_matched = csvLine([&] {
    auto h = file->header;
    h.push_back("abmd_reason");
    return h;
  }());
  for (const auto& row : file->rows) {
    const auto m = index->match(row.name, row.domain, s.identity->suffixes);
    const std::string where = "  line " + std::to_string(row.line) + ": " + rowLabel(row);
    if (m.outcome == segments::MatchOutcome::Matched) {
      members.push_back({m.account_ids[0], m.matched_by});
      matched_lines.push_back(where + " -> account " + std::to_string(m.account_ids[0]) + " (by " + m.matched_by + ")");
      continue;
    }
    const bool ambiguous = m.outcome == segments::MatchOutcome::Ambiguous;
    (ambiguous ? ambiguous_lines : unmatched_lines).push_back(where + (ambiguous ? " -> accounts " + ids(m.account_ids) : "") + ": " + m.reason);
    auto fields = row.fields;
    fields.resize(file->header.size());
    fields.push_back((ambiguous ? "ambiguous: " : "unmatched: ") + m.reason);
    not_matched += csvLine(fields);
  }
  auto section = [](const char* title, const std::vector<std::string>& lines) {
    std::cout << title << ": " << lines.size() << "\n";
    for (const auto& l : lines) std::cout << l << "\n";
  };
  section("matched", matched_lines);
  section("ambiguous", ambiguous_lines);
  section("unmatched", unmatched_lines);

  if (auto st = segments::replaceList(*db, o.name, o.target, o.tier, members); !st) return failed(st.message());
  std::set<int64_t> accounts;
  for (const auto& m : members) accounts.insert(m.account_id);
  std::cout << "list " << o.name << ": " << members.size() << " row(s) matched " << accounts.size() << " account(s)"
            << (o.target ? ", its accounts are targets" : "") << (o.tier ? ", tier " + *o.tier : "") << "\n";
  if (ambiguous_lines.empty() && unmatched_lines.empty()) {
    std::cout << "every row matched; no unmatched file written";
    std::error_code ec;
    if (std::filesystem::exists(o.unmatched, ec)) std::cout << " (" << o.unmatched.string() << " is from an earlier import)";
    std::cout << "\n";
    return 0;
  }
  std::ofstream out(o.unmatched, std::ios::binary | std::ios::trunc);
  out << not_matched;
  out.close();
  if (!out) return failed("the list is imported, but the rows not matched could not be written to " + o.unmatched.string());
  std::cout << ambiguous_lines.size() + unmatched_lines.size() << " row(s) not matched written to " << o.unmatched.string()
            << " (column abmd_reason says why; fix them and import the file again)\n";
  return 0;
}

int showLists(const bootstrap::Setup& s) {
  auto db = openSegmentsForReading(s);
  if (!db) return failed(db.error());
  auto all = segments::listLists(*db);
  if (!all) return failed(all.error());
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : *all)
    rows.push_back({l.name, l.is_target ? "yes" : "no", l.tier.value_or(""), std::to_string(l.members), l.imported_at});
  printTable(std::cout, {"list", "target", "tier", "accounts", "imported"}, rows);
  return 0;
}

int showList(const bootstrap::Setup& s, const std::string& name) {
  auto db = openSegmentsForReading(s);
  if (!db) return failed(db.error());
  auto found = segments::findList(*db, name);
  if (!found) return failed(found.error());
  if (!*found) return failed("no list named '" + name + "' (abmctl lists list shows them)");
  const auto& l = **found;
  std::cout << "list:     " << l.name << "\ntarget:   " << (l.is_target ? "yes" : "no") << "\ntier:     "
            << l.tier.value_or("(none)") << "\nimported: " << l.imported_at << "\naccounts: " << l.members << "\n";
  auto members = segments::listMembers(*db, l.list_id);
  if (!members) return failed(members.error());
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : *members) rows.push_back({std::to_string(m.account_id), m.name, m.domain, m.matched_by});
  printTable(std::cout, {"account_id", "name", "domain", "matched_by"}, rows);
  return 0;
}

int deleteList(const bootstrap::Setup& s, const std::string& name) {
  auto db = openSegmentsForWriting(s);
  if (!db) return failed(db.error());
  auto gone = segments::deleteList(*db, name);
  if (!gone) return failed(gone.error());
  if (!*gone) return failed("no list named '" + name + "' (abmctl lists list shows them)");
  std::cout << "list " << name << " deleted\n";
  return 0;
}

}  // namespace

int runListCommand(const std::vector<std::string>& args, const std::string& config_arg) {
  std::vector<std::string> p;
  ImportOptions o;
  std::string unmatched;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--target") {
      o.target = true;
    } else if (a == "--tier" || a == "--unmatched") {
      if (i + 1 >= args.size() || args[i + 1].empty()) return usage(a + " needs a value");
      (a == "--tier" ? o.tier.emplace() : unmatched) = args[++i];
    } else if (a.rfind("--", 0) == 0) {
      return usage("lists: unknown option " + a);
    } else {
      p.push_back(a);
    }
  }
  const std::string sub = p.empty() ? "" : p[0];
  const bool ok = (sub == "import" && p.size() == 3) || (sub == "list" && p.size() == 1) ||
                  ((sub == "show" || sub == "delete") && p.size() == 2);
  if (!ok) return usage("lists takes 'import NAME FILE.csv [--target] [--tier T] [--unmatched PATH]', 'list', 'show NAME' or 'delete NAME'");
  if (sub != "import" && (o.target || o.tier || !unmatched.empty()))
    return usage("--target, --tier and --unmatched go with lists import");
  const auto s = bootstrap::loadSetup(config::resolveConfigPath(config_arg), config::Secrets::Optional);
  if (sub == "list") return showLists(s);
  if (sub == "show") return showList(s, p[1]);
  if (sub == "delete") return deleteList(s, p[1]);
  o.name = p[1];
  if (auto st = segments::checkName("list", o.name); !st) return usage(st.message());
  o.file = p[2];
  o.unmatched = unmatched.empty() ? o.file.parent_path() / (o.name + "-unmatched.csv") : std::filesystem::path(unmatched);
  if (std::filesystem::weakly_canonical(o.unmatched) == std::filesystem::weakly_canonical(o.file))
    return usage("--unmatched names the input file itself; pick another path");
  return importList(s, o);
}

}  // namespace abm::cli
