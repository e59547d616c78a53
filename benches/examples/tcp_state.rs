//! Prints the bytes of state one idle smoltcp 0.14 TCP connection costs, the socket
//! buffers' storage left out (those are the caller's, and their size its choice).
//!
//! `cargo run --release -p rayos-net-benches --example tcp_state`
//!
//! What is counted:
//! - `tcp::Socket`: the socket itself, all inline: the state machine, sequence
//!   numbers, timers, RTT estimator, congestion controller, the out-of-order
//!   assembler (a fixed array of contigs), and the two ring buffers' descriptors
//!   (for an owned `Vec` buffer: pointer, capacity, length, read position, fill),
//!   not the bytes the descriptors point at.
//! - `SocketStorage`: the slot a `SocketSet` keeps per socket: an `Option` of the
//!   socket (wrapped in the `Socket` enum of every enabled socket kind; TCP only
//!   here) and its `Meta` (handle, neighbor state). It contains the `tcp::Socket`,
//!   so this is the per-connection total; the difference is the set's overhead.
//! - `Interface` keeps nothing per socket (its neighbor cache is per neighbor, a
//!   fixed number of entries); its size is printed as the fixed cost of a host.

use core::mem::size_of;

use smoltcp::iface::{Interface, SocketSet, SocketStorage};
use smoltcp::socket::tcp;

fn main() {
    let socket = size_of::<tcp::Socket<'static>>();
    let slot = size_of::<SocketStorage<'static>>();
    println!("smoltcp 0.14 with the features this workspace enables (root Cargo.toml, plus alloc)");
    println!("tcp::Socket                      {socket:6} bytes");
    println!(
        "SocketStorage (SocketSet slot)   {slot:6} bytes  (tcp::Socket + {} bytes of set overhead)",
        slot - socket
    );
    println!("per idle connection, no buffers  {slot:6} bytes");
    println!(
        "fixed per host: Interface {} bytes, SocketSet {} bytes",
        size_of::<Interface>(),
        size_of::<SocketSet<'static>>()
    );
}
