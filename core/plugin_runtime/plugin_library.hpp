// Loads a plugin shared library with Boost.DLL and checks it before anything in it is called:
// no one but root or abmd's user may be able to replace the file (checkPluginPermissions), the entry symbol must exist, and the
// descriptor's ABI major must match the host's. Runs inside the worker process only.
#pragma once

#include <abm/sdk/abm_plugin_abi.h>

#include <boost/dll/shared_library.hpp>

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace abm::plugin_runtime {

class PluginLibrary {
 public:
  static Result<PluginLibrary> load(const std::filesystem::path& path);
  const abm_plugin& descriptor() const { return *descriptor_; }
  const std::filesystem::path& path() const { return path_; }
  // The abmd version a plugin built in the abmd tree ships with (its abm_plugin_shipped symbol,
  // cmake/shipped_plugin_marker.cpp); "" for any other plugin.
  std::string shipped() const;

 private:
  boost::dll::shared_library library_;
  const abm_plugin* descriptor_ = nullptr;
  std::filesystem::path path_;
};

// The kinds a plugin library may declare (docs/plugin-sdk.md#kinds): what it reads, for listings and
// for choosing defaults. "push" is not among them: it is the built-in event collector's, which has no
// library and no worker, and a library claiming it would be treated as one.
inline constexpr std::string_view kPluginKinds[] = {
    "crm", "marketing_automation", "email", "ads", "web_analytics", "file", "declarative", "external", "test"};

// "crm, marketing_automation, ...": the allowed kinds, for messages.
std::string pluginKindList();

// Why a descriptor is unusable by this host, or empty when it is fine. Separate so tests can check
// descriptors without building libraries.
std::string descriptorProblem(const abm_plugin* d);

// Refuses a library (symlinks resolved) that someone other than root or abmd's user could swap:
// the file or its folder owned by another user, or the file or any folder above it writable by
// group or others without the sticky bit.
Status checkPluginPermissions(const std::filesystem::path& path);

}  // namespace abm::plugin_runtime
