//! Sockets: the TCP and UDP endpoints a host program talks through.
//!
//! This is the machine layer above [`iface`](crate::iface): state machines that take
//! segments and datagrams with their addresses, and give back what to send, with the
//! buffers the caller chose ([`storage`]). They perform no I/O, read no clock and draw
//! no randomness: time is the `now: Duration` the caller passes, and secrets come from
//! the caller.
//!
//! - [`storage`]: the memory behind socket buffers (the caller's, or growable under
//!   `alloc`) and the ring buffer built on it.
//! - [`keyed`]: keyed hashes from a caller's [`keyed::Secret`]: RFC 6528 initial
//!   sequence numbers, per-connection timestamp offsets, SYN cookies (RFC 4987) and
//!   the socket table's hash.
//! - [`table`]: sockets by 4-tuple in constant time (a fixed-capacity hash table, and
//!   a growable one under `alloc`), and listeners by local address and port.
//! - [`tcp`]: TCP connections (RFC 9293 and the RFCs that refine it).
//! - [`udp`]: UDP sockets (RFC 768) and the bounded datagram queue they use.

pub mod keyed;
pub mod storage;
pub mod table;
pub mod tcp;
pub mod udp;
