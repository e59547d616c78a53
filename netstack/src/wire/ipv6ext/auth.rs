//! The IP Authentication Header (RFC 4302), walked over as an IPv6 extension header.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Next Header   |  Payload Len  |          RESERVED             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                 Security Parameters Index (SPI)               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Sequence Number Field                      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! .                Integrity Check Value-ICV (variable)           .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! Unlike the other extension headers, Payload Len counts 4-byte words, minus 2.
//! The ICV is not verified here (that needs the security association). Errors name
//! [`Layer::Ipv6Auth`].

use super::super::{Error, Layer, Result, check_emit_len, check_len};
use crate::wire::field::{set_u32, u32_at};
use crate::wire::ip::IpProtocol;

const LAYER: Layer = Layer::Ipv6Auth;

/// The smallest Authentication Header: no ICV (Payload Len 1).
pub const MIN_HEADER_LEN: usize = 12;

/// The header length for a Payload Len field value.
pub const fn header_len_from_field(payload_len: u8) -> usize {
    (payload_len as usize + 2) * 4
}

/// A zero-copy view of an Authentication Header.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// the header length Payload Len announces.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after checking that it holds the whole header.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Checks that Payload Len covers SPI and Sequence Number and that the buffer
    /// holds the `4 * (Payload Len + 2)` bytes of the header.
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        check_len(LAYER, buf, 2)?;
        let len = header_len_from_field(buf[1]);
        if len < MIN_HEADER_LEN {
            return Err(Error::Invalid {
                layer: LAYER,
                field: "AH Payload Len",
                offset: 1,
            });
        }
        check_len(LAYER, buf, len)
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The Next Header.
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(self.buffer.as_ref()[0])
    }

    /// The Payload Len field (4-byte words, minus 2).
    pub fn payload_len_field(&self) -> u8 {
        self.buffer.as_ref()[1]
    }

    /// The length of the header in bytes.
    pub fn header_len(&self) -> usize {
        header_len_from_field(self.payload_len_field())
    }

    /// The Security Parameters Index.
    pub fn spi(&self) -> u32 {
        u32_at(self.buffer.as_ref(), 4)
    }

    /// The Sequence Number.
    pub fn sequence_number(&self) -> u32 {
        u32_at(self.buffer.as_ref(), 8)
    }

    /// The Integrity Check Value (with any padding).
    pub fn icv(&self) -> &[u8] {
        &self.buffer.as_ref()[MIN_HEADER_LEN..self.header_len()]
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }
}

/// An Authentication Header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr<'a> {
    /// Next Header.
    pub next_header: IpProtocol,
    /// Security Parameters Index.
    pub spi: u32,
    /// Sequence Number.
    pub sequence_number: u32,
    /// Integrity Check Value (with padding): `12 + icv.len()` is a multiple of 8 in
    /// IPv6.
    pub icv: &'a [u8],
}

impl<'a> Repr<'a> {
    /// Parses a checked header; over IPv6 its length must be a multiple of 8.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &Packet<&'a T>) -> Result<Repr<'a>> {
        let len = packet.header_len();
        //= https://www.rfc-editor.org/rfc/rfc4302#section-2.2
        //# for IPv6, the total length of the header must be a multiple of 8-octet
        //# units.
        if !len.is_multiple_of(8) {
            return Err(Error::Invalid {
                layer: LAYER,
                field: "AH Payload Len",
                offset: 1,
            });
        }
        let buf: &'a [u8] = packet.buffer.as_ref();
        Ok(Repr {
            next_header: packet.next_header(),
            spi: packet.spi(),
            sequence_number: packet.sequence_number(),
            icv: &buf[MIN_HEADER_LEN..len],
        })
    }

    /// The header length.
    pub const fn header_len(&self) -> usize {
        MIN_HEADER_LEN + self.icv.len()
    }

    /// The bytes [`Repr::emit`] writes (the header).
    pub const fn buffer_len(&self) -> usize {
        self.header_len()
    }

    /// Writes the header (RESERVED zero) into `buf[..header_len]`. Fails with
    /// [`Error::Invalid`] when the length is not a multiple of 8 that Payload Len can
    /// express.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        let len = self.header_len();
        if !len.is_multiple_of(8) || len > header_len_from_field(u8::MAX) {
            return Err(Error::Invalid {
                layer: LAYER,
                field: "AH Payload Len",
                offset: 1,
            });
        }
        check_emit_len(LAYER, buf, len)?;
        buf[0] = self.next_header.0;
        // In range: checked above.
        buf[1] = (len / 4 - 2) as u8;
        buf[2] = 0;
        buf[3] = 0;
        set_u32(buf, 4, self.spi);
        set_u32(buf, 8, self.sequence_number);
        buf[MIN_HEADER_LEN..len].copy_from_slice(self.icv);
        Ok(())
    }
}
