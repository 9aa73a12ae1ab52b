//===- Verify.h - Ed25519 signatures for .pvc artifacts: keys, signing, verified loads -*- C++
//-*-===//
//
// An optional component beside the runtime (target privet::verify, library privet_verify, which
// links libsodium): the core runtime stays C++-standard-library-only, and a service that wants to
// accept only artifacts signed by a trusted key links this as well and loads through
// loadVerified() instead of CompiledPolicy::load(). The file formats are in docs/serve.md.
//
// A signature is detached (policy.pvc.sig beside policy.pvc) and covers the artifact's bytes
// exactly. loadVerified reads the artifact once and verifies and loads those same bytes, so a file
// replaced between the check and the load cannot slip through.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_VERIFY_H
#define PRIVET_VERIFY_H

#include "privet/Result.h"
#include "privet/Runtime.h"

#include <memory>
#include <string>
#include <string_view>

namespace privet::rt {

/// A public key a service trusts: 32 raw Ed25519 bytes and their key id.
class PublicKey {
public:
  /// Parses the text of a public key file.
  static Result<PublicKey> parse(std::string_view Text);
  /// Reads and parses a public key file.
  static Result<PublicKey> read(const std::string &Path);

  /// 16 hex digits naming the key: the first 8 bytes of BLAKE2b-256 of the key bytes.
  const std::string &id() const { return Id; }
  const std::string &bytes() const { return Bytes; }
  /// The public key file's text.
  std::string format() const;

private:
  friend class SecretKey;
  std::string Bytes;
  std::string Id;
};

/// A signing key: 64 bytes (seed and public key) as libsodium keeps them, wiped on destruction.
class SecretKey {
public:
  SecretKey() = default;
  SecretKey(SecretKey &&Other) noexcept;
  SecretKey &operator=(SecretKey &&Other) noexcept;
  SecretKey(const SecretKey &) = delete;
  SecretKey &operator=(const SecretKey &) = delete;
  ~SecretKey();

  /// A fresh key pair from the system's random source.
  static Result<SecretKey> generate();
  /// Reads a secret key file; refuses one that others may read (mode bits outside 0600).
  static Result<SecretKey> read(const std::string &Path);
  static Result<SecretKey> parse(std::string_view Text);

  const PublicKey &publicKey() const { return Public; }
  /// The secret key file's text.
  std::string format() const;

private:
  friend Result<std::string> signArtifact(std::string_view, const SecretKey &);
  std::string Bytes;
  PublicKey Public;
};

/// Writes a new key pair: the secret key to SecretPath (mode 0600) and the public key to
/// PublicPath. Refuses to overwrite either file.
Status writeKeyPair(const SecretKey &Key, const std::string &SecretPath,
                    const std::string &PublicPath);

/// The detached signature file's text for the artifact bytes Artifact.
Result<std::string> signArtifact(std::string_view Artifact, const SecretKey &Key);

/// Checks that SignatureText is a valid signature of Artifact by Trusted. The error says which
/// check failed: malformed signature file, signed by another key, or bytes that do not match.
Status verifyArtifact(std::string_view Artifact, std::string_view SignatureText,
                      const PublicKey &Trusted);

/// The default signature path of an artifact: Path + ".sig".
std::string signaturePath(const std::string &ArtifactPath);

/// A loaded artifact, who signed it and a hash of its bytes.
struct LoadedArtifact {
  std::shared_ptr<const CompiledPolicy> Policy;
  std::string SignerKeyId; ///< empty when loaded without verification
  std::string ContentHash; ///< BLAKE2b-256 of the artifact's bytes, 64 hex digits
};

/// Reads the artifact at Path once and loads those bytes. With a Trusted key, first verifies its
/// signature (SigPath, or Path + ".sig" when empty): an unsigned or wrongly signed artifact is
/// never loaded. Without one, loads it as CompiledPolicy::load would.
Result<LoadedArtifact> loadArtifact(const std::string &Path, const PublicKey *Trusted,
                                    const std::string &SigPath = {});
/// loadArtifact with a trusted key: the call an embedder that accepts only signed artifacts makes.
inline Result<LoadedArtifact> loadVerified(const std::string &Path, const PublicKey &Trusted,
                                           const std::string &SigPath = {}) {
  return loadArtifact(Path, &Trusted, SigPath);
}

/// BLAKE2b-256 of Bytes, as 64 hex digits.
std::string contentHash(std::string_view Bytes);

} // namespace privet::rt

#endif // PRIVET_VERIFY_H
