//! IGMP: version 1 (RFC 1112 appendix I), version 2 (RFC 2236) and version 3
//! (RFC 3376) messages.
//!
//! Version 1 and 2 messages are 8 bytes:
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Type     | Max Resp Time |           Checksum            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Group Address                         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! A version 3 Membership Query (type 0x11, at least 12 bytes) adds, after the group
//! address, `Resv(4) | S(1) | QRV(3)`, `QQIC(8)`, `Number of Sources(16)` and the
//! source addresses. A version 3 Membership Report (type 0x22) is
//! `Type | Reserved | Checksum | Reserved(16) | Number of Group Records(16)` followed
//! by group records:
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Record Type  |  Aux Data Len |     Number of Sources (N)     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Multicast Address                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                Source Address [1] ... [N]                     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                Auxiliary Data (Aux Data Len 32-bit words)     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The checksum covers the whole IGMP message (the IPv4 payload). Fields the RFCs
//! call reserved or unused in a message type are ignored on receipt and written as
//! zero, and so is data after the end of a message (RFC 2236 section 2.5, RFC 3376
//! sections 4.1.10 and 4.2.11); everything else round-trips byte for byte.
//! Source lists and group records are kept as the raw, validated bytes of the
//! message, with typed iterators ([`Addrs`], [`GroupRecords`]) and writers
//! ([`write_addrs`], [`GroupRecordsWriter`]).

use super::checksum::{self, ChecksumCapabilities};
use super::field::{set_u16, set_u32, u16_at, u32_at};
use super::macros::number_space;
use super::{Error, Layer, Result, check_emit_len, check_len};
use core::fmt;
use core::net::Ipv4Addr;
use core::time::Duration;

/// Length of a version 1 or 2 message.
pub const HEADER_LEN: usize = 8;
/// Length of a version 3 query without sources.
pub const V3_QUERY_HEADER_LEN: usize = 12;
/// Length of a version 3 report without group records.
pub const V3_REPORT_HEADER_LEN: usize = 8;
/// Length of a group record without sources and auxiliary data.
pub const GROUP_RECORD_HEADER_LEN: usize = 8;

/// The all-systems group, where general queries go (RFC 1112).
pub const ALL_SYSTEMS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 1);
/// The all-routers group, where IGMPv2 Leave Group messages go (RFC 2236).
pub const ALL_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 2);
/// The all-IGMPv3-capable-routers group, where version 3 reports go (RFC 3376).
pub const ALL_V3_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 22);

mod offset {
    pub(super) const TYPE: usize = 0;
    pub(super) const MAX_RESP: usize = 1;
    pub(super) const CHECKSUM: usize = 2;
    pub(super) const GROUP: usize = 4;
    pub(super) const S_QRV: usize = 8;
    pub(super) const QQIC: usize = 9;
    pub(super) const NUM_SOURCES: usize = 10;
    pub(super) const SOURCES: usize = 12;
    pub(super) const NUM_RECORDS: usize = 6;
    pub(super) const RECORDS: usize = 8;
}

number_space! {
    /// An IGMP message type (IANA "IGMP Type Numbers" registry).
    pub struct Message(u8) {
        /// Membership Query (all versions).
        MEMBERSHIP_QUERY = 0x11 => "query",
        /// Version 1 Membership Report (RFC 1112).
        V1_MEMBERSHIP_REPORT = 0x12 => "v1 report",
        /// DVMRP (RFC 1075).
        DVMRP = 0x13 => "DVMRP",
        /// PIM version 1.
        PIM_V1 = 0x14 => "PIMv1",
        /// Version 2 Membership Report (RFC 2236).
        V2_MEMBERSHIP_REPORT = 0x16 => "v2 report",
        /// Leave Group (RFC 2236).
        LEAVE_GROUP = 0x17 => "leave",
        /// Multicast traceroute response.
        MTRACE_RESPONSE = 0x1e => "mtrace response",
        /// Multicast traceroute.
        MTRACE = 0x1f => "mtrace",
        /// Version 3 Membership Report (RFC 3376).
        V3_MEMBERSHIP_REPORT = 0x22 => "v3 report",
        /// Multicast Router Advertisement (RFC 4286).
        MRD_ADVERTISEMENT = 0x30 => "MRD advertisement",
        /// Multicast Router Solicitation (RFC 4286).
        MRD_SOLICITATION = 0x31 => "MRD solicitation",
        /// Multicast Router Termination (RFC 4286).
        MRD_TERMINATION = 0x32 => "MRD termination",
    }
}

number_space! {
    /// The type of a version 3 group record (RFC 3376 section 4.2.12).
    pub struct RecordType(u8) {
        /// Current-state record: filter mode INCLUDE.
        MODE_IS_INCLUDE = 1 => "is_in",
        /// Current-state record: filter mode EXCLUDE.
        MODE_IS_EXCLUDE = 2 => "is_ex",
        /// Filter-mode-change record: changed to INCLUDE.
        CHANGE_TO_INCLUDE = 3 => "to_in",
        /// Filter-mode-change record: changed to EXCLUDE.
        CHANGE_TO_EXCLUDE = 4 => "to_ex",
        /// Source-list-change record: sources added.
        ALLOW_NEW_SOURCES = 5 => "allow",
        /// Source-list-change record: sources removed.
        BLOCK_OLD_SOURCES = 6 => "block",
    }
}

/// The version of a Membership Query, told apart by length and Max Resp Code as
/// RFC 3376 section 7.1 says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryVersion {
    /// 8 bytes, Max Resp Code zero.
    V1,
    /// 8 bytes, Max Resp Code nonzero.
    V2,
    /// At least 12 bytes.
    V3,
}

/// Decodes a Max Resp Code (in tenths of a second) or a QQIC (in seconds): values
/// below 128 stand for themselves, larger ones are a floating-point number with a
/// 3-bit exponent and a 4-bit mantissa (RFC 3376 sections 4.1.1 and 4.1.7).
pub const fn decode_code(code: u8) -> u32 {
    //= https://www.rfc-editor.org/rfc/rfc3376#section-4.1.1
    //# If Max Resp Code >= 128, Max Resp Code represents a floating-point value:
    //# Max Resp Time = (mant | 0x10) << (exp + 3)
    if code < 128 {
        code as u32
    } else {
        let exp = (code >> 4) & 0x7;
        let mant = code & 0xf;
        ((mant | 0x10) as u32) << (exp + 3)
    }
}

/// Encodes a time (in the unit of the field) as a Max Resp Code or QQIC: the largest
/// code whose [`decode_code`] does not exceed `value`, so that a host never answers
/// later than asked. Values from 31,744 up encode as 0xff.
pub const fn encode_code(value: u32) -> u8 {
    if value < 128 {
        return value as u8;
    }
    // value >= 128 = 2^7, so the highest set bit is at least bit 7.
    let exp = 31 - value.leading_zeros() - 7;
    if exp > 7 {
        return 0xff;
    }
    let mant = (value >> (exp + 3)) & 0xf;
    0x80 | ((exp as u8) << 4) | mant as u8
}

fn is_group(addr: Ipv4Addr) -> bool {
    addr.is_multicast()
}

/// An iterator over a list of IPv4 addresses stored back to back (a source list).
#[derive(Debug, Clone)]
pub struct Addrs<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl<'a> Addrs<'a> {
    /// Iterates over `bytes` in 4-byte addresses (a trailing partial address is
    /// ignored; the lists this module hands out are whole).
    pub fn new(bytes: &'a [u8]) -> Self {
        Addrs {
            chunks: bytes.chunks_exact(4),
        }
    }
}

impl Iterator for Addrs<'_> {
    type Item = Ipv4Addr;

    fn next(&mut self) -> Option<Ipv4Addr> {
        self.chunks
            .next()
            .map(|c| Ipv4Addr::from_bits(u32_at(c, 0)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
}

impl ExactSizeIterator for Addrs<'_> {}

/// Writes `addrs` back to back into `buf` and returns the bytes written, to use as a
/// source list.
pub fn write_addrs<'b>(buf: &'b mut [u8], addrs: &[Ipv4Addr]) -> Result<&'b [u8]> {
    let len = addrs.len() * 4;
    check_emit_len(Layer::Igmp, buf, len)?;
    for (chunk, addr) in buf.chunks_exact_mut(4).zip(addrs) {
        set_u32(chunk, 0, addr.to_bits());
    }
    let buf: &'b [u8] = buf;
    Ok(&buf[..len])
}

/// One group record of a version 3 report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupRecord<'a> {
    /// The record type.
    pub record_type: RecordType,
    /// Auxiliary data, a multiple of 4 bytes (IGMPv3 defines none and ignores it).
    pub aux_data: &'a [u8],
    /// The multicast group the record is about.
    pub multicast_addr: Ipv4Addr,
    /// The source addresses, raw (4 bytes each); see [`GroupRecord::sources`].
    pub sources: &'a [u8],
}

impl<'a> GroupRecord<'a> {
    /// The source addresses.
    pub fn sources(&self) -> Addrs<'a> {
        Addrs::new(self.sources)
    }

    /// The number of source addresses.
    pub const fn num_sources(&self) -> usize {
        self.sources.len() / 4
    }

    /// The bytes the record occupies.
    pub const fn buffer_len(&self) -> usize {
        GROUP_RECORD_HEADER_LEN + self.sources.len() + self.aux_data.len()
    }

    /// Writes the record at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let len = self.buffer_len();
        check_emit_len(Layer::Igmp, buf, len)?;
        let invalid = |field, offset| Error::Invalid {
            layer: Layer::Igmp,
            field,
            offset,
        };
        let aux_words = self
            .aux_data
            .len()
            .is_multiple_of(4)
            .then_some(self.aux_data.len() / 4)
            .and_then(|w| u8::try_from(w).ok())
            .ok_or(invalid("aux data len", 1))?;
        let num_sources = self
            .sources
            .len()
            .is_multiple_of(4)
            .then_some(self.sources.len() / 4)
            .and_then(|n| u16::try_from(n).ok())
            .ok_or(invalid("number of sources", 2))?;
        if !is_group(self.multicast_addr) {
            return Err(invalid("multicast address", 4));
        }
        buf[0] = self.record_type.0;
        buf[1] = aux_words;
        set_u16(buf, 2, num_sources);
        set_u32(buf, 4, self.multicast_addr.to_bits());
        let src_end = GROUP_RECORD_HEADER_LEN + self.sources.len();
        buf[GROUP_RECORD_HEADER_LEN..src_end].copy_from_slice(self.sources);
        buf[src_end..len].copy_from_slice(self.aux_data);
        Ok(len)
    }
}

impl fmt::Display for GroupRecord<'_> {
    /// tcpdump's wording: `[gaddr 232.1.1.1 allow, 1 source(s)]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[gaddr {} {}, {} source(s)]",
            self.multicast_addr,
            self.record_type,
            self.num_sources()
        )
    }
}

/// Length of the record starting at `at` in `buf`, or `Truncated` (offsets counted
/// from `base`).
fn record_len(buf: &[u8], at: usize, base: usize) -> Result<usize> {
    let rebase = |e: Error| e.rebase(base);
    check_len(Layer::Igmp, buf, at + GROUP_RECORD_HEADER_LEN).map_err(rebase)?;
    let aux = usize::from(buf[at + 1]) * 4;
    let sources = usize::from(u16_at(buf, at + 2)) * 4;
    let len = GROUP_RECORD_HEADER_LEN + sources + aux;
    check_len(Layer::Igmp, buf, at + len).map_err(rebase)?;
    Ok(len)
}

/// An iterator over the group records of a version 3 report, validating as it goes.
///
/// It walks `bytes` to their end, yields `Err` once and stops at the first record
/// that does not fit or names a group that is not multicast. Error offsets are
/// counted from the start of the IGMP message (the records start at byte 8).
#[derive(Debug, Clone)]
pub struct GroupRecords<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> GroupRecords<'a> {
    /// Iterates over the records in `bytes` (the report after its first 8 bytes).
    pub const fn new(bytes: &'a [u8]) -> Self {
        GroupRecords { bytes, at: 0 }
    }

    /// Walks every record and returns how many there are, or the first error.
    pub fn validate(bytes: &'a [u8]) -> Result<usize> {
        let mut n = 0;
        for r in GroupRecords::new(bytes) {
            r?;
            n += 1;
        }
        Ok(n)
    }
}

impl<'a> Iterator for GroupRecords<'a> {
    type Item = Result<GroupRecord<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let at = self.at;
        if at >= self.bytes.len() {
            return None;
        }
        let b = self.bytes;
        let len = match record_len(b, at, offset::RECORDS) {
            Ok(len) => len,
            Err(e) => {
                self.at = b.len();
                return Some(Err(e));
            }
        };
        self.at = at + len;
        let multicast_addr = Ipv4Addr::from_bits(u32_at(b, at + 4));
        //= https://www.rfc-editor.org/rfc/rfc3376#section-4.2.11
        //# The Multicast Address field contains the IP multicast address to which this
        //# Group Record pertains.
        if !is_group(multicast_addr) {
            self.at = b.len();
            return Some(Err(Error::Invalid {
                layer: Layer::Igmp,
                field: "multicast address",
                offset: offset::RECORDS + at + 4,
            }));
        }
        let src_end = at + GROUP_RECORD_HEADER_LEN + usize::from(u16_at(b, at + 2)) * 4;
        Some(Ok(GroupRecord {
            record_type: RecordType(b[at]),
            multicast_addr,
            sources: &b[at + GROUP_RECORD_HEADER_LEN..src_end],
            aux_data: &b[src_end..at + len],
        }))
    }
}

/// Builds the group records of a version 3 report in a caller's buffer.
#[derive(Debug)]
pub struct GroupRecordsWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> GroupRecordsWriter<'b> {
    /// Starts writing at the beginning of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        GroupRecordsWriter { buf, len: 0 }
    }

    /// Appends one record.
    pub fn push(&mut self, record: &GroupRecord<'_>) -> Result<()> {
        check_emit_len(Layer::Igmp, self.buf, self.len + record.buffer_len())?;
        let rest = self.buf.get_mut(self.len..).unwrap_or_default();
        self.len += record
            .emit(rest)
            .map_err(|e| e.rebase(offset::RECORDS + self.len))?;
        Ok(())
    }

    /// The records written so far.
    pub fn finish(self) -> &'b [u8] {
        let GroupRecordsWriter { buf, len } = self;
        let buf: &'b [u8] = buf;
        &buf[..len]
    }
}

/// A zero-copy view of an IGMP message. The buffer is the whole message (the IPv4
/// payload, which the checksum covers).
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it. Accessors may panic if it is shorter than
    /// 8 bytes, and the source and record accessors if it is shorter than the
    /// counts announce.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer after checking it with [`Packet::check_len`].
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// Checks that the buffer holds the 8-byte header and, for a version 3 query or
    /// report, every source and group record the counts announce.
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        check_len(Layer::Igmp, buf, HEADER_LEN)?;
        match self.msg_type() {
            Message::MEMBERSHIP_QUERY if buf.len() >= V3_QUERY_HEADER_LEN => check_len(
                Layer::Igmp,
                buf,
                V3_QUERY_HEADER_LEN + usize::from(self.num_sources()) * 4,
            ),
            Message::V3_MEMBERSHIP_REPORT => self.records_end().map(|_| ()),
            _ => Ok(()),
        }
    }

    fn records_end(&self) -> Result<usize> {
        let buf = self.buffer.as_ref();
        let mut at = offset::RECORDS;
        for _ in 0..self.num_group_records() {
            at += record_len(buf, at, 0)?;
        }
        Ok(at)
    }

    /// Consumes the view and returns the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The message type.
    pub fn msg_type(&self) -> Message {
        Message(self.buffer.as_ref()[offset::TYPE])
    }

    /// The Max Resp Time (version 2, tenths of a second) or Max Resp Code
    /// (version 3) of a query; unused in other messages.
    pub fn max_resp_code(&self) -> u8 {
        self.buffer.as_ref()[offset::MAX_RESP]
    }

    /// The checksum field.
    pub fn checksum(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::CHECKSUM)
    }

    /// The Group Address of a version 1 or 2 message or a version 3 query.
    pub fn group_addr(&self) -> Ipv4Addr {
        Ipv4Addr::from_bits(u32_at(self.buffer.as_ref(), offset::GROUP))
    }

    /// The version of a Membership Query by its length (RFC 3376 section 7.1), or
    /// `None` for another message or a query 9 to 11 bytes long.
    pub fn query_version(&self) -> Option<QueryVersion> {
        if self.msg_type() != Message::MEMBERSHIP_QUERY {
            return None;
        }
        //= https://www.rfc-editor.org/rfc/rfc3376#section-7.1
        //# IGMPv1 Query: length = 8 octets AND Max Resp Code field is zero
        //# IGMPv2 Query: length = 8 octets AND Max Resp Code field is non-zero
        //# IGMPv3 Query: length >= 12 octets
        match self.buffer.as_ref().len() {
            HEADER_LEN if self.max_resp_code() == 0 => Some(QueryVersion::V1),
            HEADER_LEN => Some(QueryVersion::V2),
            n if n >= V3_QUERY_HEADER_LEN => Some(QueryVersion::V3),
            _ => None,
        }
    }

    fn byte(&self, at: usize) -> u8 {
        self.buffer.as_ref().get(at).copied().unwrap_or(0)
    }

    /// The S flag (Suppress Router-Side Processing) of a version 3 query; `false`
    /// when the message is shorter.
    pub fn s_flag(&self) -> bool {
        self.byte(offset::S_QRV) & 0x08 != 0
    }

    /// The Querier's Robustness Variable of a version 3 query (3 bits); 0 when the
    /// message is shorter.
    pub fn qrv(&self) -> u8 {
        self.byte(offset::S_QRV) & 0x07
    }

    /// The Querier's Query Interval Code of a version 3 query; 0 when the message is
    /// shorter.
    pub fn qqic(&self) -> u8 {
        self.byte(offset::QQIC)
    }

    /// The Number of Sources of a version 3 query; 0 when the message is shorter.
    pub fn num_sources(&self) -> u16 {
        u16::from_be_bytes([
            self.byte(offset::NUM_SOURCES),
            self.byte(offset::NUM_SOURCES + 1),
        ])
    }

    /// The source addresses of a version 3 query, raw; empty when the message is not
    /// one.
    pub fn sources(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        if self.msg_type() != Message::MEMBERSHIP_QUERY {
            return &[];
        }
        let end = offset::SOURCES + usize::from(self.num_sources()) * 4;
        b.get(offset::SOURCES..end).unwrap_or(&[])
    }

    /// The Number of Group Records of a version 3 report.
    pub fn num_group_records(&self) -> u16 {
        u16_at(self.buffer.as_ref(), offset::NUM_RECORDS)
    }

    /// The group records of a version 3 report, raw (exactly the announced number;
    /// data after them is ignored); empty when the message is not one.
    pub fn records(&self) -> &[u8] {
        if self.msg_type() != Message::V3_MEMBERSHIP_REPORT {
            return &[];
        }
        let end = self.records_end().unwrap_or(offset::RECORDS);
        self.buffer
            .as_ref()
            .get(offset::RECORDS..end)
            .unwrap_or(&[])
    }

    /// Verifies the checksum over the whole message.
    pub fn verify_checksum(&self) -> Result<()> {
        let found = self.checksum();
        checksum::verify(checksum::data(self.buffer.as_ref()), found).map_err(|expected| {
            Error::Checksum {
                layer: Layer::Igmp,
                found,
                expected,
            }
        })
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the message type.
    pub fn set_msg_type(&mut self, value: Message) {
        self.buffer.as_mut()[offset::TYPE] = value.0;
    }

    /// Sets Max Resp Time / Max Resp Code.
    pub fn set_max_resp_code(&mut self, value: u8) {
        self.buffer.as_mut()[offset::MAX_RESP] = value;
    }

    /// Sets the checksum field.
    pub fn set_checksum(&mut self, value: u16) {
        set_u16(self.buffer.as_mut(), offset::CHECKSUM, value);
    }

    /// Sets the Group Address.
    pub fn set_group_addr(&mut self, addr: Ipv4Addr) {
        set_u32(self.buffer.as_mut(), offset::GROUP, addr.to_bits());
    }

    /// Computes the checksum over the whole message and writes it.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let c = checksum::finish(checksum::data(self.buffer.as_ref()));
        self.set_checksum(c);
    }
}

/// An IGMP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Repr<'a> {
    /// A version 1 or 2 Membership Query (8 bytes): version 1 when `max_resp_time`
    /// is 0. `group_addr` is 0.0.0.0 in a general query.
    MembershipQuery {
        /// Max Resp Time in tenths of a second (0 in a version 1 query).
        max_resp_time: u8,
        /// The group queried, or 0.0.0.0.
        group_addr: Ipv4Addr,
    },
    /// A version 3 Membership Query.
    MembershipQueryV3 {
        /// Max Resp Code (see [`decode_code`]), in tenths of a second.
        max_resp_code: u8,
        /// The group queried, or 0.0.0.0 in a general query.
        group_addr: Ipv4Addr,
        /// Suppress Router-Side Processing.
        s_flag: bool,
        /// Querier's Robustness Variable (0 to 7).
        qrv: u8,
        /// Querier's Query Interval Code (see [`decode_code`]), in seconds.
        qqic: u8,
        /// The source addresses, raw (4 bytes each); see [`Repr::sources`].
        sources: &'a [u8],
    },
    /// A version 1 Membership Report (RFC 1112).
    MembershipReportV1 {
        /// The group joined.
        group_addr: Ipv4Addr,
    },
    /// A version 2 Membership Report.
    MembershipReportV2 {
        /// The group joined.
        group_addr: Ipv4Addr,
    },
    /// A version 2 Leave Group.
    LeaveGroup {
        /// The group left.
        group_addr: Ipv4Addr,
    },
    /// A version 3 Membership Report.
    MembershipReportV3 {
        /// The group records, raw and validated; see [`Repr::records`].
        records: &'a [u8],
    },
}

impl<'a> Repr<'a> {
    /// Parses a checked message, verifying its checksum if `caps.igmp` says so.
    ///
    /// Returns `Unsupported` for message types other than the six above (DVMRP,
    /// mtrace, ...), `Invalid` for a query 9 to 11 bytes long, and `Invalid` for a
    /// group address that is not multicast (or, in a query, 0.0.0.0).
    pub fn parse<T: AsRef<[u8]> + ?Sized>(
        packet: &Packet<&'a T>,
        caps: &ChecksumCapabilities,
    ) -> Result<Repr<'a>> {
        //= https://www.rfc-editor.org/rfc/rfc3376#section-4.1.2
        //# When receiving packets, the checksum MUST be verified before processing a
        //# packet.
        if caps.igmp.verify_rx() {
            packet.verify_checksum()?;
        }
        let invalid = |field, offset| Error::Invalid {
            layer: Layer::Igmp,
            field,
            offset,
        };
        let group_addr = packet.group_addr();
        let query_group = || {
            if group_addr.is_unspecified() || is_group(group_addr) {
                Ok(group_addr)
            } else {
                Err(invalid("group address", offset::GROUP))
            }
        };
        let report_group = || {
            if is_group(group_addr) {
                Ok(group_addr)
            } else {
                Err(invalid("group address", offset::GROUP))
            }
        };
        let buf: &'a [u8] = packet.buffer.as_ref();
        match packet.msg_type() {
            Message::MEMBERSHIP_QUERY => match packet.query_version() {
                Some(QueryVersion::V1 | QueryVersion::V2) => Ok(Repr::MembershipQuery {
                    max_resp_time: packet.max_resp_code(),
                    group_addr: query_group()?,
                }),
                Some(QueryVersion::V3) => {
                    let end = offset::SOURCES + usize::from(packet.num_sources()) * 4;
                    Ok(Repr::MembershipQueryV3 {
                        max_resp_code: packet.max_resp_code(),
                        group_addr: query_group()?,
                        s_flag: packet.s_flag(),
                        qrv: packet.qrv(),
                        qqic: packet.qqic(),
                        sources: &buf[offset::SOURCES..end],
                    })
                }
                //= https://www.rfc-editor.org/rfc/rfc3376#section-7.1
                //# Query messages that do not match any of the above conditions
                //# (e.g., a Query of length 10 octets) MUST be silently ignored.
                None => Err(invalid("query length", HEADER_LEN)),
            },
            Message::V1_MEMBERSHIP_REPORT => Ok(Repr::MembershipReportV1 {
                group_addr: report_group()?,
            }),
            Message::V2_MEMBERSHIP_REPORT => Ok(Repr::MembershipReportV2 {
                group_addr: report_group()?,
            }),
            Message::LEAVE_GROUP => Ok(Repr::LeaveGroup {
                group_addr: report_group()?,
            }),
            Message::V3_MEMBERSHIP_REPORT => {
                let end = packet.records_end()?;
                let records = &buf[offset::RECORDS..end];
                GroupRecords::validate(records)?;
                Ok(Repr::MembershipReportV3 { records })
            }
            //= https://www.rfc-editor.org/rfc/rfc3376#section-4
            //# Unrecognized message types MUST be silently ignored.
            _ => Err(Error::Unsupported {
                layer: Layer::Igmp,
                field: "type",
                offset: offset::TYPE,
            }),
        }
    }

    /// The message type.
    pub const fn msg_type(&self) -> Message {
        match self {
            Repr::MembershipQuery { .. } | Repr::MembershipQueryV3 { .. } => {
                Message::MEMBERSHIP_QUERY
            }
            Repr::MembershipReportV1 { .. } => Message::V1_MEMBERSHIP_REPORT,
            Repr::MembershipReportV2 { .. } => Message::V2_MEMBERSHIP_REPORT,
            Repr::LeaveGroup { .. } => Message::LEAVE_GROUP,
            Repr::MembershipReportV3 { .. } => Message::V3_MEMBERSHIP_REPORT,
        }
    }

    /// The version of a query (`None` for other messages).
    pub const fn query_version(&self) -> Option<QueryVersion> {
        match *self {
            Repr::MembershipQuery {
                max_resp_time: 0, ..
            } => Some(QueryVersion::V1),
            Repr::MembershipQuery { .. } => Some(QueryVersion::V2),
            Repr::MembershipQueryV3 { .. } => Some(QueryVersion::V3),
            _ => None,
        }
    }

    /// How long a host may wait before answering a query (`None` for other
    /// messages). A version 1 query carries no time and means 10 seconds.
    pub const fn max_resp_time(&self) -> Option<Duration> {
        let tenths = match *self {
            //= https://www.rfc-editor.org/rfc/rfc2236#section-4
            //# If the query is an IGMPv1 query (Max Resp Time of zero), ... a value of
            //# 100 (10 seconds)
            Repr::MembershipQuery {
                max_resp_time: 0, ..
            } => 100,
            Repr::MembershipQuery { max_resp_time, .. } => max_resp_time as u32,
            Repr::MembershipQueryV3 { max_resp_code, .. } => decode_code(max_resp_code),
            _ => return None,
        };
        Some(Duration::from_millis(tenths as u64 * 100))
    }

    /// The Querier's Query Interval of a version 3 query, decoded from QQIC.
    pub const fn query_interval(&self) -> Option<Duration> {
        match *self {
            Repr::MembershipQueryV3 { qqic, .. } => {
                Some(Duration::from_secs(decode_code(qqic) as u64))
            }
            _ => None,
        }
    }

    /// The group of a version 1 or 2 message or a query.
    pub const fn group_addr(&self) -> Option<Ipv4Addr> {
        match *self {
            Repr::MembershipQuery { group_addr, .. }
            | Repr::MembershipQueryV3 { group_addr, .. }
            | Repr::MembershipReportV1 { group_addr }
            | Repr::MembershipReportV2 { group_addr }
            | Repr::LeaveGroup { group_addr } => Some(group_addr),
            Repr::MembershipReportV3 { .. } => None,
        }
    }

    /// The sources of a version 3 query (empty for other messages).
    pub fn sources(&self) -> Addrs<'a> {
        match *self {
            Repr::MembershipQueryV3 { sources, .. } => Addrs::new(sources),
            _ => Addrs::new(&[]),
        }
    }

    /// The group records of a version 3 report (empty for other messages).
    pub fn records(&self) -> GroupRecords<'a> {
        match *self {
            Repr::MembershipReportV3 { records } => GroupRecords::new(records),
            _ => GroupRecords::new(&[]),
        }
    }

    /// The header length: 8, 12 for a version 3 query.
    pub const fn header_len(&self) -> usize {
        match self {
            Repr::MembershipQueryV3 { .. } => V3_QUERY_HEADER_LEN,
            _ => HEADER_LEN,
        }
    }

    /// The whole message.
    pub const fn buffer_len(&self) -> usize {
        match self {
            Repr::MembershipQueryV3 { sources, .. } => V3_QUERY_HEADER_LEN + sources.len(),
            Repr::MembershipReportV3 { records } => V3_REPORT_HEADER_LEN + records.len(),
            _ => HEADER_LEN,
        }
    }

    /// Writes the whole message into `buf[..buffer_len]` and, if `caps.igmp` says so,
    /// the checksum (otherwise the field is 0).
    pub fn emit(&self, buf: &mut [u8], caps: &ChecksumCapabilities) -> Result<()> {
        let len = self.buffer_len();
        check_emit_len(Layer::Igmp, buf, len)?;
        let invalid = |field, offset| Error::Invalid {
            layer: Layer::Igmp,
            field,
            offset,
        };
        let buf = &mut buf[..len];
        let group_ok = match *self {
            Repr::MembershipQuery { group_addr, .. }
            | Repr::MembershipQueryV3 { group_addr, .. } => {
                group_addr.is_unspecified() || is_group(group_addr)
            }
            Repr::MembershipReportV1 { group_addr }
            | Repr::MembershipReportV2 { group_addr }
            | Repr::LeaveGroup { group_addr } => is_group(group_addr),
            Repr::MembershipReportV3 { .. } => true,
        };
        if !group_ok {
            return Err(invalid("group address", offset::GROUP));
        }
        buf[offset::TYPE] = self.msg_type().0;
        buf[offset::MAX_RESP] = 0;
        set_u16(buf, offset::CHECKSUM, 0);
        match *self {
            Repr::MembershipQuery {
                max_resp_time,
                group_addr,
            } => {
                buf[offset::MAX_RESP] = max_resp_time;
                set_u32(buf, offset::GROUP, group_addr.to_bits());
            }
            Repr::MembershipQueryV3 {
                max_resp_code,
                group_addr,
                s_flag,
                qrv,
                qqic,
                sources,
            } => {
                if qrv > 7 {
                    return Err(invalid("QRV", offset::S_QRV));
                }
                let n = sources
                    .len()
                    .is_multiple_of(4)
                    .then_some(sources.len() / 4)
                    .and_then(|n| u16::try_from(n).ok())
                    .ok_or(invalid("number of sources", offset::NUM_SOURCES))?;
                buf[offset::MAX_RESP] = max_resp_code;
                set_u32(buf, offset::GROUP, group_addr.to_bits());
                //= https://www.rfc-editor.org/rfc/rfc3376#section-4.1.5
                //# Resv: set to zero on transmission, and ignored on reception.
                buf[offset::S_QRV] = (u8::from(s_flag) << 3) | qrv;
                buf[offset::QQIC] = qqic;
                set_u16(buf, offset::NUM_SOURCES, n);
                buf[offset::SOURCES..].copy_from_slice(sources);
            }
            Repr::MembershipReportV1 { group_addr }
            | Repr::MembershipReportV2 { group_addr }
            | Repr::LeaveGroup { group_addr } => {
                set_u32(buf, offset::GROUP, group_addr.to_bits());
            }
            Repr::MembershipReportV3 { records } => {
                let n = GroupRecords::validate(records)?;
                let n = u16::try_from(n).map_err(|_| invalid("number of group records", 6))?;
                //= https://www.rfc-editor.org/rfc/rfc3376#section-4.2.1
                //# Reserved: set to zero on transmission, and ignored on reception.
                set_u16(buf, 4, 0);
                set_u16(buf, offset::NUM_RECORDS, n);
                buf[offset::RECORDS..].copy_from_slice(records);
            }
        }
        if caps.igmp.compute_tx() {
            Packet::new_unchecked(&mut *buf).fill_checksum();
        }
        Ok(())
    }
}

impl fmt::Display for Repr<'_> {
    /// tcpdump's wording: `igmp v2 report 239.9.9.9`, `igmp query v3 [gaddr ...]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Repr::MembershipQuery { group_addr, .. }
            | Repr::MembershipQueryV3 { group_addr, .. } => {
                let v = match self.query_version() {
                    Some(QueryVersion::V1) => 1,
                    Some(QueryVersion::V2) => 2,
                    _ => 3,
                };
                write!(f, "igmp query v{v}")?;
                // Like tcpdump, only a time other than the default 10 s is shown.
                if let Some(t) = self
                    .max_resp_time()
                    .filter(|t| t.as_secs() != 10 || t.subsec_millis() != 0)
                {
                    write!(
                        f,
                        " [max resp time {}.{}s]",
                        t.as_secs(),
                        t.subsec_millis() / 100
                    )?;
                }
                if !group_addr.is_unspecified() {
                    write!(f, " [gaddr {group_addr}]")?;
                }
                let n = self.sources().len();
                if n > 0 {
                    write!(f, " {n} source(s)")?;
                }
                Ok(())
            }
            Repr::MembershipReportV1 { group_addr } => write!(f, "igmp v1 report {group_addr}"),
            Repr::MembershipReportV2 { group_addr } => write!(f, "igmp v2 report {group_addr}"),
            Repr::LeaveGroup { group_addr } => write!(f, "igmp leave {group_addr}"),
            Repr::MembershipReportV3 { .. } => {
                let n = self.records().count();
                write!(f, "igmp v3 report, {n} group record(s)")?;
                for r in self.records().flatten() {
                    write!(f, " {r}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests;
