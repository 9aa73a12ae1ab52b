//===- DecisionLog.h - Decision log lines, written off the request path -----------*- C++ -*-===//
//
// A request thread hands a finished line to submit(), which never blocks beyond one short
// mutex section: when the bounded queue is full the line is dropped and counted. One writer
// thread drains the queue in batches and appends them with write(2); a batch that is not written
// whole is cut back to the last complete line, so a reader never sees a torn line after a write
// error. A crash (kill -9) can at worst cut the last write short; open() cuts such a tail off.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_SERVE_DECISIONLOG_H
#define PRIVET_SERVE_DECISIONLOG_H

#include "Metrics.h"

#include "privet/Result.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace privet::serve {

struct DecisionLogOptions {
  std::string Path;                   ///< "-" for standard output
  size_t QueueLines = 65536;          ///< lines waiting before new ones are dropped
  uint64_t RotateBytes = 64ull << 20; ///< rotate a file log at this size (0: never)
  unsigned Keep = 5;                  ///< rotated files kept: Path.1 .. Path.Keep
};

class DecisionLog {
public:
  DecisionLog(DecisionLogOptions Opts, Metrics &M);
  ~DecisionLog();

  /// Opens the log (repairing a torn last line) and starts the writer thread.
  rt::Status open();
  /// Queues one line (without its newline). Never blocks on I/O.
  void submit(std::string Line);
  /// Writes everything queued, then stops the writer.
  void close();

private:
  void writerLoop();
  void writeBatch(std::string &Batch);
  bool openFile();
  void rotate();

  DecisionLogOptions Opts;
  Metrics &M;
  int Fd = -1;
  bool IsStdout = false;
  uint64_t FileSize = 0;
  std::mutex Mutex;
  std::condition_variable Wake;
  std::deque<std::string> Queue;
  bool Stopping = false;
  std::thread Writer;
};

} // namespace privet::serve

#endif // PRIVET_SERVE_DECISIONLOG_H
