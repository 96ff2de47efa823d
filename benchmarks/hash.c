/* Hash functions for the pyde-ref benchmark (benchmarks/run.py).
 *
 * Compiled to wasm32 with no libc by build.sh.  Exports:
 *   fill(len, seed)   fill the first len bytes of the buffer with a xorshift32 stream
 *   fnv1a(len)        32-bit FNV-1a of the first len bytes
 *   mix64(len)        an xxhash64-style hash (four lanes of multiply-rotate
 *                     rounds over 8-byte words, then an avalanche) of len bytes
 */
#include <stdint.h>

#define BUFFER_SIZE 65536
static uint8_t buffer[BUFFER_SIZE];

static const uint64_t P1 = 0x9E3779B185EBCA87ULL;
static const uint64_t P2 = 0xC2B2AE3D27D4EB4FULL;
static const uint64_t P3 = 0x165667B19E3779F9ULL;

static uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t read64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static uint64_t round64(uint64_t acc, uint64_t input) {
    acc += input * P2;
    acc = rotl64(acc, 31);
    return acc * P1;
}

__attribute__((export_name("fill"))) void fill(uint32_t len, uint32_t seed) {
    uint32_t x = seed | 1;
    if (len > BUFFER_SIZE) len = BUFFER_SIZE;
    for (uint32_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buffer[i] = (uint8_t)x;
    }
}

__attribute__((export_name("fnv1a"))) uint32_t fnv1a(uint32_t len) {
    uint32_t h = 2166136261u;
    if (len > BUFFER_SIZE) len = BUFFER_SIZE;
    for (uint32_t i = 0; i < len; i++) {
        h ^= buffer[i];
        h *= 16777619u;
    }
    return h;
}

__attribute__((export_name("mix64"))) uint64_t mix64(uint32_t len) {
    if (len > BUFFER_SIZE) len = BUFFER_SIZE;
    uint64_t v1 = P1 + P2, v2 = P2, v3 = 0, v4 = 0 - P1;
    uint32_t i = 0;
    for (; i + 32 <= len; i += 32) {
        v1 = round64(v1, read64(buffer + i));
        v2 = round64(v2, read64(buffer + i + 8));
        v3 = round64(v3, read64(buffer + i + 16));
        v4 = round64(v4, read64(buffer + i + 24));
    }
    uint64_t h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18) + len;
    for (; i < len; i++) h = rotl64(h ^ (buffer[i] * P3), 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}
