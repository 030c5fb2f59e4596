#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "config/connector_config.hpp"
#include "common/secret_scrub.hpp"
#include "config/secrets.hpp"
#include "test_support.hpp"

using namespace abm;
using nlohmann::json;

TEST(Secrets, ResolvesEnvAndFileReferences) {
  test::TempDir t;
  test::writeFile(t / "secret.txt", "s3cr3t-from-file\n");
  ::setenv("ABMD_TEST_TOKEN", "s3cr3t-from-env", 1);
  json v = {{"token", "${env:ABMD_TEST_TOKEN}"}, {"key", "${file:" + (t / "secret.txt").string() + "}"}, {"plain", "x"}};
  std::set<std::string> paths;
  std::vector<std::string> errors;
  config::resolveSecrets(v, "settings", paths, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(v["token"], "s3cr3t-from-env");
  EXPECT_EQ(v["key"], "s3cr3t-from-file");  // trailing newline trimmed
  EXPECT_EQ(paths, (std::set<std::string>{"settings.token", "settings.key"}));
}

TEST(Secrets, MissingReferenceIsAnErrorNamingTheKey) {
  ::unsetenv("ABMD_TEST_MISSING");
  json v = {{"auth", {{"token", "${env:ABMD_TEST_MISSING}"}}}, {"k", "${file:/nonexistent/key}"}, {"x", "${vault:a}"}};
  std::set<std::string> paths;
  std::vector<std::string> errors;
  config::resolveSecrets(v, "settings", paths, errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "settings.auth.token: environment variable ABMD_TEST_MISSING is not set");
  EXPECT_NE(errors[1].find("settings.k: secret file /nonexistent/key cannot be read"), std::string::npos) << errors[1];
  EXPECT_NE(errors[2].find("settings.x:"), std::string::npos);
}

TEST(Secrets, RedactedViewHidesLiteralSecretsAndResolvedValues) {
  test::TempDir t;
  ::setenv("ABMD_TEST_TOKEN2", "resolved-value-xyz", 1);
  test::writeFile(t / "c.json", R"({"name":"c","plugin":"p","schedule":"every 1h",
     "settings":{"token":"literal-secret-abc","other":"${env:ABMD_TEST_TOKEN2}","path":"/d"}})");
  std::vector<std::string> errors;
  auto c = config::loadConnectorFile(t / "c.json", errors);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->settings["other"], "resolved-value-xyz");
  std::vector<config::OptionSpec> specs(3);
  specs[0].name = "token";
  specs[0].secret = true;
  specs[1].name = "other";
  specs[2].name = "path";
  const std::string shown = config::redactedView(*c, specs).dump();
  EXPECT_EQ(shown.find("literal-secret-abc"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("resolved-value-xyz"), std::string::npos) << shown;
  EXPECT_NE(shown.find("<redacted>"), std::string::npos) << shown;
  EXPECT_NE(shown.find("${env:ABMD_TEST_TOKEN2}"), std::string::npos) << "references are shown: " << shown;
  EXPECT_NE(shown.find("/d"), std::string::npos);
}

TEST(Secrets, FileReferencesReadOnlySmallRegularFiles) {
  // /dev/zero used to be read until memory ran out, and a FIFO hung validation.
  test::TempDir t;
  ASSERT_EQ(::mkfifo((t / "fifo").c_str(), 0600), 0);
  test::writeFile(t / "big", std::string(config::kMaxSecretFileBytes + 1, 'k'));
  std::filesystem::create_directories(t / "dir");
  json v = {{"zero", "${file:/dev/zero}"},
            {"fifo", "${file:" + (t / "fifo").string() + "}"},
            {"big", "${file:" + (t / "big").string() + "}"},
            {"dir", "${file:" + (t / "dir").string() + "}"}};
  std::set<std::string> paths;
  std::vector<std::string> errors;
  config::resolveSecrets(v, "settings", paths, errors);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0], "settings.big: secret file " + (t / "big").string() + " is larger than the limit of 65536 bytes");
  EXPECT_EQ(errors[1], "settings.dir: secret file " + (t / "dir").string() + " is a folder, not a regular file");
  EXPECT_EQ(errors[2], "settings.fifo: secret file " + (t / "fifo").string() + " is a FIFO, not a regular file");
  EXPECT_EQ(errors[3], "settings.zero: secret file /dev/zero is a character device, not a regular file");
  EXPECT_TRUE(paths.empty());
}

TEST(Secrets, RefusesAnEmptyValueAndAnUnexpandedShellVariable) {
  test::TempDir t;
  test::writeFile(t / "empty", "\n");
  ::setenv("ABMD_TEST_EMPTY", "", 1);
  json v = {{"a", "${env:ABMD_TEST_EMPTY}"}, {"b", "${file:" + (t / "empty").string() + "}"}, {"c", "$HUBSPOT_TOKEN"},
            {"d", "cost $5"}};
  std::set<std::string> paths;
  std::vector<std::string> errors;
  config::resolveSecrets(v, "settings", paths, errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "settings.a: ${env:ABMD_TEST_EMPTY} is empty");
  EXPECT_EQ(errors[1], "settings.b: ${file:" + (t / "empty").string() + "} is empty");
  EXPECT_EQ(errors[2], "settings.c: '$HUBSPOT_TOKEN' is not expanded by abmd; write ${env:HUBSPOT_TOKEN} to read "
                       "the environment variable");
}

TEST(Secrets, ScrubReplacesResolvedValuesByTheirReferences) {
  std::vector<config::ResolvedSecret> resolved = {{"settings.path", "${file:/run/p}", "/srv/TOPSECRET"},
                                                  {"settings.t", "${env:T}", "TOPSECRET"},
                                                  {"settings.x", "${env:X}", "ab"}};
  const json list = config::scrubList(resolved);
  EXPECT_EQ(list.size(), 2u) << "values too short to scrub are left out";
  EXPECT_EQ(scrubSecrets("path /srv/TOPSECRET is not a readable folder; token TOPSECRET, ab", list),
            "path ${file:/run/p} is not a readable folder; token ${env:T}, ab");
}
