#include "cli/segments_store.hpp"

#include <iostream>
#include <regex>

#include "store/store_lock.hpp"
#include "store/store_open.hpp"

namespace abm::cli {

namespace {

Status needSegmentTables(store::Database& db) {
  auto has = db.hasTable("account_targeting");
  if (!has) return Status::error("cannot read store " + db.path() + ": " + has.error());
  if (!*has)
    return Status::error("store " + db.path() +
                         " has no segments or account lists yet (its schema predates them); start abmd once, or stop it "
                         "and run this command again, to migrate it");
  return Status::ok();
}

}  // namespace

Result<store::Database> openSegmentsForReading(const bootstrap::Setup& s) {
  auto db = store::openForReading(s.daemon.store);
  if (!db) return db;
  if (auto st = needSegmentTables(*db); !st) return st;
  return db;
}

Result<store::Database> openSegmentsForWriting(const bootstrap::Setup& s) {
  auto db = [&]() -> Result<store::Database> {
    if (auto lock = store::StoreLock::acquire(s.daemon.store, "abmctl segments/lists")) return bootstrap::openStore(s.daemon);
    auto existing = store::openForReading(s.daemon.store);  // the holder created it: fail clearly if it has not yet
    if (!existing) return existing;
    return store::Database::open(s.daemon.store);
  }();
  if (!db) return db;
  if (auto st = needSegmentTables(*db); !st) return st;
  return db;
}

void printFilterError(const std::string& filter, const std::string& message) {
  std::cerr << "abmctl: " << message << "\n";
  std::smatch m;
  static const std::regex kPlace("^filter:([0-9]+):([0-9]+): ");
  if (!std::regex_search(message, m, kPlace)) return;
  const int line = std::stoi(m[1]), column = std::stoi(m[2]);
  size_t start = 0;
  for (int l = 1; l < line && start != std::string::npos; ++l) {
    start = filter.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos) return;
  const std::string text = filter.substr(start, filter.find('\n', start) - start);
  // The caret counts characters, as the column does.
  std::string pad;
  int col = 1;
  for (size_t i = 0; i < text.size() && col < column; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      pad += text[i] == '\t' ? '\t' : ' ';
      ++col;
    }
  std::cerr << "  " << text << "\n  " << pad << "^\n";
}

}  // namespace abm::cli
