#include "worker/worker_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

extern char** environ;

namespace abm::worker {

using Clock = std::chrono::steady_clock;

namespace {

void closeAll(std::initializer_list<int> fds) {
  for (int fd : fds)
    if (fd >= 0) ::close(fd);
}

int msUntil(Clock::time_point t) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 100));
}

}  // namespace

std::string WorkerExit::describe() const {
  if (exited) return "worker exited with code " + std::to_string(code);
  const char* name = sigabbrev_np(code);
  return "worker killed by signal " + std::to_string(code) + (name ? std::string(" (SIG") + name + ")" : "");
}

Result<WorkerProcess> WorkerProcess::spawn(const std::string& worker, const std::vector<std::string>& args,
                                           std::string stdin_data, WorkerLimits limits,
                                           std::function<void(std::string_view)> on_stderr_line) {
  int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    const int e = errno;
    closeAll({in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]});
    return Status::error(std::string("cannot start worker ") + worker + ": pipe: " + std::strerror(e));
  }

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], STDERR_FILENO);
  if (!limits.working_dir.empty()) posix_spawn_file_actions_addchdir_np(&fa, limits.working_dir.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The worker starts with default signal handling whatever the daemon blocks for its signal_set.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(worker.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, worker.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  closeAll({in_pipe[0], out_pipe[1], err_pipe[1]});
  if (rc != 0) {
    closeAll({in_pipe[1], out_pipe[0], err_pipe[0]});
    return Status::error("cannot start worker " + worker + ": " + std::strerror(rc));
  }

  WorkerProcess w;
  w.pid_ = pid;
  w.in_fd_ = in_pipe[1];
  w.out_fd_ = out_pipe[0];
  w.err_fd_ = err_pipe[0];
  w.job_ = std::move(stdin_data);
  w.limits_ = std::move(limits);
  w.on_stderr_ = std::move(on_stderr_line);
  w.deadline_ = Clock::now() + w.limits_.timeout;
  w.next_rss_check_ = Clock::now();
  // The job goes in without blocking: a worker may fill its stderr before it reads stdin, so the
  // rest of a large job is written by fill() while the output is read.
  ::fcntl(w.in_fd_, F_SETFL, ::fcntl(w.in_fd_, F_GETFL) | O_NONBLOCK);
  w.writeJob();
  return w;
}

WorkerProcess::WorkerProcess(WorkerProcess&& o) noexcept
    : pid_(o.pid_), in_fd_(o.in_fd_), out_fd_(o.out_fd_), err_fd_(o.err_fd_), job_(std::move(o.job_)),
      job_written_(o.job_written_), limits_(std::move(o.limits_)), on_stderr_(std::move(o.on_stderr_)),
      deadline_(o.deadline_), stop_deadline_(o.stop_deadline_), next_rss_check_(o.next_rss_check_),
      stop_sent_(o.stop_sent_), kill_sent_(o.kill_sent_.load()), out_eof_(o.out_eof_.load()), buf_(std::move(o.buf_)), pos_(o.pos_), len_(o.len_),
      err_buf_(std::move(o.err_buf_)), limit_hit_(o.limit_hit_), reaped_(o.reaped_), exit_(o.exit_) {
  o.pid_ = -1;
  o.in_fd_ = o.out_fd_ = o.err_fd_ = -1;
  o.reaped_ = true;
}

WorkerProcess::~WorkerProcess() {
  if (pid_ > 0 && !reaped_) {
    kill();
    wait();
  }
  closeAll({in_fd_, out_fd_, err_fd_});
}

size_t WorkerProcess::rssMb() const {
  std::ifstream statm("/proc/" + std::to_string(pid_) + "/statm");
  size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE)) / (1024 * 1024);
}

void WorkerProcess::writeJob() {
  while (in_fd_ >= 0 && job_written_ < job_.size()) {
    const ssize_t n = ::write(in_fd_, job_.data() + job_written_, job_.size() - job_written_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // the pipe is full: poll says when to go on
    if (n <= 0) break;                     // EPIPE: the worker is gone, its exit status says why
    job_written_ += static_cast<size_t>(n);
  }
  if (in_fd_ >= 0) ::close(in_fd_);
  in_fd_ = -1;
  std::string().swap(job_);  // the settings may hold secrets: keep them no longer than needed
}

void WorkerProcess::closeStderr() {
  if (err_fd_ < 0) return;
  ::close(err_fd_);
  err_fd_ = -1;
  if (!err_buf_.empty() && on_stderr_) on_stderr_(err_buf_);
  err_buf_.clear();
}

void WorkerProcess::drainStderr() {
  char tmp[4096];
  const ssize_t n = ::read(err_fd_, tmp, sizeof tmp);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    closeStderr();
    return;
  }
  err_buf_.append(tmp, static_cast<size_t>(n));
  size_t nl;
  while ((nl = err_buf_.find('\n')) != std::string::npos) {
    if (on_stderr_ && nl > 0) on_stderr_(std::string_view(err_buf_.data(), nl));
    err_buf_.erase(0, nl + 1);
  }
  if (err_buf_.size() > 8192) {  // a runaway line: pass on what we have
    if (on_stderr_) on_stderr_(err_buf_);
    err_buf_.clear();
  }
}

// Lets the stderr pipe finish so the plugin's last words reach the log, but not past `until`: a
// worker (or something it started) may keep stderr open after its message stream has ended.
void WorkerProcess::finishStderr(Clock::time_point until) {
  while (err_fd_ >= 0) {
    if (Clock::now() >= until) {
      closeStderr();
      return;
    }
    pollfd p{err_fd_, POLLIN, 0};
    const int rc = ::poll(&p, 1, msUntil(until));
    if (rc > 0) drainStderr();
    else if (rc < 0 && errno != EINTR) closeStderr();
  }
}

bool WorkerProcess::fill() {
  while (true) {
    const auto now = Clock::now();
    if (now >= deadline_) {
      kill();
      limit_hit_ = Read::TimedOut;
      return false;
    }
    if (limits_.stop && limits_.stop->load() && !stop_sent_) {
      ::kill(pid_, SIGTERM);
      stop_sent_ = true;
      stop_deadline_ = now + limits_.stop_grace;
    }
    if (stop_sent_ && now >= stop_deadline_) {
      kill();
      limit_hit_ = Read::StopTimedOut;
      return false;
    }
    if (now >= next_rss_check_) {
      if (rssMb() > limits_.memory_limit_mb) {
        kill();
        limit_hit_ = Read::OverMemory;
        return false;
      }
      next_rss_check_ = now + std::chrono::milliseconds(100);
    }
    pollfd fds[3];
    nfds_t nfds = 0;
    fds[nfds++] = {out_fd_, POLLIN, 0};
    const int err_at = err_fd_ >= 0 ? static_cast<int>(nfds) : -1;
    if (err_fd_ >= 0) fds[nfds++] = {err_fd_, POLLIN, 0};
    const int in_at = in_fd_ >= 0 ? static_cast<int>(nfds) : -1;
    if (in_fd_ >= 0) fds[nfds++] = {in_fd_, POLLOUT, 0};
    const int rc = ::poll(fds, nfds, 100);
    if (rc < 0 && errno != EINTR) return false;
    if (rc <= 0) continue;
    if (in_at >= 0 && fds[in_at].revents) writeJob();
    if (err_at >= 0 && (fds[err_at].revents & (POLLIN | POLLHUP | POLLERR))) drainStderr();
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      // Keep the unread tail at the front, then read into the free space behind it.
      if (pos_ > 0) {
        std::memmove(buf_.data(), buf_.data() + pos_, len_ - pos_);
        len_ -= pos_;
        pos_ = 0;
      }
      if (buf_.size() - len_ < kReadChunk) buf_.resize(std::max(buf_.size() * 2, len_ + kReadChunk));
      const ssize_t n = ::read(out_fd_, buf_.data() + len_, buf_.size() - len_);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        out_eof_ = true;
        finishStderr(Clock::now() + kExitGrace);
        return false;
      }
      len_ += static_cast<size_t>(n);
      return true;
    }
  }
}

WorkerProcess::Read WorkerProcess::next(std::string_view& line) {
  while (true) {
    const char* start = buf_.data() + pos_;
    if (const void* nl = pos_ < len_ ? std::memchr(start, '\n', len_ - pos_) : nullptr) {
      const size_t n = static_cast<size_t>(static_cast<const char*>(nl) - start);
      line = std::string_view(start, n);
      pos_ += n + 1;
      return Read::Line;
    }
    if (!fill()) {
      if (limit_hit_ != Read::Eof) return limit_hit_;
      if (pos_ < len_) {  // a last line without '\n'
        line = std::string_view(buf_.data() + pos_, len_ - pos_);
        pos_ = len_;
        return Read::Line;
      }
      return Read::Eof;
    }
  }
}

bool WorkerProcess::hasBufferedLine() const {
  return pos_ < len_ && std::memchr(buf_.data() + pos_, '\n', len_ - pos_) != nullptr;
}

void WorkerProcess::kill() {
  if (pid_ <= 0 || reaped_) return;
  // A worker whose output has ended, or that is already dead, is ending on its own: the signal it
  // dies of is its own, whatever we send it now (a crash cuts its last line, which the reader then
  // refuses and asks us to kill it).
  siginfo_t info{};
  const bool dead = ::waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_;
  if (!dead && !out_eof_) kill_sent_ = true;
  ::kill(pid_, SIGKILL);
}

WorkerExit WorkerProcess::wait(std::chrono::milliseconds grace) {
  if (reaped_ || pid_ <= 0) return exit_;
  const auto until = Clock::now() + grace;
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (r < 0 && errno != EINTR) {  // not our child any more: nothing to reap, nothing to kill
      reaped_ = true;
      return exit_;
    }
    if (Clock::now() >= until) {
      kill_sent_ = true;
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    // Keep its stderr flowing while it exits: a full pipe would hold it up.
    if (err_fd_ >= 0) {
      pollfd p{err_fd_, POLLIN, 0};
      if (::poll(&p, 1, std::min(10, msUntil(until))) > 0) drainStderr();
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(10, msUntil(until))));
    }
  }
  reaped_ = true;
  if (WIFEXITED(status)) exit_ = {true, WEXITSTATUS(status), false};
  else if (WIFSIGNALED(status)) exit_ = {false, WTERMSIG(status), WTERMSIG(status) == SIGKILL && kill_sent_};
  finishStderr(Clock::now() + std::chrono::milliseconds(500));
  return exit_;
}

}  // namespace abm::worker
