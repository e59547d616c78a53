//! The IPv6 Fragment header (RFC 8200 section 4.5).
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Identification                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! The Fragment Offset counts 8-byte units. The reserved fields are sent as zero and
//! ignored on receipt, so [`Repr`] does not hold them.

use super::super::{Error, Layer, Result, check_emit_len, check_len};
use crate::wire::field::{set_u16, set_u32, u16_at, u32_at};
use crate::wire::ip::IpProtocol;

const LAYER: Layer = Layer::Ipv6Fragment;

/// Length of the Fragment header.
pub const HEADER_LEN: usize = 8;

/// The largest Fragment Offset (13 bits, in 8-byte units).
pub const MAX_FRAGMENT_OFFSET: u16 = 0x1fff;

/// A zero-copy view of a Fragment header.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// 8 bytes.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after checking that it holds the header.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Checks that the buffer holds the 8 bytes of the header.
    pub fn check_len(&self) -> Result<()> {
        check_len(LAYER, self.buffer.as_ref(), HEADER_LEN)
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The Next Header: the first header of the fragmentable part of the original
    /// packet.
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(self.buffer.as_ref()[0])
    }

    /// The 8-bit Reserved field (ignored on receipt).
    pub fn reserved(&self) -> u8 {
        self.buffer.as_ref()[1]
    }

    /// The Fragment Offset, in 8-byte units.
    pub fn fragment_offset(&self) -> u16 {
        u16_at(self.buffer.as_ref(), 2) >> 3
    }

    /// The 2-bit Res field (ignored on receipt).
    pub fn res(&self) -> u8 {
        ((u16_at(self.buffer.as_ref(), 2) >> 1) & 0x3) as u8
    }

    /// The M flag: more fragments follow.
    pub fn more_fragments(&self) -> bool {
        u16_at(self.buffer.as_ref(), 2) & 1 != 0
    }

    /// The Identification.
    pub fn identification(&self) -> u32 {
        u32_at(self.buffer.as_ref(), 4)
    }

    /// The fragment data after the header.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[HEADER_LEN..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the Next Header.
    pub fn set_next_header(&mut self, next: IpProtocol) {
        self.buffer.as_mut()[0] = next.0;
    }

    /// The fragment data after the header, mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[HEADER_LEN..]
    }
}

/// A Fragment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Next Header of the fragmentable part.
    pub next_header: IpProtocol,
    /// Fragment Offset in 8-byte units (at most [`MAX_FRAGMENT_OFFSET`]).
    pub fragment_offset: u16,
    /// The M flag: more fragments follow.
    pub more_fragments: bool,
    /// Identification, the same in every fragment of one original packet.
    pub identification: u32,
}

impl Repr {
    /// Reads a checked header.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Repr> {
        //= https://www.rfc-editor.org/rfc/rfc8200#section-4.5
        //# Reserved  8-bit reserved field.  Initialized to zero for transmission;
        //# ignored on reception.
        Ok(Repr {
            next_header: packet.next_header(),
            fragment_offset: packet.fragment_offset(),
            more_fragments: packet.more_fragments(),
            identification: packet.identification(),
        })
    }

    /// The offset of this fragment's data in the fragmentable part, in bytes.
    pub const fn byte_offset(&self) -> usize {
        self.fragment_offset as usize * 8
    }

    /// Whether this is the first fragment (Fragment Offset 0), the one that carries
    /// the headers of the fragmentable part.
    pub const fn is_first(&self) -> bool {
        self.fragment_offset == 0
    }

    /// Whether this is an atomic fragment (offset 0, M clear: the whole packet,
    /// RFC 6946), which a receiver processes without reassembly.
    pub const fn is_atomic(&self) -> bool {
        self.fragment_offset == 0 && !self.more_fragments
    }

    /// The header length.
    pub const fn header_len(&self) -> usize {
        HEADER_LEN
    }

    /// The bytes [`Repr::emit`] writes (the header).
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN
    }

    /// Writes the header into `buf[..8]`, reserved fields zero. Fails with
    /// [`Error::Invalid`] when the offset exceeds 13 bits.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        check_emit_len(LAYER, buf, HEADER_LEN)?;
        if self.fragment_offset > MAX_FRAGMENT_OFFSET {
            return Err(Error::Invalid {
                layer: LAYER,
                field: "Fragment Offset",
                offset: 2,
            });
        }
        buf[0] = self.next_header.0;
        buf[1] = 0;
        set_u16(
            buf,
            2,
            (self.fragment_offset << 3) | u16::from(self.more_fragments),
        );
        set_u32(buf, 4, self.identification);
        Ok(())
    }
}
