//! The IPv6 Routing header (RFC 8200 section 4.4), with the deprecation of Type 0
//! (RFC 5095) and the Segment Routing Header, Type 4 (RFC 8754).
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Next Header  |  Hdr Ext Len  |  Routing Type | Segments Left |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! .                       type-specific data                      .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//!
//! Segment Routing Header (Routing Type 4), type-specific data:
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Last Entry   |     Flags     |              Tag              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |            Segment List[0] (128-bit IPv6 address)             |
//! .                              ...                              .
//! |            Segment List[n] (128-bit IPv6 address)             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! .                 Optional Type Length Value objects            .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! [`Repr`] keeps the type-specific data raw; [`SegmentRouting`] reads and writes
//! that of Type 4.

use super::super::macros::number_space;
use super::super::{Error, Layer, Result, check_emit_len, check_len};
use super::{ext_header_len, max_ext_header_len};
use crate::wire::ip::IpProtocol;
use core::net::Ipv6Addr;

const LAYER: Layer = Layer::Ipv6Routing;

number_space! {
    /// A Routing Type, from the IANA "Routing Types" registry.
    pub struct RoutingType(u8) {
        /// Type 0, source route: deprecated by RFC 5095 (amplification attacks).
        SOURCE_ROUTE = 0 => "Type 0 (deprecated)",
        /// Nimrod (deprecated).
        NIMROD = 1 => "Nimrod (deprecated)",
        /// Type 2, Mobile IPv6 (RFC 6275).
        TYPE2 = 2 => "Type 2",
        /// RPL Source Route Header (RFC 6554).
        RPL = 3 => "RPL Source Route",
        /// Segment Routing Header (RFC 8754).
        SEGMENT_ROUTING = 4 => "Segment Routing",
        /// Compact Routing Header with 16-bit SIDs (RFC 9631).
        CRH16 = 5 => "CRH-16",
        /// Compact Routing Header with 32-bit SIDs (RFC 9631).
        CRH32 = 6 => "CRH-32",
        /// RFC 3692-style experiment 1 (RFC 4727).
        EXPERIMENT1 = 253 => "Experiment 1",
        /// RFC 3692-style experiment 2 (RFC 4727).
        EXPERIMENT2 = 254 => "Experiment 2",
    }
}

/// A zero-copy view of a Routing header.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// the header length Hdr Ext Len announces.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after checking that it holds the whole header.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Checks that the buffer holds the `8 * (Hdr Ext Len + 1)` bytes of the header.
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        check_len(LAYER, buf, 2)?;
        check_len(LAYER, buf, ext_header_len(buf[1]))
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The Next Header.
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol(self.buffer.as_ref()[0])
    }

    /// The Hdr Ext Len field: the length in 8-byte units, not counting the first 8.
    pub fn hdr_ext_len(&self) -> u8 {
        self.buffer.as_ref()[1]
    }

    /// The length of the header in bytes.
    pub fn header_len(&self) -> usize {
        ext_header_len(self.hdr_ext_len())
    }

    /// The Routing Type.
    pub fn routing_type(&self) -> RoutingType {
        RoutingType(self.buffer.as_ref()[2])
    }

    /// Segments Left: the number of route segments still to visit.
    pub fn segments_left(&self) -> u8 {
        self.buffer.as_ref()[3]
    }

    /// The type-specific data (the header after its first four bytes).
    pub fn data(&self) -> &[u8] {
        &self.buffer.as_ref()[4..self.header_len()]
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the Next Header.
    pub fn set_next_header(&mut self, next: IpProtocol) {
        self.buffer.as_mut()[0] = next.0;
    }

    /// Sets Segments Left (a node processing the header decrements it).
    pub fn set_segments_left(&mut self, left: u8) {
        self.buffer.as_mut()[3] = left;
    }

    /// The type-specific data, mutable.
    pub fn data_mut(&mut self) -> &mut [u8] {
        let end = self.header_len();
        &mut self.buffer.as_mut()[4..end]
    }
}

/// A Routing header with its type-specific data kept raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repr<'a> {
    /// Next Header.
    pub next_header: IpProtocol,
    /// Routing Type.
    pub routing_type: RoutingType,
    /// Segments Left.
    pub segments_left: u8,
    /// The type-specific data: `4 + data.len()` is a multiple of 8 (at most 2048).
    pub data: &'a [u8],
}

impl<'a> Repr<'a> {
    /// Parses a checked header. Every Routing Type parses, Type 0 included (see
    /// [`Repr::is_deprecated`]); the data is validated only by the typed readers such
    /// as [`Repr::segment_routing`], because RFC 8200 section 4.4 makes a node ignore
    /// a Routing header of a type it does not process once Segments Left is zero.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &Packet<&'a T>) -> Result<Repr<'a>> {
        let buf: &'a [u8] = packet.buffer.as_ref();
        Ok(Repr {
            next_header: packet.next_header(),
            routing_type: packet.routing_type(),
            segments_left: packet.segments_left(),
            data: &buf[4..packet.header_len()],
        })
    }

    /// Whether this is a Type 0 header, which a node must not process as a source
    /// route: a forwarder may drop it, a destination treats it as an unrecognised
    /// type (RFC 5095 section 3).
    pub const fn is_deprecated(&self) -> bool {
        //= https://www.rfc-editor.org/rfc/rfc5095#section-3
        //# IPv6 nodes MUST NOT process RH0 in packets whose destination address in
        //# the IPv6 header is an address assigned to them.
        self.routing_type.0 == RoutingType::SOURCE_ROUTE.0
    }

    /// For a destination that does not process this Routing Type: whether it must
    /// discard the packet and send an ICMP Parameter Problem, Code 0, pointing to the
    /// Routing Type (offset 2). With Segments Left zero it ignores the header.
    pub const fn must_discard_if_unrecognized(&self) -> bool {
        //= https://www.rfc-editor.org/rfc/rfc8200#section-4.4
        //# If Segments Left is non-zero, the node must discard the packet and send an
        //# ICMP Parameter Problem, Code 0, message to the packet's Source Address,
        //# pointing to the unrecognized Routing Type.
        self.segments_left != 0
    }

    /// The Segment Routing Header, when the Routing Type is 4.
    pub fn segment_routing(&self) -> Option<Result<SegmentRouting<'a>>> {
        (self.routing_type == RoutingType::SEGMENT_ROUTING)
            .then(|| SegmentRouting::parse(self.segments_left, self.data))
    }

    /// The header length.
    pub const fn header_len(&self) -> usize {
        4 + self.data.len()
    }

    /// The bytes [`Repr::emit`] writes (the header).
    pub const fn buffer_len(&self) -> usize {
        self.header_len()
    }

    /// Writes the header into `buf[..header_len]`. Fails with [`Error::Invalid`]
    /// when the header would not be a multiple of 8 bytes (at most 2048).
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        let len = self.header_len();
        emit_prefix(
            buf,
            len,
            self.next_header,
            self.routing_type,
            self.segments_left,
        )?;
        buf[4..len].copy_from_slice(self.data);
        Ok(())
    }
}

fn emit_prefix(
    buf: &mut [u8],
    len: usize,
    next_header: IpProtocol,
    routing_type: RoutingType,
    segments_left: u8,
) -> Result<()> {
    if !len.is_multiple_of(8) || len > max_ext_header_len() {
        return Err(Error::Invalid {
            layer: LAYER,
            field: "Hdr Ext Len",
            offset: 1,
        });
    }
    check_emit_len(LAYER, buf, len)?;
    buf[0] = next_header.0;
    // In range: len <= 2048 and a multiple of 8.
    buf[1] = (len / 8 - 1) as u8;
    buf[2] = routing_type.0;
    buf[3] = segments_left;
    Ok(())
}

/// A Segment Routing Header (RFC 8754 section 2): Routing Type 4, with its segment
/// list and TLVs kept raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SegmentRouting<'a> {
    /// Segments Left: index in the segment list of the current destination.
    pub segments_left: u8,
    /// Last Entry: index of the last element of the segment list.
    pub last_entry: u8,
    /// Flags (none defined by RFC 8754).
    pub flags: u8,
    /// Tag: marks a packet as part of a class or group.
    pub tag: u16,
    /// The segment list: `16 * (last_entry + 1)` bytes, Segment List\[0\] (the final
    /// segment) first.
    pub segments: &'a [u8],
    /// The TLV objects after the segment list (validated framing, raw contents).
    pub tlvs: &'a [u8],
}

/// Offsets inside the Routing header, for errors.
mod srh_offset {
    pub(super) const SEGMENTS_LEFT: usize = 3;
    pub(super) const LAST_ENTRY: usize = 4;
    pub(super) const SEGMENT_LIST: usize = 8;
}

/// TLV type Pad1 of the SRH (RFC 8754 section 2.1.1.1).
pub const SRH_TLV_PAD1: u8 = 0;

/// Checks that the SRH TLVs (RFC 8754 section 2.1) fill `tlvs` exactly; `base` is
/// their offset in the Routing header.
fn check_tlvs(tlvs: &[u8], base: usize) -> Result<()> {
    let mut at = 0;
    while at < tlvs.len() {
        if tlvs[at] == SRH_TLV_PAD1 {
            at += 1;
            continue;
        }
        let len = tlvs.get(at + 1).map_or(usize::MAX, |&l| 2 + usize::from(l));
        if len > tlvs.len() - at {
            return Err(Error::Invalid {
                layer: LAYER,
                field: "TLV Length",
                offset: base + at + 1,
            });
        }
        at += len;
    }
    Ok(())
}

impl<'a> SegmentRouting<'a> {
    /// Reads the type-specific data of a Type 4 header.
    ///
    /// Rejects a Last Entry beyond the header and a Segments Left beyond
    /// `Last Entry + 1` (RFC 8754 section 4.3.1.1, S09-S10), and TLVs that do not
    /// fill the rest of the header exactly.
    pub fn parse(segments_left: u8, data: &'a [u8]) -> Result<Self> {
        let [last_entry, flags, t0, t1, rest @ ..] = data else {
            return Err(Error::Truncated {
                layer: LAYER,
                needed: srh_offset::SEGMENT_LIST,
                available: 4 + data.len(),
            });
        };
        let list_len = 16 * (usize::from(*last_entry) + 1);
        //= https://www.rfc-editor.org/rfc/rfc8754#section-4.3.1.1
        //# If  ((Last Entry > max_last_entry) or
        //#      (Segments Left is greater than (Last Entry+1)) {
        //#   Send an ICMP Parameter Problem, Code 0, message to the Source
        //#   Address, pointing to the Segments Left field, and discard the
        //#   packet
        if list_len > rest.len() {
            return Err(Error::Invalid {
                layer: LAYER,
                field: "Last Entry",
                offset: srh_offset::LAST_ENTRY,
            });
        }
        if usize::from(segments_left) > usize::from(*last_entry) + 1 {
            return Err(Error::Invalid {
                layer: LAYER,
                field: "Segments Left",
                offset: srh_offset::SEGMENTS_LEFT,
            });
        }
        let (segments, tlvs) = rest.split_at(list_len);
        check_tlvs(tlvs, srh_offset::SEGMENT_LIST + list_len)?;
        Ok(SegmentRouting {
            segments_left,
            last_entry: *last_entry,
            flags: *flags,
            tag: u16::from_be_bytes([*t0, *t1]),
            segments,
            tlvs,
        })
    }

    /// Segment List\[`index`\], or `None` past Last Entry.
    pub fn segment(&self, index: usize) -> Option<Ipv6Addr> {
        let bytes: [u8; 16] = self
            .segments
            .get(index.checked_mul(16)?..)?
            .get(..16)?
            .try_into()
            .ok()?;
        Some(Ipv6Addr::from(bytes))
    }

    /// The segment list, Segment List\[0\] (the final segment) first.
    pub fn segment_list(&self) -> impl Iterator<Item = Ipv6Addr> + 'a {
        self.segments.chunks_exact(16).filter_map(|c| {
            let b: [u8; 16] = c.try_into().ok()?;
            Some(Ipv6Addr::from(b))
        })
    }

    /// The segment an SR endpoint sends the packet to next (Segment List\[Segments
    /// Left - 1\]), or `None` when Segments Left is 0.
    pub fn next_segment(&self) -> Option<Ipv6Addr> {
        self.segment(usize::from(self.segments_left.checked_sub(1)?))
    }

    /// The length of the whole Routing header.
    pub const fn buffer_len(&self) -> usize {
        8 + self.segments.len() + self.tlvs.len()
    }

    /// Writes the whole Routing header (Type 4) into `buf[..buffer_len]`.
    ///
    /// Fails with [`Error::Invalid`] when the segment list is not `16 * (last_entry +
    /// 1)` bytes, Segments Left exceeds `last_entry + 1`, or the header would not be a
    /// multiple of 8 bytes (at most 2048).
    pub fn emit(&self, next_header: IpProtocol, buf: &mut [u8]) -> Result<()> {
        let list_len = 16 * (usize::from(self.last_entry) + 1);
        if self.segments.len() != list_len {
            return Err(Error::Invalid {
                layer: LAYER,
                field: "Last Entry",
                offset: srh_offset::LAST_ENTRY,
            });
        }
        if usize::from(self.segments_left) > usize::from(self.last_entry) + 1 {
            return Err(Error::Invalid {
                layer: LAYER,
                field: "Segments Left",
                offset: srh_offset::SEGMENTS_LEFT,
            });
        }
        // The same TLV framing parse requires, so that parse(emit(x)) == x.
        check_tlvs(self.tlvs, srh_offset::SEGMENT_LIST + list_len)?;
        let len = self.buffer_len();
        emit_prefix(
            buf,
            len,
            next_header,
            RoutingType::SEGMENT_ROUTING,
            self.segments_left,
        )?;
        buf[4] = self.last_entry;
        buf[5] = self.flags;
        buf[6..8].copy_from_slice(&self.tag.to_be_bytes());
        let s = srh_offset::SEGMENT_LIST;
        buf[s..s + list_len].copy_from_slice(self.segments);
        buf[s + list_len..len].copy_from_slice(self.tlvs);
        Ok(())
    }
}
