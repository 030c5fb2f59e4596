// The daemon's handle on one abmd-worker child: spawns it with the job on stdin, hands out its
// message lines, forwards its stderr to the log, and enforces the time and memory limits.
//
// The host process must ignore SIGPIPE (abmd and abmctl do so in main): a worker that dies before
// reading its whole job turns the next write into EPIPE, which the exit status then explains.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace abm::worker {

struct WorkerLimits {
  std::chrono::milliseconds timeout{std::chrono::hours(2)};
  size_t memory_limit_mb = 1024;
  std::chrono::milliseconds stop_grace{std::chrono::seconds(30)};
  const std::atomic<bool>* stop = nullptr;  // set by the daemon on shutdown: SIGTERM, then grace
  std::string working_dir;                  // where relative paths in settings are taken from
};

struct WorkerExit {
  bool exited = false;          // normal exit (else killed by a signal)
  int code = 0;                 // exit code, or the signal number
  bool killed_by_host = false;  // the signal is the SIGKILL this side sent (a limit, a protocol error)
  std::string describe() const;
};

class WorkerProcess {
 public:
  enum class Read { Line, Eof, TimedOut, OverMemory, StopTimedOut };

  // How long a worker whose output has ended gets to exit (and to finish its stderr) before it is killed.
  static constexpr std::chrono::milliseconds kExitGrace{2000};

  static Result<WorkerProcess> spawn(const std::string& worker, const std::vector<std::string>& args,
                                     std::string stdin_data, WorkerLimits limits,
                                     std::function<void(std::string_view)> on_stderr_line);
  WorkerProcess(WorkerProcess&&) noexcept;
  WorkerProcess& operator=(WorkerProcess&&) = delete;
  // Kills the child if it still runs, and reaps it.
  ~WorkerProcess();

  // The next message line (without '\n'), valid until the next call. On TimedOut / OverMemory /
  // StopTimedOut the child has been killed.
  Read next(std::string_view& line);
  // True when a whole line is already buffered, so next() will not wait.
  bool hasBufferedLine() const;
  // Reaps the child; one that has not exited within `grace` is killed first. Never blocks longer.
  WorkerExit wait(std::chrono::milliseconds grace = kExitGrace);
  // Sends SIGKILL (safe from another thread than the one reading). It counts as killed_by_host only
  // when the worker was still running and still sending.
  void kill();
  pid_t pid() const { return pid_; }

 private:
  WorkerProcess() = default;
  bool fill();  // reads more output; false at EOF or on a limit (sets limit_hit_)
  size_t rssMb() const;
  void writeJob();
  void drainStderr();
  void finishStderr(std::chrono::steady_clock::time_point until);
  void closeStderr();

  pid_t pid_ = -1;
  int in_fd_ = -1;  // open (non-blocking) until the whole job is written
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string job_;
  size_t job_written_ = 0;
  WorkerLimits limits_;
  std::function<void(std::string_view)> on_stderr_;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point stop_deadline_;
  std::chrono::steady_clock::time_point next_rss_check_;
  bool stop_sent_ = false;
  std::atomic<bool> kill_sent_{false};  // a SIGKILL of ours reached a live worker
  std::atomic<bool> out_eof_{false};    // its message stream has ended
  static constexpr size_t kReadChunk = 1 << 18;
  std::vector<char> buf_;  // bytes [pos_, len_) are read but not yet handed out
  size_t pos_ = 0;
  size_t len_ = 0;
  std::string err_buf_;
  Read limit_hit_ = Read::Eof;
  bool reaped_ = false;
  WorkerExit exit_;
};

}  // namespace abm::worker
