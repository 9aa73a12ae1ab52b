// A user's C++ service: loads an artifact only if its detached signature verifies with the
// trusted public key, then decides one request.
#include <privet/Runtime.h>
#include <privet/Verify.h>

#include <cstdio>

int main(int Argc, char **Argv) {
  if (Argc != 3)
    return 2;
  auto Key = privet::rt::PublicKey::read(Argv[2]);
  if (!Key) {
    std::fprintf(stderr, "%s\n", Key.error().c_str());
    return 2;
  }
  auto Loaded = privet::rt::loadVerified(Argv[1], *Key);
  if (!Loaded) {
    std::printf("refused: %s\n", Loaded.error().c_str());
    return 1;
  }
  privet::rt::Request R(*Loaded->Policy);
  R.set(privet::rt::Dim::Action, "use")
      .set(privet::rt::Dim::Data, "email_address")
      .set(privet::rt::Dim::Purpose, "marketing");
  std::printf("%s\n", Loaded->Policy->decide(R).permitted() ? "allow" : "deny");
  return 0;
}
