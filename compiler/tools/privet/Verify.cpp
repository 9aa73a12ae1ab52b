//===- Verify.cpp - `privet verify`: check an artifact's signature against a trusted key ----===//
#include "Command.h"

#include "privet/Verify.h"

#include "llvm/Support/raw_ostream.h"

namespace privet::driver {
namespace {

struct VerifyOptions {
  std::string Artifact;
  std::string PublicKey;
  std::string Signature;
};

int runVerify(const VerifyOptions &Opts) {
  auto Key = rt::PublicKey::read(Opts.PublicKey);
  if (!Key) {
    llvm::errs() << "privet verify: error: " << Key.error() << "\n";
    return ExitUsage;
  }
  auto Verified = rt::loadVerified(Opts.Artifact, *Key, Opts.Signature);
  if (!Verified) {
    llvm::errs() << "privet verify: error: " << Verified.error() << "\n";
    return ExitFindings;
  }
  llvm::outs() << "verified: " << Opts.Artifact << " (policy `" << Verified->Policy->name()
               << "`) is signed by key " << Verified->SignerKeyId << "\n";
  return ExitSuccess;
}

CommandRegistration Registration("verify", [](CLI::App &App) {
  auto Opts = std::make_shared<VerifyOptions>();
  CLI::App *Cmd = App.add_subcommand(
      "verify", "Check that a .pvc artifact is signed by a trusted Ed25519 public key");
  Cmd->add_option("artifact", Opts->Artifact, "The compiled .pvc artifact")->required();
  Cmd->add_option("--public-key", Opts->PublicKey, "The trusted public key file")->required();
  Cmd->add_option("--signature", Opts->Signature, "The signature file (default: ARTIFACT.sig)");
  Cmd->callback([Opts] { setExitCode(runVerify(*Opts)); });
});

} // namespace
} // namespace privet::driver
