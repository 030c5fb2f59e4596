#include "config/regular_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace abm::config {

namespace {

const char* kindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

Result<std::string> readRegularFile(const std::filesystem::path& file, size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO for reading must not wait for a writer before fstat can refuse it.
  const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Status::error(std::string("cannot be read (") + std::strerror(errno) + ")");
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st{};
  if (::fstat(fd, &st) != 0) return Status::error(std::string("cannot be read (") + std::strerror(errno) + ")");
  if (!S_ISREG(st.st_mode)) return Status::error(std::string("is ") + kindOf(st.st_mode) + ", not a regular file");
  if (static_cast<size_t>(st.st_size) > max_bytes)
    return Status::error("is larger than the limit of " + std::to_string(max_bytes) + " bytes");
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::string content;
  char buf[8192];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::error(std::string("cannot be read (") + std::strerror(errno) + ")");
    }
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
    // The file may grow after fstat (a log someone points at): the limit holds for what is read.
    if (content.size() > max_bytes)
      return Status::error("is larger than the limit of " + std::to_string(max_bytes) + " bytes");
  }
  return content;
}

}  // namespace abm::config
