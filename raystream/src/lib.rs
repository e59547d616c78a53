//! # raystream
//!
//! A `no_std`, sans-IO adaptive streaming library. **This release has no API yet**: the
//! crate is reserved and its design fixed; the implementation lands in a later release.
//!
//! ## What it will hold
//! - HLS playlists (RFC 8216) and DASH MPDs: parsing and writing.
//! - Bandwidth estimation, ABR algorithms (buffer-based, rate-based, MPC) and a playback
//!   buffer state machine driven by the time the caller passes.
//! - A trace-driven simulator with QoE scoring (under `std`, which reads trace files).
//!
//! ## Layers
//! `wire` (manifests), state (estimators, buffer), machines (ABR controller, player),
//! lowest first.
//!
//! ## Panics and validation
//! Bad input never panics and never loops forever: it returns a typed error with the
//! line or offset.
//!
//! ## Features
//! None yet. The crate is `no_std` and needs no allocator; `std` will add trace files.
//!
//! ## MSRV
//! The workspace `rust-version` (1.95).
#![no_std]
#![deny(unsafe_code)]
