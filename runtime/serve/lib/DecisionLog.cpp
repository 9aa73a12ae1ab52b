//===- DecisionLog.cpp - The bounded decision log queue, its writer and size rotation -------===//
#include "DecisionLog.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace privet::serve {

DecisionLog::DecisionLog(DecisionLogOptions O, Metrics &M) : Opts(std::move(O)), M(M) {}

DecisionLog::~DecisionLog() { close(); }

namespace {

/// Cuts a file back to its last newline: what a crash in the middle of a write leaves behind.
void cutTornTail(int Fd, uint64_t &Size) {
  struct stat St;
  if (::fstat(Fd, &St) != 0 || !S_ISREG(St.st_mode) || St.st_size == 0) {
    Size = 0;
    return;
  }
  Size = uint64_t(St.st_size);
  char Buf[4096];
  uint64_t End = Size;
  while (End > 0) {
    size_t N = size_t(std::min<uint64_t>(sizeof Buf, End));
    if (::pread(Fd, Buf, N, off_t(End - N)) != ssize_t(N))
      return;
    for (size_t I = N; I > 0; --I) {
      if (Buf[I - 1] == '\n') {
        uint64_t Keep = End - N + I;
        if (Keep != Size && ::ftruncate(Fd, off_t(Keep)) == 0)
          Size = Keep;
        return;
      }
    }
    End -= N;
  }
  if (::ftruncate(Fd, 0) == 0)
    Size = 0;
}

} // namespace

bool DecisionLog::openFile() {
  // Read-write: cutting a torn tail reads back to the last newline.
  Fd = ::open(Opts.Path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (Fd < 0)
    return false;
  cutTornTail(Fd, FileSize);
  return true;
}

rt::Status DecisionLog::open() {
  if (Opts.Path == "-") {
    Fd = STDOUT_FILENO;
    IsStdout = true;
  } else if (!openFile()) {
    return rt::Error{"cannot open decision log `" + Opts.Path + "`: " + std::strerror(errno)};
  }
  Writer = std::thread([this] { writerLoop(); });
  return rt::Status::success();
}

void DecisionLog::submit(std::string Line) {
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    if (Queue.size() >= Opts.QueueLines || Stopping) {
      M.LogDropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    Line += '\n';
    Queue.push_back(std::move(Line));
    M.LogQueueDepth.store(Queue.size(), std::memory_order_relaxed);
  }
  Wake.notify_one();
}

void DecisionLog::close() {
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    if (Stopping)
      return;
    Stopping = true;
  }
  Wake.notify_one();
  if (Writer.joinable())
    Writer.join();
  if (Fd >= 0 && !IsStdout)
    ::close(Fd);
  Fd = -1;
}

void DecisionLog::rotate() {
  ::close(Fd);
  Fd = -1;
  for (unsigned I = Opts.Keep; I > 1; --I)
    std::rename((Opts.Path + "." + std::to_string(I - 1)).c_str(),
                (Opts.Path + "." + std::to_string(I)).c_str());
  if (Opts.Keep > 0)
    std::rename(Opts.Path.c_str(), (Opts.Path + ".1").c_str());
  else
    ::unlink(Opts.Path.c_str());
  M.LogRotations.fetch_add(1, std::memory_order_relaxed);
  if (!openFile())
    M.LogWriteErrors.fetch_add(1, std::memory_order_relaxed);
}

void DecisionLog::writeBatch(std::string &Batch) {
  uint64_t Lines = 0;
  for (char C : Batch)
    Lines += C == '\n';
  if (!IsStdout && Opts.RotateBytes && FileSize > 0 && FileSize + Batch.size() > Opts.RotateBytes)
    rotate();
  if (Fd < 0 && !IsStdout && !openFile()) {
    M.LogWriteErrors.fetch_add(1, std::memory_order_relaxed);
    M.LogDropped.fetch_add(Lines, std::memory_order_relaxed);
    return;
  }
  size_t Done = 0;
  while (Done < Batch.size()) {
    ssize_t N = ::write(Fd, Batch.data() + Done, Batch.size() - Done);
    if (N < 0 && errno == EINTR)
      continue;
    if (N <= 0)
      break;
    Done += size_t(N);
  }
  if (Done == Batch.size()) {
    FileSize += Done;
    M.LogWritten.fetch_add(Lines, std::memory_order_relaxed);
    return;
  }
  // Disk full or another write error: keep only whole lines, count the rest as dropped.
  M.LogWriteErrors.fetch_add(1, std::memory_order_relaxed);
  size_t Whole = Done == 0 ? 0 : Batch.rfind('\n', Done - 1);
  Whole = Whole == std::string::npos || Done == 0 ? 0 : Whole + 1;
  uint64_t Kept = 0;
  for (size_t I = 0; I < Whole; ++I)
    Kept += Batch[I] == '\n';
  if (!IsStdout && Done != Whole && ::ftruncate(Fd, off_t(FileSize + Whole)) != 0)
    M.LogWriteErrors.fetch_add(1, std::memory_order_relaxed);
  FileSize += Whole;
  M.LogWritten.fetch_add(Kept, std::memory_order_relaxed);
  M.LogDropped.fetch_add(Lines - Kept, std::memory_order_relaxed);
}

void DecisionLog::writerLoop() {
  constexpr size_t MaxBatchBytes = 1 << 16;
  std::string Batch;
  std::unique_lock<std::mutex> Lock(Mutex);
  while (true) {
    Wake.wait(Lock, [&] { return Stopping || !Queue.empty(); });
    if (Queue.empty() && Stopping)
      return;
    Batch.clear();
    while (!Queue.empty() && Batch.size() < MaxBatchBytes) {
      Batch += Queue.front();
      Queue.pop_front();
    }
    M.LogQueueDepth.store(Queue.size(), std::memory_order_relaxed);
    Lock.unlock();
    writeBatch(Batch);
    Lock.lock();
  }
}

} // namespace privet::serve
