//! Ethernet II frames (IEEE 802.3 clause 3) with up to two IEEE 802.1Q / 802.1ad VLAN
//! tags.
//!
//! ```text
//!  0                   6                  12        14            (+4 per tag)
//! +-------------------+------------------+---------+----------------+---------+
//! | destination (6)   | source (6)       | TPID    | TCI (if tagged) | type    |
//! +-------------------+------------------+---------+----------------+---------+
//! ```
//! The frame check sequence is not part of the buffer (devices strip it).

use super::field::{set_u16, u16_at};
use super::macros::number_space;
use super::{Error, Layer, Result, check_emit_len, check_len};
use core::fmt;

/// A 48-bit IEEE 802 MAC address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EthernetAddress(pub [u8; 6]);

impl EthernetAddress {
    /// The broadcast address `ff:ff:ff:ff:ff:ff`.
    pub const BROADCAST: Self = Self([0xff; 6]);

    /// Reads an address from the first six bytes of `bytes`, or `None` if shorter.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.get(..6)?.try_into().ok().map(Self)
    }

    /// The six address bytes.
    pub const fn as_bytes(&self) -> &[u8; 6] {
        &self.0
    }

    /// Whether this is the broadcast address.
    pub const fn is_broadcast(&self) -> bool {
        matches!(self.0, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    }

    /// Whether the group bit is set (multicast, including broadcast).
    pub const fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// Whether this is a unicast address.
    pub const fn is_unicast(&self) -> bool {
        !self.is_multicast()
    }

    /// Whether the locally administered bit is set.
    pub const fn is_local(&self) -> bool {
        self.0[0] & 0x02 != 0
    }

    /// The Ethernet group address an IPv6 multicast address maps to: `33:33`
    /// followed by the last four bytes of the address (RFC 2464 section 7).
    pub const fn from_ipv6_multicast(group: &core::net::Ipv6Addr) -> Self {
        let o = group.octets();
        Self([0x33, 0x33, o[12], o[13], o[14], o[15]])
    }

    /// The Ethernet group address an IPv4 multicast address maps to: `01:00:5e`
    /// followed by the low 23 bits of the address (RFC 1112 section 6.4).
    pub const fn from_ipv4_multicast(group: &core::net::Ipv4Addr) -> Self {
        let o = group.octets();
        Self([0x01, 0x00, 0x5e, o[1] & 0x7f, o[2], o[3]])
    }
}

impl fmt::Display for EthernetAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

impl fmt::Debug for EthernetAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

number_space! {
    /// An EtherType (IEEE 802 numbers registry).
    pub struct EtherType(u16) {
        /// Internet Protocol version 4.
        IPV4 = 0x0800 => "IPv4",
        /// Address Resolution Protocol.
        ARP = 0x0806 => "ARP",
        /// IEEE 802.1Q customer VLAN tag (C-tag).
        VLAN = 0x8100 => "802.1Q",
        /// Internet Protocol version 6.
        IPV6 = 0x86dd => "IPv6",
        /// IEEE 802.1ad service VLAN tag (S-tag, "QinQ").
        QINQ = 0x88a8 => "802.1ad",
        /// Link Layer Discovery Protocol.
        LLDP = 0x88cc => "LLDP",
    }
}

impl EtherType {
    /// Whether this EtherType introduces a VLAN tag (802.1Q or 802.1ad).
    #[inline]
    pub const fn is_vlan_tpid(self) -> bool {
        matches!(self.0, 0x8100 | 0x88a8)
    }
}

/// Length of the untagged Ethernet II header.
pub const HEADER_LEN: usize = 14;
/// Length of one VLAN tag (TPID and TCI).
pub const VLAN_TAG_LEN: usize = 4;
/// The most VLAN tags a frame may carry here (an 802.1ad S-tag and an 802.1Q C-tag).
pub const MAX_VLAN_TAGS: usize = 2;

/// One IEEE 802.1Q tag: the tag protocol identifier and the tag control information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VlanTag {
    /// Tag protocol identifier: [`EtherType::VLAN`] or [`EtherType::QINQ`].
    pub tpid: EtherType,
    /// Priority code point (3 bits).
    pub pcp: u8,
    /// Drop eligible indicator.
    pub dei: bool,
    /// VLAN identifier (12 bits; 0 means priority-tagged, 0xfff is reserved).
    pub vid: u16,
}

impl VlanTag {
    #[inline]
    fn from_tci(tpid: EtherType, tci: u16) -> Self {
        VlanTag {
            tpid,
            pcp: (tci >> 13) as u8,
            dei: tci & 0x1000 != 0,
            vid: tci & 0x0fff,
        }
    }

    fn tci(&self) -> u16 {
        (u16::from(self.pcp & 0x7) << 13) | (u16::from(self.dei) << 12) | (self.vid & 0x0fff)
    }
}

/// A zero-copy view of an Ethernet II frame.
#[derive(Debug, Clone)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// the header; use [`Frame::new_checked`] for untrusted input.
    pub const fn new_unchecked(buffer: T) -> Self {
        Frame { buffer }
    }

    /// Wraps a buffer after checking that it holds the whole header, tags included.
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Self> {
        let frame = Frame { buffer };
        frame.check_len()?;
        Ok(frame)
    }

    /// Checks that the buffer holds the header and every VLAN tag it announces.
    #[inline]
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        check_len(Layer::Ethernet, buf, HEADER_LEN)?;
        let mut at = 12;
        let mut tags = 0;
        while EtherType(u16_at(buf, at)).is_vlan_tpid() {
            if tags == MAX_VLAN_TAGS {
                return Err(Error::Unsupported {
                    layer: Layer::Vlan,
                    field: "third VLAN tag",
                    offset: at,
                });
            }
            tags += 1;
            at += VLAN_TAG_LEN;
            check_len(Layer::Vlan, buf, at + 2)?;
        }
        Ok(())
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The destination address.
    #[inline]
    pub fn dst_addr(&self) -> EthernetAddress {
        let b = self.buffer.as_ref();
        EthernetAddress([b[0], b[1], b[2], b[3], b[4], b[5]])
    }

    /// The source address.
    #[inline]
    pub fn src_addr(&self) -> EthernetAddress {
        let b = self.buffer.as_ref();
        EthernetAddress([b[6], b[7], b[8], b[9], b[10], b[11]])
    }

    /// The number of VLAN tags (0 to [`MAX_VLAN_TAGS`]).
    #[inline]
    pub fn vlan_count(&self) -> usize {
        let b = self.buffer.as_ref();
        let mut n = 0;
        while n < MAX_VLAN_TAGS && EtherType(u16_at(b, 12 + n * VLAN_TAG_LEN)).is_vlan_tpid() {
            n += 1;
        }
        n
    }

    /// The tag at `index` (below the tag count, which the caller has taken).
    #[inline]
    fn tag_at(&self, index: usize) -> VlanTag {
        let b = self.buffer.as_ref();
        let at = 12 + index * VLAN_TAG_LEN;
        VlanTag::from_tci(EtherType(u16_at(b, at)), u16_at(b, at + 2))
    }

    /// The `index`th VLAN tag, outermost first.
    #[inline]
    pub fn vlan_tag(&self, index: usize) -> Option<VlanTag> {
        (index < self.vlan_count()).then(|| self.tag_at(index))
    }

    /// The length of the header, VLAN tags included.
    #[inline]
    pub fn header_len(&self) -> usize {
        HEADER_LEN + self.vlan_count() * VLAN_TAG_LEN
    }

    /// The EtherType of the payload (after any VLAN tags).
    #[inline]
    pub fn ethertype(&self) -> EtherType {
        EtherType(u16_at(self.buffer.as_ref(), self.header_len() - 2))
    }

    /// The payload after the header.
    #[inline]
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    /// The payload after the header, mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let at = self.header_len();
        &mut self.buffer.as_mut()[at..]
    }
}

/// The header of an Ethernet II frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Source address.
    pub src_addr: EthernetAddress,
    /// Destination address.
    pub dst_addr: EthernetAddress,
    /// The outer VLAN tag, if any.
    pub vlan: Option<VlanTag>,
    /// The inner VLAN tag; only present when `vlan` is.
    pub inner_vlan: Option<VlanTag>,
    /// The EtherType of the payload.
    pub ethertype: EtherType,
}

impl Repr {
    /// Reads the header of a checked frame.
    #[inline]
    pub fn parse<T: AsRef<[u8]>>(frame: &Frame<T>) -> Result<Repr> {
        // Count the tags once; the tags and the EtherType follow from the count.
        let tags = frame.vlan_count();
        Ok(Repr {
            src_addr: frame.src_addr(),
            dst_addr: frame.dst_addr(),
            vlan: (tags > 0).then(|| frame.tag_at(0)),
            inner_vlan: (tags > 1).then(|| frame.tag_at(1)),
            ethertype: EtherType(u16_at(
                frame.buffer.as_ref(),
                HEADER_LEN - 2 + tags * VLAN_TAG_LEN,
            )),
        })
    }

    /// The header length, VLAN tags included.
    pub const fn header_len(&self) -> usize {
        let tags = self.vlan.is_some() as usize
            + (self.vlan.is_some() && self.inner_vlan.is_some()) as usize;
        HEADER_LEN + tags * VLAN_TAG_LEN
    }

    /// The bytes [`Repr::emit`] writes (the header; the payload follows it).
    pub const fn buffer_len(&self) -> usize {
        self.header_len()
    }

    /// Writes the header into `buf[..header_len]`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        check_emit_len(Layer::Ethernet, buf, self.header_len())?;
        if self.inner_vlan.is_some() && self.vlan.is_none() {
            return Err(Error::Invalid {
                layer: Layer::Vlan,
                field: "inner tag without outer tag",
                offset: 12,
            });
        }
        for tag in [self.vlan, self.inner_vlan].into_iter().flatten() {
            if !tag.tpid.is_vlan_tpid() {
                return Err(Error::Invalid {
                    layer: Layer::Vlan,
                    field: "TPID",
                    offset: 12,
                });
            }
        }
        if self.ethertype.is_vlan_tpid() {
            return Err(Error::Invalid {
                layer: Layer::Ethernet,
                field: "EtherType",
                offset: self.header_len() - 2,
            });
        }
        buf[0..6].copy_from_slice(&self.dst_addr.0);
        buf[6..12].copy_from_slice(&self.src_addr.0);
        let mut at = 12;
        for tag in [self.vlan, self.inner_vlan].into_iter().flatten() {
            set_u16(buf, at, tag.tpid.0);
            set_u16(buf, at + 2, tag.tci());
            at += VLAN_TAG_LEN;
        }
        set_u16(buf, at, self.ethertype.0);
        Ok(())
    }
}

impl fmt::Display for Repr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} > {}", self.src_addr, self.dst_addr)?;
        for tag in [self.vlan, self.inner_vlan].into_iter().flatten() {
            write!(f, ", vlan {} p {}", tag.vid, tag.pcp)?;
        }
        write!(f, ", ethertype {}", self.ethertype)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // A Linux ARP request on a veth, as tcpdump -xx shows it (no FCS).
    const UNTAGGED: [u8; 14] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3a, 0x1c, 0x4e, 0x91, 0x0b, 0x2f, 0x08, 0x06,
    ];

    // The same header with an 802.1ad S-tag (vid 100) and an 802.1Q C-tag (pcp 5, vid 7).
    const DOUBLE_TAGGED: [u8; 22] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3a, 0x1c, 0x4e, 0x91, 0x0b, 0x2f, 0x88, 0xa8, 0x00,
        0x64, 0x81, 0x00, 0xa0, 0x07, 0x86, 0xdd,
    ];

    #[test]
    fn parse_untagged() {
        let f = Frame::new_checked(&UNTAGGED[..]).unwrap();
        let r = Repr::parse(&f).unwrap();
        assert_eq!(r.dst_addr, EthernetAddress::BROADCAST);
        assert_eq!(
            r.src_addr,
            EthernetAddress([0x3a, 0x1c, 0x4e, 0x91, 0x0b, 0x2f])
        );
        assert_eq!(r.ethertype, EtherType::ARP);
        assert_eq!(r.vlan, None);
        assert_eq!(f.payload(), &[] as &[u8]);
        let mut out = [0u8; 14];
        r.emit(&mut out).unwrap();
        assert_eq!(out, UNTAGGED);
    }

    #[test]
    fn parse_double_tagged() {
        let f = Frame::new_checked(&DOUBLE_TAGGED[..]).unwrap();
        let r = Repr::parse(&f).unwrap();
        assert_eq!(
            r.vlan,
            Some(VlanTag {
                tpid: EtherType::QINQ,
                pcp: 0,
                dei: false,
                vid: 100
            })
        );
        assert_eq!(
            r.inner_vlan,
            Some(VlanTag {
                tpid: EtherType::VLAN,
                pcp: 5,
                dei: false,
                vid: 7
            })
        );
        assert_eq!(r.ethertype, EtherType::IPV6);
        assert_eq!(r.header_len(), 22);
        let mut out = [0u8; 22];
        r.emit(&mut out).unwrap();
        assert_eq!(out, DOUBLE_TAGGED);
    }

    #[test]
    fn errors() {
        assert_eq!(
            Frame::new_checked(&UNTAGGED[..13]).unwrap_err(),
            Error::Truncated {
                layer: Layer::Ethernet,
                needed: 14,
                available: 13
            }
        );
        assert_eq!(
            Frame::new_checked(&DOUBLE_TAGGED[..19]).unwrap_err(),
            Error::Truncated {
                layer: Layer::Vlan,
                needed: 22,
                available: 19
            }
        );
        let mut triple = [0u8; 26];
        triple[12..14].copy_from_slice(&[0x88, 0xa8]);
        triple[16..18].copy_from_slice(&[0x81, 0x00]);
        triple[20..22].copy_from_slice(&[0x81, 0x00]);
        assert_eq!(
            Frame::new_checked(&triple[..]).unwrap_err(),
            Error::Unsupported {
                layer: Layer::Vlan,
                field: "third VLAN tag",
                offset: 20
            }
        );
        let r = Repr::parse(&Frame::new_checked(&UNTAGGED[..]).unwrap()).unwrap();
        assert_eq!(
            r.emit(&mut [0u8; 10]).unwrap_err(),
            Error::BufferTooSmall {
                layer: Layer::Ethernet,
                needed: 14,
                available: 10
            }
        );
    }

    fn arb_tag() -> impl Strategy<Value = VlanTag> {
        (
            prop_oneof![Just(EtherType::VLAN), Just(EtherType::QINQ)],
            0u8..8,
            any::<bool>(),
            0u16..4096,
        )
            .prop_map(|(tpid, pcp, dei, vid)| VlanTag {
                tpid,
                pcp,
                dei,
                vid,
            })
    }

    proptest! {
        #[test]
        fn round_trip(src in any::<[u8; 6]>(), dst in any::<[u8; 6]>(), tags in proptest::option::of((arb_tag(), proptest::option::of(arb_tag()))), et in any::<u16>().prop_filter("not a TPID", |t| !EtherType(*t).is_vlan_tpid())) {
            let repr = Repr {
                src_addr: EthernetAddress(src),
                dst_addr: EthernetAddress(dst),
                vlan: tags.map(|t| t.0),
                inner_vlan: tags.and_then(|t| t.1),
                ethertype: EtherType(et),
            };
            let mut buf = [0u8; 22];
            repr.emit(&mut buf).unwrap();
            let f = Frame::new_checked(&buf[..repr.buffer_len()]).unwrap();
            prop_assert_eq!(Repr::parse(&f).unwrap(), repr);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(f) = Frame::new_checked(&bytes[..]) {
                let r = Repr::parse(&f).unwrap();
                let _ = (f.payload(), f.header_len(), r.header_len());
            }
        }
    }
}
