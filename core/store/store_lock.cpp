#include "store/store_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace abm::store {

Result<StoreLock> StoreLock::acquire(const Location& store, const char* holder) {
  if (store.backend != Backend::Sqlite) return StoreLock(-1);
  const std::filesystem::path& store_path = store.sqlite_path;
  const std::string lock_path = store_path.string() + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::error("cannot open lock file " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char other[128] = {0};
    const ssize_t n = ::pread(fd, other, sizeof other - 1, 0);
    ::close(fd);
    std::string who = n > 0 ? std::string(other, static_cast<size_t>(n)) : "another process";
    while (!who.empty() && (who.back() == '\n' || who.back() == ' ')) who.pop_back();
    return Status::error("store " + store_path.string() + " is in use by " + who +
                         " (lock " + lock_path + "); stop it first or point this run at another store");
  }
  const std::string me = std::string(holder) + " pid " + std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)::pwrite(fd, me.data(), me.size(), 0);
  return StoreLock(fd);
}

std::optional<std::string> StoreLock::currentHolder(const Location& store) {
  if (store.backend != Backend::Sqlite) return std::nullopt;
  const std::string lock_path = store.sqlite_path.string() + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  // A shared lock is granted only when no process holds the exclusive one.
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
    ::close(fd);
    return std::nullopt;
  }
  char text[128] = {0};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  ::close(fd);
  std::string who = n > 0 ? std::string(text, static_cast<size_t>(n)) : "another process";
  while (!who.empty() && (who.back() == '\n' || who.back() == ' ')) who.pop_back();
  return who;
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace abm::store
