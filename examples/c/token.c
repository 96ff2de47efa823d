/* An ERC-20-like token in C against the Pyde Host Function ABI v1.0.
 *
 * Entries (every one of wasm type () -> (); arguments in the calldata as the
 * plain concatenation of their bytes: an address is 32 bytes, an amount a
 * u128 little-endian in 16 bytes; results through pyde_return):
 *
 *   constructor(supply)                 owner := caller; mints supply to the owner
 *   transfer(to, amount)                emits Transfer(caller, to, amount)
 *   approve(spender, amount)            emits Approval(caller, spender, amount)
 *   transfer_from(from, to, amount)     spends the caller's allowance from `from`
 *   mint(to, amount)                    owner only; emits Transfer(0, to, amount)
 *   balance_of(addr)          view      -> u128
 *   allowance(owner, spender) view      -> u128
 *   total_supply()            view      -> u128
 *   name(), symbol()          view      -> UTF-8 bytes
 *   decimals()                view      -> one byte
 *
 * Storage: slot = blake3(tag || keys), the value a u128 in the low 16 bytes
 * of the 32-byte word.  Tags: 0 owner, 1 balance[addr],
 * 2 allowance[owner][spender], 3 total supply.
 *
 * Events (ABI §14): topic = blake3 of the signature string, data = the Borsh
 * encoding of (from, to, amount): 32 + 32 + 16 bytes.
 */
#include "pyde.h"

typedef unsigned __int128 u128;

enum { TAG_OWNER = 0, TAG_BALANCE = 1, TAG_ALLOWANCE = 2, TAG_SUPPLY = 3 };

static const uint8_t ZERO_ADDRESS[32];

/* ---- calldata ------------------------------------------------------------ */

static uint8_t args[96];

/* Copy exactly `len` bytes of calldata into `args`, or revert. */
static void read_args(uint32_t len) {
    if (pyde_calldata_size() != len) PYDE_REVERT("bad calldata");
    pyde_calldata_copy(0, len, args);
}

static u128 load_u128(const uint8_t *p) {
    u128 v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* ---- storage ------------------------------------------------------------- */

static void slot_of(uint8_t slot[32], uint8_t tag, const uint8_t *key1, const uint8_t *key2) {
    uint8_t preimage[1 + 32 + 32];
    uint32_t n = 1;
    preimage[0] = tag;
    if (key1) { memcpy(preimage + n, key1, 32); n += 32; }
    if (key2) { memcpy(preimage + n, key2, 32); n += 32; }
    pyde_hash_blake3(preimage, n, slot);
}

static u128 read_u128(uint8_t tag, const uint8_t *key1, const uint8_t *key2) {
    uint8_t slot[32], value[32];
    slot_of(slot, tag, key1, key2);
    pyde_sload(slot, value);
    return load_u128(value);
}

static void write_u128(uint8_t tag, const uint8_t *key1, const uint8_t *key2, u128 v) {
    uint8_t slot[32], value[32] = {0};
    slot_of(slot, tag, key1, key2);
    memcpy(value, &v, sizeof v);
    if (pyde_sstore(slot, value) != PYDE_OK) PYDE_REVERT("storage write refused");
}

static void return_u128(u128 v) {
    pyde_return(&v, sizeof v);
}

/* ---- events -------------------------------------------------------------- */

static void emit(const char *signature, uint32_t signature_len,
                 const uint8_t a[32], const uint8_t b[32], u128 amount) {
    uint8_t topic[32], data[80];
    pyde_hash_blake3(signature, signature_len, topic);
    memcpy(data, a, 32);
    memcpy(data + 32, b, 32);
    memcpy(data + 64, &amount, 16);
    if (pyde_emit_event(topic, 32, data, sizeof data) != PYDE_OK) PYDE_REVERT("event refused");
}

#define EMIT(sig, a, b, amount) emit((sig), sizeof(sig) - 1, (a), (b), (amount))

/* ---- the rules ----------------------------------------------------------- */

static void credit(const uint8_t to[32], u128 amount) {
    u128 balance = read_u128(TAG_BALANCE, to, 0);
    if (balance + amount < balance) PYDE_REVERT("overflow");
    write_u128(TAG_BALANCE, to, 0, balance + amount);
}

static void debit(const uint8_t from[32], u128 amount) {
    u128 balance = read_u128(TAG_BALANCE, from, 0);
    if (balance < amount) PYDE_REVERT("insufficient balance");
    write_u128(TAG_BALANCE, from, 0, balance - amount);
}

static void move(const uint8_t from[32], const uint8_t to[32], u128 amount) {
    debit(from, amount);
    credit(to, amount);
    EMIT("Transfer(address,address,uint128)", from, to, amount);
}

static void issue(const uint8_t to[32], u128 amount) {
    u128 supply = read_u128(TAG_SUPPLY, 0, 0);
    if (supply + amount < supply) PYDE_REVERT("overflow");
    write_u128(TAG_SUPPLY, 0, 0, supply + amount);
    credit(to, amount);
    EMIT("Transfer(address,address,uint128)", ZERO_ADDRESS, to, amount);
}

/* ---- entries ------------------------------------------------------------- */

PYDE_ENTRY(constructor) void token_constructor(void) {
    uint8_t owner[32], slot[32];
    read_args(16);
    pyde_caller(owner);
    slot_of(slot, TAG_OWNER, 0, 0);
    if (pyde_sstore(slot, owner) != PYDE_OK) PYDE_REVERT("storage write refused");
    issue(owner, load_u128(args));
}

PYDE_ENTRY(transfer) void token_transfer(void) {
    uint8_t sender[32];
    read_args(48);
    pyde_caller(sender);
    move(sender, args, load_u128(args + 32));
}

PYDE_ENTRY(approve) void token_approve(void) {
    uint8_t owner[32];
    read_args(48);
    pyde_caller(owner);
    u128 amount = load_u128(args + 32);
    write_u128(TAG_ALLOWANCE, owner, args, amount);
    EMIT("Approval(address,address,uint128)", owner, args, amount);
}

PYDE_ENTRY(transfer_from) void token_transfer_from(void) {
    uint8_t spender[32];
    read_args(80);
    pyde_caller(spender);
    const uint8_t *from = args, *to = args + 32;
    u128 amount = load_u128(args + 64);
    u128 allowed = read_u128(TAG_ALLOWANCE, from, spender);
    if (allowed < amount) PYDE_REVERT("allowance exceeded");
    write_u128(TAG_ALLOWANCE, from, spender, allowed - amount);
    move(from, to, amount);
}

PYDE_ENTRY(mint) void token_mint(void) {
    uint8_t sender[32], slot[32], owner[32];
    read_args(48);
    pyde_caller(sender);
    slot_of(slot, TAG_OWNER, 0, 0);
    pyde_sload(slot, owner);
    for (int i = 0; i < 32; i++)
        if (owner[i] != sender[i]) PYDE_REVERT("not owner");
    issue(args, load_u128(args + 32));
}

PYDE_ENTRY(balance_of) void token_balance_of(void) {
    read_args(32);
    return_u128(read_u128(TAG_BALANCE, args, 0));
}

PYDE_ENTRY(allowance) void token_allowance(void) {
    read_args(64);
    return_u128(read_u128(TAG_ALLOWANCE, args, args + 32));
}

PYDE_ENTRY(total_supply) void token_total_supply(void) {
    read_args(0);
    return_u128(read_u128(TAG_SUPPLY, 0, 0));
}

PYDE_ENTRY(name) void token_name(void) {
    static const char name[] = "Pyde Example Token";
    pyde_return(name, sizeof name - 1);
}

PYDE_ENTRY(symbol) void token_symbol(void) {
    static const char symbol[] = "PXT";
    pyde_return(symbol, sizeof symbol - 1);
}

PYDE_ENTRY(decimals) void token_decimals(void) {
    static const uint8_t decimals = 18;
    pyde_return(&decimals, 1);
}
