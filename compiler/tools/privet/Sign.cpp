//===- Sign.cpp - `privet sign`: a detached Ed25519 signature for a .pvc artifact -----------===//
#include "Command.h"

#include "privet/Artifact.h"
#include "privet/Verify.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace privet::driver {
namespace {

struct SignOptions {
  std::string Artifact;
  std::string Key;
  std::string Output;
};

int runSign(const SignOptions &Opts) {
  auto Key = rt::SecretKey::read(Opts.Key);
  if (!Key) {
    llvm::errs() << "privet sign: error: " << Key.error() << "\n";
    return ExitUsage;
  }
  auto Bytes = llvm::MemoryBuffer::getFile(Opts.Artifact, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!Bytes) {
    llvm::errs() << "privet sign: error: cannot read `" << Opts.Artifact
                 << "`: " << Bytes.getError().message() << "\n";
    return ExitUsage;
  }
  std::string_view Artifact((*Bytes)->getBufferStart(), (*Bytes)->getBufferSize());
  // Signing something the runtime would refuse helps no one: check it is an artifact first.
  auto Loaded = rt::CompiledPolicy::fromBytes(Artifact);
  if (!Loaded) {
    llvm::errs() << "privet sign: error: `" << Opts.Artifact << "`: " << Loaded.error() << "\n";
    return ExitUsage;
  }
  auto Signature = rt::signArtifact(Artifact, *Key);
  if (!Signature) {
    llvm::errs() << "privet sign: error: " << Signature.error() << "\n";
    return ExitUsage;
  }
  std::string Out = Opts.Output.empty() ? rt::signaturePath(Opts.Artifact) : Opts.Output;
  rt::Status Written = rt::writeFileAtomically(Out, *Signature);
  if (!Written) {
    llvm::errs() << "privet sign: error: " << Written.error() << "\n";
    return ExitUsage;
  }
  llvm::outs() << "signed " << Opts.Artifact << " with key " << Key->publicKey().id() << ": " << Out
               << "\n";
  return ExitSuccess;
}

CommandRegistration Registration("sign", [](CLI::App &App) {
  auto Opts = std::make_shared<SignOptions>();
  CLI::App *Cmd = App.add_subcommand(
      "sign", "Sign a .pvc artifact with an Ed25519 secret key (writes ARTIFACT.sig)");
  Cmd->add_option("artifact", Opts->Artifact, "The compiled .pvc artifact")->required();
  Cmd->add_option("--key", Opts->Key, "The secret key file (from privet keygen)")->required();
  Cmd->add_option("-o,--output", Opts->Output, "The signature file (default: ARTIFACT.sig)");
  Cmd->callback([Opts] { setExitCode(runSign(*Opts)); });
});

} // namespace
} // namespace privet::driver
