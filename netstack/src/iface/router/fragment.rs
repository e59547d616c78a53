//! IPv4 fragmentation on egress (RFC 791 section 3.2).

use super::ETH_LEN;
use crate::route::InterfaceId;
use crate::wire::ipv4;

/// Writes the fragments of an IPv4 datagram (RFC 791 section 3.2, RFC 815), one per
/// call of [`Fragmenter::next`], each with the Ethernet header of the forwarded frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragmenter {
    port: InterfaceId,
    header_len: usize,
    total: usize,
    mtu: usize,
    compute_checksum: bool,
    /// Payload bytes already written.
    done: usize,
    /// The datagram's own offset (it may be a fragment already) and MF flag.
    base_offset: usize,
    more: bool,
}

impl Fragmenter {
    /// A fragmenter for the frame `frame` (Ethernet header, then the datagram of
    /// `total` bytes with a `header_len`-byte header) to links of IP MTU `mtu`; `None`
    /// when the MTU cannot hold a header and 8 bytes of data.
    pub(super) fn new(
        port: InterfaceId,
        header_len: usize,
        total: usize,
        mtu: usize,
        compute_checksum: bool,
        frame: &[u8],
    ) -> Option<Self> {
        let ip = ipv4::Packet::new_checked(frame.get(ETH_LEN..)?).ok()?;
        if mtu < header_len + 8 {
            return None;
        }
        Some(Fragmenter {
            port,
            header_len,
            total,
            mtu,
            compute_checksum,
            done: 0,
            base_offset: usize::from(ip.frag_offset()),
            more: ip.more_frags(),
        })
    }

    /// The port to send the fragments on.
    pub const fn port(&self) -> InterfaceId {
        self.port
    }

    /// Writes the next fragment of `frame` (the frame [`Router::handle_frame`](super::Router::handle_frame)
    /// returned this fragmenter for, unchanged since) into `out` and returns its
    /// length, or `None` when all were written (or `out` is too small for one).
    pub fn next(&mut self, frame: &[u8], out: &mut [u8]) -> Option<usize> {
        let data_len = self.total.checked_sub(self.header_len)?;
        if self.done >= data_len {
            return None;
        }
        let ip = frame.get(ETH_LEN..ETH_LEN + self.total)?;
        let first = self.done == 0;
        // The first fragment carries every option; the others only those with the
        // copied flag (RFC 791 section 3.1, "Options").
        let mut header = [0u8; 60];
        header[..ipv4::HEADER_LEN].copy_from_slice(ip.get(..ipv4::HEADER_LEN)?);
        let options = ip.get(ipv4::HEADER_LEN..self.header_len)?;
        let mut hlen = ipv4::HEADER_LEN;
        if first {
            header[hlen..self.header_len].copy_from_slice(options);
            hlen = self.header_len;
        } else {
            let mut i = 0;
            while let Some(&kind) = options.get(i) {
                match kind {
                    0 => break,
                    1 => i += 1,
                    _ => {
                        let len = usize::from(*options.get(i + 1)?);
                        let opt = options.get(i..i + len.max(2))?;
                        if kind & 0x80 != 0 {
                            header[hlen..hlen + opt.len()].copy_from_slice(opt);
                            hlen += opt.len();
                        }
                        i += len.max(2);
                    }
                }
            }
            hlen = hlen.div_ceil(4) * 4;
        }
        let room = (self.mtu - hlen) & !7;
        let left = data_len - self.done;
        let (chunk, last) = if left <= self.mtu - hlen {
            (left, true)
        } else {
            (room, false)
        };
        let flen = ETH_LEN + hlen + chunk;
        let out = out.get_mut(..flen)?;
        out[..ETH_LEN].copy_from_slice(frame.get(..ETH_LEN)?);
        out[ETH_LEN..ETH_LEN + hlen].copy_from_slice(&header[..hlen]);
        let start = self.header_len + self.done;
        out[ETH_LEN + hlen..].copy_from_slice(ip.get(start..start + chunk)?);
        let mut p = ipv4::Packet::new_unchecked(&mut out[ETH_LEN..]);
        p.set_header_len(hlen);
        p.set_total_len(u16::try_from(hlen + chunk).ok()?);
        p.set_more_frags(!last || self.more);
        p.set_frag_offset(u16::try_from(self.base_offset + self.done).ok()?);
        if self.compute_checksum {
            p.fill_checksum();
        } else {
            p.set_checksum(0);
        }
        self.done += chunk;
        Some(flen)
    }
}
