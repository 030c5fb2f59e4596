#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "plugin_runtime/plugin_library.hpp"
#include "test_support.hpp"

using namespace abm;
using plugin_runtime::descriptorProblem;
using plugin_runtime::PluginLibrary;

namespace {
abm_status noopCheck(const abm_host*, const char*) { return ABM_OK; }
abm_status noopRead(const abm_host*, const char*, const char*, const char*) { return ABM_OK; }
abm_plugin goodDescriptor() {
  return {sizeof(abm_plugin), ABM_ABI_MAJOR, ABM_ABI_MINOR, "x", "1", "file", "d", "[]", noopCheck, noopCheck, noopRead};
}
}  // namespace

TEST(PluginAbi, AcceptsACurrentDescriptor) {
  auto d = goodDescriptor();
  EXPECT_EQ(descriptorProblem(&d), "");
  d.abi_minor = ABM_ABI_MINOR + 3;  // newer minor: still compatible
  d.struct_size += 16;
  EXPECT_EQ(descriptorProblem(&d), "");
}

TEST(PluginAbi, RefusesOtherMajorSmallStructAndMissingParts) {
  auto d = goodDescriptor();
  d.abi_major = ABM_ABI_MAJOR + 1;
  d.abi_minor = 0;
  EXPECT_NE(descriptorProblem(&d).find("built for plugin ABI 2.0"), std::string::npos) << descriptorProblem(&d);
  d = goodDescriptor();
  d.struct_size = 8;
  EXPECT_NE(descriptorProblem(&d).find("too small"), std::string::npos);
  d = goodDescriptor();
  d.name = "";
  EXPECT_NE(descriptorProblem(&d).find("no name"), std::string::npos);
  d = goodDescriptor();
  d.read = nullptr;
  EXPECT_NE(descriptorProblem(&d).find("lifecycle"), std::string::npos);
  EXPECT_NE(descriptorProblem(nullptr).find("no descriptor"), std::string::npos);
}

TEST(PluginAbi, AcceptsEveryDocumentedKindAndRefusesOthersNamingTheAllowedOnes) {
  auto d = goodDescriptor();
  for (const char* kind : {"crm", "marketing_automation", "email", "ads", "web_analytics", "file", "declarative",
                           "external", "test"}) {
    d.kind = kind;
    EXPECT_EQ(descriptorProblem(&d), "") << kind;
  }
  for (const char* kind : {"push", "CRM", "", "warehouse"}) {
    d.kind = kind;
    const std::string why = descriptorProblem(&d);
    EXPECT_NE(why.find("its kind '" + std::string(kind) + "' is not one of crm, marketing_automation, email, ads, "
                       "web_analytics, file, declarative, external, test"),
              std::string::npos)
        << why;
  }
}

TEST(PluginAbi, LoadsARealPlugin) {
  auto lib = PluginLibrary::load(test::pluginDir() / "csv.so");
  ASSERT_TRUE(lib) << lib.error();
  EXPECT_STREQ(lib->descriptor().name, "csv");
  EXPECT_EQ(lib->descriptor().abi_major, ABM_ABI_MAJOR);
}

TEST(PluginAbi, RefusesLibrariesWithAOneLineReasonNamingTheFile) {
  const auto bad = std::filesystem::path(ABMD_TEST_BAD_PLUGIN_DIR);
  auto none = PluginLibrary::load(bad / "no_descriptor.so");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find((bad / "no_descriptor.so").string()), std::string::npos) << none.error();
  EXPECT_NE(none.error().find("does not export abm_plugin_entry"), std::string::npos) << none.error();
  EXPECT_EQ(none.error().find('\n'), std::string::npos);

  auto future = PluginLibrary::load(bad / "wrong_abi.so");
  ASSERT_FALSE(future);
  EXPECT_NE(future.error().find("wrong_abi.so"), std::string::npos) << future.error();
  EXPECT_NE(future.error().find("ABI 2.0"), std::string::npos) << future.error();

  auto missing = PluginLibrary::load(bad / "nothing_here.so");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("file not found"), std::string::npos);
}

TEST(PluginAbi, RefusesAPluginOthersCanWrite) {
  test::TempDir t;
  std::filesystem::copy_file(test::pluginDir() / "csv.so", t / "csv.so");
  std::filesystem::permissions(t / "csv.so", std::filesystem::perms::others_write, std::filesystem::perm_options::add);
  auto lib = PluginLibrary::load(t / "csv.so");
  ASSERT_FALSE(lib);
  EXPECT_NE(lib.error().find("writable by group or others"), std::string::npos) << lib.error();
}

namespace {
namespace fs = std::filesystem;
// A copy of the csv plugin at `dir/csv.so`, with `dir` made as given.
fs::path pluginCopyIn(const fs::path& dir) {
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  fs::copy_file(test::pluginDir() / "csv.so", dir / "csv.so");
  return dir / "csv.so";
}
}  // namespace

TEST(PluginAbi, RefusesAPluginUnderAFolderOthersCanWriteAtAnyDepthUnlessItIsSticky) {
  test::TempDir t;
  const fs::path lib = pluginCopyIn(t / "open" / "plugins");
  ASSERT_TRUE(PluginLibrary::load(lib));
  fs::permissions(t / "open", fs::perms::all);  // 0777, no sticky bit: anyone can rename plugins/ away
  auto refused = PluginLibrary::load(lib);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find((t / "open").string() + " is writable by group or others"), std::string::npos)
      << refused.error();
  fs::permissions(t / "open", fs::perms::sticky_bit, fs::perm_options::add);  // as /tmp: only owners may rename
  EXPECT_TRUE(PluginLibrary::load(lib));
}

TEST(PluginAbi, ChecksWhereASymlinkLeadsNotTheLink) {
  test::TempDir t;
  const fs::path real = pluginCopyIn(t / "shared");
  fs::permissions(t / "shared", fs::perms::group_write, fs::perm_options::add);
  fs::create_directories(t / "plugins");
  fs::permissions(t / "plugins", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  fs::create_symlink(real, t / "plugins" / "csv.so");
  auto refused = PluginLibrary::load(t / "plugins" / "csv.so");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find((t / "shared").string() + " (" + (t / "plugins" / "csv.so").string() + " points there)"),
            std::string::npos) << refused.error();
  fs::permissions(t / "shared", fs::perms::group_write, fs::perm_options::remove);
  EXPECT_TRUE(PluginLibrary::load(t / "plugins" / "csv.so"));
}

TEST(PluginAbi, RefusesAPluginOrFolderOwnedBySomeoneElse) {
  if (::geteuid() != 0) GTEST_SKIP() << "giving a file to another user needs root";
  test::TempDir t;
  const fs::path lib = pluginCopyIn(t / "plugins");
  constexpr uid_t kNobody = 65534;
  ASSERT_EQ(::chown(lib.c_str(), kNobody, kNobody), 0);
  auto file = PluginLibrary::load(lib);
  ASSERT_FALSE(file);
  EXPECT_NE(file.error().find(lib.string() + " is owned by uid 65534, neither root nor the user abmd runs as"),
            std::string::npos) << file.error();
  ASSERT_EQ(::chown(lib.c_str(), 0, 0), 0);
  ASSERT_EQ(::chown((t / "plugins").c_str(), kNobody, kNobody), 0);
  auto folder = PluginLibrary::load(lib);
  ASSERT_FALSE(folder);
  EXPECT_NE(folder.error().find((t / "plugins").string() + " is owned by uid 65534"), std::string::npos) << folder.error();
  ASSERT_EQ(::chown((t / "plugins").c_str(), 0, 0), 0);
  EXPECT_TRUE(PluginLibrary::load(lib));
}
