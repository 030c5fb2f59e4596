#include "config/store_url.hpp"

namespace abm::config {

Result<std::filesystem::path> sqlitePathFromUrl(const std::string& url, const std::filesystem::path& base_dir) {
  std::string rest = url;
  if (const auto pos = url.find("://"); pos != std::string::npos) {
    const std::string scheme = url.substr(0, pos);
    if (scheme != "sqlite")
      return Status::error("store URL '" + url + "': scheme '" + scheme + "' is not supported (use sqlite:///path/abm.db)");
    rest = url.substr(pos + 3);
  }
  if (rest.empty()) return Status::error("store URL '" + url + "' names no file (use sqlite:///path/abm.db)");
  std::filesystem::path p(rest);
  if (p.is_relative()) p = base_dir / p;
  return p.lexically_normal();
}

}  // namespace abm::config
