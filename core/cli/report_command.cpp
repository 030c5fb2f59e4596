#include "cli/report_command.hpp"
#include "cli/configured_store.hpp"
#include "cli/exit_codes.hpp"

#include <iostream>
#include <optional>

#include "bootstrap/setup.hpp"
#include "cli/report.hpp"
#include "cli/report_views.hpp"
#include "store/store_open.hpp"

namespace abm::cli {

namespace {

constexpr const char* kReportHelp = R"(usage: abmctl [-c CONFIG] report [--top N]
       abmctl [-c CONFIG] report executive|campaigns|funnel|accounts [--format table|json|csv]
                                 [--period P] [--segment NAME] [--top N]

Without a subcommand: what the store holds, the most engaged accounts, the journey funnel and
revenue by channel (--top N accounts, default 10).

  executive   pipeline, revenue, win rate, deal size, sales cycle, forecast and CAC for target,
              non-target and all accounts side by side, with the lift of target over non-target
  campaigns   spend, reach, engagement, influenced, sourced and attributed pipeline and revenue,
              ROAS, ROI and CAC per campaign, then per channel
  funnel      the journey of target accounts through the stages (all time), with each stage's
              conversion in the period for target, non-target and all accounts
  accounts    the most engaged accounts with their stage (--top N, default 20)

Options:
  --format F     table (aligned, the default), json or csv
  --period P     last_90d (default), last_365d, qtd or a month YYYY-MM: one of the periods the
                 metrics stage computed (executive, funnel, campaigns)
  --segment NAME the saved segment's KPIs beside all accounts' (executive, funnel)
  --top N        how many accounts

Figures are those of the last 'abmctl metrics run' (or the daemon's metrics stage); see
docs/metrics.md for their definitions.
)";

int usage(const std::string& why) { return usageError(why, "abmctl report --help"); }

}  // namespace

int runReportCommand(const std::string& config_arg, const std::vector<std::string>& args) {
  std::optional<std::string> view, format_text, period, segment;
  std::optional<int> top;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::cout << kReportHelp;
      return 0;
    }
    if (a == "--format" || a == "--period" || a == "--segment" || a == "--top") {
      if (i + 1 >= args.size()) return usage(a + " needs a value");
      const std::string& v = args[++i];
      if (a == "--format") format_text = v;
      else if (a == "--period") period = v;
      else if (a == "--segment") segment = v;
      else {
        try {
          size_t used = 0;
          top = std::stoi(v, &used);
          if (used != v.size() || *top < 1) throw std::invalid_argument(v);
        } catch (...) {
          return usage("--top takes a whole number of at least 1, not '" + v + "'");
        }
      }
    } else if (a.rfind("--", 0) == 0) {
      return usage("report: unknown option " + a);
    } else if (!view) {
      view = a;
    } else {
      return usage("report takes one subcommand, not '" + *view + "' and '" + a + "'");
    }
  }
  if (view && *view != "executive" && *view != "campaigns" && *view != "funnel" && *view != "accounts")
    return usage("report has no subcommand '" + *view + "' (executive, campaigns, funnel, accounts)");
  if (!view && (format_text || period || segment))
    return usage("--format, --period and --segment go with a subcommand: report executive|campaigns|funnel|accounts");
  const auto format = parseReportFormat(format_text.value_or("table"));
  if (!format) return usage("--format '" + *format_text + "' is not one of table, json, csv");
  if (period && !isPeriodName(*period))
    return usage("--period '" + *period + "' is not a period: last_90d, last_365d, qtd or a month like 2026-05");
  if (segment && (*view == "campaigns" || *view == "accounts"))
    return usage("report " + *view + " takes no --segment: " +
                 (*view == "campaigns" ? std::string("campaign figures are over all accounts")
                                       : std::string("'abmctl accounts --segment NAME' lists a segment's accounts")));
  if (segment && segment->empty()) return usage("--segment needs a segment's name");
  if (period && view && *view == "accounts")
    return usage("report accounts takes no --period: engagement and stages are as of the last metrics run");

  int exit_code = 0;
  auto db = openConfiguredStoreForReading(config_arg, exit_code);
  if (!db) return exit_code;
  if (!view) {
    if (auto s = printReport(*db, std::cout, top.value_or(10)); !s) {
      std::cerr << "abmctl: " << s.message() << "\n";
      return 1;
    }
    return 0;
  }
  ReportRequest request;
  if (period) request.period = *period;
  request.segment = segment;
  request.top = top.value_or(20);
  // One snapshot for every figure, even while the metrics stage commits.
  if (auto s = db->beginRead(); !s) {
    std::cerr << "abmctl: cannot read the store for the report: " << s.message() << "\n";
    return 1;
  }
  Result<ReportTable> table = *view == "executive" ? executiveReport(*db, request)
                              : *view == "funnel"  ? funnelReport(*db, request)
                              : *view == "campaigns" ? campaignsReport(*db, request)
                                                     : accountsReport(*db, request);
  (void)db->exec("ROLLBACK");  // a read-only transaction: nothing to keep
  if (!table) {
    std::cerr << "abmctl: report " << *view << ": " << table.error() << "\n";
    return 1;
  }
  printReportTable(*table, *format, std::cout);
  return 0;
}

}  // namespace abm::cli
