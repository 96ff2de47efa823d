/* pyde.h -- the Pyde Host Function ABI v1.0 for contracts written in C.
 *
 * Every core host function of ABI §7, imported from module "pyde" with
 * exactly the wasm type of §7 (pyde_ref/abi/registry.py checks the same
 * types at deploy).  On wasm32 a pointer is an i32, uint32_t and int32_t are
 * i32, uint64_t and int64_t are i64, so the prototypes below can use typed
 * pointers and still have the ABI's types.  The C names carry a "pyde_"
 * prefix: "return" is a C keyword, and a contract may well export an entry
 * called "transfer" or "balance" itself.  The §8 functions are for
 * parachains only (deploy refuses them in a contract, ABI §9.2) and are not
 * declared here.
 *
 * The header also defines memcpy and memset: clang calls them for struct
 * copies and array initialisers even with -nostdlib, and nothing else
 * supplies them (wasm-ld stops with "undefined symbol: memcpy").  They are
 * weak, so a contract built from several .c files may include this header
 * in each of them.
 *
 * Entry points (ABI §3.5; spec/authoring.md, "Entry points"): every
 * exported function -- fallback and receive included -- has type () -> ().
 * Read the arguments with pyde_calldata_size/pyde_calldata_copy and hand
 * results back with pyde_return.  PYDE_ENTRY(name) exports a function under
 * the name the ABI JSON declares.
 *
 * Build (examples/c/build.sh):
 *   clang-19 --target=wasm32 -mcpu=mvp -O2 -nostdlib -Wl,--no-entry ...
 *   pyde-ref abi embed contract.wasm contract.abi.json -o contract.wasm
 */
#ifndef PYDE_H
#define PYDE_H

#include <stddef.h>
#include <stdint.h>

#define PYDE_IMPORT(name) __attribute__((import_module("pyde"), import_name(#name)))
#define PYDE_ENTRY(name) __attribute__((export_name(#name)))

/* ABI §4 error codes (negative i32 results). */
#define PYDE_OK 0
#define PYDE_ERR_INVALID_INPUT (-1)
#define PYDE_ERR_NOT_FOUND (-2)
#define PYDE_ERR_INSUFFICIENT_BALANCE (-3)
#define PYDE_ERR_OUT_OF_GAS (-4)
#define PYDE_ERR_FORBIDDEN (-5)
#define PYDE_ERR_ACCESS_LIST_VIOLATION (-6)
#define PYDE_ERR_OUTPUT_BUFFER_TOO_SMALL (-7)
#define PYDE_ERR_INVALID_ADDRESS (-8)
#define PYDE_ERR_REENTRANCY_BLOCKED (-9)
#define PYDE_ERR_CROSS_CALL_FAILED (-10)
#define PYDE_ERR_CROSS_CALL_OUT_OF_GAS (-11)
#define PYDE_ERR_VALUE_TRANSFER_NOT_PAYABLE (-12)
#define PYDE_ERR_INVALID_FUNCTION_NAME (-13)
#define PYDE_ERR_XCALL_RATE_LIMITED (-14)
#define PYDE_ERR_PARACHAIN_ONLY (-15)
#define PYDE_ERR_CIPHERTEXT_INVALID (-16)
#define PYDE_ERR_SIGNATURE_INVALID (-17)
#define PYDE_ERR_INTERNAL (-100)

/* ---- §7.1 storage: 32-byte slots and values ---------------------------- */
PYDE_IMPORT(sload) int32_t pyde_sload(const uint8_t slot[32], uint8_t value_out[32]);
PYDE_IMPORT(sstore) int32_t pyde_sstore(const uint8_t slot[32], const uint8_t value[32]);
PYDE_IMPORT(sdelete) int32_t pyde_sdelete(const uint8_t slot[32]);

/* ---- §7.2 account & balance: u128 amounts, 16 bytes little-endian ------ */
PYDE_IMPORT(balance) int32_t pyde_balance(const uint8_t addr[32], uint8_t balance_out[16]);
PYDE_IMPORT(transfer) int32_t pyde_transfer(const uint8_t to[32], const uint8_t amount[16]);

/* ---- §7.3 execution context -------------------------------------------- */
PYDE_IMPORT(caller) int32_t pyde_caller(uint8_t addr_out[32]);
PYDE_IMPORT(origin) int32_t pyde_origin(uint8_t addr_out[32]);
PYDE_IMPORT(self_address) int32_t pyde_self_address(uint8_t addr_out[32]);
PYDE_IMPORT(block_height) uint64_t pyde_block_height(void);
PYDE_IMPORT(wave_id) uint64_t pyde_wave_id(void);
PYDE_IMPORT(block_timestamp) uint64_t pyde_block_timestamp(void);
PYDE_IMPORT(chain_id) uint64_t pyde_chain_id(void);

/* ---- §7.4 transaction context ------------------------------------------ */
PYDE_IMPORT(tx_hash) int32_t pyde_tx_hash(uint8_t hash_out[32]);
PYDE_IMPORT(tx_value) int32_t pyde_tx_value(uint8_t value_out[16]);
PYDE_IMPORT(tx_gas_remaining) uint64_t pyde_tx_gas_remaining(void);
PYDE_IMPORT(calldata_size) uint32_t pyde_calldata_size(void);
PYDE_IMPORT(calldata_copy) int32_t pyde_calldata_copy(uint32_t offset, uint32_t len, void *out);

/* ---- §7.5 events ------------------------------------------------------- */
PYDE_IMPORT(emit_event) int32_t pyde_emit_event(const void *topic, uint32_t topic_len,
                                                const void *data, uint32_t data_len);

/* ---- §7.6 hashing: 32-byte digests -------------------------------------- */
PYDE_IMPORT(hash_blake3) int32_t pyde_hash_blake3(const void *in, uint32_t in_len, uint8_t out[32]);
PYDE_IMPORT(hash_poseidon2) int32_t pyde_hash_poseidon2(const void *in, uint32_t in_len, uint8_t out[32]);
PYDE_IMPORT(hash_keccak256) int32_t pyde_hash_keccak256(const void *in, uint32_t in_len, uint8_t out[32]);

/* ---- §7.7 post-quantum signatures -------------------------------------- */
PYDE_IMPORT(falcon_verify) int32_t pyde_falcon_verify(const uint8_t *pk, const void *msg, uint32_t msg_len,
                                                      const void *sig, uint32_t sig_len);

/* ---- §7.8 cross-contract calls ------------------------------------------
 * The host writes the callee's return data (or its revert reason) at
 * return_out and its length at *return_len_out.  No capacity is passed:
 * return_out must be large enough for whatever the callee can return
 * (spec/findings/abi-cross-call-return-buffer.md). */
PYDE_IMPORT(cross_call) int32_t pyde_cross_call(const uint8_t target[32],
                                                const char *fn_name, uint32_t fn_name_len,
                                                const void *calldata, uint32_t calldata_len,
                                                const uint8_t value[16], uint64_t gas_limit,
                                                void *return_out, uint32_t *return_len_out);
PYDE_IMPORT(cross_call_static) int32_t pyde_cross_call_static(const uint8_t target[32],
                                                              const char *fn_name, uint32_t fn_name_len,
                                                              const void *calldata, uint32_t calldata_len,
                                                              uint64_t gas_limit,
                                                              void *return_out, uint32_t *return_len_out);
PYDE_IMPORT(delegate_call) int32_t pyde_delegate_call(const uint8_t target[32],
                                                      const char *fn_name, uint32_t fn_name_len,
                                                      const void *calldata, uint32_t calldata_len,
                                                      uint64_t gas_limit,
                                                      void *return_out, uint32_t *return_len_out);

/* ---- §7.9 halts: never return ------------------------------------------- */
PYDE_IMPORT(return) __attribute__((noreturn)) void pyde_return(const void *data, uint32_t len);
PYDE_IMPORT(revert) __attribute__((noreturn)) void pyde_revert(const void *reason, uint32_t len);

/* ---- §7.10 explicit metering, §7.11 beacon ------------------------------ */
PYDE_IMPORT(consume_gas) int32_t pyde_consume_gas(uint64_t amount);
PYDE_IMPORT(beacon_get) int32_t pyde_beacon_get(uint8_t out[32]);

/* ---- what the compiler expects from a C library ------------------------- */
__attribute__((weak)) void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

__attribute__((weak)) void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

/* ---- small helpers ------------------------------------------------------ */

/* Revert with a string literal as the reason. */
#define PYDE_REVERT(msg) pyde_revert((msg), sizeof(msg) - 1)

#endif /* PYDE_H */
