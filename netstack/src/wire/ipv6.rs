//! The IPv6 fixed header (RFC 8200 section 3), with the address rules of RFC 4291 and
//! the traffic class split of RFC 2474 (DSCP) and RFC 3168 (ECN).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version| Traffic Class |           Flow Label                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Payload Length        |  Next Header  |   Hop Limit   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! +                         Source Address                        +
//! |                      (128 bits, 4 rows)                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! +                      Destination Address                      +
//! |                      (128 bits, 4 rows)                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The payload is `Payload Length` bytes after the fixed header; bytes beyond it are
//! padding of the link layer (an Ethernet minimum frame) and are not part of the
//! packet. Extension headers inside the payload are walked by
//! [`ipv6ext::ExtHeaders`](super::ipv6ext::ExtHeaders), see [`Packet::ext_headers`].
//!
//! Jumbograms (RFC 2675: Payload Length 0 with a Jumbo Payload option in a Hop-by-Hop
//! header) are not supported and are reported as [`Error::Unsupported`].
//!
//! IPv6 has no header checksum; a router only decrements the Hop Limit
//! ([`Packet::decrement_hop_limit`]).

use super::field::{set_u16, set_u32, u16_at, u32_at};
use super::ip::IpProtocol;
use super::ipv6ext::ExtHeaders;
use super::macros::number_space;
use super::{Error, Layer, Result, check_emit_len, check_len};
use core::fmt;
use core::net::Ipv6Addr;

/// Length of the IPv6 fixed header.
pub const HEADER_LEN: usize = 40;

/// The minimum link MTU every IPv6 link must carry (RFC 8200 section 5).
pub const MIN_MTU: usize = 1280;

/// The largest Payload Length without a jumbogram.
pub const MAX_PAYLOAD_LEN: usize = 0xffff;

/// The largest flow label (20 bits).
pub const MAX_FLOW_LABEL: u32 = 0x000f_ffff;

mod offset {
    pub(super) const VER_TC_FL: usize = 0;
    pub(super) const PAYLOAD_LEN: usize = 4;
    pub(super) const NEXT_HEADER: usize = 6;
    pub(super) const HOP_LIMIT: usize = 7;
    pub(super) const SRC_ADDR: usize = 8;
    pub(super) const DST_ADDR: usize = 24;
}

number_space! {
    /// An Explicit Congestion Notification codepoint, the two low bits of the Traffic
    /// Class (RFC 3168 section 5).
    pub struct Ecn(u8) {
        /// Not ECN-Capable Transport.
        NOT_ECT = 0 => "Not-ECT",
        /// ECN-Capable Transport, ECT(1) (L4S, RFC 9331).
        ECT1 = 1 => "ECT(1)",
        /// ECN-Capable Transport, ECT(0).
        ECT0 = 2 => "ECT(0)",
        /// Congestion Experienced.
        CE = 3 => "CE",
    }
}

/// A router must not forward the packet: its Hop Limit was zero when received or
/// would be decremented to zero (RFC 8200 section 3). The router discards it and
/// should send an ICMPv6 Time Exceeded, code 0, to the source (RFC 4443 section 3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("IPv6: hop limit exceeded in transit")]
pub struct HopLimitExceeded;

/// A zero-copy view of an IPv6 packet.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

fn read_addr(buf: &[u8], at: usize) -> Ipv6Addr {
    let mut a = [0u8; 16];
    a.copy_from_slice(&buf[at..at + 16]);
    Ipv6Addr::from(a)
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// the fixed header, and `payload` if it is shorter than Payload Length says.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after checking the version, the fixed header and the payload
    /// length against it.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Checks that the buffer holds the fixed header and the payload Payload Length
    /// announces, and that Version is 6. A jumbogram is [`Error::Unsupported`].
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        check_len(Layer::Ipv6, buf, HEADER_LEN)?;
        //= https://www.rfc-editor.org/rfc/rfc8200#section-3
        //# Version  4-bit Internet Protocol version number = 6.
        if buf[0] >> 4 != 6 {
            return Err(Error::Invalid {
                layer: Layer::Ipv6,
                field: "Version",
                offset: offset::VER_TC_FL,
            });
        }
        let len = usize::from(u16_at(buf, offset::PAYLOAD_LEN));
        //= https://www.rfc-editor.org/rfc/rfc2675#section-3
        //# The Payload Length field in the IPv6 header must be set to zero in every
        //# packet that carries the Jumbo Payload option.
        if len == 0 && IpProtocol(buf[offset::NEXT_HEADER]) == IpProtocol::HOP_BY_HOP {
            return Err(Error::Unsupported {
                layer: Layer::Ipv6,
                field: "jumbo payload",
                offset: offset::PAYLOAD_LEN,
            });
        }
        check_len(Layer::Ipv6, buf, HEADER_LEN + len)
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The Version field (6 in a checked packet).
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[0] >> 4
    }

    /// The Traffic Class (8 bits: DSCP and ECN).
    pub fn traffic_class(&self) -> u8 {
        let b = self.buffer.as_ref();
        (b[0] << 4) | (b[1] >> 4)
    }

    /// The Differentiated Services codepoint, the six high bits of the Traffic Class
    /// (RFC 2474).
    pub fn dscp(&self) -> u8 {
        self.traffic_class() >> 2
    }

    /// The ECN codepoint, the two low bits of the Traffic Class (RFC 3168).
    pub fn ecn(&self) -> Ecn {
        Ecn(self.traffic_class() & 0x3)
    }

    /// The Flow Label (20 bits).
    pub fn flow_label(&self) -> u32 {
        u32_at(self.buffer.as_ref(), offset::VER_TC_FL) & MAX_FLOW_LABEL
    }

    /// The Payload Length: the bytes after the fixed header, extension headers
    /// included.
    pub fn payload_len(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::PAYLOAD_LEN)
    }

    /// The Next Header: the first extension header or the upper-layer protocol.
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(self.buffer.as_ref()[offset::NEXT_HEADER])
    }

    /// The Hop Limit.
    pub fn hop_limit(&self) -> u8 {
        self.buffer.as_ref()[offset::HOP_LIMIT]
    }

    /// The Source Address.
    pub fn src_addr(&self) -> Ipv6Addr {
        read_addr(self.buffer.as_ref(), offset::SRC_ADDR)
    }

    /// The Destination Address.
    pub fn dst_addr(&self) -> Ipv6Addr {
        read_addr(self.buffer.as_ref(), offset::DST_ADDR)
    }

    /// The length of the fixed header (always [`HEADER_LEN`]).
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// The length of the packet: fixed header plus Payload Length.
    pub fn total_len(&self) -> usize {
        HEADER_LEN + usize::from(self.payload_len())
    }

    /// The payload, as long as Payload Length says (extension headers and the
    /// upper-layer PDU; trailing link padding excluded).
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[HEADER_LEN..self.total_len()]
    }

    /// An iterator over the extension header chain, from the Next Header of the fixed
    /// header to the upper-layer protocol. Offsets in its items and errors are counted
    /// from the start of the payload (add [`HEADER_LEN`], or use [`Error::rebase`],
    /// for offsets from the start of the packet).
    pub fn ext_headers(&self) -> ExtHeaders<'_> {
        ExtHeaders::new(self.next_header(), self.payload())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets Version to 6.
    pub fn set_version(&mut self) {
        let b = self.buffer.as_mut();
        b[0] = (b[0] & 0x0f) | 0x60;
    }

    /// Sets the Traffic Class.
    pub fn set_traffic_class(&mut self, tc: u8) {
        let b = self.buffer.as_mut();
        b[0] = (b[0] & 0xf0) | (tc >> 4);
        b[1] = (b[1] & 0x0f) | (tc << 4);
    }

    /// Sets the ECN codepoint, leaving the DSCP alone (a router marking CE, RFC 3168).
    pub fn set_ecn(&mut self, ecn: Ecn) {
        let tc = (self.traffic_class() & !0x3) | (ecn.0 & 0x3);
        self.set_traffic_class(tc);
    }

    /// Sets the Flow Label; bits above the low 20 are ignored.
    pub fn set_flow_label(&mut self, label: u32) {
        let b = self.buffer.as_mut();
        let word = (u32_at(b, 0) & !MAX_FLOW_LABEL) | (label & MAX_FLOW_LABEL);
        set_u32(b, 0, word);
    }

    /// Sets the Payload Length.
    pub fn set_payload_len(&mut self, len: u16) {
        set_u16(self.buffer.as_mut(), offset::PAYLOAD_LEN, len);
    }

    /// Sets the Next Header.
    pub fn set_next_header(&mut self, next: IpProtocol) {
        self.buffer.as_mut()[offset::NEXT_HEADER] = next.0;
    }

    /// Sets the Hop Limit.
    pub fn set_hop_limit(&mut self, hop_limit: u8) {
        self.buffer.as_mut()[offset::HOP_LIMIT] = hop_limit;
    }

    /// Sets the Source Address.
    pub fn set_src_addr(&mut self, addr: Ipv6Addr) {
        let at = offset::SRC_ADDR;
        self.buffer.as_mut()[at..at + 16].copy_from_slice(&addr.octets());
    }

    /// Sets the Destination Address.
    pub fn set_dst_addr(&mut self, addr: Ipv6Addr) {
        let at = offset::DST_ADDR;
        self.buffer.as_mut()[at..at + 16].copy_from_slice(&addr.octets());
    }

    /// Decrements the Hop Limit of a packet being forwarded and returns the new value.
    ///
    /// Fails, leaving the packet unchanged, when the packet must not be forwarded: its
    /// Hop Limit is 0 or 1. There is no checksum to update in IPv6.
    pub fn decrement_hop_limit(&mut self) -> core::result::Result<u8, HopLimitExceeded> {
        //= https://www.rfc-editor.org/rfc/rfc8200#section-3
        //# Decremented by 1 by each node that forwards the packet. When forwarding,
        //# the packet is discarded if Hop Limit was zero when received or is
        //# decremented to zero.
        match self.hop_limit() {
            0 | 1 => Err(HopLimitExceeded),
            h => {
                self.set_hop_limit(h - 1);
                Ok(h - 1)
            }
        }
    }

    /// The payload, mutable (as long as Payload Length says).
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let end = self.total_len();
        &mut self.buffer.as_mut()[HEADER_LEN..end]
    }
}

/// The fixed header of an IPv6 packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Source Address.
    pub src_addr: Ipv6Addr,
    /// Destination Address.
    pub dst_addr: Ipv6Addr,
    /// Next Header: the first extension header or the upper-layer protocol.
    pub next_header: IpProtocol,
    /// Payload Length in bytes (extension headers included), at most
    /// [`MAX_PAYLOAD_LEN`].
    pub payload_len: usize,
    /// Hop Limit.
    pub hop_limit: u8,
    /// Traffic Class (DSCP in the six high bits, ECN in the two low bits).
    pub traffic_class: u8,
    /// Flow Label, at most [`MAX_FLOW_LABEL`].
    pub flow_label: u32,
}

impl Repr {
    /// Reads the fixed header of a checked packet.
    ///
    /// Rejects a multicast Source Address and an unspecified Destination Address.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr> {
        let repr = Repr {
            src_addr: packet.src_addr(),
            dst_addr: packet.dst_addr(),
            next_header: packet.next_header(),
            payload_len: usize::from(packet.payload_len()),
            hop_limit: packet.hop_limit(),
            traffic_class: packet.traffic_class(),
            flow_label: packet.flow_label(),
        };
        repr.check_addrs()?;
        Ok(repr)
    }

    fn check_addrs(&self) -> Result<()> {
        //= https://www.rfc-editor.org/rfc/rfc4291#section-2.7
        //# Multicast addresses must not be used as source addresses in IPv6 packets
        if self.src_addr.is_multicast() {
            return Err(Error::Invalid {
                layer: Layer::Ipv6,
                field: "Source Address",
                offset: offset::SRC_ADDR,
            });
        }
        //= https://www.rfc-editor.org/rfc/rfc4291#section-2.5.2
        //# The unspecified address must not be used as the destination address of
        //# IPv6 packets or in IPv6 Routing headers.
        if self.dst_addr.is_unspecified() {
            return Err(Error::Invalid {
                layer: Layer::Ipv6,
                field: "Destination Address",
                offset: offset::DST_ADDR,
            });
        }
        Ok(())
    }

    /// The DSCP, the six high bits of the Traffic Class.
    pub const fn dscp(&self) -> u8 {
        self.traffic_class >> 2
    }

    /// The ECN codepoint, the two low bits of the Traffic Class.
    pub const fn ecn(&self) -> Ecn {
        Ecn(self.traffic_class & 0x3)
    }

    /// The fixed header length.
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Fixed header plus payload.
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payload_len
    }

    /// Writes the fixed header into `buf[..40]`; the payload goes in
    /// `buf[40..buffer_len]` (before or after, IPv6 has no checksum over it).
    ///
    /// Fails with [`Error::BufferTooSmall`] when `buf` is shorter than `buffer_len`,
    /// [`Error::Unsupported`] for a payload longer than [`MAX_PAYLOAD_LEN`]
    /// (a jumbogram), and [`Error::Invalid`] for a flow label over 20 bits or an
    /// address [`Repr::parse`] would reject.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        if self.payload_len > MAX_PAYLOAD_LEN {
            return Err(Error::Unsupported {
                layer: Layer::Ipv6,
                field: "jumbo payload",
                offset: offset::PAYLOAD_LEN,
            });
        }
        check_emit_len(Layer::Ipv6, buf, self.buffer_len())?;
        if self.flow_label > MAX_FLOW_LABEL {
            return Err(Error::Invalid {
                layer: Layer::Ipv6,
                field: "Flow Label",
                offset: 1,
            });
        }
        self.check_addrs()?;
        let word = (6u32 << 28) | (u32::from(self.traffic_class) << 20) | self.flow_label;
        set_u32(buf, offset::VER_TC_FL, word);
        // Cannot truncate: checked against MAX_PAYLOAD_LEN above.
        set_u16(buf, offset::PAYLOAD_LEN, self.payload_len as u16);
        buf[offset::NEXT_HEADER] = self.next_header.0;
        buf[offset::HOP_LIMIT] = self.hop_limit;
        buf[offset::SRC_ADDR..offset::SRC_ADDR + 16].copy_from_slice(&self.src_addr.octets());
        buf[offset::DST_ADDR..offset::DST_ADDR + 16].copy_from_slice(&self.dst_addr.octets());
        Ok(())
    }
}

impl fmt::Display for Repr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "IP6 {} > {}: next-header {}, hlim {}, length {}",
            self.src_addr, self.dst_addr, self.next_header, self.hop_limit, self.payload_len
        )?;
        if self.flow_label != 0 {
            write!(f, ", flowlabel {:#07x}", self.flow_label)?;
        }
        if self.traffic_class != 0 {
            write!(f, ", class {:#04x}", self.traffic_class)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ipv6ext::{EndReason, Step};
    use proptest::prelude::*;
    extern crate alloc;
    use alloc::vec::Vec;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // An MLDv2 report Linux sent from :: (before DAD) when a veth came up, as
    // captured with tcpdump in a network namespace: Hop-by-Hop (Router Alert, PadN),
    // hop limit 1, then ICMPv6.
    const MLD_REPORT: &str = concat!(
        "600000000038000100000000000000000000000000000000ff0200000000000000000000000000163a000502",
        "000001008f0082540000000204000000ff0200000000000000000001ff18eb0104000000ff02000000000000",
        "00000001ff000002",
    );
    // The last fragment of `ping -6 -s 3000` over a veth (MTU 1500), Linux, captured:
    // flow label 0x2fec9, Fragment header offset 2896, M clear, id 0x1217fb82.
    const LAST_FRAGMENT: &str = concat!(
        "6002fec900782c4020010db800000000000000000000000120010db80000000000000000000000023a000b50",
        "1217fb8248494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f",
        "707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b",
        "9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7",
    );
    // A UDP datagram from a Linux socket with IPV6_DSTOPTS set (an option 0x1e of
    // ten bytes and a two-byte PadN), captured.
    const DEST_OPTS_UDP: &str = concat!(
        "600554ee001f3c4020010db800000000000000000000000120010db800000000000000000000000211011e0a",
        "0102030405060708090a0100ae6d270f000f12876473746f707473",
    );

    fn addr(s: &str) -> Ipv6Addr {
        s.parse().unwrap()
    }

    /// parse, then emit the header over a copy whose header was zeroed: identical.
    fn reemit(bytes: &[u8]) -> Repr {
        let p = Packet::new_checked(bytes).unwrap();
        let r = Repr::parse(&p).unwrap();
        let mut out = bytes.to_vec();
        out[..HEADER_LEN].fill(0);
        r.emit(&mut out).unwrap();
        assert_eq!(out, bytes);
        r
    }

    #[test]
    fn mld_report_vector() {
        let bytes = hex(MLD_REPORT);
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(p.version(), 6);
        assert_eq!(p.traffic_class(), 0);
        assert_eq!(p.flow_label(), 0);
        assert_eq!(p.payload_len(), 56);
        assert_eq!(p.next_header(), IpProtocol::HOP_BY_HOP);
        assert_eq!(p.hop_limit(), 1);
        assert_eq!(p.src_addr(), Ipv6Addr::UNSPECIFIED);
        assert_eq!(p.dst_addr(), addr("ff02::16"));
        assert_eq!(p.payload(), &bytes[40..]);
        let r = reemit(&bytes);
        assert_eq!(
            r,
            Repr {
                src_addr: Ipv6Addr::UNSPECIFIED,
                dst_addr: addr("ff02::16"),
                next_header: IpProtocol::HOP_BY_HOP,
                payload_len: 56,
                hop_limit: 1,
                traffic_class: 0,
                flow_label: 0,
            }
        );
        // The chain: Hop-by-Hop, then ICMPv6 at payload offset 8.
        let steps: Vec<_> = p.ext_headers().map(Result::unwrap).collect();
        assert_eq!(steps.len(), 2);
        assert!(
            matches!(steps[0], Step::Header(h) if h.header_type() == IpProtocol::HOP_BY_HOP && h.offset == 0 && h.len == 8)
        );
        assert!(
            matches!(steps[1], Step::End(e) if e.protocol == IpProtocol::ICMPV6 && e.offset == 8 && e.reason == EndReason::UpperLayer)
        );
    }

    #[test]
    fn fragment_vector() {
        let bytes = hex(LAST_FRAGMENT);
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(p.flow_label(), 0x2fec9);
        assert_eq!(p.payload_len(), 120);
        assert_eq!(p.total_len(), 160);
        assert_eq!(p.next_header(), IpProtocol::IPV6_FRAGMENT);
        assert_eq!(p.hop_limit(), 64);
        assert_eq!(p.src_addr(), addr("2001:db8::1"));
        assert_eq!(p.dst_addr(), addr("2001:db8::2"));
        let r = reemit(&bytes);
        assert_eq!(
            format!("{r}"),
            "IP6 2001:db8::1 > 2001:db8::2: next-header IPv6-Frag, hlim 64, length 120, flowlabel 0x2fec9"
        );
    }

    #[test]
    fn dest_opts_vector() {
        let bytes = hex(DEST_OPTS_UDP);
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(p.flow_label(), 0x554ee);
        assert_eq!(p.next_header(), IpProtocol::IPV6_DEST_OPTS);
        assert_eq!(p.payload_len(), 31);
        reemit(&bytes);
        assert_eq!(p.ext_headers().end().unwrap().protocol, IpProtocol::UDP);
    }

    #[test]
    fn traffic_class_fields() {
        let mut bytes = hex(LAST_FRAGMENT);
        let mut p = Packet::new_checked(&mut bytes[..]).unwrap();
        // DSCP EF (46) with ECT(0).
        p.set_traffic_class((46 << 2) | 2);
        assert_eq!(p.dscp(), 46);
        assert_eq!(p.ecn(), Ecn::ECT0);
        assert_eq!(p.flow_label(), 0x2fec9);
        assert_eq!(p.version(), 6);
        // A router marks congestion: DSCP kept.
        p.set_ecn(Ecn::CE);
        assert_eq!((p.dscp(), p.ecn()), (46, Ecn::CE));
        p.set_flow_label(0xfff_ffff);
        assert_eq!(p.flow_label(), 0xfffff);
        assert_eq!(p.traffic_class(), (46 << 2) | 3);
        let r = Repr::parse(&p).unwrap();
        assert_eq!((r.dscp(), r.ecn()), (46, Ecn::CE));
        assert_eq!(&bytes[..4], &[0x6b, 0xbf, 0xff, 0xff]);
    }

    #[test]
    fn setters() {
        let mut buf = [0u8; 48];
        let mut p = Packet::new_unchecked(&mut buf[..]);
        p.set_version();
        p.set_payload_len(8);
        p.set_next_header(IpProtocol::IPV6_NO_NEXT_HEADER);
        p.set_hop_limit(255);
        p.set_src_addr(addr("fe80::1"));
        p.set_dst_addr(addr("ff02::1"));
        p.payload_mut().fill(0xaa);
        let p = Packet::new_checked(&buf[..]).unwrap();
        let r = Repr::parse(&p).unwrap();
        assert_eq!(r.src_addr, addr("fe80::1"));
        assert_eq!(r.dst_addr, addr("ff02::1"));
        assert_eq!(r.hop_limit, 255);
        assert_eq!(r.payload_len, 8);
        assert_eq!(p.payload(), &[0xaa; 8]);
    }

    #[test]
    fn decrement_hop_limit() {
        let mut bytes = hex(LAST_FRAGMENT);
        let mut p = Packet::new_checked(&mut bytes[..]).unwrap();
        assert_eq!(p.decrement_hop_limit(), Ok(63));
        assert_eq!(p.hop_limit(), 63);
        p.set_hop_limit(2);
        assert_eq!(p.decrement_hop_limit(), Ok(1));
        // Would reach zero: not forwarded, unchanged.
        assert_eq!(p.decrement_hop_limit(), Err(HopLimitExceeded));
        assert_eq!(p.hop_limit(), 1);
        p.set_hop_limit(0);
        assert_eq!(p.decrement_hop_limit(), Err(HopLimitExceeded));
        assert_eq!(p.hop_limit(), 0);
    }

    #[test]
    fn link_padding_is_not_payload() {
        let mut bytes = hex(DEST_OPTS_UDP);
        bytes.extend_from_slice(&[0; 9]);
        let p = Packet::new_checked(&bytes[..]).unwrap();
        assert_eq!(p.payload().len(), 31);
        assert_eq!(p.ext_headers().end().unwrap().offset, 16);
    }

    #[test]
    fn length_and_field_errors() {
        let bytes = hex(LAST_FRAGMENT);
        assert_eq!(
            Packet::new_checked(&bytes[..39]).unwrap_err(),
            Error::Truncated {
                layer: Layer::Ipv6,
                needed: 40,
                available: 39
            }
        );
        assert_eq!(
            Packet::new_checked(&bytes[..159]).unwrap_err(),
            Error::Truncated {
                layer: Layer::Ipv6,
                needed: 160,
                available: 159
            }
        );
        for v in [0x40, 0x00, 0x70, 0xf0] {
            let mut b = bytes.clone();
            b[0] = v | (b[0] & 0x0f);
            assert_eq!(
                Packet::new_checked(&b[..]).unwrap_err(),
                Error::Invalid {
                    layer: Layer::Ipv6,
                    field: "Version",
                    offset: 0
                }
            );
        }
        // Payload Length 0 with a Hop-by-Hop header: a jumbogram.
        let mut jumbo = hex(MLD_REPORT);
        jumbo[4] = 0;
        jumbo[5] = 0;
        assert_eq!(
            Packet::new_checked(&jumbo[..]).unwrap_err(),
            Error::Unsupported {
                layer: Layer::Ipv6,
                field: "jumbo payload",
                offset: 4
            }
        );
        // Payload Length 0 with anything else is an empty payload.
        let mut empty = bytes.clone();
        empty[4] = 0;
        empty[5] = 0;
        empty[6] = 59;
        assert_eq!(
            Packet::new_checked(&empty[..]).unwrap().payload(),
            &[] as &[u8]
        );
        // Multicast source, unspecified destination.
        let mut m = bytes.clone();
        m[8] = 0xff;
        let p = Packet::new_checked(&m[..]).unwrap();
        assert_eq!(
            Repr::parse(&p).unwrap_err(),
            Error::Invalid {
                layer: Layer::Ipv6,
                field: "Source Address",
                offset: 8
            }
        );
        let mut u = bytes.clone();
        u[24..40].fill(0);
        let p = Packet::new_checked(&u[..]).unwrap();
        assert_eq!(
            Repr::parse(&p).unwrap_err(),
            Error::Invalid {
                layer: Layer::Ipv6,
                field: "Destination Address",
                offset: 24
            }
        );
    }

    #[test]
    fn emit_errors() {
        let r = Repr::parse(&Packet::new_checked(&hex(LAST_FRAGMENT)[..]).unwrap()).unwrap();
        assert_eq!(
            r.emit(&mut [0u8; 159]).unwrap_err(),
            Error::BufferTooSmall {
                layer: Layer::Ipv6,
                needed: 160,
                available: 159
            }
        );
        let mut buf = [0u8; 160];
        let bad = Repr {
            flow_label: 0x10_0000,
            ..r
        };
        assert_eq!(
            bad.emit(&mut buf).unwrap_err(),
            Error::Invalid {
                layer: Layer::Ipv6,
                field: "Flow Label",
                offset: 1
            }
        );
        let bad = Repr {
            src_addr: addr("ff02::1"),
            ..r
        };
        assert_eq!(
            bad.emit(&mut buf).unwrap_err(),
            Error::Invalid {
                layer: Layer::Ipv6,
                field: "Source Address",
                offset: 8
            }
        );
        let bad = Repr {
            dst_addr: Ipv6Addr::UNSPECIFIED,
            ..r
        };
        assert!(bad.emit(&mut buf).is_err());
        let jumbo = Repr {
            payload_len: 65536,
            ..r
        };
        assert_eq!(
            jumbo.emit(&mut vec![0u8; 70000]).unwrap_err(),
            Error::Unsupported {
                layer: Layer::Ipv6,
                field: "jumbo payload",
                offset: 4
            }
        );
        assert_eq!(buf, [0u8; 160]);
    }

    fn arb_repr() -> impl Strategy<Value = Repr> {
        (
            any::<[u8; 16]>().prop_filter("not multicast", |a| a[0] != 0xff),
            any::<[u8; 16]>().prop_filter("specified", |a| a != &[0; 16]),
            any::<u8>(),
            0usize..300,
            any::<u8>(),
            any::<u8>(),
            0u32..=MAX_FLOW_LABEL,
        )
            .prop_map(
                |(s, d, nh, payload_len, hop_limit, traffic_class, flow_label)| Repr {
                    src_addr: Ipv6Addr::from(s),
                    dst_addr: Ipv6Addr::from(d),
                    next_header: IpProtocol(nh),
                    payload_len,
                    hop_limit,
                    traffic_class,
                    flow_label,
                },
            )
            .prop_filter("not a jumbogram", |r| {
                !(r.payload_len == 0 && r.next_header == IpProtocol::HOP_BY_HOP)
            })
    }

    proptest! {
        #[test]
        fn round_trip(repr in arb_repr(), pad in 0usize..20) {
            let mut buf = vec![0u8; repr.buffer_len() + pad];
            repr.emit(&mut buf).unwrap();
            let p = Packet::new_checked(&buf[..]).unwrap();
            prop_assert_eq!(Repr::parse(&p).unwrap(), repr);
            prop_assert_eq!(p.payload().len(), repr.payload_len);
        }

        #[test]
        fn arbitrary_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            if let Some(b) = bytes.first_mut() {
                *b = 0x60 | (*b & 0x0f);
            }
            if let Ok(p) = Packet::new_checked(&bytes[..]) {
                let _ = Repr::parse(&p);
                let _ = (p.version(), p.traffic_class(), p.dscp(), p.ecn(), p.flow_label());
                let _ = (p.payload_len(), p.next_header(), p.hop_limit(), p.src_addr(), p.dst_addr());
                let _ = (p.payload(), p.total_len());
                prop_assert!(p.ext_headers().count() <= crate::wire::ipv6ext::MAX_EXT_HEADERS + 1);
            }
        }
    }
}
