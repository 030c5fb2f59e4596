#include "store/sqlite/file_mode.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace abm::store::sqlite {

namespace {

std::string octal(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

// fchmod, not the umask-filtered create mode, decides; a file someone else owns is left as it is.
Status chmodIfOwned(const std::string& path, unsigned mode) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return errno == ENOENT ? Status::ok() : Status::error(path + ": " + std::strerror(errno));
  if (st.st_uid != ::geteuid() || (st.st_mode & 07777) == mode) return Status::ok();
  if (::chmod(path.c_str(), mode) != 0)
    return Status::error("cannot set mode " + octal(mode) + " (\"store_mode\") on " + path + ": " + std::strerror(errno));
  return Status::ok();
}

}  // namespace

Status applyFileMode(const std::filesystem::path& db, unsigned mode) {
  const std::string path = db.string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd >= 0) {
    const int rc = ::fchmod(fd, mode);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return Status::error("cannot set mode " + octal(mode) + " (\"store_mode\") on " + path + ": " + std::strerror(err));
    return Status::ok();
  }
  if (errno != EEXIST) return Status::error("cannot create store " + path + ": " + std::strerror(errno));
  for (const char* suffix : {"", "-wal", "-shm"})
    if (auto s = chmodIfOwned(path + suffix, mode); !s) return s;
  return Status::ok();
}

}  // namespace abm::store::sqlite
