//! IP reassembly (`netstack::iface::reassembly::Reassembler`) fed arbitrary fragments
//! decoded from the input (5 bytes each: key, offset, flags and length, time step):
//! never a panic; the table stays within its slots; a completed datagram is exactly as
//! long as its accepted last fragment said (whichever fragment completes it), and its
//! bytes are the fragments' bytes (every fragment of datagram `k` is filled with `k`).
#![no_main]

use core::net::{IpAddr, Ipv4Addr};
use core::time::Duration;
use libfuzzer_sys::fuzz_target;
use netstack::iface::reassembly::{Fragment, Key, Reassembler};

fuzz_target!(|data: &[u8]| {
    let mut r: Reassembler<3, 2048> = Reassembler::new(Duration::from_secs(30));
    let mut out = [0u8; 2048];
    let mut now = Duration::ZERO;
    let fill: [[u8; 256]; 4] = [[0; 256], [1; 256], [2; 256], [3; 256]];
    // Per datagram: the end its accepted last fragment announced.
    let mut last_end: [Option<usize>; 4] = [None; 4];
    for op in data.chunks_exact(5) {
        let id = op[0] % 4;
        let key = Key {
            src: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            dst: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
            protocol: 17,
            id: u32::from(id),
        };
        let offset = usize::from(u16::from_be_bytes([op[1], op[2]]) & 0x0fff) * 8 % 4096;
        let more = op[3] & 0x80 != 0;
        let unit = if op[3] & 0x40 != 0 { 8 } else { 1 };
        let len = (usize::from(op[3] & 0x3f) * unit).min(256);
        now += Duration::from_millis(u64::from(op[4]) * 100);
        while let Some(expired) = r.handle_timeout(now) {
            last_end[expired.key.id as usize] = None;
        }
        let slot = usize::from(id);
        let frag = Fragment {
            key,
            offset,
            more,
            data: &fill[slot][..len],
        };
        if let Ok(done) = r.handle(now, frag, &mut out) {
            if !more {
                last_end[slot] = Some(offset + len);
            }
            if let Some(n) = done {
                assert_eq!(Some(n), last_end[slot]);
                assert!(
                    out[..n].iter().all(|&b| b == id),
                    "bytes of another datagram"
                );
                last_end[slot] = None;
            }
        }
        assert!(r.len() <= 3);
        assert!(r.poll_timeout().is_none_or(|t| t > now));
    }
});
