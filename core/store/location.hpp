// Where the store lives, from the daemon config's "store" URL: an SQLite file
// ("sqlite:///var/lib/abmd/abm.db", "sqlite://relative.db" or a bare path) or a PostgreSQL database
// ("postgresql://user@host:5432/abm?sslmode=prefer", libpq's URL form; "postgres://" too).
#pragma once

#include <filesystem>
#include <string>

#include "common/status.hpp"

namespace abm::store {

enum class Backend { Sqlite, Postgresql };

struct Location {
  Backend backend = Backend::Sqlite;
  std::filesystem::path sqlite_path;  // Sqlite: the file
  std::string conninfo;               // Postgresql: the URL as libpq takes it; may hold a password
  // Sqlite: the mode of the file, its WAL and its SHM whatever the umask ("store_mode"); readers in
  // the daemon's group may read it, no one else.
  unsigned file_mode = 0640;

  static Location sqlite(std::filesystem::path file) {
    Location l;
    l.sqlite_path = std::move(file);
    return l;
  }

  // For messages and logs: the file, or the URL with any password replaced by "***".
  std::string describe() const;
  // The name of the backend as users write it: "sqlite" or "postgresql".
  const char* scheme() const { return backend == Backend::Sqlite ? "sqlite" : "postgresql"; }
};

// Parses a store URL; relative SQLite paths are taken against `base_dir`.
Result<Location> parseLocation(const std::string& url, const std::filesystem::path& base_dir);

// The URL with the password of its user-info part (user:PASSWORD@) replaced by "***".
std::string redactUrlPassword(const std::string& url);

}  // namespace abm::store
