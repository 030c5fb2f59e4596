#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/status.hpp"
#include "config/connector_config.hpp"
#include "config/daemon_config.hpp"
#include "config/daemon_reload.hpp"
#include "config/option_schema.hpp"
#include "test_support.hpp"

using namespace abm;
using nlohmann::json;
using test::TempDir;
using test::writeFile;
namespace fs = std::filesystem;

namespace {

std::vector<config::OptionSpec> csvLikeSpecs() {
  auto specs = config::parseOptionSpecs(R"([
    {"name":"path","type":"string","required":true,"description":"folder"},
    {"name":"delimiter","type":"string","required":false,"default":",","description":"sep"},
    {"name":"limit","type":"integer","required":false,"description":"n"},
    {"name":"ratio","type":"number","required":false,"description":"r"},
    {"name":"strict","type":"boolean","required":false,"default":false,"description":"b"},
    {"name":"tags","type":"string_list","required":false,"description":"l"},
    {"name":"mapping","type":"string_map","required":false,"default":{},"description":"m"},
    {"name":"token","type":"string","required":false,"secret":true,"description":"t"}])");
  EXPECT_TRUE(specs.isOk());
  return *specs;
}

std::vector<std::string> validate(json settings) {
  std::vector<std::string> errors;
  config::validateSettings(csvLikeSpecs(), settings, errors);
  return errors;
}

}  // namespace

TEST(OptionSchema, AcceptsValidSettingsAndFillsDefaults) {
  json s = {{"path", "/data"}, {"limit", 5}, {"ratio", 0.5}, {"tags", {"a", "b"}}, {"mapping", {{"A", "b"}}}};
  std::vector<std::string> errors;
  config::validateSettings(csvLikeSpecs(), s, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(s["delimiter"], ",");
  EXPECT_EQ(s["strict"], false);
}

TEST(OptionSchema, RefusesUnknownKeyNamingIt) {
  auto e = validate({{"path", "/d"}, {"pathh", "/d"}});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("settings.pathh: unknown option"), std::string::npos) << e[0];
  EXPECT_NE(e[0].find("path, delimiter"), std::string::npos) << "lists the options it takes: " << e[0];
}

TEST(OptionSchema, RefusesMissingRequiredKey) {
  auto e = validate(json::object());
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("settings.path: required string option is missing"), std::string::npos) << e[0];
}

TEST(OptionSchema, RefusesWrongTypesWithKeyPathAndExpectation) {
  auto e = validate({{"path", 3}, {"limit", "ten"}, {"strict", "yes"}, {"tags", {"a", 2}}, {"mapping", {{"k", 1}}}});
  ASSERT_EQ(e.size(), 5u);
  std::string all;
  for (auto& x : e) all += x + "\n";
  EXPECT_NE(all.find("settings.path: expected a string, got an integer"), std::string::npos) << all;
  EXPECT_NE(all.find("settings.limit: expected an integer, got a string"), std::string::npos) << all;
  EXPECT_NE(all.find("settings.strict: expected a boolean"), std::string::npos) << all;
  EXPECT_NE(all.find("settings.tags[1]: expected a string"), std::string::npos) << all;
  EXPECT_NE(all.find("settings.mapping.k: expected a string"), std::string::npos) << all;
}

TEST(OptionSchema, NeverEchoesTheValueOfAWrongSetting) {
  auto e = validate({{"path", "/d"}, {"token", 123456789}});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].find("123456789"), std::string::npos) << e[0];
}

TEST(ConnectorFile, LoadsAValidFile) {
  TempDir t;
  writeFile(t / "a.json", R"({"name":"crm","plugin":"csv","schedule":"every 15m","settings":{"path":"x"}})");
  std::vector<std::string> errors;
  auto c = config::loadConnectorFile(t / "a.json", errors);
  ASSERT_TRUE(c) << (errors.empty() ? "" : errors[0]);
  EXPECT_EQ(c->name, "crm");
  EXPECT_TRUE(c->schedule.isInterval());
}

TEST(ConnectorFile, ReportsEveryProblemWithFileAndKey) {
  TempDir t;
  writeFile(t / "bad.json", R"({"name":"Bad Name","plugin":7,"schedule":"sometimes","settings":[],"colour":"red"})");
  std::vector<std::string> errors;
  EXPECT_FALSE(config::loadConnectorFile(t / "bad.json", errors));
  std::string all;
  for (auto& x : errors) all += x + "\n";
  const std::string f = (t / "bad.json").string();
  EXPECT_NE(all.find(f + ": colour: unknown key"), std::string::npos) << all;
  EXPECT_NE(all.find(f + ": plugin: expected a string"), std::string::npos) << all;
  EXPECT_NE(all.find(f + ": name: 'Bad Name' must be"), std::string::npos) << all;
  EXPECT_NE(all.find(f + ": schedule: schedule 'sometimes'"), std::string::npos) << all;
  EXPECT_NE(all.find(f + ": settings: expected an object"), std::string::npos) << all;
}

TEST(ConnectorFile, ReportsInvalidJsonWithPosition) {
  TempDir t;
  writeFile(t / "broken.json", "{\"name\": \"x\",\n \"plugin\": }");
  std::vector<std::string> errors;
  EXPECT_FALSE(config::loadConnectorFile(t / "broken.json", errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("broken.json: not valid JSON"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("line 2"), std::string::npos) << errors[0];
}

TEST(ConnectorDir, RefusesDuplicateNames) {
  TempDir t;
  writeFile(t / "a.json", R"({"name":"crm","plugin":"csv","schedule":"every 1h"})");
  writeFile(t / "b.json", R"({"name":"crm","plugin":"csv","schedule":"every 1h"})");
  std::vector<std::string> errors;
  auto cs = config::loadConnectorDir(t.path(), errors);
  EXPECT_EQ(cs.size(), 1u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("'crm' is already used by"), std::string::npos) << errors[0];
}

TEST(DaemonConfig, ResolvesRelativePathsAgainstTheConfigFolder) {
  TempDir t;
  writeFile(t / "etc/abmd.json", R"({"store":"sqlite://data/abm.db","connectors_dir":"conn","max_concurrent_syncs":3,
    "retry":{"initial":"5s","max":"10m","attempts":2},"sync_timeout":"30m"})");
  auto c = config::loadDaemonConfig(t / "etc/abmd.json");
  EXPECT_EQ(c.store.sqlite_path, (t / "etc/data/abm.db").lexically_normal());
  EXPECT_EQ(c.connectors_dir, (t / "etc/conn").lexically_normal());
  EXPECT_EQ(c.max_concurrent_syncs, 3);
  EXPECT_EQ(c.retry_initial, std::chrono::seconds(5));
  EXPECT_EQ(c.retry_attempts, 2);
  EXPECT_EQ(c.sync_timeout, std::chrono::minutes(30));
}

TEST(DaemonConfig, AbsoluteStoreUrl) {
  TempDir t;
  writeFile(t / "abmd.json", R"({"store":"sqlite:///var/lib/abmd/abm.db"})");
  EXPECT_EQ(config::loadDaemonConfig(t / "abmd.json").store.sqlite_path, "/var/lib/abmd/abm.db");
}

TEST(DaemonConfig, PostgresqlStoreUrlWithItsPasswordFromTheEnvironment) {
  TempDir t;
  ::setenv("ABMD_TEST_PG_PASSWORD", "p@ss:w/rd", 1);
  writeFile(t / "abmd.json", R"({"store":"postgresql://abm:${env:ABMD_TEST_PG_PASSWORD}@db.example:5432/abm?sslmode=prefer"})");
  const auto c = config::loadDaemonConfig(t / "abmd.json");
  ::unsetenv("ABMD_TEST_PG_PASSWORD");
  EXPECT_EQ(c.store.backend, store::Backend::Postgresql);
  // Percent-encoded inside the URL, so '@', ':' and '/' in a password cannot end its user-info part.
  EXPECT_EQ(c.store.conninfo, "postgresql://abm:p%40ss%3Aw%2Frd@db.example:5432/abm?sslmode=prefer");
  EXPECT_EQ(c.store.describe(), "postgresql://abm:***@db.example:5432/abm?sslmode=prefer");
  EXPECT_EQ(c.store_url.find("p@ss"), std::string::npos);
  // A folder of its own for the connectors' files: there is no store file to put it beside.
  EXPECT_EQ(c.connector_state_dir, "/var/lib/abmd/connector_state");

  writeFile(t / "abmd.json", R"({"store":"postgres://reader@10.0.0.5/abm"})");
  const auto plain = config::loadDaemonConfig(t / "abmd.json");
  EXPECT_EQ(plain.store.backend, store::Backend::Postgresql);
  EXPECT_EQ(plain.store.describe(), "postgres://reader@10.0.0.5/abm");
}

TEST(DaemonConfig, RefusesBadValuesNamingFileAndKey) {
  TempDir t;
  struct Case {
    const char* json;
    const char* expect;
  } cases[] = {
      {R"({"stor":"x"})", "stor: unknown key"},
      {R"({"store":"mysql://root:hunter2@db/abm"})", "store: store URL 'mysql://root:***@db/abm': scheme 'mysql' is not supported"},
      {R"({"store":"postgresql://"})", "store: store URL 'postgresql://' names no server"},
      {R"({"store":"postgresql://abm:${env:ABMD_TEST_UNSET_PASSWORD}@db/abm"})", "store: "},
      {R"({"store":"postgresql://abm:${env:X@db/abm"})", "store: a '${' without its closing '}'"},
      {R"({"max_concurrent_syncs":0})", "max_concurrent_syncs: expected a value from 1 to 64"},
      {R"({"log_level":"loud"})", "log_level: expected one of debug, info, warn, error"},
      {R"({"sync_timeout":"soon"})", "sync_timeout: expected a duration"},
      {R"({"retry":{"initial":"1s","tries":3}})", "retry.tries: unknown key"},
      {R"({"lease_ttl":"2s"})", "lease_ttl: expected at least \"3s\""},
      {R"({"lease_ttl":"2999ms"})", "lease_ttl: expected at least \"3s\""},
      {R"({"lease_ttl":"soon"})", "lease_ttl: expected a duration"},
      {R"({"lease_ttl":60})", "lease_ttl: expected a string"},
      {R"({"deleted_records_retention":"90 days"})", "deleted_records_retention: expected a duration"},
      {R"({"deleted_records_retention":"59m"})", "deleted_records_retention: expected at least \"1h\""},
      {R"({"deleted_records_retention":90})", "deleted_records_retention: expected a string"},
      {R"({"instance_id":""})", "instance_id: expected a name of 1 to 200 characters without spaces"},
      {R"({"instance_id":"node a"})", "instance_id: expected a name of 1 to 200 characters without spaces"},
      {R"({"instance_id":7})", "instance_id: expected a string"},
      {R"({"store_mode":640})", "store_mode: expected octal permissions as text, such as \"0640\""},
      {R"({"store_mode":"rw-r-----"})", "store_mode: 'rw-r-----': expected octal permissions"},
      {R"({"store_mode":"0440"})", "store_mode: '0440' keeps abmd from reading and writing its own store"},
      {R"({"store_mode":"0750"})", "store_mode: '0750' makes the store executable"},
      {R"({"store_mode":"0646"})", "store_mode: '0646' lets every user on the machine write the store"},
      {R"({"store_mode":"2640"})", "store_mode: '2640' sets setuid, setgid or sticky bits"},
      {R"({"store":"postgresql://abm@db/abm","store_mode":"0640"})", "store_mode: applies to an SQLite store file only"},
      {R"([1,2])", "expected a JSON object"},
  };
  for (const auto& c : cases) {
    writeFile(t / "abmd.json", c.json);
    try {
      config::loadDaemonConfig(t / "abmd.json");
      ADD_FAILURE() << "accepted " << c.json;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find((t / "abmd.json").string()), std::string::npos) << e.what();
    }
  }
}

TEST(DaemonConfig, StoreModeIsOctalTextAndDefaultsToOwnerWriteGroupRead) {
  TempDir t;
  writeFile(t / "abmd.json", R"({})");
  EXPECT_EQ(config::loadDaemonConfig(t / "abmd.json").store.file_mode, 0640u);
  writeFile(t / "abmd.json", R"({"store_mode":"660"})");
  EXPECT_EQ(config::loadDaemonConfig(t / "abmd.json").store.file_mode, 0660u);
  writeFile(t / "abmd.json", R"({"store_mode":"0600"})");
  EXPECT_EQ(config::loadDaemonConfig(t / "abmd.json").store.file_mode, 0600u);
}

TEST(DaemonConfig, InstanceIdAndLeaseTtlDefaultToHostPidAndAMinute) {
  TempDir t;
  writeFile(t / "abmd.json", R"({})");
  const auto plain = config::loadDaemonConfig(t / "abmd.json");
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  EXPECT_EQ(plain.instance_id, std::string(host) + ":" + std::to_string(::getpid()));
  EXPECT_EQ(plain.lease_ttl, std::chrono::seconds(60));
  writeFile(t / "abmd.json", R"({"instance_id":"abmd-eu-1","lease_ttl":"3500ms"})");
  const auto set = config::loadDaemonConfig(t / "abmd.json");
  EXPECT_EQ(set.instance_id, "abmd-eu-1");
  EXPECT_EQ(set.lease_ttl, std::chrono::seconds(4)) << "whole seconds, rounded up";
}

TEST(DaemonConfig, DeletedRecordsAreKeptNinetyDaysUnlessSet) {
  TempDir t;
  writeFile(t / "abmd.json", R"({})");
  EXPECT_EQ(config::loadDaemonConfig(t / "abmd.json").deleted_records_retention, std::chrono::hours(24 * 90));
  writeFile(t / "abmd.json", R"({"deleted_records_retention":"7d"})");
  EXPECT_EQ(config::loadDaemonConfig(t / "abmd.json").deleted_records_retention, std::chrono::hours(24 * 7));
  writeFile(t / "abmd.json", R"({"deleted_records_retention":"1h"})");
  EXPECT_EQ(config::loadDaemonConfig(t / "abmd.json").deleted_records_retention, std::chrono::hours(1));
}

TEST(DaemonConfig, MissingFileSaysHowToPointAtOne) {
  try {
    config::loadDaemonConfig("/nonexistent/abmd.json");
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("ABMD_CONFIG"), std::string::npos);
  }
}

TEST(DaemonConfig, ConfigPathPrecedence) {
  ::setenv("ABMD_CONFIG", "/from/env.json", 1);
  EXPECT_EQ(config::resolveConfigPath("/from/args.json"), "/from/args.json");
  EXPECT_EQ(config::resolveConfigPath(""), "/from/env.json");
  ::unsetenv("ABMD_CONFIG");
  EXPECT_EQ(config::resolveConfigPath(""), "/etc/abmd/abmd.json");
}

TEST(ConnectorFile, RefusesAnEmptyName) {
  // "" would share the parent state folder and key rows by an empty source.
  TempDir t;
  writeFile(t / "a.json", R"({"name":"","plugin":"csv","schedule":"every 1h"})");
  std::vector<std::string> errors;
  EXPECT_FALSE(config::loadConnectorFile(t / "a.json", errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find((t / "a.json").string() + ": name: '' must be 1-64"), std::string::npos) << errors[0];
}

TEST(ConnectorFile, RefusesAnEmptySchedule) {
  TempDir t;
  writeFile(t / "a.json", R"({"name":"a","plugin":"csv","schedule":""})");
  std::vector<std::string> errors;
  EXPECT_FALSE(config::loadConnectorFile(t / "a.json", errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("a.json: schedule: schedule is empty"), std::string::npos) << errors[0];
}

TEST(ConnectorFile, WarnsOfACronThatNeverFires) {
  TempDir t;
  writeFile(t / "a.json", R"({"name":"a","plugin":"csv","schedule":"0 0 30 2 *"})");
  std::vector<std::string> errors;
  auto c = config::loadConnectorFile(t / "a.json", errors);
  ASSERT_TRUE(c) << errors.at(0);
  ASSERT_EQ(c->warnings.size(), 1u);
  EXPECT_NE(c->warnings[0].find("a.json: schedule: '0 0 30 2 *' matches no date"), std::string::npos) << c->warnings[0];
}

TEST(ConnectorDir, SkipsAFolderOrFifoNamedJsonNamingIt) {
  TempDir t;
  fs::create_directories(t / "dir.json");
  ASSERT_EQ(::mkfifo((t / "fifo.json").c_str(), 0600), 0);
  writeFile(t / "good.json", R"({"name":"good","plugin":"csv","schedule":"every 1h"})");
  std::vector<std::string> errors;
  auto cs = config::loadConnectorDir(t.path(), errors);  // a FIFO used to hang here
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].name, "good");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], (t / "dir.json").string() + ": is a folder, not a regular file");
  EXPECT_EQ(errors[1], (t / "fifo.json").string() + ": is a FIFO, not a regular file");
}

TEST(ConnectorFile, WarnsOfALiteralSecret) {
  TempDir t;
  ::setenv("ABMD_TEST_REF_TOKEN", "from-env", 1);
  writeFile(t / "a.json", R"({"name":"a","plugin":"p","schedule":"every 1h",
    "settings":{"path":"/d","token":"plain-text-token"}})");
  writeFile(t / "b.json", R"({"name":"b","plugin":"p","schedule":"every 1h",
    "settings":{"path":"/d","token":"${env:ABMD_TEST_REF_TOKEN}"}})");
  std::vector<std::string> errors;
  auto a = config::loadConnectorFile(t / "a.json", errors);
  auto b = config::loadConnectorFile(t / "b.json", errors);
  ASSERT_TRUE(a && b);
  config::validateConnectorSettings(*a, csvLikeSpecs(), errors);
  config::validateConnectorSettings(*b, csvLikeSpecs(), errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(a->warnings.size(), 1u);
  EXPECT_NE(a->warnings[0].find("a.json: settings.token: a secret written in the connector file"), std::string::npos)
      << a->warnings[0];
  EXPECT_EQ(a->warnings[0].find("plain-text-token"), std::string::npos) << "never echoes it";
  EXPECT_TRUE(b->warnings.empty());
}

TEST(OptionSchema, RefusesAValueOutsideTheDeclaredChoices) {
  auto specs = config::parseOptionSpecs(R"([
    {"name":"streams","type":"string_list","default":["companies","deals"],"choices":["companies","deals"]}])");
  ASSERT_TRUE(specs.isOk()) << specs.error();
  json s = {{"streams", {"companies", "dealz"}}};
  std::vector<std::string> errors;
  config::validateSettings(*specs, s, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "settings.streams[1]: unknown value 'dealz' (expected one of companies, deals)");
}

TEST(OptionSchema, RefusesAValueThatDoesNotMatchTheDeclaredPattern) {
  // Salesforce's "sixty" used to pass validation and fail every request of the first run.
  auto specs = config::parseOptionSpecs(R"([
    {"name":"api_version","type":"string","default":"v59.0","pattern":"[vV]?[0-9]+(\\.[0-9]+)?",
     "description":"REST API version, e.g. v60.0 or 60.0"},
    {"name":"token","type":"string","secret":true,"pattern":"[a-z]+","description":"lower-case token"}])");
  ASSERT_TRUE(specs.isOk()) << specs.error();
  for (const char* good : {"60.0", "v60.0", "61"}) {
    json s = {{"api_version", good}};
    std::vector<std::string> errors;
    config::validateSettings(*specs, s, errors);
    EXPECT_TRUE(errors.empty()) << good << ": " << errors[0];
  }
  json s = {{"api_version", "sixty"}, {"token", "SECRET-42"}};
  std::vector<std::string> errors;
  config::validateSettings(*specs, s, errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "settings.api_version: 'sixty' does not have the expected form (REST API version, e.g. v60.0 or 60.0)");
  // The whole value must match, and a secret's value is not echoed.
  EXPECT_EQ(errors[1], "settings.token: the value does not have the expected form (lower-case token)");
  s = {{"api_version", "v60.0 "}};
  errors.clear();
  config::validateSettings(*specs, s, errors);
  EXPECT_EQ(errors.size(), 1u);
}

TEST(OptionSchema, ChoicesAndPatternsApplyToEachValueOfAMap) {
  auto specs = config::parseOptionSpecs(R"([
    {"name":"event_activities","type":"string_map","choices":["page_view","form_submit"]},
    {"name":"labels","type":"string_map","pattern":"[a-z]+","description":"lower-case words"}])");
  ASSERT_TRUE(specs.isOk()) << specs.error();
  json s = {{"event_activities", {{"page_view", "page_view"}, {"generate_lead", "lead"}}}, {"labels", {{"a", "ok"}, {"b", "NO"}}}};
  std::vector<std::string> errors;
  config::validateSettings(*specs, s, errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "settings.event_activities.generate_lead: unknown value 'lead' (expected one of page_view, form_submit)");
  EXPECT_EQ(errors[1], "settings.labels.b: 'NO' does not have the expected form (lower-case words)");
}

TEST(OptionSchema, APatternThatIsNotARegularExpressionIsThePluginsError) {
  auto specs = config::parseOptionSpecs(R"([{"name":"v","type":"string","pattern":"(["}])");
  ASSERT_FALSE(specs.isOk());
  EXPECT_NE(specs.error().find("plugin option v: pattern is not a regular expression"), std::string::npos) << specs.error();
}

TEST(OptionSchema, RefusesATimestampThatIsNotIso8601) {
  // "01/01/2024" reached the plugin, which read it as 1970.
  auto specs = config::parseOptionSpecs(R"([{"name":"start_date","type":"timestamp"}])");
  ASSERT_TRUE(specs.isOk());
  for (const char* bad : {"01/01/2024", "yesterday", ""}) {
    json s = {{"start_date", bad}};
    std::vector<std::string> errors;
    config::validateSettings(*specs, s, errors);
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_NE(errors[0].find("settings.start_date: expected an ISO-8601 time"), std::string::npos) << errors[0];
  }
  // A time without its zone is refused, not taken as UTC; a bare date is that day in UTC.
  for (const char* zoneless : {"2024-01-01T00:00:00", "2024-01-01 08:30:00"}) {
    json s = {{"start_date", zoneless}};
    std::vector<std::string> errors;
    config::validateSettings(*specs, s, errors);
    ASSERT_EQ(errors.size(), 1u) << zoneless;
    EXPECT_NE(errors[0].find("settings.start_date: \"" + std::string(zoneless) + "\" has no zone: write Z for UTC"),
              std::string::npos)
        << errors[0];
  }
  for (const char* good : {"2024-01-01", "2024-01-01T00:00:00Z", "2024-01-01T02:00:00+02:00"}) {
    json s = {{"start_date", good}};
    std::vector<std::string> errors;
    config::validateSettings(*specs, s, errors);
    EXPECT_TRUE(errors.empty()) << good;
  }
}

TEST(DaemonConfig, RequiresThePluginAndConnectorsFolders) {
  TempDir t;
  fs::create_directories(t / "plugins");
  writeFile(t / "abmd.json", R"({"plugin_dir":"plugins","connectors_dir":"missing.d"})");
  auto c = config::loadDaemonConfig(t / "abmd.json");
  auto st = config::requireFolders(c);
  ASSERT_FALSE(st.isOk());
  EXPECT_NE(st.message().find((t / "missing.d").string() + " (\"connectors_dir\") is not a folder"), std::string::npos)
      << st.message();
  EXPECT_EQ(st.message().find("plugin_dir"), std::string::npos) << st.message();
  fs::create_directories(t / "missing.d");
  EXPECT_TRUE(config::requireFolders(c).isOk());
}

TEST(DaemonReload, AppliesLiveKeysAndNamesThoseNeedingARestart) {
  TempDir t;
  writeFile(t / "abmd.json", R"({"store":"sqlite://a.db","log_level":"info","max_concurrent_syncs":2})");
  const auto running = config::loadDaemonConfig(t / "abmd.json");
  writeFile(t / "abmd.json", R"({"store":"sqlite://b.db","log_level":"debug","max_concurrent_syncs":4,
    "identity":{"never_merge_domains":["x.com"]}})");
  const auto fresh = config::loadDaemonConfig(t / "abmd.json");
  auto plan = config::planDaemonReload(running, fresh);
  EXPECT_EQ(plan.applied, (std::vector<std::string>{"log_level", "max_concurrent_syncs"}));
  EXPECT_EQ(plan.need_restart, (std::vector<std::string>{"identity", "store"}));
  EXPECT_EQ(plan.config.log_level, log::Level::Debug);
  EXPECT_EQ(plan.config.max_concurrent_syncs, 4);
  EXPECT_EQ(plan.config.store.sqlite_path, running.store.sqlite_path);
  EXPECT_TRUE(plan.config.never_merge_domains.empty());
  // Reloading the same file again still reports the keys that wait for a restart, and nothing else.
  auto again = config::planDaemonReload(plan.config, fresh);
  EXPECT_TRUE(again.applied.empty());
  EXPECT_EQ(again.need_restart, (std::vector<std::string>{"identity", "store"}));
}

TEST(DaemonReload, TheInstanceAndItsLeaseTtlWaitForARestart) {
  TempDir t;
  writeFile(t / "abmd.json", R"({"instance_id":"node-a","lease_ttl":"60s"})");
  const auto running = config::loadDaemonConfig(t / "abmd.json");
  writeFile(t / "abmd.json", R"({"instance_id":"node-b","lease_ttl":"10s"})");
  const auto plan = config::planDaemonReload(running, config::loadDaemonConfig(t / "abmd.json"));
  EXPECT_EQ(plan.need_restart, (std::vector<std::string>{"instance_id", "lease_ttl"}));
  EXPECT_EQ(plan.config.instance_id, "node-a");
  EXPECT_EQ(plan.config.lease_ttl, std::chrono::seconds(60));
}

TEST(ConnectorFile, ValidationErrorsShowTheReferenceNotItsValue) {
  TempDir t;
  ::setenv("ABMD_TEST_STREAM", "TOPSECRET-stream", 1);
  writeFile(t / "a.json", R"({"name":"a","plugin":"p","schedule":"every 1h",
    "settings":{"streams":["${env:ABMD_TEST_STREAM}"]}})");
  std::vector<std::string> errors;
  auto c = config::loadConnectorFile(t / "a.json", errors);
  ASSERT_TRUE(c);
  auto specs = config::parseOptionSpecs(R"([{"name":"streams","type":"string_list","choices":["deals"]}])");
  config::validateConnectorSettings(*c, *specs, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("unknown value '${env:ABMD_TEST_STREAM}'"), std::string::npos) << errors[0];
  EXPECT_EQ(errors[0].find("TOPSECRET"), std::string::npos) << errors[0];
}
