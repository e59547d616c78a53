//! ARP (RFC 826) for Ethernet and IPv4, with the RARP operation codes of RFC 903.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Hardware Type          |         Protocol Type         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  HW Addr Len  | Proto Addr Len|           Operation           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Sender Hardware Address (HW Addr Len bytes)                  |
//! |  Sender Protocol Address (Proto Addr Len bytes)               |
//! |  Target Hardware Address (HW Addr Len bytes)                  |
//! |  Target Protocol Address (Proto Addr Len bytes)               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! [`Packet`] reads any hardware and protocol address lengths; [`Repr`] only
//! represents Ethernet (hardware type 1, length 6) with IPv4 (protocol type 0x0800,
//! length 4), which is 28 bytes. Bytes after the addresses are link-layer padding
//! (an ARP packet in a minimum-size Ethernet frame carries 18 of them) and are ignored.

use super::ethernet::{EtherType, EthernetAddress};
use super::field::{set_u16, u16_at};
use super::macros::number_space;
use super::{Error, Layer, Result, check_emit_len, check_len};
use core::fmt;
use core::net::Ipv4Addr;

number_space! {
    /// An ARP hardware type (IANA "Hardware Types" registry).
    pub struct Hardware(u16) {
        /// Ethernet (10 Mb and every later speed).
        ETHERNET = 1 => "Ethernet",
        /// IEEE 802 networks.
        IEEE802 = 6 => "IEEE 802",
        /// InfiniBand (RFC 4391).
        INFINIBAND = 32 => "InfiniBand",
    }
}

number_space! {
    /// An ARP operation code (IANA "Operation Codes" registry).
    pub struct Operation(u16) {
        /// ARP request (RFC 826).
        REQUEST = 1 => "request",
        /// ARP reply (RFC 826).
        REPLY = 2 => "reply",
        /// Reverse ARP request (RFC 903).
        RARP_REQUEST = 3 => "reverse request",
        /// Reverse ARP reply (RFC 903).
        RARP_REPLY = 4 => "reverse reply",
        /// Inverse ARP request (RFC 2390).
        INARP_REQUEST = 8 => "inverse request",
        /// Inverse ARP reply (RFC 2390).
        INARP_REPLY = 9 => "inverse reply",
    }
}

/// Length of the fixed part (types, lengths and operation).
pub const FIXED_LEN: usize = 8;
/// Length of an ARP packet for Ethernet and IPv4.
pub const ETHERNET_IPV4_LEN: usize = FIXED_LEN + 2 * (6 + 4);

mod offset {
    pub(super) const HTYPE: usize = 0;
    pub(super) const PTYPE: usize = 2;
    pub(super) const HLEN: usize = 4;
    pub(super) const PLEN: usize = 5;
    pub(super) const OPER: usize = 6;
    pub(super) const SHA: usize = 8;
}

/// A zero-copy view of an ARP packet with any address lengths.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// the fixed part plus the four addresses the length fields announce.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after checking that it holds the fixed part and all four
    /// addresses.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Checks that the buffer holds the fixed part and the four addresses whose
    /// lengths it announces.
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        check_len(Layer::Arp, buf, FIXED_LEN)?;
        check_len(Layer::Arp, buf, self.packet_len())
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The hardware type.
    pub fn hardware_type(&self) -> Hardware {
        Hardware(u16_at(self.buffer.as_ref(), offset::HTYPE))
    }

    /// The protocol type (an EtherType).
    pub fn protocol_type(&self) -> EtherType {
        EtherType(u16_at(self.buffer.as_ref(), offset::PTYPE))
    }

    /// The hardware address length in bytes.
    pub fn hardware_len(&self) -> u8 {
        self.buffer.as_ref()[offset::HLEN]
    }

    /// The protocol address length in bytes.
    pub fn protocol_len(&self) -> u8 {
        self.buffer.as_ref()[offset::PLEN]
    }

    /// The operation.
    pub fn operation(&self) -> Operation {
        Operation(u16_at(self.buffer.as_ref(), offset::OPER))
    }

    /// The length of the packet the length fields describe (padding excluded).
    pub fn packet_len(&self) -> usize {
        FIXED_LEN + 2 * (usize::from(self.hardware_len()) + usize::from(self.protocol_len()))
    }

    fn hlen(&self) -> usize {
        usize::from(self.hardware_len())
    }

    fn plen(&self) -> usize {
        usize::from(self.protocol_len())
    }

    /// The sender hardware address, `hardware_len` bytes.
    pub fn source_hardware_addr(&self) -> &[u8] {
        let at = offset::SHA;
        &self.buffer.as_ref()[at..at + self.hlen()]
    }

    /// The sender protocol address, `protocol_len` bytes.
    pub fn source_protocol_addr(&self) -> &[u8] {
        let at = offset::SHA + self.hlen();
        &self.buffer.as_ref()[at..at + self.plen()]
    }

    /// The target hardware address, `hardware_len` bytes.
    pub fn target_hardware_addr(&self) -> &[u8] {
        let at = offset::SHA + self.hlen() + self.plen();
        &self.buffer.as_ref()[at..at + self.hlen()]
    }

    /// The target protocol address, `protocol_len` bytes.
    pub fn target_protocol_addr(&self) -> &[u8] {
        let at = offset::SHA + 2 * self.hlen() + self.plen();
        &self.buffer.as_ref()[at..at + self.plen()]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the hardware type.
    pub fn set_hardware_type(&mut self, value: Hardware) {
        set_u16(self.buffer.as_mut(), offset::HTYPE, value.0);
    }

    /// Sets the protocol type.
    pub fn set_protocol_type(&mut self, value: EtherType) {
        set_u16(self.buffer.as_mut(), offset::PTYPE, value.0);
    }

    /// Sets the hardware address length. The address accessors use it, so set it
    /// before them.
    pub fn set_hardware_len(&mut self, value: u8) {
        self.buffer.as_mut()[offset::HLEN] = value;
    }

    /// Sets the protocol address length. The address accessors use it, so set it
    /// before them.
    pub fn set_protocol_len(&mut self, value: u8) {
        self.buffer.as_mut()[offset::PLEN] = value;
    }

    /// Sets the operation.
    pub fn set_operation(&mut self, value: Operation) {
        set_u16(self.buffer.as_mut(), offset::OPER, value.0);
    }

    /// Sets the sender hardware address; `value` must be `hardware_len` bytes long.
    pub fn set_source_hardware_addr(&mut self, value: &[u8]) {
        let at = offset::SHA;
        let n = self.hlen();
        self.buffer.as_mut()[at..at + n].copy_from_slice(value);
    }

    /// Sets the sender protocol address; `value` must be `protocol_len` bytes long.
    pub fn set_source_protocol_addr(&mut self, value: &[u8]) {
        let at = offset::SHA + self.hlen();
        let n = self.plen();
        self.buffer.as_mut()[at..at + n].copy_from_slice(value);
    }

    /// Sets the target hardware address; `value` must be `hardware_len` bytes long.
    pub fn set_target_hardware_addr(&mut self, value: &[u8]) {
        let at = offset::SHA + self.hlen() + self.plen();
        let n = self.hlen();
        self.buffer.as_mut()[at..at + n].copy_from_slice(value);
    }

    /// Sets the target protocol address; `value` must be `protocol_len` bytes long.
    pub fn set_target_protocol_addr(&mut self, value: &[u8]) {
        let at = offset::SHA + 2 * self.hlen() + self.plen();
        let n = self.plen();
        self.buffer.as_mut()[at..at + n].copy_from_slice(value);
    }
}

/// An ARP packet for Ethernet and IPv4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// The operation (request, reply, ...).
    pub operation: Operation,
    /// Sender hardware address.
    pub source_hardware_addr: EthernetAddress,
    /// Sender protocol address.
    pub source_protocol_addr: Ipv4Addr,
    /// Target hardware address (zero in a request).
    pub target_hardware_addr: EthernetAddress,
    /// Target protocol address.
    pub target_protocol_addr: Ipv4Addr,
}

impl Repr {
    /// Parses a checked packet.
    ///
    /// Returns [`Error::Unsupported`] for any hardware type other than Ethernet, any
    /// protocol type other than IPv4, and (for those) address lengths other than 6
    /// and 4.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr> {
        //= https://www.rfc-editor.org/rfc/rfc826
        //# ?Do I have the hardware type in ar$hrd? ... ?Do I speak the protocol in
        //# ar$pro? If not, discard the packet.
        let unsupported = |field, offset| Error::Unsupported {
            layer: Layer::Arp,
            field,
            offset,
        };
        if packet.hardware_type() != Hardware::ETHERNET {
            return Err(unsupported("hardware type", offset::HTYPE));
        }
        if packet.protocol_type() != EtherType::IPV4 {
            return Err(unsupported("protocol type", offset::PTYPE));
        }
        if packet.hardware_len() != 6 {
            return Err(unsupported("hardware address length", offset::HLEN));
        }
        if packet.protocol_len() != 4 {
            return Err(unsupported("protocol address length", offset::PLEN));
        }
        let b = &packet.buffer.as_ref()[..ETHERNET_IPV4_LEN];
        let mac = |at: usize| {
            EthernetAddress([b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4], b[at + 5]])
        };
        let ip = |at: usize| Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3]);
        Ok(Repr {
            operation: packet.operation(),
            source_hardware_addr: mac(8),
            source_protocol_addr: ip(14),
            target_hardware_addr: mac(18),
            target_protocol_addr: ip(24),
        })
    }

    /// A request asking who has `target`, from `source_hardware_addr` at
    /// `source_protocol_addr` (the target hardware address is zero).
    pub const fn request(
        source_hardware_addr: EthernetAddress,
        source_protocol_addr: Ipv4Addr,
        target_protocol_addr: Ipv4Addr,
    ) -> Repr {
        Repr {
            operation: Operation::REQUEST,
            source_hardware_addr,
            source_protocol_addr,
            target_hardware_addr: EthernetAddress([0; 6]),
            target_protocol_addr,
        }
    }

    /// The reply to this request, given the hardware address of the answering
    /// interface: sender and target swapped, as RFC 826 says.
    pub const fn reply(&self, my_hardware_addr: EthernetAddress) -> Repr {
        //= https://www.rfc-editor.org/rfc/rfc826
        //# Swap hardware and protocol fields, putting the local hardware and protocol
        //# addresses in the sender fields. Set the ar$op field to ares_op$REPLY
        Repr {
            operation: Operation::REPLY,
            source_hardware_addr: my_hardware_addr,
            source_protocol_addr: self.target_protocol_addr,
            target_hardware_addr: self.source_hardware_addr,
            target_protocol_addr: self.source_protocol_addr,
        }
    }

    /// Whether this is a gratuitous ARP (RFC 5227 section 3 "ARP Announcement"): the
    /// sender and target protocol addresses are the same.
    pub fn is_gratuitous(&self) -> bool {
        self.source_protocol_addr == self.target_protocol_addr
    }

    /// The length of the packet (28 bytes).
    pub const fn buffer_len(&self) -> usize {
        ETHERNET_IPV4_LEN
    }

    /// Writes the packet into `buf[..28]`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        check_emit_len(Layer::Arp, buf, ETHERNET_IPV4_LEN)?;
        let mut p = Packet::new_unchecked(&mut buf[..ETHERNET_IPV4_LEN]);
        p.set_hardware_type(Hardware::ETHERNET);
        p.set_protocol_type(EtherType::IPV4);
        p.set_hardware_len(6);
        p.set_protocol_len(4);
        p.set_operation(self.operation);
        p.set_source_hardware_addr(&self.source_hardware_addr.0);
        p.set_source_protocol_addr(&self.source_protocol_addr.octets());
        p.set_target_hardware_addr(&self.target_hardware_addr.0);
        p.set_target_protocol_addr(&self.target_protocol_addr.octets());
        Ok(())
    }
}

impl fmt::Display for Repr {
    /// tcpdump's wording: `who-has 10.0.0.2 tell 10.0.0.1`, `10.0.0.2 is-at ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.operation {
            Operation::REQUEST => write!(
                f,
                "ARP, Request who-has {} tell {}",
                self.target_protocol_addr, self.source_protocol_addr
            ),
            Operation::REPLY => write!(
                f,
                "ARP, Reply {} is-at {}",
                self.source_protocol_addr, self.source_hardware_addr
            ),
            op => write!(
                f,
                "ARP, {} {} ({}) > {} ({})",
                op,
                self.source_protocol_addr,
                self.source_hardware_addr,
                self.target_protocol_addr,
                self.target_hardware_addr
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Captured with tcpdump -xx on a veth pair between two Linux network namespaces
    // (10.0.0.1 asking for 10.0.0.2, and the answer); Ethernet header removed.
    const REQUEST: [u8; 28] = [
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x12, 0xcf, 0x03, 0xd9, 0x97, 0xd5, 0x0a,
        0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x02,
    ];
    const REPLY: [u8; 28] = [
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x7e, 0x02, 0x6c, 0x14, 0xba, 0xc8, 0x0a,
        0x00, 0x00, 0x02, 0x12, 0xcf, 0x03, 0xd9, 0x97, 0xd5, 0x0a, 0x00, 0x00, 0x01,
    ];
    const MAC_A: EthernetAddress = EthernetAddress([0x12, 0xcf, 0x03, 0xd9, 0x97, 0xd5]);
    const MAC_B: EthernetAddress = EthernetAddress([0x7e, 0x02, 0x6c, 0x14, 0xba, 0xc8]);
    const IP_A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    const IP_B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

    #[test]
    fn parse_and_emit_request() {
        let p = Packet::new_checked(&REQUEST[..]).unwrap();
        assert_eq!(p.hardware_type(), Hardware::ETHERNET);
        assert_eq!(p.protocol_type(), EtherType::IPV4);
        assert_eq!((p.hardware_len(), p.protocol_len()), (6, 4));
        assert_eq!(p.operation(), Operation::REQUEST);
        assert_eq!(p.source_hardware_addr(), &MAC_A.0);
        assert_eq!(p.target_protocol_addr(), &[10, 0, 0, 2]);
        let r = Repr::parse(&p).unwrap();
        assert_eq!(r, Repr::request(MAC_A, IP_A, IP_B));
        assert!(!r.is_gratuitous());
        assert_eq!(
            format!("{r}"),
            "ARP, Request who-has 10.0.0.2 tell 10.0.0.1"
        );
        let mut out = [0u8; 28];
        r.emit(&mut out).unwrap();
        assert_eq!(out, REQUEST);
        // The reply Linux sent is exactly what `reply` builds.
        let reply = r.reply(MAC_B);
        r.reply(MAC_B).emit(&mut out).unwrap();
        assert_eq!(out, REPLY);
        assert_eq!(
            format!("{reply}"),
            "ARP, Reply 10.0.0.2 is-at 7e:02:6c:14:ba:c8"
        );
    }

    #[test]
    fn parse_and_emit_reply() {
        let r = Repr::parse(&Packet::new_checked(&REPLY[..]).unwrap()).unwrap();
        assert_eq!(
            r,
            Repr {
                operation: Operation::REPLY,
                source_hardware_addr: MAC_B,
                source_protocol_addr: IP_B,
                target_hardware_addr: MAC_A,
                target_protocol_addr: IP_A,
            }
        );
        let mut out = [0u8; 28];
        r.emit(&mut out).unwrap();
        assert_eq!(out, REPLY);
    }

    #[test]
    fn padding_is_ignored() {
        // A minimum-size Ethernet frame pads the 28 bytes to 46.
        let mut padded = [0u8; 46];
        padded[..28].copy_from_slice(&REQUEST);
        let p = Packet::new_checked(&padded[..]).unwrap();
        assert_eq!(p.packet_len(), 28);
        assert_eq!(p.target_protocol_addr(), &[10, 0, 0, 2]);
        assert_eq!(
            Repr::parse(&p).unwrap(),
            Repr::parse(&Packet::new_unchecked(&REQUEST[..])).unwrap()
        );
    }

    #[test]
    fn other_address_lengths_are_viewed() {
        // Hardware type 32 (InfiniBand, RFC 4391): 20-byte hardware addresses.
        let mut ib = [0u8; 8 + 2 * (20 + 4)];
        ib[..8].copy_from_slice(&[0x00, 0x20, 0x08, 0x00, 20, 4, 0x00, 0x01]);
        ib[8..28].fill(0xaa);
        ib[28..32].copy_from_slice(&[192, 0, 2, 1]);
        ib[52..56].copy_from_slice(&[192, 0, 2, 2]);
        let p = Packet::new_checked(&ib[..]).unwrap();
        assert_eq!(p.hardware_type(), Hardware::INFINIBAND);
        assert_eq!(p.source_hardware_addr(), &[0xaa; 20]);
        assert_eq!(p.source_protocol_addr(), &[192, 0, 2, 1]);
        assert_eq!(p.target_hardware_addr(), &[0; 20]);
        assert_eq!(p.target_protocol_addr(), &[192, 0, 2, 2]);
        assert_eq!(
            Repr::parse(&p).unwrap_err(),
            Error::Unsupported {
                layer: Layer::Arp,
                field: "hardware type",
                offset: 0
            }
        );
        assert_eq!(
            Packet::new_checked(&ib[..55]).unwrap_err(),
            Error::Truncated {
                layer: Layer::Arp,
                needed: 56,
                available: 55
            }
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            Packet::new_checked(&REQUEST[..7]).unwrap_err(),
            Error::Truncated {
                layer: Layer::Arp,
                needed: 8,
                available: 7
            }
        );
        assert_eq!(
            Packet::new_checked(&REQUEST[..27]).unwrap_err(),
            Error::Truncated {
                layer: Layer::Arp,
                needed: 28,
                available: 27
            }
        );
        let cases: [(usize, u8, &str, usize); 4] = [
            (1, 6, "hardware type", 0),
            (3, 0xdd, "protocol type", 2),
            (4, 8, "hardware address length", 4),
            (5, 16, "protocol address length", 5),
        ];
        for (at, value, field, offset) in cases {
            let mut bad = [0u8; 64];
            bad[..28].copy_from_slice(&REQUEST);
            bad[at] = value;
            let p = Packet::new_checked(&bad[..]).unwrap();
            assert_eq!(
                Repr::parse(&p).unwrap_err(),
                Error::Unsupported {
                    layer: Layer::Arp,
                    field,
                    offset
                },
                "{field}"
            );
        }
        let r = Repr::request(MAC_A, IP_A, IP_B);
        assert_eq!(
            r.emit(&mut [0u8; 27]).unwrap_err(),
            Error::BufferTooSmall {
                layer: Layer::Arp,
                needed: 28,
                available: 27
            }
        );
    }

    #[test]
    fn names() {
        assert_eq!(format!("{:?}", Operation::RARP_REPLY), "reverse reply");
        assert_eq!(format!("{:?}", Operation(77)), "Operation(0x4d)");
        let r = Repr {
            operation: Operation::RARP_REQUEST,
            ..Repr::request(MAC_A, IP_A, IP_A)
        };
        assert!(r.is_gratuitous());
        assert_eq!(
            format!("{r}"),
            "ARP, reverse request 10.0.0.1 (12:cf:03:d9:97:d5) > 10.0.0.1 (00:00:00:00:00:00)"
        );
    }

    proptest! {
        #[test]
        fn round_trip(op in any::<u16>(), sha in any::<[u8; 6]>(), spa in any::<u32>(), tha in any::<[u8; 6]>(), tpa in any::<u32>()) {
            let r = Repr {
                operation: Operation(op),
                source_hardware_addr: EthernetAddress(sha),
                source_protocol_addr: Ipv4Addr::from(spa),
                target_hardware_addr: EthernetAddress(tha),
                target_protocol_addr: Ipv4Addr::from(tpa),
            };
            let mut buf = [0u8; 28];
            r.emit(&mut buf).unwrap();
            prop_assert_eq!(Repr::parse(&Packet::new_checked(&buf[..]).unwrap()).unwrap(), r);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..96)) {
            if let Ok(p) = Packet::new_checked(&bytes[..]) {
                let _ = (p.hardware_type(), p.protocol_type(), p.operation(), p.packet_len());
                let _ = (p.source_hardware_addr(), p.source_protocol_addr());
                let _ = (p.target_hardware_addr(), p.target_protocol_addr());
                if let Ok(r) = Repr::parse(&p) {
                    let mut out = [0u8; 28];
                    r.emit(&mut out).unwrap();
                    prop_assert_eq!(&out[..], &bytes[..28]);
                }
            }
        }
    }
}
