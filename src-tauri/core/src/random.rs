//! Unguessable values from the OS random generator: OAuth `state`, codes, tokens, ids.

/// Hex of `bytes` bytes from the OS generator: for codes and tokens, which must not be guessable.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random generator failed");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random UUID v4 string from the OS generator (Spring's legacy OAuth server issues UUID tokens).
pub fn random_uuid() -> String {
    let h = random_hex(16);
    format!("{}-{}-4{}-a{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}
