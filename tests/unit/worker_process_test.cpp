// The worker handle against real child processes (/bin/sh standing in for abmd-worker): it never
// blocks without a deadline, never deadlocks on a large job, and leaks nothing when it cannot start.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <set>

#include "worker/worker_process.hpp"

using abm::worker::WorkerProcess;
using namespace std::chrono_literals;

namespace {

std::set<int> openFds() {
  std::set<int> fds;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) fds.insert(std::stoi(e.path().filename()));
  return fds;
}

WorkerProcess shell(const std::string& script, std::string job = "", std::function<void(std::string_view)> err = {}) {
  ::signal(SIGPIPE, SIG_IGN);  // as abmd and abmctl do in main
  auto p = WorkerProcess::spawn("/bin/sh", {"-c", script}, std::move(job), {}, std::move(err));
  EXPECT_TRUE(p) << p.error();
  return std::move(*p);
}

TEST(WorkerProcess, WaitKillsAChildThatDoesNotExitInItsGrace) {
  WorkerProcess p = shell("exec sleep 60");
  const auto exit = p.wait(50ms);
  EXPECT_FALSE(exit.exited);
  EXPECT_EQ(exit.code, SIGKILL);
  EXPECT_TRUE(exit.killed_by_host);
}

TEST(WorkerProcess, WaitReportsAChildThatExitsOnItsOwn) {
  WorkerProcess p = shell("exit 3");
  std::string_view line;
  EXPECT_EQ(p.next(line), WorkerProcess::Read::Eof);
  const auto exit = p.wait();
  EXPECT_TRUE(exit.exited);
  EXPECT_EQ(exit.code, 3);
  EXPECT_FALSE(exit.killed_by_host);
}

TEST(WorkerProcess, AChildKeepingStderrOpenDoesNotHoldUpTheEnd) {
  // Its message stream ends, but stderr stays open as long as it lives.
  WorkerProcess p = shell("echo last; exec >&-; exec sleep 60");
  std::string_view line;
  ASSERT_EQ(p.next(line), WorkerProcess::Read::Line);
  EXPECT_EQ(line, "last");
  EXPECT_EQ(p.next(line), WorkerProcess::Read::Eof);
  const auto exit = p.wait(50ms);
  EXPECT_FALSE(exit.exited) << "the child was still sleeping: it had to be killed";
  EXPECT_TRUE(exit.killed_by_host);
}

TEST(WorkerProcess, ALargeJobAndAChildFillingStderrFirstDoNotDeadlock) {
  // The child writes 300 kB to stderr before it reads a 300 kB job: both pipes hold 64 KiB.
  size_t stderr_lines = 0;
  WorkerProcess p = shell("yes e | head -c 300000 >&2; wc -c", std::string(300000, 'j'),
                          [&](std::string_view) { ++stderr_lines; });
  std::string_view line;
  ASSERT_EQ(p.next(line), WorkerProcess::Read::Line);
  EXPECT_EQ(std::stoul(std::string(line)), 300000u) << "the whole job arrived";
  EXPECT_EQ(p.next(line), WorkerProcess::Read::Eof);
  EXPECT_TRUE(p.wait().exited);
  EXPECT_EQ(stderr_lines, 150000u);
}

TEST(WorkerProcess, AFailedSpawnLeaksNoPipe) {
  // Allow three or four more descriptors (the slot the listing used is free again): the first pipe
  // fits, a later one does not.
  const std::set<int> before = openFds();
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  rlim_t limit = 0;
  for (int free = 0; free < 3; ++limit)
    if (!before.count(static_cast<int>(limit))) ++free;
  rlimit tight = old;
  tight.rlim_cur = limit;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &tight), 0);
  auto p = WorkerProcess::spawn("/bin/sh", {"-c", "true"}, "", {}, {});
  ::setrlimit(RLIMIT_NOFILE, &old);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().find("pipe: Too many open files"), std::string::npos) << p.error();
  EXPECT_EQ(openFds(), before);
}

}  // namespace
