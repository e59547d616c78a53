//! # raydns
//!
//! A `no_std`, sans-IO DNS library. **This release has no API yet**: the crate is
//! reserved and its design fixed; the implementation lands in a later release.
//!
//! ## What it will hold
//! - DNS messages (RFC 1035, EDNS0 per RFC 6891, unknown types per RFC 3597): zero-copy
//!   parsing with name compression handled safely, and a writer that compresses.
//! - A TTL cache with capacities chosen by the caller, and a stub resolver state machine
//!   (retries, timeouts, TCP fallback on truncation).
//! - An mDNS responder (RFC 6762: probing, announcing, conflict resolution, known-answer
//!   suppression) and DNS-SD browsing and registration (RFC 6763).
//!
//! ## Layers
//! `wire` (messages), state (cache, records), machines (resolver, responder), lowest
//! first.
//!
//! ## Panics and validation
//! Bad input never panics, never loops forever (compression pointer loops included) and
//! never reads out of bounds: it returns a typed error with the offset.
//!
//! ## Features
//! None yet. The crate is `no_std` and needs no allocator; `alloc` will add growable
//! caches.
//!
//! ## MSRV
//! The workspace `rust-version` (1.95).
#![no_std]
#![deny(unsafe_code)]
