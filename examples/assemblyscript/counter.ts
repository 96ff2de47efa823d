// A counter contract in AssemblyScript against the Pyde Host Function ABI v1.0.
//
// Entries (every exported function is `(): void`, wasm type () -> ();
// arguments come from the calldata, results leave through pyde::return):
//
//   constructor(start)   owner := caller, count := start (u64 LE, 8 bytes)
//   increment()          count += 1; emits Counted(count); returns count
//   add(n)               count += n (n a u64 LE); reverts "overflow"; returns count
//   reset()              owner only: count := 0
//   get()        view    returns count (u64 LE)
//
// Storage: two fixed slots, the count at 0x00..01 (a u64 in the low 8 bytes
// of the 32-byte word) and the owner at 0x00..02.
//
// Build: examples/assemblyscript/build.sh (asc with --runtime stub and
// --use abort=, spec/authoring.md "AssemblyScript").

@external("pyde", "sload")
declare function sload(slotPtr: usize, valueOutPtr: usize): i32;

@external("pyde", "sstore")
declare function sstore(slotPtr: usize, valuePtr: usize): i32;

@external("pyde", "caller")
declare function caller(addrOutPtr: usize): i32;

@external("pyde", "calldata_size")
declare function calldata_size(): u32;

@external("pyde", "calldata_copy")
declare function calldata_copy(offset: u32, len: u32, outPtr: usize): i32;

@external("pyde", "hash_blake3")
declare function hash_blake3(inPtr: usize, inLen: u32, outPtr: usize): i32;

@external("pyde", "emit_event")
declare function emit_event(topicPtr: usize, topicLen: u32, dataPtr: usize, dataLen: u32): i32;

// "return" is a keyword, so the import gets another local name.
@external("pyde", "return")
declare function pyde_return(dataPtr: usize, dataLen: u32): void;

@external("pyde", "revert")
declare function pyde_revert(reasonPtr: usize, reasonLen: u32): void;

// Static buffers: no allocation, so the stub runtime never runs.
const SLOT: usize = memory.data(32);
const VALUE: usize = memory.data(32);
const ADDRESS: usize = memory.data(32);
const ARGS: usize = memory.data(8);
const TOPIC: usize = memory.data(32);
const TEXT: usize = memory.data(64);

const SLOT_COUNT: u8 = 1;
const SLOT_OWNER: u8 = 2;

function revertWith(message: string): void {
  // ASCII messages only: one byte per UTF-16 code unit.
  const n = message.length;
  for (let i = 0; i < n; i++) store<u8>(TEXT + i, <u8>message.charCodeAt(i));
  pyde_revert(TEXT, n);
}

function readArgs(len: u32): void {
  if (calldata_size() != len) revertWith("bad calldata");
  calldata_copy(0, len, ARGS);
}

function slot(index: u8): usize {
  memory.fill(SLOT, 0, 32);
  store<u8>(SLOT + 31, index);
  return SLOT;
}

function loadCount(): u64 {
  sload(slot(SLOT_COUNT), VALUE);
  return load<u64>(VALUE);
}

function storeCount(count: u64): void {
  memory.fill(VALUE, 0, 32);
  store<u64>(VALUE, count);
  if (sstore(slot(SLOT_COUNT), VALUE) != 0) revertWith("storage write refused");
}

function returnCount(count: u64): void {
  store<u64>(VALUE, count);
  pyde_return(VALUE, 8);
}

function emitCounted(count: u64): void {
  const signature = "Counted(uint64)";
  const n = signature.length;
  for (let i = 0; i < n; i++) store<u8>(TEXT + i, <u8>signature.charCodeAt(i));
  hash_blake3(TEXT, n, TOPIC);
  store<u64>(VALUE, count);
  if (emit_event(TOPIC, 32, VALUE, 8) != 0) revertWith("event refused");
}

export function constructor(): void {
  readArgs(8);
  caller(ADDRESS);
  if (sstore(slot(SLOT_OWNER), ADDRESS) != 0) revertWith("storage write refused");
  storeCount(load<u64>(ARGS));
}

export function increment(): void {
  readArgs(0);
  const count = loadCount() + 1;
  storeCount(count);
  emitCounted(count);
  returnCount(count);
}

export function add(): void {
  readArgs(8);
  const before = loadCount();
  const count = before + load<u64>(ARGS);
  if (count < before) revertWith("overflow");
  storeCount(count);
  emitCounted(count);
  returnCount(count);
}

export function reset(): void {
  readArgs(0);
  sload(slot(SLOT_OWNER), VALUE);
  caller(ADDRESS);
  if (memory.compare(VALUE, ADDRESS, 32) != 0) revertWith("not owner");
  storeCount(0);
}

export function get(): void {
  readArgs(0);
  returnCount(loadCount());
}
