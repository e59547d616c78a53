//! # rayhttp
//!
//! A `no_std`, sans-IO HTTP/1.x and WebSocket library for kernels, firmware and
//! userspace services. **This release has no API yet**: the crate is reserved and its
//! design fixed; the implementation lands in the next release.
//!
//! ## What it will hold
//! - HTTP/1.x request and response parsers over `&[u8]` (RFC 9110, RFC 9112):
//!   zero-copy, headers into a caller-given slice, incomplete input as a value, and
//!   resumable, so a message fed byte by byte costs about what it costs whole. Strict by
//!   default: every construct RFC 9112 lets a recipient reject is rejected with a typed
//!   error that maps to a status code.
//! - Body framing per RFC 9112 section 6.3, a streaming chunked decoder and encoder,
//!   writers into caller buffers, and server and client connection state machines.
//! - WebSocket (RFC 6455, RFC 7692): handshakes, frames, a connection state machine with
//!   incremental UTF-8 validation and the close handshake, permessage-deflate.
//!
//! ## Layers
//! `wire` (parsers and writers over byte slices), state (buffers with capacities chosen
//! by the caller), machines (the sans-IO connection state machines), lowest first.
//!
//! ## Panics and validation
//! Bad input never panics, never loops forever and never reads out of bounds: it
//! returns a typed error saying what was wrong and at which offset.
//!
//! ## Features
//! None yet. The crate is `no_std` and needs no allocator; `alloc` will add growable
//! buffers and `deflate` the permessage-deflate extension.
//!
//! ## MSRV
//! The workspace `rust-version` (1.95).
#![no_std]
#![deny(unsafe_code)]
