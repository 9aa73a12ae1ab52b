//===- XXHash64.cpp - XXH64, for the artifact body checksum -----------------------------===//
//
// The reference XXH64 algorithm; the runtime cannot use llvm::xxHash64, and the compiler's
// cross-check against it keeps the two in agreement.
//
//===------------------------------------------------------------------------------------===//
#include "privet/Artifact.h"

#include <cstring>

namespace privet::rt {
namespace {

constexpr uint64_t P1 = 11400714785074694791ULL;
constexpr uint64_t P2 = 14029467366897019727ULL;
constexpr uint64_t P3 = 1609587929392839161ULL;
constexpr uint64_t P4 = 9650029242287828579ULL;
constexpr uint64_t P5 = 2870177450012600261ULL;

inline uint64_t rotl(uint64_t X, int R) { return (X << R) | (X >> (64 - R)); }

// memcpy keeps unaligned reads defined; the artifact format is little-endian only.
inline uint64_t read64(const unsigned char *P) {
  uint64_t V;
  std::memcpy(&V, P, 8);
  return V;
}
inline uint32_t read32(const unsigned char *P) {
  uint32_t V;
  std::memcpy(&V, P, 4);
  return V;
}

inline uint64_t xxRound(uint64_t Acc, uint64_t Input) {
  Acc += Input * P2;
  Acc = rotl(Acc, 31);
  return Acc * P1;
}

inline uint64_t mergeRound(uint64_t Acc, uint64_t Val) {
  Acc ^= xxRound(0, Val);
  return Acc * P1 + P4;
}

} // namespace

uint64_t xxHash64(const void *Data, size_t Size, uint64_t Seed) {
  const auto *P = static_cast<const unsigned char *>(Data);
  const unsigned char *End = P + Size;
  uint64_t H;
  if (Size >= 32) {
    const unsigned char *Limit = End - 32;
    uint64_t V1 = Seed + P1 + P2, V2 = Seed + P2, V3 = Seed, V4 = Seed - P1;
    do {
      V1 = xxRound(V1, read64(P));
      V2 = xxRound(V2, read64(P + 8));
      V3 = xxRound(V3, read64(P + 16));
      V4 = xxRound(V4, read64(P + 24));
      P += 32;
    } while (P <= Limit);
    H = rotl(V1, 1) + rotl(V2, 7) + rotl(V3, 12) + rotl(V4, 18);
    H = mergeRound(H, V1);
    H = mergeRound(H, V2);
    H = mergeRound(H, V3);
    H = mergeRound(H, V4);
  } else {
    H = Seed + P5;
  }
  H += static_cast<uint64_t>(Size);
  while (End - P >= 8) {
    H ^= xxRound(0, read64(P));
    H = rotl(H, 27) * P1 + P4;
    P += 8;
  }
  if (End - P >= 4) {
    H ^= static_cast<uint64_t>(read32(P)) * P1;
    H = rotl(H, 23) * P2 + P3;
    P += 4;
  }
  while (P < End) {
    H ^= static_cast<uint64_t>(*P) * P5;
    H = rotl(H, 11) * P1;
    ++P;
  }
  H ^= H >> 33;
  H *= P2;
  H ^= H >> 29;
  H *= P3;
  H ^= H >> 32;
  return H;
}

} // namespace privet::rt
