//! Multicast Listener Discovery: MLDv1 (RFC 2710) and MLDv2 (RFC 3810).
//!
//! MLD messages are ICMPv6 messages; the views here cover the whole ICMPv6 message and
//! error offsets count from its first byte (the ICMPv6 type).
//!
//! ```text
//! MLDv1 Query (130, 24 bytes), Report (131), Done (132)
//! +------+------+-------------+-------------+--------------------------+
//! | type | code |  checksum   | max resp    | reserved | mcast addr(16) |
//! +------+------+-------------+-------------+--------------------------+
//!
//! MLDv2 Query (130, 28 bytes or more)
//! +------+------+----------+-----------+----------+----------------+
//! | type | code | checksum | max resp  | reserved | mcast addr(16) |
//! |      |      |          |   code    |          |                |
//! +------+------+----------+-----------+----------+----------------+
//! |Resv|S|QRV| QQIC | number of sources (N) | N source addresses ...
//! +------+------+-----------------------------------------------------+
//!
//! MLDv2 Report (143)
//! +------+------+----------+----------+-------------------------+
//! | type | code | checksum | reserved | number of records (M)   |
//! +------+------+----------+----------+-------------------------+
//! | M records: type | aux data len | number of sources (N) |
//! |            mcast addr (16) | N sources (16 each) | aux data (4 x len)
//! ```
//!
//! Multicast address records are kept as the raw, validated bytes ([`RecordList`]),
//! read through a typed iterator and built with [`RecordWriter`]. Reserved fields and
//! the additional data that RFC 2710 and RFC 3810 tell receivers to ignore are kept, so
//! that parse-then-emit reproduces the received bytes exactly.

use super::checksum::ChecksumCapabilities;
use super::field::{set_u16, u16_at};
use super::icmpv6::{self, AddrList, HEADER_LEN, Message, read_addr, read_u16, write_addrs};
use super::macros::number_space;
use super::{Error, Layer, Result, check_emit_len, check_len};
use core::net::Ipv6Addr;

/// Length of an MLDv1 message and of the fixed part of every MLD message with a
/// multicast address.
pub const V1_LEN: usize = 24;
/// Length of the fixed part of an MLDv2 Query, before the sources.
pub const V2_QUERY_LEN: usize = 28;
/// Length of the fixed part of an MLDv2 Report, before the records.
pub const V2_REPORT_LEN: usize = 8;
/// Length of the fixed part of a multicast address record, before the sources.
pub const RECORD_HEADER_LEN: usize = 20;

mod offset {
    pub(super) const TYPE: usize = 0;
    pub(super) const MAX_RESP: usize = 4;
    pub(super) const RESERVED: usize = 6;
    pub(super) const REPORT_RESERVED: usize = 4;
    pub(super) const NUM_RECORDS: usize = 6;
    pub(super) const MCAST_ADDR: usize = 8;
    pub(super) const FLAGS: usize = 24;
    pub(super) const QQIC: usize = 25;
    pub(super) const NUM_SOURCES: usize = 26;
}

const fn invalid(field: &'static str, offset: usize) -> Error {
    Error::Invalid {
        layer: Layer::Mld,
        field,
        offset,
    }
}

number_space! {
    /// The type of a multicast address record (RFC 3810 section 5.2.12).
    pub struct RecordType(u8) {
        /// Current state: include the listed sources.
        MODE_IS_INCLUDE = 1 => "MODE_IS_INCLUDE",
        /// Current state: exclude the listed sources.
        MODE_IS_EXCLUDE = 2 => "MODE_IS_EXCLUDE",
        /// Filter mode changed to include.
        CHANGE_TO_INCLUDE = 3 => "CHANGE_TO_INCLUDE_MODE",
        /// Filter mode changed to exclude.
        CHANGE_TO_EXCLUDE = 4 => "CHANGE_TO_EXCLUDE_MODE",
        /// Sources added.
        ALLOW_NEW_SOURCES = 5 => "ALLOW_NEW_SOURCES",
        /// Sources removed.
        BLOCK_OLD_SOURCES = 6 => "BLOCK_OLD_SOURCES",
    }
}

/// Decodes a Maximum Response Code into milliseconds (RFC 3810 section 5.1.3): below
/// 32768 it is the delay itself, above it a floating-point value
/// `(mant | 0x1000) << (exp + 3)`.
pub const fn decode_max_resp_code(code: u16) -> u32 {
    if code < 0x8000 {
        code as u32
    } else {
        let exp = (code >> 12) & 0x7;
        let mant = (code & 0x0fff) as u32;
        (mant | 0x1000) << (exp + 3)
    }
}

/// Encodes a delay in milliseconds as a Maximum Response Code: exactly below 32768,
/// otherwise the largest floating-point value not above `ms` (saturating at the
/// largest, 8,387,584 ms).
pub const fn encode_max_resp_code(ms: u32) -> u16 {
    if ms < 0x8000 {
        return ms as u16;
    }
    let mut exp = 0;
    while exp < 7 && (ms >> (exp + 3)) > 0x1fff {
        exp += 1;
    }
    let mant = ms >> (exp + 3);
    if mant > 0x1fff {
        return 0xffff;
    }
    0x8000 | ((exp as u16) << 12) | ((mant & 0x0fff) as u16)
}

/// Decodes a Querier's Query Interval Code into seconds (RFC 3810 section 5.1.9):
/// below 128 it is the interval itself, above it `(mant | 0x10) << (exp + 3)`.
pub const fn decode_qqic(qqic: u8) -> u32 {
    if qqic < 0x80 {
        qqic as u32
    } else {
        let exp = (qqic >> 4) & 0x7;
        let mant = (qqic & 0x0f) as u32;
        (mant | 0x10) << (exp + 3)
    }
}

/// Encodes an interval in seconds as a QQIC: exactly below 128, otherwise the largest
/// floating-point value not above `secs` (saturating at 31,744 s).
pub const fn encode_qqic(secs: u32) -> u8 {
    if secs < 0x80 {
        return secs as u8;
    }
    let mut exp = 0;
    while exp < 7 && (secs >> (exp + 3)) > 0x1f {
        exp += 1;
    }
    let mant = secs >> (exp + 3);
    if mant > 0x1f {
        return 0xff;
    }
    0x80 | ((exp as u8) << 4) | ((mant & 0x0f) as u8)
}

/// One multicast address record of an MLDv2 Report (RFC 3810 section 5.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Record<'a> {
    /// The record type. RFC 3810 section 5.2.12: records of an unknown type are
    /// ignored by the receiver.
    pub record_type: RecordType,
    /// The multicast address the record is about.
    pub mcast_addr: Ipv6Addr,
    /// The source addresses.
    pub sources: AddrList<'a>,
    /// Auxiliary data (a multiple of 4 bytes); RFC 3810 section 5.2.10 has receivers
    /// skip it.
    pub aux_data: &'a [u8],
}

impl Record<'_> {
    /// The length of the record on the wire.
    pub fn buffer_len(&self) -> usize {
        RECORD_HEADER_LEN + self.sources.as_bytes().len() + self.aux_data.len()
    }
}

/// The multicast address records of an MLDv2 Report: raw bytes, validated so that the
/// announced number of records, each with its sources and auxiliary data, fits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RecordList<'a> {
    bytes: &'a [u8],
    count: u16,
}

impl<'a> RecordList<'a> {
    /// No records.
    pub const EMPTY: RecordList<'static> = RecordList {
        bytes: &[],
        count: 0,
    };

    /// Validates `count` records at the start of `bytes`; returns them and the bytes
    /// after them. Error offsets count from `bytes[0]`.
    pub fn parse(bytes: &'a [u8], count: u16) -> Result<(Self, &'a [u8])> {
        Self::parse_at(bytes, count, 0)
    }

    fn parse_at(bytes: &'a [u8], count: u16, base: usize) -> Result<(Self, &'a [u8])> {
        let mut at = 0;
        // At most 65,535 passes, each consuming at least 20 bytes or returning.
        for _ in 0..count {
            let truncated = |needed: usize| Error::Truncated {
                layer: Layer::Mld,
                needed: base + needed,
                available: base + bytes.len(),
            };
            if bytes.len() < at + RECORD_HEADER_LEN {
                return Err(truncated(at + RECORD_HEADER_LEN));
            }
            let aux = usize::from(bytes[at + 1]) * 4;
            let sources = usize::from(u16_at(bytes, at + 2)) * 16;
            let end = at + RECORD_HEADER_LEN + sources + aux;
            if bytes.len() < end {
                return Err(truncated(end));
            }
            at = end;
        }
        Ok((
            RecordList {
                bytes: &bytes[..at],
                count,
            },
            &bytes[at..],
        ))
    }

    /// The raw bytes of the records.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The number of records.
    pub const fn count(&self) -> u16 {
        self.count
    }

    /// Whether there are no records.
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Iterates over the records.
    pub fn iter(&self) -> RecordIter<'a> {
        RecordIter {
            bytes: self.bytes,
            left: self.count,
        }
    }
}

impl<'a> IntoIterator for RecordList<'a> {
    type Item = Record<'a>;
    type IntoIter = RecordIter<'a>;
    fn into_iter(self) -> RecordIter<'a> {
        self.iter()
    }
}

impl core::fmt::Debug for RecordList<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// An iterator over the records of a [`RecordList`]. It stops early at a malformed
/// record, which validated lists never have.
#[derive(Debug, Clone)]
pub struct RecordIter<'a> {
    bytes: &'a [u8],
    left: u16,
}

impl<'a> Iterator for RecordIter<'a> {
    type Item = Record<'a>;
    fn next(&mut self) -> Option<Record<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let b = self.bytes;
        let header = b.get(..RECORD_HEADER_LEN)?;
        let aux = usize::from(header[1]) * 4;
        let sources = usize::from(u16_at(header, 2)) * 16;
        let src_end = RECORD_HEADER_LEN + sources;
        let end = src_end + aux;
        let (Some(src), Some(aux_data), Some(mcast_addr)) = (
            b.get(RECORD_HEADER_LEN..src_end).and_then(AddrList::new),
            b.get(src_end..end),
            read_addr(header, 4),
        ) else {
            self.left = 0;
            return None;
        };
        self.bytes = &b[end..];
        Some(Record {
            record_type: RecordType(header[0]),
            mcast_addr,
            sources: src,
            aux_data,
        })
    }
}

/// Builds multicast address records into a caller's buffer.
#[derive(Debug)]
pub struct RecordWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
    count: u16,
}

impl<'b> RecordWriter<'b> {
    /// Starts writing at the beginning of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        RecordWriter {
            buf,
            len: 0,
            count: 0,
        }
    }

    /// Appends a record. `aux_data` must be a multiple of 4 bytes and at most 1020;
    /// there may be at most 65,535 sources and 65,535 records. On error nothing is
    /// appended.
    pub fn push(
        &mut self,
        record_type: RecordType,
        mcast_addr: &Ipv6Addr,
        sources: &[Ipv6Addr],
        aux_data: &[u8],
    ) -> Result<()> {
        let aux_len = u8::try_from(aux_data.len() / 4)
            .ok()
            .filter(|_| aux_data.len().is_multiple_of(4))
            .ok_or(invalid("aux data len", 1))?;
        let nsrc = u16::try_from(sources.len()).map_err(|_| invalid("number of sources", 2))?;
        let count = self
            .count
            .checked_add(1)
            .ok_or(invalid("number of records", offset::NUM_RECORDS))?;
        let len = RECORD_HEADER_LEN + sources.len() * 16 + aux_data.len();
        let out = &mut self.buf[self.len..];
        check_emit_len(Layer::Mld, out, len)?;
        out[0] = record_type.0;
        out[1] = aux_len;
        set_u16(out, 2, nsrc);
        out[4..20].copy_from_slice(&mcast_addr.octets());
        let src_end = RECORD_HEADER_LEN + sources.len() * 16;
        write_addrs(&mut out[RECORD_HEADER_LEN..src_end], sources);
        out[src_end..len].copy_from_slice(aux_data);
        self.len += len;
        self.count = count;
        Ok(())
    }

    /// Appends a copy of `record`.
    pub fn push_record(&mut self, record: &Record<'_>) -> Result<()> {
        let aux_len = u8::try_from(record.aux_data.len() / 4)
            .ok()
            .filter(|_| record.aux_data.len().is_multiple_of(4))
            .ok_or(invalid("aux data len", 1))?;
        let nsrc =
            u16::try_from(record.sources.len()).map_err(|_| invalid("number of sources", 2))?;
        let count = self
            .count
            .checked_add(1)
            .ok_or(invalid("number of records", offset::NUM_RECORDS))?;
        let len = record.buffer_len();
        let out = &mut self.buf[self.len..];
        check_emit_len(Layer::Mld, out, len)?;
        out[0] = record.record_type.0;
        out[1] = aux_len;
        set_u16(out, 2, nsrc);
        out[4..20].copy_from_slice(&record.mcast_addr.octets());
        let src_end = RECORD_HEADER_LEN + record.sources.as_bytes().len();
        out[RECORD_HEADER_LEN..src_end].copy_from_slice(record.sources.as_bytes());
        out[src_end..len].copy_from_slice(record.aux_data);
        self.len += len;
        self.count = count;
        Ok(())
    }

    /// The number of bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no record has been written.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The records written, to put in a [`Repr::ReportV2`].
    pub fn into_records(self) -> RecordList<'b> {
        let buf: &'b [u8] = self.buf;
        RecordList {
            bytes: &buf[..self.len],
            count: self.count,
        }
    }
}

/// A zero-copy view of an MLD message (the whole ICMPv6 message).
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// the fixed part of its message type.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after [`Packet::check_len`].
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Checks that the type is an MLD type and that the buffer holds its fixed part:
    /// 24 bytes for MLDv1 Report and Done, 8 for an MLDv2 Report (the records are
    /// checked by [`Repr::parse`]), and for a Query exactly 24 (MLDv1) or at least 28
    /// bytes and the sources it announces (MLDv2).
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        check_len(Layer::Mld, buf, HEADER_LEN)?;
        match Message(buf[offset::TYPE]) {
            Message::MLD_QUERY => {
                check_len(Layer::Mld, buf, V1_LEN)?;
                //= https://www.rfc-editor.org/rfc/rfc3810#section-8.1
                //# MLDv1 Query: length = 24 octets; MLDv2 Query: length >= 28 octets.
                //# Query messages that do not match any of the above conditions
                //# MUST be silently ignored.
                if buf.len() > V1_LEN && buf.len() < V2_QUERY_LEN {
                    return Err(invalid("length", 0));
                }
                if buf.len() >= V2_QUERY_LEN {
                    let n = usize::from(u16_at(buf, offset::NUM_SOURCES));
                    check_len(Layer::Mld, buf, V2_QUERY_LEN + n * 16)?;
                }
                Ok(())
            }
            Message::MLD_REPORT | Message::MLD_DONE => check_len(Layer::Mld, buf, V1_LEN),
            Message::MLDV2_REPORT => check_len(Layer::Mld, buf, V2_REPORT_LEN),
            _ => Err(invalid("type", 0)),
        }
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The ICMPv6 type.
    pub fn msg_type(&self) -> Message {
        Message(self.buffer.as_ref()[offset::TYPE])
    }

    /// The ICMPv6 code (RFC 2710: zero when sent, ignored on receipt).
    pub fn msg_code(&self) -> u8 {
        self.buffer.as_ref()[1]
    }

    /// The ICMPv6 checksum field.
    pub fn checksum(&self) -> u16 {
        read_u16(self.buffer.as_ref(), 2).unwrap_or(0)
    }

    /// Whether this is an MLDv2 Query (a Query of 28 bytes or more).
    pub fn is_v2_query(&self) -> bool {
        self.msg_type() == Message::MLD_QUERY && self.buffer.as_ref().len() >= V2_QUERY_LEN
    }

    fn has_mcast_addr(&self) -> bool {
        matches!(
            self.msg_type(),
            Message::MLD_QUERY | Message::MLD_REPORT | Message::MLD_DONE
        )
    }

    /// Maximum Response Delay (MLDv1, milliseconds) or Maximum Response Code (MLDv2
    /// Query, see [`decode_max_resp_code`]); `None` for an MLDv2 Report.
    pub fn max_resp_code(&self) -> Option<u16> {
        if self.has_mcast_addr() {
            read_u16(self.buffer.as_ref(), offset::MAX_RESP)
        } else {
            None
        }
    }

    /// The reserved field: bytes 6-7 of a Query, Report or Done, bytes 4-5 of an
    /// MLDv2 Report.
    pub fn reserved(&self) -> Option<u16> {
        let at = if self.has_mcast_addr() {
            offset::RESERVED
        } else {
            offset::REPORT_RESERVED
        };
        read_u16(self.buffer.as_ref(), at)
    }

    /// The Multicast Address of a Query, Report or Done.
    pub fn mcast_addr(&self) -> Option<Ipv6Addr> {
        if self.has_mcast_addr() {
            read_addr(self.buffer.as_ref(), offset::MCAST_ADDR)
        } else {
            None
        }
    }

    /// The S flag of an MLDv2 Query (suppress router-side processing).
    pub fn suppress(&self) -> Option<bool> {
        self.v2_query_byte(offset::FLAGS).map(|b| b & 0x08 != 0)
    }

    /// The QRV of an MLDv2 Query (querier's robustness variable, 3 bits).
    pub fn qrv(&self) -> Option<u8> {
        self.v2_query_byte(offset::FLAGS).map(|b| b & 0x07)
    }

    /// The QQIC of an MLDv2 Query (see [`decode_qqic`]).
    pub fn qqic(&self) -> Option<u8> {
        self.v2_query_byte(offset::QQIC)
    }

    fn v2_query_byte(&self, at: usize) -> Option<u8> {
        if self.is_v2_query() {
            self.buffer.as_ref().get(at).copied()
        } else {
            None
        }
    }

    /// The sources of an MLDv2 Query.
    pub fn sources(&self) -> Option<AddrList<'_>> {
        if !self.is_v2_query() {
            return None;
        }
        let buf = self.buffer.as_ref();
        let n = usize::from(read_u16(buf, offset::NUM_SOURCES)?);
        buf.get(V2_QUERY_LEN..V2_QUERY_LEN + n * 16)
            .and_then(AddrList::new)
    }

    /// The number of multicast address records of an MLDv2 Report.
    pub fn num_records(&self) -> Option<u16> {
        if self.msg_type() == Message::MLDV2_REPORT {
            read_u16(self.buffer.as_ref(), offset::NUM_RECORDS)
        } else {
            None
        }
    }
}

/// The content of an MLD message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Repr<'a> {
    /// MLDv1 Query (RFC 2710 section 3.6), exactly 24 bytes.
    QueryV1 {
        /// Maximum Response Delay in milliseconds.
        max_resp_delay: u16,
        /// Reserved (zero when sent, ignored on receipt).
        reserved: u16,
        /// `::` for a General Query, else the address queried.
        mcast_addr: Ipv6Addr,
    },
    /// MLDv2 Query (RFC 3810 section 5.1).
    QueryV2 {
        /// Maximum Response Code (see [`decode_max_resp_code`]).
        max_resp_code: u16,
        /// Reserved.
        reserved: u16,
        /// `::` for a General Query, else the address queried.
        mcast_addr: Ipv6Addr,
        /// The four reserved bits before the S flag.
        resv: u8,
        /// S flag: suppress router-side processing.
        suppress: bool,
        /// Querier's Robustness Variable (3 bits; 0 means "above 7").
        qrv: u8,
        /// Querier's Query Interval Code (see [`decode_qqic`]).
        qqic: u8,
        /// The sources of a Multicast Address and Source Specific Query.
        sources: AddrList<'a>,
        /// Bytes after the sources, which receivers ignore (RFC 3810 section 5.1.12).
        additional: &'a [u8],
    },
    /// MLDv1 Report (RFC 2710 section 3).
    ReportV1 {
        /// Maximum Response Delay (zero when sent, ignored on receipt).
        max_resp_delay: u16,
        /// Reserved.
        reserved: u16,
        /// The multicast address listened to.
        mcast_addr: Ipv6Addr,
        /// Bytes after the first 24, which receivers ignore (RFC 2710 section 3).
        additional: &'a [u8],
    },
    /// MLDv1 Done (RFC 2710 section 3).
    Done {
        /// Maximum Response Delay (zero when sent, ignored on receipt).
        max_resp_delay: u16,
        /// Reserved.
        reserved: u16,
        /// The multicast address no longer listened to.
        mcast_addr: Ipv6Addr,
        /// Bytes after the first 24, which receivers ignore.
        additional: &'a [u8],
    },
    /// MLDv2 Report (RFC 3810 section 5.2).
    ReportV2 {
        /// Reserved (bytes 4-5).
        reserved: u16,
        /// The multicast address records.
        records: RecordList<'a>,
        /// Bytes after the records, which receivers ignore (RFC 3810 section 5.2.11).
        additional: &'a [u8],
    },
}

impl<'a> Repr<'a> {
    /// Parses a checked MLD message, verifying the ICMPv6 checksum if `caps.icmpv6`
    /// says so. The ICMPv6 code is ignored (RFC 2710 section 3). Checks that need the
    /// IPv6 header are in [`Repr::validate_ip`].
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
        src: &Ipv6Addr,
        dst: &Ipv6Addr,
        caps: &ChecksumCapabilities,
    ) -> Result<Repr<'a>> {
        packet.check_len()?;
        if caps.icmpv6.verify_rx() {
            icmpv6::verify_message(packet.buffer.as_ref(), src, dst)?;
        }
        Self::parse_fields(packet)
    }

    /// [`Repr::parse`] without the checksum.
    pub(crate) fn parse_fields<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
    ) -> Result<Repr<'a>> {
        packet.check_len()?;
        let buf: &'a [u8] = packet.buffer.as_ref();
        let max_resp = packet.max_resp_code().unwrap_or(0);
        let reserved = packet.reserved().unwrap_or(0);
        let mcast_addr = packet.mcast_addr().unwrap_or(Ipv6Addr::UNSPECIFIED);
        Ok(match packet.msg_type() {
            Message::MLD_QUERY => {
                //= https://www.rfc-editor.org/rfc/rfc3810#section-5.1.5
                //# The Multicast Address field is set to zero when sending a General
                //# Query, and set to the IPv6 multicast address being queried.
                if !(mcast_addr.is_unspecified() || mcast_addr.is_multicast()) {
                    return Err(invalid("multicast address", offset::MCAST_ADDR));
                }
                if !packet.is_v2_query() {
                    Repr::QueryV1 {
                        max_resp_delay: max_resp,
                        reserved,
                        mcast_addr,
                    }
                } else {
                    let n = usize::from(u16_at(buf, offset::NUM_SOURCES));
                    //= https://www.rfc-editor.org/rfc/rfc3810#section-5.1.10
                    //# In a General Query ... the Number of Sources (N) field is set
                    //# to zero.
                    if mcast_addr.is_unspecified() && n != 0 {
                        return Err(invalid("number of sources", offset::NUM_SOURCES));
                    }
                    let end = V2_QUERY_LEN + n * 16;
                    let flags = buf[offset::FLAGS];
                    Repr::QueryV2 {
                        max_resp_code: max_resp,
                        reserved,
                        mcast_addr,
                        resv: flags >> 4,
                        suppress: flags & 0x08 != 0,
                        qrv: flags & 0x07,
                        qqic: buf[offset::QQIC],
                        sources: buf
                            .get(V2_QUERY_LEN..end)
                            .and_then(AddrList::new)
                            .unwrap_or(AddrList::EMPTY),
                        additional: buf.get(end..).unwrap_or(&[]),
                    }
                }
            }
            t @ (Message::MLD_REPORT | Message::MLD_DONE) => {
                //= https://www.rfc-editor.org/rfc/rfc2710#section-3.6
                //# In a Report or Done message, the Multicast Address field holds a
                //# specific IPv6 multicast address.
                if !mcast_addr.is_multicast() {
                    return Err(invalid("multicast address", offset::MCAST_ADDR));
                }
                //= https://www.rfc-editor.org/rfc/rfc2710#section-3
                //# [An implementation] MUST ignore anything past the first 24 octets
                //# of a received MLD message.
                let additional = &buf[V1_LEN..];
                if t == Message::MLD_REPORT {
                    Repr::ReportV1 {
                        max_resp_delay: max_resp,
                        reserved,
                        mcast_addr,
                        additional,
                    }
                } else {
                    Repr::Done {
                        max_resp_delay: max_resp,
                        reserved,
                        mcast_addr,
                        additional,
                    }
                }
            }
            _ => {
                let count = packet.num_records().unwrap_or(0);
                let (records, additional) =
                    RecordList::parse_at(&buf[V2_REPORT_LEN..], count, V2_REPORT_LEN)?;
                Repr::ReportV2 {
                    reserved,
                    records,
                    additional,
                }
            }
        })
    }

    /// Applies the checks of RFC 2710 and RFC 3810 that need the IPv6 header the
    /// message came in. `hop_limit` and `src` are its Hop Limit and Source Address. A
    /// caller with the IPv6 header must call this after [`Repr::parse`] and drop the
    /// message on error; it must also check for the Router Alert option, which is in the
    /// Hop-by-Hop Options header.
    ///
    /// Errors name the IPv6 field (`"hop limit"`, `"source address"`) with offset 0.
    pub fn validate_ip(&self, hop_limit: u8, src: &Ipv6Addr) -> Result<()> {
        //= https://www.rfc-editor.org/rfc/rfc3810#section-6.2
        //# [The node] checks if the source address of the message is a valid
        //# link-local address, if the Hop Limit is set to 1, and if the Router
        //# Alert option is present ... If any of these checks fails, the packet is
        //# dropped.
        if hop_limit != 1 {
            return Err(invalid("hop limit", 0));
        }
        let ok = match self {
            Repr::QueryV1 { .. } | Repr::QueryV2 { .. } => src.is_unicast_link_local(),
            //= https://www.rfc-editor.org/rfc/rfc3810#section-7.4
            //# [The router] checks if the source address of the message is a valid
            //# link-local address, or the unspecified address (::) ...
            _ => src.is_unicast_link_local() || src.is_unspecified(),
        };
        if ok {
            Ok(())
        } else {
            Err(invalid("source address", 0))
        }
    }

    /// The ICMPv6 type.
    pub fn msg_type(&self) -> Message {
        match self {
            Repr::QueryV1 { .. } | Repr::QueryV2 { .. } => Message::MLD_QUERY,
            Repr::ReportV1 { .. } => Message::MLD_REPORT,
            Repr::Done { .. } => Message::MLD_DONE,
            Repr::ReportV2 { .. } => Message::MLDV2_REPORT,
        }
    }

    /// The length of the fixed part: 24 for MLDv1, 28 for an MLDv2 Query, 8 for an
    /// MLDv2 Report.
    pub fn header_len(&self) -> usize {
        match self {
            Repr::QueryV2 { .. } => V2_QUERY_LEN,
            Repr::ReportV2 { .. } => V2_REPORT_LEN,
            _ => V1_LEN,
        }
    }

    /// The length of the whole message.
    pub fn buffer_len(&self) -> usize {
        self.header_len()
            + match self {
                Repr::QueryV1 { .. } => 0,
                Repr::QueryV2 {
                    sources,
                    additional,
                    ..
                } => sources.as_bytes().len() + additional.len(),
                Repr::ReportV1 { additional, .. } | Repr::Done { additional, .. } => {
                    additional.len()
                }
                Repr::ReportV2 {
                    records,
                    additional,
                    ..
                } => records.as_bytes().len() + additional.len(),
            }
    }

    /// Writes the whole message (code 0) into `buf[..buffer_len]`, and its ICMPv6
    /// checksum if `caps.icmpv6` says so.
    ///
    /// Fails with `Invalid` for values the wire cannot hold (`resv` over 15, `qrv`
    /// over 7, more than 65,535 sources) and for a message that would not parse back
    /// as itself: a Query `mcast_addr` that is neither `::` nor multicast, sources in
    /// a General Query, or a Report or Done address that is not multicast.
    pub fn emit(
        &self,
        buf: &mut [u8],
        src: &Ipv6Addr,
        dst: &Ipv6Addr,
        caps: &ChecksumCapabilities,
    ) -> Result<()> {
        let len = self.buffer_len();
        check_emit_len(Layer::Mld, buf, len)?;
        let buf = &mut buf[..len];
        buf[offset::TYPE] = self.msg_type().0;
        buf[1] = 0;
        match *self {
            Repr::QueryV1 {
                max_resp_delay: max_resp,
                reserved,
                mcast_addr,
            }
            | Repr::ReportV1 {
                max_resp_delay: max_resp,
                reserved,
                mcast_addr,
                ..
            }
            | Repr::Done {
                max_resp_delay: max_resp,
                reserved,
                mcast_addr,
                ..
            }
            | Repr::QueryV2 {
                max_resp_code: max_resp,
                reserved,
                mcast_addr,
                ..
            } => {
                let query = self.msg_type() == Message::MLD_QUERY;
                if query && !(mcast_addr.is_unspecified() || mcast_addr.is_multicast())
                    || !query && !mcast_addr.is_multicast()
                {
                    return Err(invalid("multicast address", offset::MCAST_ADDR));
                }
                set_u16(buf, offset::MAX_RESP, max_resp);
                set_u16(buf, offset::RESERVED, reserved);
                buf[offset::MCAST_ADDR..V1_LEN].copy_from_slice(&mcast_addr.octets());
            }
            Repr::ReportV2 { reserved, .. } => set_u16(buf, offset::REPORT_RESERVED, reserved),
        }
        match *self {
            Repr::QueryV1 { .. } => {}
            Repr::QueryV2 {
                mcast_addr,
                resv,
                suppress,
                qrv,
                qqic,
                sources,
                additional,
                ..
            } => {
                if resv > 0x0f {
                    return Err(invalid("Resv", offset::FLAGS));
                }
                if qrv > 0x07 {
                    return Err(invalid("QRV", offset::FLAGS));
                }
                let n = u16::try_from(sources.len())
                    .map_err(|_| invalid("number of sources", offset::NUM_SOURCES))?;
                if mcast_addr.is_unspecified() && n != 0 {
                    return Err(invalid("number of sources", offset::NUM_SOURCES));
                }
                buf[offset::FLAGS] = (resv << 4) | (u8::from(suppress) << 3) | qrv;
                buf[offset::QQIC] = qqic;
                set_u16(buf, offset::NUM_SOURCES, n);
                let end = V2_QUERY_LEN + sources.as_bytes().len();
                buf[V2_QUERY_LEN..end].copy_from_slice(sources.as_bytes());
                buf[end..].copy_from_slice(additional);
            }
            Repr::ReportV1 { additional, .. } | Repr::Done { additional, .. } => {
                buf[V1_LEN..].copy_from_slice(additional);
            }
            Repr::ReportV2 {
                records,
                additional,
                ..
            } => {
                set_u16(buf, offset::NUM_RECORDS, records.count());
                let end = V2_REPORT_LEN + records.as_bytes().len();
                buf[V2_REPORT_LEN..end].copy_from_slice(records.as_bytes());
                buf[end..].copy_from_slice(additional);
            }
        }
        icmpv6::fill_message_checksum(buf, src, dst, caps)
    }
}

#[cfg(test)]
mod tests;
