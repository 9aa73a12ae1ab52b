//===- Keygen.cpp - `privet keygen`: a new Ed25519 key pair for signing artifacts -----------===//
#include "Command.h"

#include "privet/Verify.h"

#include "llvm/Support/raw_ostream.h"

namespace privet::driver {
namespace {

struct KeygenOptions {
  std::string Prefix;
};

int runKeygen(const KeygenOptions &Opts) {
  auto Key = rt::SecretKey::generate();
  if (!Key) {
    llvm::errs() << "privet keygen: error: " << Key.error() << "\n";
    return ExitUsage;
  }
  std::string Secret = Opts.Prefix + ".key", Public = Opts.Prefix + ".pub";
  rt::Status Written = rt::writeKeyPair(*Key, Secret, Public);
  if (!Written) {
    llvm::errs() << "privet keygen: error: " << Written.error() << "\n";
    return ExitUsage;
  }
  llvm::outs() << "key " << Key->publicKey().id() << ": secret key " << Secret
               << " (keep it private), public key " << Public << "\n";
  return ExitSuccess;
}

CommandRegistration Registration("keygen", [](CLI::App &App) {
  auto Opts = std::make_shared<KeygenOptions>();
  CLI::App *Cmd = App.add_subcommand(
      "keygen", "Create an Ed25519 key pair for signing artifacts: PREFIX.key and PREFIX.pub");
  Cmd->add_option("prefix", Opts->Prefix,
                  "Path prefix of the two files (the secret key is written with mode 0600)")
      ->required();
  Cmd->callback([Opts] { setExitCode(runKeygen(*Opts)); });
});

} // namespace
} // namespace privet::driver
