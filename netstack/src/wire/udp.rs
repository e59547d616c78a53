//! UDP (RFC 768), with the checksum rules of RFC 768 (IPv4) and RFC 8200 section 8.1
//! (IPv6).
//!
//! ```text
//!  0      7 8     15 16    23 24    31
//! +--------+--------+--------+--------+
//! |   source port   |    dest port    |
//! +--------+--------+--------+--------+
//! |     length      |    checksum     |
//! +--------+--------+--------+--------+
//! ```

use super::checksum::{self, ChecksumCapabilities};
use super::field::{set_u16, u16_at};
use super::ip::IpProtocol;
use super::{Error, Layer, Result, check_emit_len, check_len};
use core::net::IpAddr;

/// Length of the UDP header.
pub const HEADER_LEN: usize = 8;

mod offset {
    pub(super) const SRC_PORT: usize = 0;
    pub(super) const DST_PORT: usize = 2;
    pub(super) const LENGTH: usize = 4;
    pub(super) const CHECKSUM: usize = 6;
}

/// A zero-copy view of a UDP datagram.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// the header, and `payload` if it is shorter than the length field says.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after checking the header and the length field against it.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Checks that the buffer holds the header and the `length` the header announces,
    /// and that `length` is at least the header length.
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        check_len(Layer::Udp, buf, HEADER_LEN)?;
        let len = usize::from(u16_at(buf, offset::LENGTH));
        if len < HEADER_LEN {
            return Err(Error::Invalid {
                layer: Layer::Udp,
                field: "length",
                offset: offset::LENGTH,
            });
        }
        check_len(Layer::Udp, buf, len)
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The source port.
    pub fn src_port(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::SRC_PORT)
    }

    /// The destination port.
    pub fn dst_port(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::DST_PORT)
    }

    /// The length field: header plus payload.
    pub fn len(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::LENGTH)
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        usize::from(self.len()) == HEADER_LEN
    }

    /// The checksum field.
    pub fn checksum(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::CHECKSUM)
    }

    /// The payload, as long as the length field says (bytes after it are padding of
    /// the layer below and are not part of the datagram).
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[HEADER_LEN..usize::from(self.len())]
    }

    /// Verifies the checksum against the pseudo-header of `src` and `dst`.
    ///
    /// An IPv4 datagram with checksum 0 carries none and verifies (RFC 768); over IPv6
    /// a zero checksum is invalid (RFC 8200 section 8.1) and fails.
    pub fn verify_checksum(&self, src: &IpAddr, dst: &IpAddr) -> Result<()> {
        let found = self.checksum();
        if found == 0 {
            return match src {
                IpAddr::V4(_) => Ok(()),
                IpAddr::V6(_) => Err(Error::Invalid {
                    layer: Layer::Udp,
                    field: "zero checksum over IPv6",
                    offset: offset::CHECKSUM,
                }),
            };
        }
        let len = self.len();
        let pseudo = checksum::pseudo_header(src, dst, IpProtocol::UDP, u32::from(len)).ok_or(
            Error::Invalid {
                layer: Layer::Udp,
                field: "address family",
                offset: 0,
            },
        )?;
        let data = &self.buffer.as_ref()[..usize::from(len)];
        let sum = checksum::combine(&[pseudo, checksum::data(data)]);
        checksum::verify(sum, found).map_err(|expected| Error::Checksum {
            layer: Layer::Udp,
            found,
            // A computed 0 is sent as 0xffff (RFC 768).
            expected: if expected == 0 { 0xffff } else { expected },
        })
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// The payload, mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let len = usize::from(self.len());
        &mut self.buffer.as_mut()[HEADER_LEN..len]
    }
}

/// The header of a UDP datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Payload length in bytes.
    pub payload_len: usize,
}

impl Repr {
    /// Parses a checked datagram, verifying its checksum if `caps.udp` says so.
    ///
    /// Destination port 0 is rejected (RFC 768 reserves it); source port 0 means
    /// "no reply port" and is accepted.
    pub fn parse<T: AsRef<[u8]>>(
        packet: &Packet<T>,
        src: &IpAddr,
        dst: &IpAddr,
        caps: &ChecksumCapabilities,
    ) -> Result<Repr> {
        if packet.dst_port() == 0 {
            return Err(Error::Invalid {
                layer: Layer::Udp,
                field: "destination port",
                offset: offset::DST_PORT,
            });
        }
        if caps.udp.verify_rx() {
            packet.verify_checksum(src, dst)?;
        }
        Ok(Repr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            payload_len: usize::from(packet.len()) - HEADER_LEN,
        })
    }

    /// The header length.
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// Header plus payload.
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payload_len
    }

    /// Writes the header into `buf` and, if `caps.udp` says so, the checksum over the
    /// payload already in `buf[8..buffer_len]` (otherwise the checksum field is 0).
    pub fn emit(
        &self,
        buf: &mut [u8],
        src: &IpAddr,
        dst: &IpAddr,
        caps: &ChecksumCapabilities,
    ) -> Result<()> {
        let total = self.buffer_len();
        check_emit_len(Layer::Udp, buf, total)?;
        let len = u16::try_from(total).map_err(|_| Error::Invalid {
            layer: Layer::Udp,
            field: "length",
            offset: 4,
        })?;
        set_u16(buf, offset::SRC_PORT, self.src_port);
        set_u16(buf, offset::DST_PORT, self.dst_port);
        set_u16(buf, offset::LENGTH, len);
        set_u16(buf, offset::CHECKSUM, 0);
        if caps.udp.compute_tx() {
            let pseudo = checksum::pseudo_header(src, dst, IpProtocol::UDP, u32::from(len)).ok_or(
                Error::Invalid {
                    layer: Layer::Udp,
                    field: "address family",
                    offset: 0,
                },
            )?;
            let sum = checksum::combine(&[pseudo, checksum::data(&buf[..total])]);
            let c = checksum::finish(sum);
            // RFC 768: a computed zero is transmitted as all ones.
            set_u16(buf, offset::CHECKSUM, if c == 0 { 0xffff } else { c });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::{Ipv4Addr, Ipv6Addr};
    use proptest::prelude::*;

    const SRC4: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    const DST4: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));

    // A DNS query for example.com from 10.0.0.1:49153 to 10.0.0.2:53; checksum as
    // computed with an independent RFC 1071 reference (Python).
    const DNS_QUERY: [u8; 37] = [
        0xc0, 0x01, 0x00, 0x35, 0x00, 0x25, 0xb0, 0x2f, 0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 3, b'c', b'o',
        b'm', 0, 0, 1, 0, 1,
    ];

    #[test]
    fn parse_and_emit_vector() {
        let p = Packet::new_checked(&DNS_QUERY[..]).unwrap();
        let r = Repr::parse(&p, &SRC4, &DST4, &ChecksumCapabilities::default()).unwrap();
        assert_eq!(
            r,
            Repr {
                src_port: 49153,
                dst_port: 53,
                payload_len: 29
            }
        );
        assert_eq!(p.payload(), &DNS_QUERY[8..]);
        let mut out = DNS_QUERY;
        out[..8].fill(0);
        r.emit(&mut out, &SRC4, &DST4, &ChecksumCapabilities::default())
            .unwrap();
        assert_eq!(out, DNS_QUERY);
    }

    #[test]
    fn checksum_errors() {
        let mut bad = DNS_QUERY;
        bad[6] = 0x12;
        bad[7] = 0x34;
        let p = Packet::new_checked(&bad[..]).unwrap();
        assert_eq!(
            Repr::parse(&p, &SRC4, &DST4, &ChecksumCapabilities::default()).unwrap_err(),
            Error::Checksum {
                layer: Layer::Udp,
                found: 0x1234,
                expected: 0xb02f
            }
        );
        // Offloaded: not verified.
        assert!(Repr::parse(&p, &SRC4, &DST4, &ChecksumCapabilities::offloaded()).is_ok());
        // Zero over IPv4 means "none"; over IPv6 it is invalid.
        bad[6] = 0;
        bad[7] = 0;
        let p = Packet::new_checked(&bad[..]).unwrap();
        assert!(Repr::parse(&p, &SRC4, &DST4, &ChecksumCapabilities::default()).is_ok());
        let v6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
        assert_eq!(
            Repr::parse(&p, &v6, &v6, &ChecksumCapabilities::default()).unwrap_err(),
            Error::Invalid {
                layer: Layer::Udp,
                field: "zero checksum over IPv6",
                offset: 6
            }
        );
    }

    #[test]
    fn length_errors() {
        assert_eq!(
            Packet::new_checked(&DNS_QUERY[..7]).unwrap_err(),
            Error::Truncated {
                layer: Layer::Udp,
                needed: 8,
                available: 7
            }
        );
        assert_eq!(
            Packet::new_checked(&DNS_QUERY[..30]).unwrap_err(),
            Error::Truncated {
                layer: Layer::Udp,
                needed: 37,
                available: 30
            }
        );
        let mut short = DNS_QUERY;
        short[5] = 7;
        assert_eq!(
            Packet::new_checked(&short[..]).unwrap_err(),
            Error::Invalid {
                layer: Layer::Udp,
                field: "length",
                offset: 4
            }
        );
        // Trailing link-layer padding is not payload.
        let mut padded = [0u8; 40];
        padded[..37].copy_from_slice(&DNS_QUERY);
        assert_eq!(
            Packet::new_checked(&padded[..]).unwrap().payload().len(),
            29
        );
        let r = Repr {
            src_port: 1,
            dst_port: 2,
            payload_len: 10,
        };
        assert_eq!(
            r.emit(
                &mut [0u8; 17],
                &SRC4,
                &DST4,
                &ChecksumCapabilities::default()
            )
            .unwrap_err(),
            Error::BufferTooSmall {
                layer: Layer::Udp,
                needed: 18,
                available: 17
            }
        );
    }

    proptest! {
        #[test]
        fn round_trip(src_port in any::<u16>(), dst_port in 1u16.., payload in proptest::collection::vec(any::<u8>(), 0..300), v6 in any::<bool>()) {
            let (s, d) = if v6 {
                (IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 1, 2, 3, 4)), IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)))
            } else {
                (SRC4, DST4)
            };
            let repr = Repr { src_port, dst_port, payload_len: payload.len() };
            let mut buf = vec![0u8; repr.buffer_len()];
            buf[HEADER_LEN..].copy_from_slice(&payload);
            repr.emit(&mut buf, &s, &d, &ChecksumCapabilities::default()).unwrap();
            let p = Packet::new_checked(&buf[..]).unwrap();
            prop_assert_eq!(Repr::parse(&p, &s, &d, &ChecksumCapabilities::default()).unwrap(), repr);
            prop_assert_eq!(p.payload(), &payload[..]);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(p) = Packet::new_checked(&bytes[..]) {
                let _ = Repr::parse(&p, &SRC4, &DST4, &ChecksumCapabilities::default());
                let _ = p.payload();
            }
        }
    }
}
