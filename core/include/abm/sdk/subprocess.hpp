// Runs an external connector executable as a child of the worker (header-only): argv without a
// shell, a private 0600 config file, stdout read line by line with a length limit, stderr logged and
// its last lines kept for the error message, a stop that escalates from SIGTERM to SIGKILL, and
// PR_SET_PDEATHSIG so a worker killed for its time limit (or any other reason) takes the child along.
// Shared by the airbyte and singer plugins.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <abm/sdk/json_depth.hpp>
#include <abm/sdk/mapping.hpp>
#include <abm/sdk/plugin.hpp>
#include <nlohmann/json.hpp>

extern char** environ;

namespace abm::sdk::subprocess {

// A private folder (0700) for the files handed to the child; removed with everything in it when
// this goes out of scope, whatever happened in between. A worker killed outright (its time or
// memory limit) runs no destructor: its folder carries its pid in its name, and the next create()
// with the same prefix removes the folders of workers that are gone.
class PrivateDir {
 public:
  PrivateDir() = default;
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;
  ~PrivateDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  // Creates the folder <$TMPDIR or /tmp>/<prefix><pid>-XXXXXX; "" or why not.
  std::string create(const std::string& prefix) {
    const char* tmp = std::getenv("TMPDIR");
    const std::string parent = tmp && *tmp ? tmp : "/tmp";
    sweep(parent, prefix);
    std::string templ = parent + "/" + prefix + std::to_string(::getpid()) + "-XXXXXX";
    if (!::mkdtemp(templ.data())) return "cannot create a private folder in " + parent + ": " + std::strerror(errno);
    path_ = templ;
    return {};
  }
  // Writes `name` in the folder, readable by this user only (0600 from the start, never wider).
  std::string write(const std::string& name, std::string_view content, std::string& path_out) {
    path_out = path_ + "/" + name;
    const int fd = ::open(path_out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return "cannot create " + path_out + ": " + std::strerror(errno);
    size_t off = 0;
    while (off < content.size()) {
      const ssize_t n = ::write(fd, content.data() + off, content.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int e = errno;
        ::close(fd);
        return "cannot write " + path_out + ": " + std::strerror(e);
      }
      off += static_cast<size_t>(n);
    }
    ::close(fd);
    return {};
  }
  const std::string& path() const { return path_; }

 private:
  // Removes this user's <prefix><pid>-XXXXXX folders whose process no longer runs.
  static void sweep(const std::string& parent, const std::string& prefix) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(parent, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string rest = name.substr(prefix.size());
      const size_t dash = rest.find('-');
      if (dash == 0 || dash == std::string::npos || rest.find_first_not_of("0123456789") != dash) continue;
      struct stat st {};
      if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid()) continue;
      const pid_t owner = static_cast<pid_t>(std::stol(rest.substr(0, dash)));
      if (::kill(owner, 0) == 0 || errno != ESRCH) continue;
      std::error_code ignored;
      std::filesystem::remove_all(entry.path(), ignored);
    }
  }

  std::string path_;
};

struct Options {
  std::vector<std::string> argv;                  // argv[0] is looked up in PATH when it has no '/'
  std::map<std::string, std::string> env;         // added to (or replacing in) the worker's environment
  size_t max_line_bytes = 16 * 1024 * 1024;       // a longer stdout line ends the run
  size_t memory_limit_mb = 0;                     // the child's resident memory; 0: no limit of its own
  std::chrono::milliseconds stop_grace{10000};    // from SIGTERM to SIGKILL
  size_t stderr_tail_lines = 20;                  // kept for the failure message
};

// How the child ended.
struct Exit {
  bool exited = false;  // else killed by a signal
  int code = 0;         // exit code or signal number
  bool ok() const { return exited && code == 0; }
  std::string describe() const {
    if (exited) return "exited with code " + std::to_string(code);
    const char* name = ::sigabbrev_np(code);
    return "was killed by signal " + std::to_string(code) + (name ? std::string(" (SIG") + name + ")" : "");
  }
};

// argv joined for messages: ["node", "main.js", "read"] → node main.js read.
inline std::string commandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

// The path execve takes for `name`: itself when it holds a '/', else the first executable in PATH.
inline std::string resolveExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const size_t colon = dirs.find(':');
    const std::string dir(dirs.substr(0, colon));
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) return {};
    dirs.remove_prefix(colon + 1);
  }
}

class Child {
 public:
  enum class Next { Line, Eof, TooLong, OverMemory };

  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  // A child still running is killed (with its process group) and reaped.
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      signalGroup(SIGKILL);
      wait();
    }
    for (int fd : {out_fd_, err_fd_})
      if (fd >= 0) ::close(fd);
  }

  // Starts the child; "" or why it could not start (the executable is missing, not executable, ...).
  std::string start(const Options& o) {
    opts_ = o;
    if (o.argv.empty() || o.argv[0].empty()) return "command: names no program";
    const std::string exe = resolveExecutable(o.argv[0]);
    if (exe.empty()) return "command: '" + o.argv[0] + "' is not found in PATH";
    // Everything the child needs is built before fork: after it, only async-signal-safe calls.
    std::vector<char*> argv;
    for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<std::string> env_text;
    for (char** e = environ; e && *e; ++e) {
      const std::string_view kv(*e);
      if (!o.env.count(std::string(kv.substr(0, kv.find('='))))) env_text.emplace_back(kv);
    }
    for (const auto& [k, v] : o.env) env_text.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);

    int out_pipe[2], err_pipe[2], exec_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
      closeAll({out_pipe[0], out_pipe[1]});
      return std::string("pipe: ") + std::strerror(errno);
    }
    if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
      closeAll({out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]});
      return std::string("pipe: ") + std::strerror(errno);
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      closeAll({out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], exec_pipe[0], exec_pipe[1]});
      return std::string("fork: ") + std::strerror(errno);
    }
    if (pid == 0) {
      // Dies with the worker (the signal fires when the forking thread's process ends), in a
      // process group of its own so a stop reaches what it starts in turn.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      ::setpgid(0, 0);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
      const int devnull = ::open("/dev/null", O_RDONLY);
      if (devnull < 0 || ::dup2(devnull, 0) < 0 || ::dup2(out_pipe[1], 1) < 0 || ::dup2(err_pipe[1], 2) < 0) ::_exit(127);
      // Nothing of the worker's (its pipe to the daemon above all) stays open in the connector;
      // the exec pipe closes itself on exec.
      ::close_range(3, exec_pipe[1] > 3 ? exec_pipe[1] - 1 : 2, 0);
      if (exec_pipe[1] < INT_MAX) ::close_range(static_cast<unsigned>(exec_pipe[1]) + 1, ~0U, 0);
      ::execve(exe.c_str(), argv.data(), envp.data());
      const int e = errno;
      [[maybe_unused]] ssize_t n = ::write(exec_pipe[1], &e, sizeof e);
      ::_exit(127);
    }
    closeAll({out_pipe[1], err_pipe[1], exec_pipe[1]});
    pid_ = pid;
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
    // The exec pipe closes on a successful exec; otherwise it brings execve's errno.
    int e = 0;
    ssize_t n;
    while ((n = ::read(exec_pipe[0], &e, sizeof e)) < 0 && errno == EINTR) {
    }
    ::close(exec_pipe[0]);
    if (n == sizeof e) {
      wait();
      return "cannot run '" + exe + "': " + std::strerror(e);
    }
    return {};
  }

  // The next stdout line (without '\n'), valid until the next call; stderr lines go to
  // `on_stderr` meanwhile. `stop` is asked between reads: when it says yes, the child is told to
  // stop (SIGTERM, SIGKILL after the grace) and its remaining output is still read.
  Next next(std::string_view& line, const std::function<bool()>& stop,
            const std::function<void(std::string_view)>& on_stderr) {
    while (true) {
      if (pos_ < buf_.size()) {
        const char* start = buf_.data() + pos_;
        if (const void* nl = std::memchr(start, '\n', buf_.size() - pos_)) {
          const size_t len = static_cast<size_t>(static_cast<const char*>(nl) - start);
          if (len > opts_.max_line_bytes) return Next::TooLong;
          line = std::string_view(start, len);
          pos_ += len + 1;
          ++line_number_;
          return Next::Line;
        }
        if (buf_.size() - pos_ > opts_.max_line_bytes) return Next::TooLong;
      }
      if (out_fd_ < 0) {
        if (pos_ < buf_.size()) {  // a last line without '\n'
          line = std::string_view(buf_.data() + pos_, buf_.size() - pos_);
          pos_ = buf_.size();
          ++line_number_;
          return Next::Line;
        }
        return Next::Eof;
      }
      if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
      }
      if (stop && !term_sent_ && stop()) terminate();
      if (term_sent_ && !kill_sent_ && Clock::now() >= kill_at_) {
        signalGroup(SIGKILL);
        kill_sent_ = true;
      }
      if (opts_.memory_limit_mb > 0 && Clock::now() >= next_rss_check_) {
        next_rss_check_ = Clock::now() + std::chrono::milliseconds(100);
        if (residentMb() > opts_.memory_limit_mb) {
          signalGroup(SIGKILL);
          kill_sent_ = true;
          return Next::OverMemory;
        }
      }
      pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
      const int rc = ::poll(fds, err_fd_ >= 0 ? 2 : 1, 100);
      if (rc < 0 && errno != EINTR) return Next::Eof;
      if (rc <= 0) continue;
      if (err_fd_ >= 0 && fds[1].revents) drainStderr(on_stderr);
      if (fds[0].revents) {
        char tmp[1 << 16];
        const ssize_t n = ::read(out_fd_, tmp, sizeof tmp);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) {
          ::close(out_fd_);
          out_fd_ = -1;
          continue;
        }
        buf_.append(tmp, static_cast<size_t>(n));
      }
    }
  }

  // Asks the child (and its process group) to stop; SIGKILL follows after the grace.
  void terminate() {
    if (term_sent_ || pid_ <= 0 || reaped_) return;
    signalGroup(SIGTERM);
    term_sent_ = true;
    kill_at_ = Clock::now() + opts_.stop_grace;
  }
  void kill() {
    signalGroup(SIGKILL);
    kill_sent_ = true;
  }

  // Waits for the child's end, reading the rest of its stderr; a child that does not end by
  // itself within the stop grace after a terminate() is killed.
  Exit wait(const std::function<void(std::string_view)>& on_stderr = {}) {
    if (reaped_ || pid_ <= 0) return exit_;
    int status = 0;
    while (true) {
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) break;
      if (r < 0 && errno != EINTR) {
        reaped_ = true;
        return exit_;
      }
      if (term_sent_ && !kill_sent_ && Clock::now() >= kill_at_) kill();
      if (err_fd_ >= 0) {
        pollfd p{err_fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) > 0) drainStderr(on_stderr);
      } else {
        ::usleep(10000);
      }
    }
    reaped_ = true;
    if (WIFEXITED(status)) exit_ = {true, WEXITSTATUS(status)};
    else if (WIFSIGNALED(status)) exit_ = {false, WTERMSIG(status)};
    // What is left in the pipe (a grandchild may hold it open: read only what is there now).
    while (err_fd_ >= 0) {
      pollfd p{err_fd_, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0 || !drainStderr(on_stderr)) break;
    }
    if (!err_buf_.empty()) keepStderr(err_buf_, on_stderr);
    err_buf_.clear();
    return exit_;
  }

  // The last lines the child wrote to stderr, oldest first, joined by " | ".
  std::string stderrTail() const {
    std::string out;
    for (const auto& l : tail_) out += (out.empty() ? "" : " | ") + l;
    return out;
  }
  bool stopSent() const { return term_sent_; }
  size_t lineNumber() const { return line_number_; }
  pid_t pid() const { return pid_; }

 private:
  using Clock = std::chrono::steady_clock;

  static void closeAll(std::initializer_list<int> fds) {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  void signalGroup(int sig) {
    if (pid_ <= 0 || reaped_) return;
    ::kill(-pid_, sig);  // the child's group (it made one)...
    ::kill(pid_, sig);   // ...and the child itself, should it not have got that far
  }
  size_t residentMb() const {
    std::ifstream statm("/proc/" + std::to_string(pid_) + "/statm");
    size_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE)) / (1024 * 1024);
  }
  // Reads what stderr has; false at its end.
  bool drainStderr(const std::function<void(std::string_view)>& on_stderr) {
    char tmp[8192];
    const ssize_t n = ::read(err_fd_, tmp, sizeof tmp);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) {
      ::close(err_fd_);
      err_fd_ = -1;
      return false;
    }
    err_buf_.append(tmp, static_cast<size_t>(n));
    size_t nl;
    while ((nl = err_buf_.find('\n')) != std::string::npos) {
      if (nl > 0) keepStderr(std::string_view(err_buf_).substr(0, nl), on_stderr);
      err_buf_.erase(0, nl + 1);
    }
    if (err_buf_.size() > 8192) {  // a runaway line: pass on what there is
      keepStderr(err_buf_, on_stderr);
      err_buf_.clear();
    }
    return true;
  }
  void keepStderr(std::string_view line, const std::function<void(std::string_view)>& on_stderr) {
    if (on_stderr) on_stderr(line);
    tail_.emplace_back(line.substr(0, 500));
    while (tail_.size() > opts_.stderr_tail_lines) tail_.pop_front();
  }

  Options opts_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string buf_;  // bytes [pos_, size) are read but not yet handed out
  size_t pos_ = 0;
  size_t line_number_ = 0;
  std::string err_buf_;
  std::deque<std::string> tail_;
  bool term_sent_ = false;
  bool kill_sent_ = false;
  Clock::time_point kill_at_;
  Clock::time_point next_rss_check_;
  bool reaped_ = false;
  Exit exit_;
};

// A short excerpt of a line for messages: its first `max` bytes, cut at a UTF-8 boundary.
inline std::string excerpt(std::string_view line, size_t max = 80) {
  if (line.size() <= max) return std::string(line);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  return std::string(line.substr(0, cut)) + "…";
}

// The options of the process settings below, for the plugin's options table after its own:
// `constexpr auto kOptions = withProcessOptions(kOwnOptions);`.
inline constexpr Option kProcessOptions[] = {
    {"env", OptionType::StringMap, false, "{}", "Environment variables added for the connector's program"},
    {"max_line_bytes", OptionType::Integer, false, "16777216",
     "Longest message line (and largest discovered catalog) the program may send"},
    {"memory_limit_mb", OptionType::Integer, false, "2048",
     "The program's resident memory limit (0: none of its own; the worker's limit does not cover it)"},
    {"stop_grace_seconds", OptionType::Integer, false, "10", "From SIGTERM to SIGKILL when a run is stopped"},
};
template <size_t N>
constexpr std::array<Option, N + std::size(kProcessOptions)> withProcessOptions(const Option (&own)[N]) {
  std::array<Option, N + std::size(kProcessOptions)> all{};
  for (size_t i = 0; i < N; ++i) all[i] = own[i];
  for (size_t i = 0; i < std::size(kProcessOptions); ++i) all[N + i] = kProcessOptions[i];
  return all;
}

// The settings both connector plugins share, read and checked once: `command`, `config`, `env`,
// `max_line_bytes`, `memory_limit_mb`, `stop_grace_seconds`, and `streams` (the mapping, whose
// stream objects may carry `stream_keys` besides entity and fields). parse() returns "" or one line
// naming the key.
struct CommonSettings {
  Options options;
  nlohmann::json config = nlohmann::json::object();
  std::vector<mapping::StreamMapping> streams;

  std::string parse(const nlohmann::json& s, std::span<const std::string_view> stream_keys = {}) {
    const auto& cmd = s.contains("command") ? s["command"] : nlohmann::json();
    if (!cmd.is_array() || cmd.empty()) return "command: expected a list of strings, the program first (no shell)";
    for (size_t i = 0; i < cmd.size(); ++i) {
      if (!cmd[i].is_string() || cmd[i].get_ref<const std::string&>().empty())
        return "command[" + std::to_string(i) + "]: expected a non-empty string";
      options.argv.push_back(cmd[i].get<std::string>());
    }
    if (s.contains("config")) {
      if (!s["config"].is_object()) return "config: expected an object (the connector's own configuration)";
      config = s["config"];
    }
    if (s.contains("env")) {
      if (!s["env"].is_object()) return "env: expected an object of strings";
      for (const auto& [k, v] : s["env"].items()) {
        if (!v.is_string()) return "env." + k + ": expected a string";
        options.env[k] = v.get<std::string>();
      }
    }
    if (s.contains("max_line_bytes")) options.max_line_bytes = s["max_line_bytes"].get<size_t>();
    if (s.contains("memory_limit_mb")) options.memory_limit_mb = s["memory_limit_mb"].get<size_t>();
    if (s.contains("stop_grace_seconds"))
      options.stop_grace = std::chrono::seconds(s["stop_grace_seconds"].get<int64_t>());
    return mapping::parseStreams(s.contains("streams") ? s["streams"] : nlohmann::json(), streams, stream_keys);
  }

  // The mapping of source stream `name`, or null.
  const mapping::StreamMapping* find(const std::string& name) const {
    for (const auto& m : streams)
      if (m.stream == name) return &m;
    return nullptr;
  }

  // "" when every mapped stream is one the source offers, else the first missing one named with
  // what the source offers.
  std::string checkOffered(const std::vector<std::string>& offered) const {
    for (const auto& m : streams) {
      if (std::find(offered.begin(), offered.end(), m.stream) != offered.end()) continue;
      std::string list;
      for (const auto& o : offered) list += (list.empty() ? "" : ", ") + o;
      return "streams." + m.stream + ": the source has no stream '" + m.stream + "' (it offers: " +
             (list.empty() ? "none" : list) + ")";
    }
    return {};
  }
};

// A message line nesting deeper than this is refused unparsed (<abm/sdk/json_depth.hpp>).
inline constexpr size_t kMaxJsonDepth = 128;

// What a handler tells the run loop.
struct Reaction {
  std::string fatal;    // the run ends now (the child is killed) with this reason
  bool stop = false;    // the host asked to stop: the child is told to stop, its output still read
};

// What the connector itself reported as its failure (an Airbyte TRACE ERROR).
struct Reported {
  std::string message;
  bool transient = false;
};

// Runs the connector to its end: starts it, hands every stdout line to `on_line`, logs its stderr
// through `host` (when given; a host asking to stop stops the child), and turns how it ended into a
// Status. `label` names the connector in every reason ("airbyte source 'node main.js read'");
// `reported` is filled by the handler as it goes.
inline Status runLines(Host* host, const Options& o, const std::string& label,
                       const std::function<Reaction(std::string_view line, size_t at)>& on_line,
                       const Reported& reported = {}) {
  Child child;
  if (std::string why = child.start(o); !why.empty()) return Status::error(label + ": " + why);
  auto log_stderr = [&](std::string_view l) {
    if (host) host->log(ABM_LOG_INFO, "connector stderr: " + std::string(l));
  };
  bool stop = false;
  auto should_stop = [&] { return stop || (host && host->stopRequested()); };
  std::string fatal;
  while (fatal.empty()) {
    std::string_view line;
    const Child::Next n = child.next(line, should_stop, log_stderr);
    if (n == Child::Next::Eof) break;
    const size_t at = child.lineNumber() + (n == Child::Next::Line ? 0 : 1);
    if (n == Child::Next::TooLong) {
      fatal = "stdout line " + std::to_string(at) + " is longer than " + std::to_string(o.max_line_bytes) +
              " bytes (raise \"max_line_bytes\" in the settings if the source's records are that large)";
    } else if (n == Child::Next::OverMemory) {
      fatal = "the connector exceeded its memory limit of " + std::to_string(o.memory_limit_mb) +
              " MiB and was killed (raise \"memory_limit_mb\" in the settings)";
    } else {
      const Reaction r = on_line(line, at);
      fatal = r.fatal;
      if (r.stop) stop = true;
    }
  }
  if (!fatal.empty()) child.kill();
  const Exit e = child.wait(log_stderr);
  const std::string tail = child.stderrTail();
  if (!fatal.empty()) return Status::error(label + ": " + fatal);
  if (child.stopSent())
    return Status::retry(label + ": stopped on request; the next run resumes from the last checkpoint");
  if (!reported.message.empty()) {
    std::string why = label + " reported an error: " + reported.message + (e.ok() ? "" : " (it " + e.describe() + ")");
    return reported.transient ? Status::retry(why) : Status::error(why);
  }
  if (!e.ok()) return Status::error(label + " " + e.describe() + (tail.empty() ? "" : "; its stderr ends: " + tail));
  return Status::ok();
}

// runLines for a connector whose stdout is protocol messages, one JSON object with a string
// "type" per line (blank lines are skipped); any other line ends the run naming it.
inline Status runConnector(Host* host, const Options& o, const std::string& label,
                           const std::function<Reaction(const nlohmann::json&, size_t at)>& on_message,
                           const Reported& reported = {}) {
  return runLines(
      host, o, label,
      [&](std::string_view line, size_t at) -> Reaction {
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) return {};
        nlohmann::json msg;
        if (!nestsDeeperThan(line, kMaxJsonDepth)) msg = nlohmann::json::parse(line, nullptr, false);
        if (!msg.is_object() || !msg.contains("type") || !msg["type"].is_string())
          return {"stdout line " + std::to_string(at) + " is not a protocol message (a JSON object with a \"type\"): '" +
                  excerpt(line) + "'; the connector must write only messages to stdout and its logs to stderr"};
        Reaction r = on_message(msg, at);
        if (!r.fatal.empty()) r.fatal = "stdout line " + std::to_string(at) + ": " + r.fatal;
        return r;
      },
      reported);
}

// One source record through its mapping: emitted, or rejected with its raw text and the mapping's
// reason (the run goes on). False when the host asks to stop.
inline bool emitMapped(Host& host, const mapping::StreamMapping& m, const nlohmann::json& record,
                       const std::string& origin) {
  const mapping::Mapped mapped = mapping::apply(m, record);
  if (!mapped.ok()) {
    host.reject(m.stream, origin, mapped.error, record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return !host.stopRequested();
  }
  return host.emit(m.stream, mapped.json, origin.c_str());
}

}  // namespace abm::sdk::subprocess
