// Running a connector executable as a child (<abm/sdk/subprocess.hpp>): real child processes
// (/bin/sh scripts), real pipes and files.
#include <abm/sdk/subprocess.hpp>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace sp = abm::sdk::subprocess;
using abm::sdk::Status;
using nlohmann::json;

namespace {

sp::Options shell(const std::string& script) {
  sp::Options o;
  o.argv = {"/bin/sh", "-c", script};
  return o;
}

// Every stdout line of `script`, and how the run ended.
Status lines(const std::string& script, std::vector<std::string>& out, sp::Options o = {}) {
  o.argv = shell(script).argv;
  return sp::runLines(nullptr, o, "test", [&](std::string_view line, size_t) -> sp::Reaction {
    out.emplace_back(line);
    return {};
  });
}

}  // namespace

TEST(SdkSubprocess, ReadsStdoutLineByLineWithTheLastLineWithoutNewline) {
  std::vector<std::string> out;
  const Status s = lines("printf 'one\\ntwo\\n\\nthree'", out);
  EXPECT_TRUE(s.isOk()) << s.message;
  EXPECT_EQ(out, (std::vector<std::string>{"one", "two", "", "three"}));
}

TEST(SdkSubprocess, ANonZeroExitNamesTheCodeAndTheLastLinesOfStderr) {
  std::vector<std::string> out;
  sp::Options o;
  o.stderr_tail_lines = 2;
  const Status s = lines("echo first >&2; echo second >&2; echo third >&2; exit 4", out, o);
  EXPECT_FALSE(s.isOk());
  EXPECT_EQ(s.message, "test exited with code 4; its stderr ends: second | third");
}

TEST(SdkSubprocess, ADeathBySignalIsNamed) {
  std::vector<std::string> out;
  const Status s = lines("kill -USR1 $$", out);
  EXPECT_EQ(s.message, "test was killed by signal 10 (SIGUSR1)");
}

TEST(SdkSubprocess, AMissingOrUnrunnableProgramIsNamed) {
  sp::Child c;
  sp::Options o;
  o.argv = {"no-such-program-abm"};
  EXPECT_EQ(c.start(o), "command: 'no-such-program-abm' is not found in PATH");
  // A file that is there but not executable.
  const std::string data = std::filesystem::temp_directory_path() / ("abm-unit-data-" + std::to_string(::getpid()));
  std::ofstream(data) << "{}";
  std::filesystem::permissions(data, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  sp::Child d;
  o.argv = {data};
  EXPECT_EQ(d.start(o), "cannot run '" + data + "': Permission denied");
  std::filesystem::remove(data);
  sp::Child e;
  o.argv = {};
  EXPECT_EQ(e.start(o), "command: names no program");
}

TEST(SdkSubprocess, ALineOverTheLimitEndsTheRunAndKillsTheChild) {
  std::vector<std::string> out;
  sp::Options o;
  o.max_line_bytes = 10;
  const Status s = lines("echo short; echo 0123456789abcdef; sleep 600", out, o);
  EXPECT_EQ(s.message, "test: stdout line 2 is longer than 10 bytes (raise \"max_line_bytes\" in the settings if the "
                       "source's records are that large)");
  EXPECT_EQ(out, (std::vector<std::string>{"short"}));
}

TEST(SdkSubprocess, AFatalReactionKillsTheChildAndIsTheReason) {
  const Status s = sp::runLines(nullptr, shell("echo a; echo b; sleep 600"), "test",
                                [](std::string_view line, size_t at) -> sp::Reaction {
                                  if (line == "b") return {"line " + std::to_string(at) + " is b"};
                                  return {};
                                });
  EXPECT_EQ(s.message, "test: line 2 is b");
}

TEST(SdkSubprocess, AStopIsSigtermThenSigkillAfterTheGraceAndARetry) {
  // The child ignores SIGTERM: the grace runs out and SIGKILL ends it.
  sp::Options o = shell("trap '' TERM; echo ready; while :; do sleep 1; done");
  o.stop_grace = std::chrono::milliseconds(200);
  const Status s = sp::runLines(nullptr, o, "test", [](std::string_view, size_t) -> sp::Reaction { return {"", true}; });
  EXPECT_EQ(s.code, ABM_RETRY);
  EXPECT_EQ(s.message, "test: stopped on request; the next run resumes from the last checkpoint");
}

TEST(SdkSubprocess, ProtocolLinesMustBeJsonObjectsWithAType) {
  std::vector<json> got;
  auto collect = [&](const json& m, size_t) -> sp::Reaction {
    got.push_back(m);
    return {};
  };
  Status s = sp::runConnector(nullptr, shell(R"(echo '{"type":"LOG"}'; echo; echo '{"type":"STATE"}')"), "src", collect);
  EXPECT_TRUE(s.isOk()) << s.message;
  EXPECT_EQ(got.size(), 2u);
  s = sp::runConnector(nullptr, shell(R"(echo '{"type":"LOG"}'; echo '[1,2]')"), "src", collect);
  EXPECT_EQ(s.message, "src: stdout line 2 is not a protocol message (a JSON object with a \"type\"): '[1,2]'; the "
                       "connector must write only messages to stdout and its logs to stderr");
  s = sp::runConnector(nullptr, shell(R"(echo '{"type":7}')"), "src", collect);
  EXPECT_NE(s.message.find("stdout line 1 is not a protocol message"), std::string::npos) << s.message;
  // Nesting without bound is refused without parsing it.
  s = sp::runConnector(nullptr, shell("printf '%0.s[' $(seq 1 500); echo"), "src", collect);
  EXPECT_NE(s.message.find("stdout line 1 is not a protocol message"), std::string::npos) << s.message;
}

TEST(SdkSubprocess, TheChildGetsTheEnvironmentAddedAndNoStdin) {
  std::vector<std::string> out;
  sp::Options o;
  o.env = {{"ABM_TEST_VALUE", "forty two"}};
  const Status s = lines("echo \"$ABM_TEST_VALUE\"; cat; echo end", out, o);
  EXPECT_TRUE(s.isOk()) << s.message;
  EXPECT_EQ(out, (std::vector<std::string>{"forty two", "end"}));
}

TEST(SdkSubprocess, TheChildInheritsNoOtherFileDescriptor) {
  // A descriptor of this process without O_CLOEXEC (as a worker's pipe to the daemon may be).
  ASSERT_EQ(::dup2(1, 200), 200);
  std::vector<std::string> fds;
  const Status s = lines("for f in /proc/$$/fd/*; do echo ${f##*/}; done", fds);
  ::close(200);
  EXPECT_TRUE(s.isOk()) << s.message;
  // 0, 1, 2 and the listing's own directory (the lowest free number, 3).
  EXPECT_EQ(fds, (std::vector<std::string>{"0", "1", "2", "3"}));
}

TEST(SdkSubprocess, PrivateFilesAre0600InA0700FolderRemovedWithIt) {
  std::string folder, file;
  {
    sp::PrivateDir dir;
    ASSERT_EQ(dir.create("abm-unit-"), "");
    folder = dir.path();
    ASSERT_EQ(dir.write("config.json", R"({"token":"x"})", file), "");
    struct stat st {};
    ASSERT_EQ(::stat(folder.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream in(file);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), R"({"token":"x"})");
    EXPECT_NE(dir.write("config.json", "again", file), "") << "an existing file is never reused";
  }
  EXPECT_FALSE(std::filesystem::exists(folder));
}

TEST(SdkSubprocess, AFolderLeftByADeadProcessIsRemovedByTheNextCreate) {
  // A child makes a folder with its own pid and dies without removing it.
  const std::string parent = std::filesystem::temp_directory_path() / "abm-sweep-test";
  std::filesystem::remove_all(parent);
  std::filesystem::create_directories(parent);
  std::vector<std::string> out;
  ASSERT_TRUE(lines("mkdir \"" + parent + "/abm-unit-$$-abcdef\"; mkdir \"" + parent + "/other-1-x\"", out).isOk());
  ::setenv("TMPDIR", parent.c_str(), 1);
  {
    sp::PrivateDir dir;
    ASSERT_EQ(dir.create("abm-unit-"), "");
    std::vector<std::string> left;
    for (const auto& e : std::filesystem::directory_iterator(parent)) left.push_back(e.path().filename());
    std::sort(left.begin(), left.end());
    ASSERT_EQ(left.size(), 2u);
    EXPECT_EQ(left[0], std::filesystem::path(dir.path()).filename());  // its own, named by this process
    EXPECT_EQ(left[0].rfind("abm-unit-" + std::to_string(::getpid()) + "-", 0), 0u);
    EXPECT_EQ(left[1], "other-1-x");  // not one of ours
  }
  ::unsetenv("TMPDIR");
  std::filesystem::remove_all(parent);
}

TEST(SdkSubprocess, ExcerptsCutAtACharacterBoundary) {
  EXPECT_EQ(sp::excerpt("short"), "short");
  const std::string long_line(100, 'a');
  EXPECT_EQ(sp::excerpt(long_line, 10), "aaaaaaaaaa…");
  EXPECT_EQ(sp::excerpt("aaaaaaaaaé", 10), "aaaaaaaaa…");  // 'é' starts at byte 9 and takes two
  EXPECT_FALSE(abm::sdk::nestsDeeperThan(R"({"a":[{"b":"[[[["}]})", 3));
  EXPECT_TRUE(abm::sdk::nestsDeeperThan(R"({"a":[{"b":[]}]})", 3));
}

TEST(SdkSubprocess, CommonSettingsNameTheKeyOfAMistake) {
  sp::CommonSettings c;
  EXPECT_EQ(c.parse(json::parse(R"({"command": "node main.js"})")),
            "command: expected a list of strings, the program first (no shell)");
  sp::CommonSettings d;
  EXPECT_EQ(d.parse(json::parse(R"({"command": ["node", ""]})")), "command[1]: expected a non-empty string");
  sp::CommonSettings e;
  EXPECT_EQ(e.parse(json::parse(R"({"command": ["node"], "env": {"A": 1}})")), "env.A: expected a string");
  sp::CommonSettings f;
  EXPECT_EQ(f.parse(json::parse(R"({"command": ["node"], "config": [1]})")),
            "config: expected an object (the connector's own configuration)");
  sp::CommonSettings g;
  EXPECT_EQ(g.parse(json::parse(R"({"command": ["node"], "streams": {"orgs": {"entity": "accounts", "fields": {}, "mode": 1}}})")).rfind("streams.orgs", 0), 0u);
}

TEST(SdkSubprocess, CommonSettingsFindMappedStreamsAndNameOneTheSourceLacks) {
  sp::CommonSettings c;
  const std::string_view keys[] = {"sync_mode"};
  ASSERT_EQ(c.parse(json::parse(R"({"command": ["src"], "streams": {
      "orgs": {"entity": "accounts", "fields": {"external_id": "/id"}, "sync_mode": "full_refresh"},
      "people": {"entity": "contacts", "fields": {"external_id": "/id"}}}})"), keys), "");
  ASSERT_NE(c.find("people"), nullptr);
  EXPECT_EQ(c.find("people")->entity, "contacts");
  EXPECT_EQ(c.find("deals"), nullptr);
  EXPECT_EQ(c.checkOffered({"people", "orgs", "deals"}), "");
  EXPECT_EQ(c.checkOffered({"people", "organizations"}),
            "streams.orgs: the source has no stream 'orgs' (it offers: people, organizations)");
}
