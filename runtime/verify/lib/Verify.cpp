//===- Verify.cpp - Ed25519 key files, detached artifact signatures and verified loads ------===//
//
// Key and signature files are short "name: value" texts (docs/serve.md) so that a person can see
// which key signed what; the binary parts are base64. libsodium does the cryptography.
//
//===----------------------------------------------------------------------------------------===//
#include "privet/Verify.h"

#include <sodium.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

namespace privet::rt {
namespace {

constexpr const char *PublicHeader = "privet-public-key";
constexpr const char *SecretHeader = "privet-secret-key";
constexpr const char *SignatureHeader = "privet-signature";
constexpr const char *Algorithm = "ed25519";

bool initSodium() {
  static const bool Ok = sodium_init() >= 0;
  return Ok;
}

Error sodiumUnavailable() { return Error{"cannot initialise libsodium"}; }

std::string toBase64(std::string_view Bytes) {
  std::string Out(sodium_base64_encoded_len(Bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(Out.data(), Out.size(), reinterpret_cast<const unsigned char *>(Bytes.data()),
                    Bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  Out.resize(std::strlen(Out.c_str()));
  return Out;
}

/// Decodes base64 that must yield exactly Size bytes.
bool fromBase64(std::string_view Text, size_t Size, std::string &Out) {
  Out.assign(Size, '\0');
  size_t Len = 0;
  const char *End = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char *>(Out.data()), Out.size(), Text.data(),
                        Text.size(), nullptr, &Len, &End, sodium_base64_VARIANT_ORIGINAL) != 0)
    return false;
  return Len == Size && End == Text.data() + Text.size();
}

std::string toHex(const unsigned char *Bytes, size_t Size) {
  static const char Hex[] = "0123456789abcdef";
  std::string Out;
  for (size_t I = 0; I < Size; ++I) {
    Out += Hex[Bytes[I] >> 4];
    Out += Hex[Bytes[I] & 15];
  }
  return Out;
}

std::string keyIdOf(std::string_view PublicBytes) {
  unsigned char Hash[crypto_generichash_BYTES];
  crypto_generichash(Hash, sizeof Hash, reinterpret_cast<const unsigned char *>(PublicBytes.data()),
                     PublicBytes.size(), nullptr, 0);
  return toHex(Hash, 8);
}

/// The fields of a key or signature file: a first line `Header: 1`, then `name: value` lines.
Result<std::map<std::string, std::string>> parseFields(std::string_view Text, const char *Header,
                                                       const char *What) {
  std::map<std::string, std::string> Fields;
  bool First = true;
  while (!Text.empty()) {
    size_t Newline = Text.find('\n');
    std::string_view Line = Text.substr(0, Newline);
    Text = Newline == std::string_view::npos ? std::string_view() : Text.substr(Newline + 1);
    if (!Line.empty() && Line.back() == '\r')
      Line.remove_suffix(1);
    if (Line.empty())
      continue;
    size_t Colon = Line.find(": ");
    if (Colon == std::string_view::npos)
      return Error{std::string("not a privet ") + What + ": expected `name: value` lines"};
    std::string Name(Line.substr(0, Colon)), Value(Line.substr(Colon + 2));
    if (First) {
      if (Name != Header)
        return Error{std::string("not a privet ") + What + ": the first line must be `" + Header +
                     ": 1`"};
      if (Value != "1")
        return Error{std::string("unsupported ") + What + " version `" + Value + "`"};
      First = false;
      continue;
    }
    if (!Fields.emplace(Name, Value).second)
      return Error{std::string("malformed ") + What + ": `" + Name + "` appears twice"};
  }
  if (First)
    return Error{std::string("not a privet ") + What + ": the file is empty"};
  auto Alg = Fields.find("algorithm");
  if (Alg == Fields.end())
    return Error{std::string("malformed ") + What + ": no `algorithm`"};
  if (Alg->second != Algorithm)
    return Error{std::string("unsupported ") + What + " algorithm `" + Alg->second +
                 "` (expected `ed25519`)"};
  return Fields;
}

Result<std::string> field(const std::map<std::string, std::string> &Fields, const char *Name,
                          const char *What) {
  auto It = Fields.find(Name);
  if (It == Fields.end())
    return Error{std::string("malformed ") + What + ": no `" + Name + "`"};
  return It->second;
}

/// Parses a key or signature file and decodes its base64 member Name, which must be Size bytes.
/// The other members are left in Fields.
Result<std::string> decodeMember(std::string_view Text, const char *Header, const char *What,
                                 const char *Name, size_t Size,
                                 std::map<std::string, std::string> &Fields) {
  if (!initSodium())
    return sodiumUnavailable();
  auto Parsed = parseFields(Text, Header, What);
  if (!Parsed)
    return Error{Parsed.error()};
  Fields = Parsed.take();
  auto Encoded = field(Fields, Name, What);
  if (!Encoded)
    return Error{Encoded.error()};
  std::string Bytes;
  if (!fromBase64(*Encoded, Size, Bytes))
    return Error{std::string("malformed ") + What + ": `" + Name + "` is not " +
                 std::to_string(Size) + " bytes of base64"};
  return Bytes;
}

Result<std::string> readWhole(const std::string &Path, const char *What) {
  std::FILE *F = std::fopen(Path.c_str(), "rb");
  if (!F)
    return Error{std::string("cannot read ") + What + " `" + Path + "`: " + std::strerror(errno)};
  std::string Bytes;
  char Buffer[1 << 16];
  size_t Got;
  while ((Got = std::fread(Buffer, 1, sizeof Buffer, F)) > 0)
    Bytes.append(Buffer, Got);
  bool Failed = std::ferror(F);
  int Errno = errno;
  std::fclose(F);
  if (Failed)
    return Error{std::string("cannot read ") + What + " `" + Path + "`: " + std::strerror(Errno)};
  return Bytes;
}

/// Creates Path with Mode, failing if it exists, and writes Text to it.
Status createExclusive(const std::string &Path, std::string_view Text, mode_t Mode) {
  int Fd = ::open(Path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, Mode);
  if (Fd < 0) {
    if (errno == EEXIST)
      return Error{"`" + Path + "` already exists; refusing to overwrite a key"};
    return Error{"cannot create `" + Path + "`: " + std::strerror(errno)};
  }
  // The umask may have narrowed the mode, never widened it; set it exactly.
  bool Ok = ::fchmod(Fd, Mode) == 0;
  size_t Done = 0;
  while (Ok && Done < Text.size()) {
    ssize_t N = ::write(Fd, Text.data() + Done, Text.size() - Done);
    if (N < 0 && errno == EINTR)
      continue;
    Ok = N > 0;
    Done += N > 0 ? size_t(N) : 0;
  }
  Ok = Ok && ::fsync(Fd) == 0;
  int Errno = errno;
  Ok = ::close(Fd) == 0 && Ok;
  if (!Ok) {
    ::unlink(Path.c_str());
    return Error{"cannot write `" + Path + "`: " + std::strerror(Errno)};
  }
  return Status::success();
}

} // namespace

Result<PublicKey> PublicKey::parse(std::string_view Text) {
  std::map<std::string, std::string> Fields;
  auto Bytes = decodeMember(Text, PublicHeader, "public key", "public-key",
                            crypto_sign_PUBLICKEYBYTES, Fields);
  if (!Bytes)
    return Error{Bytes.error()};
  PublicKey K;
  K.Bytes = Bytes.take();
  K.Id = keyIdOf(K.Bytes);
  auto It = Fields.find("key-id");
  if (It != Fields.end() && It->second != K.Id)
    return Error{"malformed public key: `key-id` " + It->second + " does not match the key (" +
                 K.Id + ")"};
  return K;
}

Result<PublicKey> PublicKey::read(const std::string &Path) {
  auto Text = readWhole(Path, "public key");
  if (!Text)
    return Error{Text.error()};
  auto K = parse(*Text);
  if (!K)
    return Error{"`" + Path + "`: " + K.error()};
  return K;
}

std::string PublicKey::format() const {
  return std::string(PublicHeader) + ": 1\nalgorithm: " + Algorithm + "\nkey-id: " + Id +
         "\npublic-key: " + toBase64(Bytes) + "\n";
}

SecretKey::SecretKey(SecretKey &&Other) noexcept
    : Bytes(std::move(Other.Bytes)), Public(std::move(Other.Public)) {
  Other.Bytes.clear();
}

SecretKey &SecretKey::operator=(SecretKey &&Other) noexcept {
  if (this != &Other) {
    sodium_memzero(Bytes.data(), Bytes.size());
    Bytes = std::move(Other.Bytes);
    Public = std::move(Other.Public);
    Other.Bytes.clear();
  }
  return *this;
}

SecretKey::~SecretKey() { sodium_memzero(Bytes.data(), Bytes.size()); }

Result<SecretKey> SecretKey::generate() {
  if (!initSodium())
    return sodiumUnavailable();
  SecretKey K;
  K.Bytes.assign(crypto_sign_SECRETKEYBYTES, '\0');
  K.Public.Bytes.assign(crypto_sign_PUBLICKEYBYTES, '\0');
  crypto_sign_keypair(reinterpret_cast<unsigned char *>(K.Public.Bytes.data()),
                      reinterpret_cast<unsigned char *>(K.Bytes.data()));
  K.Public.Id = keyIdOf(K.Public.Bytes);
  return K;
}

Result<SecretKey> SecretKey::parse(std::string_view Text) {
  std::map<std::string, std::string> Fields;
  auto Bytes = decodeMember(Text, SecretHeader, "secret key", "secret-key",
                            crypto_sign_SECRETKEYBYTES, Fields);
  if (!Bytes)
    return Error{Bytes.error()};
  SecretKey K;
  K.Bytes = Bytes.take();
  K.Public.Bytes.assign(crypto_sign_PUBLICKEYBYTES, '\0');
  crypto_sign_ed25519_sk_to_pk(reinterpret_cast<unsigned char *>(K.Public.Bytes.data()),
                               reinterpret_cast<const unsigned char *>(K.Bytes.data()));
  K.Public.Id = keyIdOf(K.Public.Bytes);
  return K;
}

Result<SecretKey> SecretKey::read(const std::string &Path) {
  struct stat St;
  if (::stat(Path.c_str(), &St) != 0)
    return Error{"cannot read secret key `" + Path + "`: " + std::strerror(errno)};
  if (St.st_mode & 077)
    return Error{"secret key `" + Path +
                 "` may be read by other users; `chmod 600` it (privet keygen writes it so)"};
  auto Text = readWhole(Path, "secret key");
  if (!Text)
    return Error{Text.error()};
  auto K = parse(*Text);
  sodium_memzero(Text->data(), Text->size());
  if (!K)
    return Error{"`" + Path + "`: " + K.error()};
  return K;
}

std::string SecretKey::format() const {
  return std::string(SecretHeader) + ": 1\nalgorithm: " + Algorithm + "\nkey-id: " + Public.id() +
         "\nsecret-key: " + toBase64(Bytes) + "\n";
}

Status writeKeyPair(const SecretKey &Key, const std::string &SecretPath,
                    const std::string &PublicPath) {
  // Check both first so that a refused run leaves nothing half-written.
  for (const std::string *P : {&SecretPath, &PublicPath})
    if (::access(P->c_str(), F_OK) == 0)
      return Error{"`" + *P + "` already exists; refusing to overwrite a key"};
  std::string SecretText = Key.format();
  Status S = createExclusive(SecretPath, SecretText, 0600);
  sodium_memzero(SecretText.data(), SecretText.size());
  if (!S)
    return S;
  Status P = createExclusive(PublicPath, Key.publicKey().format(), 0644);
  if (!P) {
    ::unlink(SecretPath.c_str());
    return P;
  }
  return Status::success();
}

Result<std::string> signArtifact(std::string_view Artifact, const SecretKey &Key) {
  if (!initSodium())
    return sodiumUnavailable();
  unsigned char Sig[crypto_sign_BYTES];
  crypto_sign_detached(Sig, nullptr, reinterpret_cast<const unsigned char *>(Artifact.data()),
                       Artifact.size(), reinterpret_cast<const unsigned char *>(Key.Bytes.data()));
  return std::string(SignatureHeader) + ": 1\nalgorithm: " + Algorithm +
         "\nkey-id: " + Key.publicKey().id() +
         "\nsignature: " + toBase64(std::string_view(reinterpret_cast<char *>(Sig), sizeof Sig)) +
         "\n";
}

Status verifyArtifact(std::string_view Artifact, std::string_view SignatureText,
                      const PublicKey &Trusted) {
  std::map<std::string, std::string> Fields;
  auto Sig = decodeMember(SignatureText, SignatureHeader, "signature", "signature",
                          crypto_sign_BYTES, Fields);
  if (!Sig)
    return Error{Sig.error()};
  auto KeyId = field(Fields, "key-id", "signature");
  if (!KeyId)
    return Error{KeyId.error()};
  if (*KeyId != Trusted.id())
    return Error{"signed by key " + *KeyId + ", not by the trusted key " + Trusted.id()};
  if (crypto_sign_verify_detached(
          reinterpret_cast<const unsigned char *>(Sig->data()),
          reinterpret_cast<const unsigned char *>(Artifact.data()), Artifact.size(),
          reinterpret_cast<const unsigned char *>(Trusted.bytes().data())) != 0)
    return Error{"the signature does not match the artifact's bytes (the artifact or its "
                 "signature was changed after signing)"};
  return Status::success();
}

std::string signaturePath(const std::string &ArtifactPath) { return ArtifactPath + ".sig"; }

std::string contentHash(std::string_view Bytes) {
  unsigned char Hash[crypto_generichash_BYTES];
  if (!initSodium())
    return {};
  crypto_generichash(Hash, sizeof Hash, reinterpret_cast<const unsigned char *>(Bytes.data()),
                     Bytes.size(), nullptr, 0);
  return toHex(Hash, sizeof Hash);
}

Result<LoadedArtifact> loadArtifact(const std::string &Path, const PublicKey *Trusted,
                                    const std::string &SigPath) {
  if (!initSodium())
    return sodiumUnavailable();
  auto Bytes = readWhole(Path, "artifact");
  if (!Bytes)
    return Error{Bytes.error()};
  LoadedArtifact Out;
  if (Trusted) {
    std::string Sig = SigPath.empty() ? signaturePath(Path) : SigPath;
    if (::access(Sig.c_str(), F_OK) != 0 && errno == ENOENT)
      return Error{"`" + Path + "` is not signed: `" + Sig + "` does not exist"};
    auto SigText = readWhole(Sig, "signature");
    if (!SigText)
      return Error{SigText.error()};
    Status Ok = verifyArtifact(*Bytes, *SigText, *Trusted);
    if (!Ok)
      return Error{"`" + Path + "` fails verification: " + Ok.error()};
    Out.SignerKeyId = Trusted->id();
  }
  auto Loaded = CompiledPolicy::fromBytes(*Bytes);
  if (!Loaded)
    return Error{"`" + Path + "`: " + Loaded.error()};
  Out.Policy = Loaded.take();
  Out.ContentHash = contentHash(*Bytes);
  return Out;
}

} // namespace privet::rt
