#include "store/location.hpp"

namespace abm::store {

std::string redactUrlPassword(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto authority = scheme_end + 3;
  const auto at = url.find('@', authority);
  const auto slash = url.find('/', authority);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
  const auto colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string Location::describe() const {
  return backend == Backend::Sqlite ? sqlite_path.string() : redactUrlPassword(conninfo);
}

Result<Location> parseLocation(const std::string& url, const std::filesystem::path& base_dir) {
  Location where;
  std::string rest = url;
  if (const auto pos = url.find("://"); pos != std::string::npos) {
    const std::string scheme = url.substr(0, pos);
    if (scheme == "postgresql" || scheme == "postgres") {
      if (url.size() == pos + 3)
        return Status::error("store URL '" + url + "' names no server (use postgresql://user@host:5432/abm)");
      where.backend = Backend::Postgresql;
      where.conninfo = url;
      return where;
    }
    if (scheme != "sqlite")
      return Status::error("store URL '" + redactUrlPassword(url) + "': scheme '" + scheme +
                           "' is not supported (use sqlite:///path/abm.db or postgresql://user@host:5432/abm)");
    rest = url.substr(pos + 3);
  }
  if (rest.empty()) return Status::error("store URL '" + url + "' names no file (use sqlite:///path/abm.db)");
  std::filesystem::path p(rest);
  if (p.is_relative()) p = base_dir / p;
  where.sqlite_path = p.lexically_normal();
  return where;
}

}  // namespace abm::store
