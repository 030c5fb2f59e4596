// Accounts printed by abmctl accounts: an aligned table, a JSON array or CSV.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/report_format.hpp"
#include "segments/account_facts.hpp"

namespace abm::cli {

// Prints `accounts` (account_id, name, domain, industry, country, employee_count, annual_revenue,
// tier, is_target, stage, engagement) in `format`.
void printAccounts(std::ostream& out, const std::vector<segments::AccountFacts>& accounts, ReportFormat format);

// An aligned text table: every column as wide as its widest cell, two spaces apart.
void printTable(std::ostream& out, const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace abm::cli
