//===- FileIO.h - The bytes of an artifact: a read-only mapping or an owned copy -*- C++ -*-===//
#ifndef PRIVET_RUNTIME_LIB_FILEIO_H
#define PRIVET_RUNTIME_LIB_FILEIO_H

#include "privet/Result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace privet::rt {

/// Immutable bytes aligned to at least 8. Mapped privately and read-only, so the policy reads
/// the file in place; a later atomic replace of the file creates a new inode and does not
/// affect an existing mapping.
class FileBytes {
public:
  static Result<std::unique_ptr<FileBytes>> open(const std::string &Path);
  static std::unique_ptr<FileBytes> copyOf(std::string_view Bytes);
  ~FileBytes();
  FileBytes(const FileBytes &) = delete;
  FileBytes &operator=(const FileBytes &) = delete;

  const uint8_t *data() const { return Data; }
  size_t size() const { return Size; }

private:
  FileBytes() = default;
  const uint8_t *Data = nullptr;
  size_t Size = 0;
  size_t MappedSize = 0; ///< When not 0, the length to unmap (anonymous huge-page memory).
  bool Mapped = false;
  static size_t roundToHugePage(size_t Size);
  /// Reads only the header of the artifact open on Fd and checks its magic number and that its
  /// declared size is the file's Size.
  static Status checkDeclaredSize(int Fd, uint64_t Size);
  /// Anonymous memory for a large artifact, advised to use huge pages; null when small or
  /// unavailable.
  static void *allocateLarge(size_t Size);
  std::unique_ptr<uint8_t[]> Owned;
};

} // namespace privet::rt

#endif // PRIVET_RUNTIME_LIB_FILEIO_H
