#include "store/store_size.hpp"

#include <system_error>

namespace abm::store {

int64_t sqliteStoreBytes(const std::filesystem::path& file) {
  std::error_code ec;
  const auto main_size = std::filesystem::file_size(file, ec);
  if (ec) return -1;
  auto total = static_cast<int64_t>(main_size);
  // -wal and -shm exist only while a connection has the store open in WAL mode; absent is zero.
  for (const char* suffix : {"-wal", "-shm"}) {
    auto side = file;
    side += suffix;
    const auto size = std::filesystem::file_size(side, ec);
    if (!ec) total += static_cast<int64_t>(size);
  }
  return total;
}

StoreSize::StoreSize(Location where, std::chrono::milliseconds time_limit)
    : where_(std::move(where)), time_limit_(time_limit) {}

int64_t StoreSize::bytes() {
  error_.clear();
  if (where_.backend == Backend::Sqlite) {
    const auto n = sqliteStoreBytes(where_.sqlite_path);
    if (n < 0) error_ = "cannot read " + where_.describe() + " (missing, or not readable by abmd)";
    return n;
  }
  if (!db_) {
    auto db = Database::open(where_, true);
    if (!db) {
      error_ = db.error();
      return -1;
    }
    db_ = std::move(*db);
  }
  db_->setDeadline(std::chrono::steady_clock::now() + time_limit_);
  int64_t n = -1;
  if (auto st = db_->prepare("SELECT pg_database_size(current_database())"); !st)
    error_ = st.error();
  else if (st->step() == Step::Row)
    n = st->columnInt(0);
  else
    error_ = st->status() ? std::string("the server gave no size") : st->status().message();
  if (n < 0) {
    error_ = "cannot measure " + where_.describe() + ": " + error_;
    db_.reset();  // a broken connection is not reused; the next measurement connects again
  } else {
    db_->setDeadline(std::nullopt);
  }
  return n;
}

}  // namespace abm::store
