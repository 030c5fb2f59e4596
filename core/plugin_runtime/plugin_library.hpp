// Loads a plugin shared library with Boost.DLL and checks it before anything in it is called:
// the file and its folder must not be writable by others, the entry symbol must exist, and the
// descriptor's ABI major must match the host's. Runs inside the worker process only.
#pragma once

#include <abm/sdk/abm_plugin_abi.h>

#include <boost/dll/shared_library.hpp>

#include <filesystem>
#include <string>

#include "common/status.hpp"

namespace abm::plugin_runtime {

class PluginLibrary {
 public:
  static Result<PluginLibrary> load(const std::filesystem::path& path);
  const abm_plugin& descriptor() const { return *descriptor_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  boost::dll::shared_library library_;
  const abm_plugin* descriptor_ = nullptr;
  std::filesystem::path path_;
};

// Why a descriptor is unusable by this host, or empty when it is fine. Separate so tests can check
// descriptors without building libraries.
std::string descriptorProblem(const abm_plugin* d);

// Refuses files or folders that group or others may write (someone could swap the code).
Status checkPluginPermissions(const std::filesystem::path& path);

}  // namespace abm::plugin_runtime
