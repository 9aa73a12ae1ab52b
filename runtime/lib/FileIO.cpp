//===- FileIO.cpp - Atomic artifact writes and mapped artifact reads (POSIX) -----------===//
//
// A reader must never see a half-written artifact (services hot-reload the file they serve), so
// writes go to a temporary file in the same directory and are renamed over the target.
//
//===------------------------------------------------------------------------------------===//
#include "FileIO.h"

#include "privet/Artifact.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace privet::rt {

namespace {

std::string errnoText() { return std::strerror(errno); }

std::string directoryOf(const std::string &Path) {
  size_t Slash = Path.find_last_of('/');
  if (Slash == std::string::npos)
    return ".";
  if (Slash == 0)
    return "/";
  return Path.substr(0, Slash);
}

} // namespace

Status writeFileAtomically(const std::string &Target, std::string_view Bytes) {
  if (Target.empty())
    return Error{"cannot write to an empty path"};
  // The rename replaces the directory entry, so it must be the entry of a regular file: renaming
  // over a symlink would replace the link, over a FIFO or a device (as root, `/dev/null`) the
  // node itself. A link is followed to the file it names, which is what gets rewritten.
  std::string Path = Target;
  mode_t Mode = 0644; // a new artifact or report is meant to be read by others
  bool Exists = false;
  struct stat St;
  if (::lstat(Target.c_str(), &St) == 0) {
    if (S_ISLNK(St.st_mode)) {
      char *Real = ::realpath(Target.c_str(), nullptr);
      if (!Real)
        return Error{"cannot follow the symbolic link `" + Target + "`: " + errnoText()};
      Path = Real;
      std::free(Real);
      if (::lstat(Path.c_str(), &St) != 0)
        return Error{"cannot stat `" + Path + "`: " + errnoText()};
    }
    if (!S_ISREG(St.st_mode))
      return Error{"refusing to replace `" + Target + "`: not a regular file"};
    // rename() only needs the directory writable; an existing read-only file is the user saying
    // it must not change.
    if (::access(Path.c_str(), W_OK) != 0)
      return Error{"cannot write `" + Target + "`: " + errnoText()};
    Exists = true;
    Mode = St.st_mode & 07777;
  } else if (errno != ENOENT) {
    return Error{"cannot stat `" + Target + "`: " + errnoText()};
  }
  std::string Temp = Path + ".tmp.XXXXXX";
  int Fd = ::mkstemp(Temp.data());
  if (Fd < 0)
    return Error{"cannot create a temporary file next to `" + Path + "`: " + errnoText()};

  auto Fail = [&](const std::string &What) -> Status {
    std::string Msg = What + " `" + Temp + "`: " + errnoText();
    if (Fd >= 0)
      ::close(Fd);
    ::unlink(Temp.c_str());
    return Error{Msg};
  };

  // mkstemp creates the file 0600: give it the mode of the file it replaces (a private file stays
  // private) or 0644 for a new one (the service that loads it, the CI step that reads it).
  // Ownership is kept where we may set it (root editing another user's file); otherwise the
  // file was ours to begin with.
  if (Exists && (St.st_uid != ::geteuid() || St.st_gid != ::getegid()) &&
      ::fchown(Fd, St.st_uid, St.st_gid) != 0 && ::geteuid() == 0)
    return Fail("cannot set the owner of");
  if (::fchmod(Fd, Mode) != 0)
    return Fail("cannot set permissions of");
  const char *P = Bytes.data();
  size_t Left = Bytes.size();
  while (Left > 0) {
    ssize_t N = ::write(Fd, P, Left);
    if (N < 0) {
      if (errno == EINTR)
        continue;
      return Fail("cannot write");
    }
    P += N;
    Left -= static_cast<size_t>(N);
  }
  if (::fsync(Fd) != 0)
    return Fail("cannot sync");
  int CloseResult = ::close(Fd);
  Fd = -1;
  if (CloseResult != 0)
    return Fail("cannot close");
  if (::rename(Temp.c_str(), Path.c_str()) != 0) {
    std::string Msg = "cannot rename `" + Temp + "` to `" + Path + "`: " + errnoText();
    ::unlink(Temp.c_str());
    return Error{Msg};
  }
  // Make the rename itself durable; failing to sync the directory does not undo the write.
  int DirFd = ::open(directoryOf(Path).c_str(), O_RDONLY | O_DIRECTORY);
  if (DirFd >= 0) {
    ::fsync(DirFd);
    ::close(DirFd);
  }
  return Status::success();
}

FileBytes::~FileBytes() {
  if (Mapped && Data)
    ::munmap(const_cast<uint8_t *>(Data), MappedSize ? MappedSize : Size);
}

namespace {
constexpr size_t HugePage = size_t(2) << 20;
/// Artifacts from this size on are kept in memory backed by huge pages where the system allows:
/// a walk visits about ten nodes scattered over the diagram, and with 4 KiB pages most visits of
/// a large diagram also miss the TLB.
constexpr size_t LargeArtifact = size_t(8) << 20;
} // namespace

Status FileBytes::checkDeclaredSize(int Fd, uint64_t Size) {
  format::FileHeader H;
  size_t Got = 0;
  while (Got < sizeof(H) && Got < Size) {
    ssize_t N = ::pread(Fd, reinterpret_cast<char *>(&H) + Got, sizeof(H) - Got, off_t(Got));
    if (N < 0 && errno == EINTR)
      continue;
    if (N < 0)
      return Error{"cannot read the header: " + errnoText()};
    if (N == 0)
      break;
    Got += size_t(N);
  }
  if (Got < sizeof(format::Magic) ||
      std::memcmp(H.Magic, format::Magic, sizeof(format::Magic)) != 0)
    return Error{"not a privet artifact (bad magic number)"};
  if (Got < sizeof(H))
    return Error{"artifact is truncated: " + std::to_string(Size) +
                 " bytes is smaller than the header"};
  if (H.HeaderSize != sizeof(format::FileHeader))
    return Status::success(); // the validator names this mistake; the size is not the header's
  uint64_t Actual = Size - sizeof(format::FileHeader);
  if (H.BodySize > Actual)
    return Error{"artifact is truncated: the header announces " + std::to_string(H.BodySize) +
                 " body bytes, the file has " + std::to_string(Actual)};
  if (H.BodySize < Actual)
    return Error{"artifact has " + std::to_string(Actual - H.BodySize) +
                 " unexpected bytes after its body"};
  return Status::success();
}

size_t FileBytes::roundToHugePage(size_t Size) { return (Size + HugePage - 1) & ~(HugePage - 1); }

void *FileBytes::allocateLarge(size_t Size) {
  if (Size < LargeArtifact)
    return nullptr;
  size_t Len = roundToHugePage(Size);
  void *Addr = ::mmap(nullptr, Len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (Addr == MAP_FAILED)
    return nullptr;
#ifdef MADV_HUGEPAGE
  ::madvise(Addr, Len, MADV_HUGEPAGE); // advice only: without huge pages it still works
#endif
  return Addr;
}

Result<std::unique_ptr<FileBytes>> FileBytes::open(const std::string &Path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; it is refused
  // below, like every file that is not regular, before anything is read.
  int Fd = ::open(Path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (Fd < 0)
    return Error{"cannot open `" + Path + "`: " + errnoText()};
  struct stat St;
  if (::fstat(Fd, &St) != 0) {
    std::string Msg = "cannot stat `" + Path + "`: " + errnoText();
    ::close(Fd);
    return Error{Msg};
  }
  if (!S_ISREG(St.st_mode)) {
    ::close(Fd);
    return Error{"`" + Path + "` is not a regular file"};
  }
  auto FB = std::unique_ptr<FileBytes>(new FileBytes());
  size_t Size = static_cast<size_t>(St.st_size);
  if (Size == 0) {
    ::close(Fd);
    return FB;
  }
  // Check the header's magic and declared size against the file before reading the body: a
  // huge file that is not an artifact (or lies about its size) costs 72 bytes, not its length.
  if (Status S = checkDeclaredSize(Fd, Size); !S) {
    ::close(Fd);
    return Error{"`" + Path + "`: " + S.error()};
  }
  // The file is mapped, not read: the loader reads the page cache in place, with no copy and no
  // zeroed memory to copy into. MAP_POPULATE maps every page up front, since validation reads
  // them all (one fault per page would cost more than the reading). Copying large artifacts
  // into huge-page memory, as earlier versions did, spent more time on zeroing and copying
  // 24 MB (10,000 rules) than it saved on a load's worth of decisions (docs/performance.md).
#ifdef MAP_POPULATE
  constexpr int Populate = MAP_POPULATE;
#else
  constexpr int Populate = 0;
#endif
  void *Addr = ::mmap(nullptr, Size, PROT_READ, MAP_PRIVATE | Populate, Fd, 0);
  if (Addr != MAP_FAILED) {
    ::close(Fd);
    FB->Data = static_cast<const uint8_t *>(Addr);
    FB->Size = Size;
    FB->Mapped = true;
    return FB;
  }
  // Some file systems cannot be mapped: read the file instead.
  FB->Owned.reset(new uint8_t[Size]);
  size_t Got = 0;
  while (Got < Size) {
    ssize_t N = ::read(Fd, FB->Owned.get() + Got, Size - Got);
    if (N < 0 && errno == EINTR)
      continue;
    if (N <= 0) {
      std::string Msg = "cannot read `" + Path +
                        "`: " + (N < 0 ? errnoText() : std::string("file shrank while reading"));
      ::close(Fd);
      return Error{Msg};
    }
    Got += static_cast<size_t>(N);
  }
  ::close(Fd);
  FB->Data = FB->Owned.get();
  FB->Size = Size;
  return FB;
}

std::unique_ptr<FileBytes> FileBytes::copyOf(std::string_view Bytes) {
  auto FB = std::unique_ptr<FileBytes>(new FileBytes());
  if (Bytes.empty())
    return FB;
  if (void *Big = allocateLarge(Bytes.size())) {
    std::memcpy(Big, Bytes.data(), Bytes.size());
    FB->Data = static_cast<const uint8_t *>(Big);
    FB->Size = Bytes.size();
    FB->MappedSize = roundToHugePage(Bytes.size());
    FB->Mapped = true;
    return FB;
  }
  // operator new[] returns memory aligned for any fundamental type, which the records need.
  FB->Owned.reset(new uint8_t[Bytes.size()]);
  std::memcpy(FB->Owned.get(), Bytes.data(), Bytes.size());
  FB->Data = FB->Owned.get();
  FB->Size = Bytes.size();
  return FB;
}

} // namespace privet::rt
