#include <gtest/gtest.h>

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
