//! A bare-metal binary for `thumbv7em-none-eabihf` that links every rayos-net library
//! with default features off and **no global allocator**. If any library (or anything
//! it depends on) needs `alloc`, linking fails with "no global memory allocator found".
//!
//! Built by `cargo xtask test` (step `baremetal`); never run.
#![no_std]
#![no_main]

use core::hint::black_box;
use core::panic::PanicInfo;

// Link each library even where nothing is called yet: a crate that needs an allocator
// fails the link as soon as it is linked.
use raydns as _;
use rayhttp as _;
use rayos_net as _;
use raystream as _;
use raytls as _;

/// The entry point the linker looks for. It calls into netstack through `black_box`,
/// so the code is kept and linked, and never returns.
// `no_mangle` is an unsafe attribute: the symbol must not clash with another `_start`,
// and nothing else in this binary defines one.
#[allow(unsafe_code)]
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let frame = black_box([0x45u8, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00]);
    let sum = netstack::wire::checksum::data(black_box(&frame[..]));
    black_box(sum);
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(_info: &PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
