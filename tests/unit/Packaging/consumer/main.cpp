// A user's C++ program: loads an artifact and decides one request with the installed runtime.
#include <privet/Runtime.h>

#include <cstdio>

int main(int Argc, char **Argv) {
  if (Argc != 2)
    return 2;
  auto P = privet::rt::CompiledPolicy::load(Argv[1]);
  if (!P) {
    std::fprintf(stderr, "%s\n", P.error().c_str());
    return 1;
  }
  privet::rt::Request R(**P);
  R.set(privet::rt::Dim::Action, "use")
      .set(privet::rt::Dim::Data, "email_address")
      .set(privet::rt::Dim::Purpose, "marketing");
  bool Allowed = (*P)->decide(R).permitted();
  std::printf("%s\n", Allowed ? "allow" : "deny");
  return Allowed ? 0 : 1;
}
