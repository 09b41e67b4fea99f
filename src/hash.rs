//! A stable 64-bit hash for keys that outlive one run (SARIF fingerprints, OpenVEX ids, cache
//! keys).
//!
//! Written by hand: FNV-1a is five lines, and std's hashers are not stable across releases.

/// FNV-1a of `text`, as 16 hex digits.
pub fn fnv1a(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}
