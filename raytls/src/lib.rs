//! # raytls
//!
//! A `no_std`, sans-IO TLS 1.3 library. **This release has no API yet**: the crate is
//! reserved and its design fixed; the implementation lands in a later release.
//!
//! ## What it will hold
//! - TLS 1.3 (RFC 8446) client and server handshakes as state machines consumed by
//!   value, and the record layer, writing into caller buffers.
//! - X.509 path validation through rustls-webpki with signature verification from the
//!   RustCrypto crates. No cryptography is written here.
//! - Randomness handed in by the caller as a `rand_core` `CryptoRng`, public and secret
//!   randomness kept apart; certificate validity checked against a wall-clock time the
//!   caller passes.
//!
//! ## Layers
//! `wire` (records and handshake messages), state (key schedule, transcript), machines
//! (client and server connections), lowest first.
//!
//! ## Panics and validation
//! Bad input never panics: it returns a typed error, and the peer gets the alert RFC
//! 8446 names.
//!
//! ## Features
//! None yet. The crate is `no_std` and needs no allocator; `alloc` will add RSA
//! certificates.
//!
//! ## MSRV
//! The workspace `rust-version` (1.95).
#![no_std]
#![deny(unsafe_code)]
