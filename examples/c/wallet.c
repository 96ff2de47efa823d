/* A wallet contract in C: holds PYDE and tokens for its owner and calls
 * other contracts with pyde_cross_call and pyde_cross_call_static.
 *
 * Entries (wasm type () -> () each; arguments through the calldata):
 *
 *   constructor()                       owner := caller
 *   receive            payable receive  a bare PYDE transfer to the wallet;
 *                                       emits Deposit(sender, value)
 *   fallback           fallback         any unknown function name: reverts
 *                                       "wallet: no such function"
 *   pay(token, to, amount)              owner only: cross_call token.transfer(to, amount);
 *                                       a failed transfer reverts with the
 *                                       token's reason
 *   withdraw(to, amount)                owner only: sends PYDE with pyde_transfer
 *   token_balance(token)      view      cross_call_static token.balance_of(self) -> u128
 *   native_balance()          view      the wallet's PYDE balance -> u128
 *
 * An address is 32 bytes, an amount a u128 little-endian in 16 bytes.
 * Storage: the owner at slot blake3("owner").
 */
#include "pyde.h"

/* Gas kept back for the wallet itself when it forwards gas to a callee. */
#define GAS_RESERVE 20000

static uint8_t args[80];
static uint8_t reply[256];
static uint32_t reply_len;

static void read_args(uint32_t len) {
    if (pyde_calldata_size() != len) PYDE_REVERT("bad calldata");
    pyde_calldata_copy(0, len, args);
}

static void owner_slot(uint8_t slot[32]) {
    static const char key[] = "owner";
    pyde_hash_blake3(key, sizeof key - 1, slot);
}

static void require_owner(void) {
    uint8_t slot[32], owner[32], sender[32];
    owner_slot(slot);
    pyde_sload(slot, owner);
    pyde_caller(sender);
    for (int i = 0; i < 32; i++)
        if (owner[i] != sender[i]) PYDE_REVERT("not owner");
}

static uint64_t forwarded_gas(void) {
    uint64_t left = pyde_tx_gas_remaining();
    return left > GAS_RESERVE ? left - GAS_RESERVE : 0;
}

PYDE_ENTRY(constructor) void wallet_constructor(void) {
    uint8_t slot[32], owner[32];
    owner_slot(slot);
    pyde_caller(owner);
    if (pyde_sstore(slot, owner) != PYDE_OK) PYDE_REVERT("storage write refused");
}

PYDE_ENTRY(receive) void wallet_receive(void) {
    static const char signature[] = "Deposit(address,uint128)";
    uint8_t topic[32], data[48];
    pyde_hash_blake3(signature, sizeof signature - 1, topic);
    pyde_caller(data);
    pyde_tx_value(data + 32);
    if (pyde_emit_event(topic, 32, data, sizeof data) != PYDE_OK) PYDE_REVERT("event refused");
}

PYDE_ENTRY(fallback) void wallet_fallback(void) {
    PYDE_REVERT("wallet: no such function");
}

PYDE_ENTRY(pay) void wallet_pay(void) {
    static const char function[] = "transfer";
    static const uint8_t no_value[16];
    read_args(80);
    require_owner();
    /* args: token (32) | to (32) | amount (16); the callee's calldata is to | amount */
    int32_t status = pyde_cross_call(args, function, sizeof function - 1, args + 32, 48,
                                     no_value, forwarded_gas(), reply, &reply_len);
    if (status != PYDE_OK) pyde_revert(reply, reply_len);
}

PYDE_ENTRY(withdraw) void wallet_withdraw(void) {
    read_args(48);
    require_owner();
    if (pyde_transfer(args, args + 32) != PYDE_OK) PYDE_REVERT("withdraw failed");
}

PYDE_ENTRY(token_balance) void wallet_token_balance(void) {
    static const char function[] = "balance_of";
    uint8_t self[32];
    read_args(32);
    pyde_self_address(self);
    int32_t status = pyde_cross_call_static(args, function, sizeof function - 1, self, 32,
                                            forwarded_gas(), reply, &reply_len);
    if (status != PYDE_OK) PYDE_REVERT("token balance query failed");
    pyde_return(reply, reply_len);
}

PYDE_ENTRY(native_balance) void wallet_native_balance(void) {
    uint8_t self[32], amount[16];
    read_args(0);
    pyde_self_address(self);
    pyde_balance(self, amount);
    pyde_return(amount, sizeof amount);
}
