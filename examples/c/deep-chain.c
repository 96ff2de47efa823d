/* The deep chain of examples/contracts/deep-chain.wat, in C: a contract that
 * calls itself through pyde_cross_call until the executor's frame cap
 * (ABI §13.4: 1,024 frames) refuses the next call.
 *
 * Entry (wasm type () -> (), ENTRY|REENTRANT):
 *
 *   down(n)   n a u32 LE.  Stores n at slot n (n little-endian in the first
 *             4 bytes of both the slot and the value); if n > 0, cross_calls
 *             down(n - 1) on its own address with all its gas but
 *             GAS_RESERVE; returns 8 bytes: the n of the deepest frame that
 *             ran, then the status code of that frame's cross_call (0 at
 *             n = 0, PYDE_ERR_CROSS_CALL_FAILED when the frame cap refused it).
 *
 * down(2000) from a transaction runs frames 1..1024 (n = 2000 .. 977), the
 * same return data and storage writes as the WAT version
 * (examples/c/deep-chain-wave.json; tests/diff/test_deep_chain.py diffs it
 * against wasmtime).
 */
#include "pyde.h"

#define GAS_RESERVE 20000ull

static const char DOWN[] = "down";
static uint8_t slot[32], value[32], self[32];
static const uint8_t NO_VALUE[16];
static uint32_t deepest[16];   /* [0] = n, [1] = status; room for a longer answer */

PYDE_ENTRY(down) void down(void) {
    uint32_t n, below, returned;
    if (pyde_calldata_size() != 4) PYDE_REVERT("bad calldata");
    pyde_calldata_copy(0, 4, &n);
    memcpy(slot, &n, 4);
    memcpy(value, &n, 4);
    pyde_sstore(slot, value);
    deepest[0] = n;    /* the deepest frame so far is this one, with status 0 */
    deepest[1] = 0;
    if (n > 0) {
        uint64_t left = pyde_tx_gas_remaining();
        int32_t status;
        pyde_self_address(self);
        below = n - 1;
        status = pyde_cross_call(self, DOWN, sizeof(DOWN) - 1, &below, 4, NO_VALUE,
                                 left > GAS_RESERVE ? left - GAS_RESERVE : 0, deepest, &returned);
        if (status != PYDE_OK) {   /* refused or failed: this frame is the deepest */
            deepest[0] = n;
            deepest[1] = (uint32_t)status;
        }
    }
    pyde_return(deepest, 8);
}
