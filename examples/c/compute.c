/* A compute-heavy contract in C: work done in WebAssembly, paid for as fuel,
 * next to the same work done by a host function at its ABI §10 price.
 *
 * Entries (wasm type () -> () each; all view: they read no state):
 *
 *   keccak256(data)        Keccak-256 of the calldata, computed in wasm -> 32 bytes
 *   keccak256_host(data)   the same digest from pyde_hash_keccak256 -> 32 bytes
 *   primes_below(n)        n a u32 LE, at most 65536: how many primes are
 *                          below n (sieve of Eratosthenes) -> u32 LE
 *
 * The two Keccak entries must return the same bytes; the wave shows what
 * each costs (examples/c/compute-wave.json).
 */
#include "pyde.h"

#define MAX_INPUT 4096
#define SIEVE_LIMIT 65536

static uint8_t input[MAX_INPUT];

static uint32_t read_input(void) {
    uint32_t size = pyde_calldata_size();
    if (size > MAX_INPUT) PYDE_REVERT("input too long");
    pyde_calldata_copy(0, size, input);
    return size;
}

/* ---- Keccak-f[1600] and the Keccak-256 sponge (FIPS 202 with Keccak's
 * original 0x01 padding, as Ethereum uses) ----------------------------------- */

static const uint64_t ROUND_CONSTANTS[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

static const uint8_t ROTATIONS[25] = {
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
};

static uint64_t rotl(uint64_t x, unsigned n) {
    return n ? (x << n) | (x >> (64 - n)) : x;
}

static void keccak_f(uint64_t a[25]) {
    uint64_t b[25], c[5], d[5];
    for (int round = 0; round < 24; round++) {
        for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; x++) d[x] = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
        for (int i = 0; i < 25; i++) a[i] ^= d[i % 5];
        /* rho and pi: b[y, 2x + 3y] = rot(a[x, y]) */
        for (int x = 0; x < 5; x++)
            for (int y = 0; y < 5; y++)
                b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], ROTATIONS[x + 5 * y]);
        /* chi */
        for (int y = 0; y < 25; y += 5)
            for (int x = 0; x < 5; x++)
                a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
        a[0] ^= ROUND_CONSTANTS[round];
    }
}

#define RATE 136 /* bytes: 1600 - 2 * 256 bits */

static void keccak256(const uint8_t *data, uint32_t len, uint8_t out[32]) {
    uint64_t state[25] = {0};
    uint8_t block[RATE];
    for (;;) {
        uint32_t take = len < RATE ? len : RATE;
        memset(block, 0, RATE);
        memcpy(block, data, take);
        if (take < RATE) {
            block[take] ^= 0x01;
            block[RATE - 1] ^= 0x80;
        }
        for (int i = 0; i < RATE / 8; i++) {
            uint64_t lane;
            memcpy(&lane, block + 8 * i, 8);
            state[i] ^= lane;
        }
        keccak_f(state);
        if (take < RATE) break;
        data += RATE;
        len -= RATE;
    }
    memcpy(out, state, 32);
}

PYDE_ENTRY(keccak256) void compute_keccak256(void) {
    uint8_t digest[32];
    uint32_t size = read_input();
    keccak256(input, size, digest);
    pyde_return(digest, sizeof digest);
}

PYDE_ENTRY(keccak256_host) void compute_keccak256_host(void) {
    uint8_t digest[32];
    uint32_t size = read_input();
    pyde_hash_keccak256(input, size, digest);
    pyde_return(digest, sizeof digest);
}

/* ---- a sieve ------------------------------------------------------------- */

static uint8_t composite[SIEVE_LIMIT];

PYDE_ENTRY(primes_below) void compute_primes_below(void) {
    uint32_t n, count = 0;
    if (pyde_calldata_size() != 4) PYDE_REVERT("bad calldata");
    pyde_calldata_copy(0, 4, &n);
    if (n > SIEVE_LIMIT) PYDE_REVERT("n above 65536");
    for (uint32_t i = 2; i < n; i++) {
        if (composite[i]) continue;
        count++;
        for (uint32_t j = i * i; j < n; j += i) composite[j] = 1;
    }
    pyde_return(&count, sizeof count);
}
