#include "plugin_runtime/plugin_library.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <iterator>

namespace abm::plugin_runtime {

namespace fs = std::filesystem;

std::string descriptorProblem(const abm_plugin* d) {
  if (!d) return "its entry function returned no descriptor";
  if (d->abi_major != ABM_ABI_MAJOR)
    return "it was built for plugin ABI " + std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor) +
           " but this abmd speaks ABI " + std::to_string(ABM_ABI_MAJOR) + ".x; rebuild it against this SDK";
  if (d->struct_size < offsetof(abm_plugin, read) + sizeof(d->read))
    return "its descriptor is too small (" + std::to_string(d->struct_size) + " bytes) for ABI " +
           std::to_string(ABM_ABI_MAJOR);
  if (!d->name || !*d->name) return "its descriptor has no name";
  if (!d->version || !d->kind || !d->options_json) return "its descriptor lacks version, kind or options";
  if (!d->check || !d->discover || !d->read) return "its descriptor lacks a lifecycle function";
  const std::string_view kind = d->kind;
  if (std::find(std::begin(kPluginKinds), std::end(kPluginKinds), kind) == std::end(kPluginKinds))
    return "its kind '" + std::string(kind) + "' is not one of " + pluginKindList() +
           "; set the kind argument of ABM_PLUGIN (or abm_plugin.kind) to one of them";
  return {};
}

std::string pluginKindList() {
  std::string out;
  for (const auto k : kPluginKinds) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}


// As osquery does before it loads an extension: whoever could replace the code must already be
// trusted. The path is resolved first, so a symlink cannot point the check at another file.
Status checkPluginPermissions(const fs::path& path) {
  std::error_code ec;
  const fs::path real = fs::canonical(path, ec);
  if (ec) return Status::error(path.string() + ": cannot resolve (" + ec.message() + ")");
  const std::string via = real == path ? std::string() : " (" + path.string() + " points there)";
  const uid_t self = ::geteuid();
  bool owned_folder = false;
  for (fs::path p = real;; p = p.parent_path()) {
    struct stat st{};
    if (::stat(p.c_str(), &st) != 0) return Status::error(p.string() + via + ": cannot stat");
    const bool is_file = p == real;
    // The library and its own folder belong to root or to the user abmd runs as.
    if ((is_file || !owned_folder) && st.st_uid != 0 && st.st_uid != self)
      return Status::error(p.string() + via + " is owned by uid " + std::to_string(st.st_uid) +
                           ", neither root nor the user abmd runs as (uid " + std::to_string(self) +
                           "); fix with chown root " + p.string());
    if (!is_file) owned_folder = true;
    // A folder others may write lets them rename the library away, unless its sticky bit stops them.
    const bool sticky_folder = !is_file && (st.st_mode & S_ISVTX);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !sticky_folder)
      return Status::error(p.string() + via + " is writable by group or others; fix with chmod go-w " + p.string());
    if (p == p.parent_path()) break;
  }
  return Status::ok();
}

std::string PluginLibrary::shipped() const {
  constexpr const char* kSymbol = "abm_plugin_shipped";
  if (!library_.has(kSymbol)) return {};
  return std::string(&library_.get<const char>(kSymbol));
}

Result<PluginLibrary> PluginLibrary::load(const fs::path& path) {
  const std::string where = "plugin " + path.string() + ": ";
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::error(where + "file not found");
  if (auto s = checkPluginPermissions(path); !s) return Status::error(where + "refused: " + s.message());
  PluginLibrary lib;
  lib.path_ = path;
  boost::dll::fs::error_code load_ec;
  lib.library_.load(path, load_ec, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (load_ec) return Status::error(where + "cannot be loaded: " + load_ec.message());
  if (!lib.library_.has(ABM_PLUGIN_ENTRY_SYMBOL))
    return Status::error(where + "not an abmd plugin: it does not export " ABM_PLUGIN_ENTRY_SYMBOL);
  auto entry = lib.library_.get<const abm_plugin*()>(ABM_PLUGIN_ENTRY_SYMBOL);
  lib.descriptor_ = entry();
  if (auto why = descriptorProblem(lib.descriptor_); !why.empty()) return Status::error(where + "refused: " + why);
  return lib;
}

}  // namespace abm::plugin_runtime
