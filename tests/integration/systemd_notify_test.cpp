// abmd under systemd's Type=notify: the real daemon, started with $NOTIFY_SOCKET and $WATCHDOG_USEC
// as systemd sets them, tells a socket of the test's what systemd would hear.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "service/systemd_notify.hpp"
#include "test_support.hpp"

using namespace abm::test;
using namespace std::chrono_literals;

namespace {

// The receiving end of $NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0) << std::strerror(errno);
  }
  ~NotifySocket() { ::close(fd_); }
  // The next message, or "" after `timeout`.
  std::string next(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return "";
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }
  // Reads messages until one contains `text`; every message read lands in `seen`.
  bool waitFor(const std::string& text, std::chrono::milliseconds timeout, std::string& seen) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      const std::string m = next(100ms);
      seen += m.empty() ? "" : m + "|";
      if (m.find(text) != std::string::npos) return true;
    }
    return false;
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

TEST(SystemdNotify, WithoutNotifySocketNothingIsSentAndNothingFails) {
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(abm::service::notify("READY=1"));
  ::unsetenv("WATCHDOG_USEC");
  EXPECT_FALSE(abm::service::watchdogInterval());
}

TEST(SystemdNotify, WatchdogIntervalIsHalfOfWatchdogUsecForThisProcessOnly) {
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  ::unsetenv("WATCHDOG_PID");
  EXPECT_EQ(abm::service::watchdogInterval(), std::chrono::milliseconds(15000));
  ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
  EXPECT_FALSE(abm::service::watchdogInterval()) << "the watchdog of another process";
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  EXPECT_TRUE(abm::service::watchdogInterval());
  ::setenv("WATCHDOG_USEC", "soon", 1);
  EXPECT_FALSE(abm::service::watchdogInterval());
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
}

TEST(SystemdNotify, ASocketThatIsNotThereIsReportedNotFatal) {
  TempDir dir;
  ::setenv("NOTIFY_SOCKET", (dir.path() / "none").c_str(), 1);
  EXPECT_FALSE(abm::service::notify("READY=1"));
  ::setenv("NOTIFY_SOCKET", "relative/path", 1);
  EXPECT_FALSE(abm::service::notify("READY=1"));
  ::unsetenv("NOTIFY_SOCKET");
}

TEST(SystemdNotify, TheDaemonSaysReadyPingsTheWatchdogReloadsAndStops) {
  Workspace ws;
  ws.writeConfig("", true);
  writeFile(ws.dir / "data/accounts.csv", "external_id,name,domain\na1,One,one.com\n");
  writeFile(ws.connectors() / "files.json",
            R"({"name": "files", "plugin": "csv", "schedule": "every 1h", "settings": {"path": "../data"}})");
  NotifySocket sock(ws.dir / "notify.sock");
  Child d({(binDir() / "abmd").string(), "-c", ws.config().string()}, ws.dir.path(),
          {{"NOTIFY_SOCKET", (ws.dir / "notify.sock").string()}, {"WATCHDOG_USEC", "200000"}});
  std::string seen;
  ASSERT_TRUE(sock.waitFor("READY=1", 30s, seen)) << seen << d.err();
  EXPECT_NE(seen.find("STATUS=1 connectors scheduled"), std::string::npos) << seen;
  // Pings every 100 ms (half of WATCHDOG_USEC); a few of them show the loop keeps sending.
  int pings = 0;
  for (int i = 0; i < 50 && pings < 3; ++i)
    if (sock.next(1s) == "WATCHDOG=1") ++pings;
  EXPECT_EQ(pings, 3) << d.err();
  d.signal(SIGHUP);
  seen.clear();
  ASSERT_TRUE(sock.waitFor("RELOADING=1", 30s, seen)) << seen << d.err();
  ASSERT_TRUE(sock.waitFor("READY=1", 30s, seen)) << seen << d.err();
  d.signal(SIGTERM);
  seen.clear();
  ASSERT_TRUE(sock.waitFor("STOPPING=1", 30s, seen)) << seen << d.err();
  EXPECT_EQ(d.wait(30s), 0) << d.err();
}

}  // namespace
