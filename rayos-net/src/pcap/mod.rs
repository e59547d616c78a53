//! Packet capture files: the classic libpcap format (read and write) and pcapng (read).
//!
//! Everything here works on a complete capture held in a `&[u8]` (a file read into
//! memory, a flash region, a buffer received over a link) and on caller-owned output
//! buffers: no allocation, no I/O, no `unsafe`. With the `std` feature,
//! [`PcapWriter`] writes the classic format to any [`std::io::Write`].
//!
//! # Reading
//! [`Capture::new`] recognises the format by its magic number and yields one
//! [`Record`] per packet, whatever the format:
//!
//! ```
//! use rayos_net::pcap::{self, Capture, LinkType};
//! use core::time::Duration;
//!
//! // Write a small capture into a buffer, then read it back.
//! let mut buf = [0u8; 128];
//! let mut len = pcap::write_header(&mut buf, LinkType::ETHERNET, 65535)?;
//! let frame = [0xffu8; 60];
//! len += pcap::write_record(&mut buf[len..], Duration::from_micros(1_500_000), &frame, 60)?;
//!
//! let capture = Capture::new(&buf[..len])?;
//! for record in capture.records() {
//!     let record = record?;
//!     assert_eq!(record.link_type, LinkType::ETHERNET);
//!     assert_eq!(record.timestamp, Some(Duration::from_millis(1500)));
//!     assert_eq!(record.data, &frame[..]);
//! }
//! # Ok::<(), pcap::Error>(())
//! ```
//!
//! The record iterators stop after the first error: a damaged capture yields the
//! records before the damage, then one [`Error`] that says what is wrong and at which
//! byte offset of the file, then `None`. They never loop and never panic, whatever the
//! bytes.
//!
//! # Formats
//! - Classic libpcap ([`PcapFile`]), as described in
//!   [draft-ietf-opsawg-pcap](https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/):
//!   microsecond (`0xa1b2c3d4`) and nanosecond (`0xa1b23c4d`) resolution, in either
//!   byte order, version 2.4, including the FCS-length bits of the link-type field.
//! - pcapng ([`PcapNgFile`]), as described in
//!   [draft-ietf-opsawg-pcapng](https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/):
//!   sections in either byte order, Interface Description Blocks with `if_tsresol`
//!   and `if_tsoffset`, Enhanced, Simple and (obsolete) Packet Blocks; every other
//!   block is skipped by its length.
//!
//! # Writing
//! [`write_header`] and [`write_record`] write the classic format (little-endian,
//! microsecond resolution, what libpcap writes on the machines we run) into caller
//! buffers; [`FileHeader::emit`] and [`FileHeader::emit_record`] write any variant.
//! Files written this way open in `tcpdump -r`.

mod classic;
mod ng;
#[cfg(test)]
mod tests;
#[cfg(feature = "std")]
mod writer;

pub use classic::{
    FILE_HEADER_LEN, FileHeader, PcapFile, PcapRecords, RECORD_HEADER_LEN, Resolution,
    write_header, write_record,
};
pub use ng::{Interface, PcapNgFile, PcapNgRecords, TsResolution};
#[cfg(feature = "std")]
pub use writer::PcapWriter;

use core::fmt;
use core::iter::FusedIterator;
use core::time::Duration;

/// The link-layer header type of the packets in a capture (the `LINKTYPE_*` values of
/// the tcpdump.org registry).
///
/// An open number space: every value is representable, the common ones are named.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LinkType(pub u32);

impl LinkType {
    /// `LINKTYPE_NULL`: BSD loopback, a 4-byte protocol family in host byte order.
    pub const NULL: Self = Self(0);
    /// `LINKTYPE_ETHERNET`: IEEE 802.3 / Ethernet II frames, without FCS unless the
    /// file says otherwise.
    pub const ETHERNET: Self = Self(1);
    /// `LINKTYPE_RAW`: raw IPv4 or IPv6 packets, told apart by the version nibble.
    pub const RAW: Self = Self(101);
    /// `LINKTYPE_IEEE802_11`: IEEE 802.11 frames.
    pub const IEEE802_11: Self = Self(105);
    /// `LINKTYPE_LOOP`: OpenBSD loopback, a 4-byte protocol family in network order.
    pub const LOOP: Self = Self(108);
    /// `LINKTYPE_LINUX_SLL`: Linux "cooked" capture, version 1 (16-byte header).
    pub const LINUX_SLL: Self = Self(113);
    /// `LINKTYPE_IEEE802_11_RADIOTAP`: 802.11 frames behind a radiotap header.
    pub const IEEE802_11_RADIOTAP: Self = Self(127);
    /// `LINKTYPE_IPV4`: raw IPv4 packets.
    pub const IPV4: Self = Self(228);
    /// `LINKTYPE_IPV6`: raw IPv6 packets.
    pub const IPV6: Self = Self(229);
    /// `LINKTYPE_LINUX_SLL2`: Linux "cooked" capture, version 2 (20-byte header).
    pub const LINUX_SLL2: Self = Self(276);

    /// The name of a known value, or `None`.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "NULL",
            1 => "ETHERNET",
            101 => "RAW",
            105 => "IEEE802_11",
            108 => "LOOP",
            113 => "LINUX_SLL",
            127 => "IEEE802_11_RADIOTAP",
            228 => "IPV4",
            229 => "IPV6",
            276 => "LINUX_SLL2",
            _ => return None,
        })
    }
}

impl From<u32> for LinkType {
    fn from(v: u32) -> Self {
        Self(v)
    }
}

impl From<LinkType> for u32 {
    fn from(v: LinkType) -> Self {
        v.0
    }
}

impl fmt::Debug for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "LinkType({})", self.0),
        }
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0),
        }
    }
}

/// The byte order a capture file (or a pcapng section) was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Most significant byte first.
    BigEndian,
    /// Least significant byte first.
    LittleEndian,
}

impl ByteOrder {
    pub(crate) const fn u16(self, b: [u8; 2]) -> u16 {
        match self {
            ByteOrder::BigEndian => u16::from_be_bytes(b),
            ByteOrder::LittleEndian => u16::from_le_bytes(b),
        }
    }

    pub(crate) const fn u32(self, b: [u8; 4]) -> u32 {
        match self {
            ByteOrder::BigEndian => u32::from_be_bytes(b),
            ByteOrder::LittleEndian => u32::from_le_bytes(b),
        }
    }

    pub(crate) const fn u16_bytes(self, v: u16) -> [u8; 2] {
        match self {
            ByteOrder::BigEndian => v.to_be_bytes(),
            ByteOrder::LittleEndian => v.to_le_bytes(),
        }
    }

    pub(crate) const fn u32_bytes(self, v: u32) -> [u8; 4] {
        match self {
            ByteOrder::BigEndian => v.to_be_bytes(),
            ByteOrder::LittleEndian => v.to_le_bytes(),
        }
    }
}

/// What is wrong with a capture, or why a record cannot be written.
///
/// Offsets are byte offsets from the start of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file ends inside a structure: `what` starts at `offset` and needs `needed`
    /// bytes, only `available` remain. Also a record whose captured length runs past
    /// the end of the file.
    #[error("truncated {what} at offset {offset}: {needed} bytes needed, {available} available")]
    Truncated {
        /// The structure being read ("file header", "record data", "block", ...).
        what: &'static str,
        /// Where it starts.
        offset: usize,
        /// Bytes it needs.
        needed: usize,
        /// Bytes left in the file from `offset`.
        available: usize,
    },
    /// The file starts with no magic number this module knows. `magic` is the first
    /// four bytes, read big-endian.
    #[error("bad magic number {magic:#010x} at offset {offset}")]
    BadMagic {
        /// The four bytes found, big-endian.
        magic: u32,
        /// Where they were found.
        offset: usize,
    },
    /// A valid construct this reader does not handle (another format version, the
    /// "modified" pcap format, a timestamp resolution finer than representable).
    #[error("unsupported {what} at offset {offset}")]
    Unsupported {
        /// What is unsupported.
        what: &'static str,
        /// Where it was found.
        offset: usize,
    },
    /// A field holds a value the format forbids or that contradicts another field.
    #[error("invalid {field} at offset {offset}")]
    Invalid {
        /// The field, as the format's specification names it.
        field: &'static str,
        /// Where the field is.
        offset: usize,
    },
    /// A record captured more bytes than the snapshot length of its file or interface.
    #[error("captured length {captured} over snapshot length {snaplen} at offset {offset}")]
    CapturedOverSnaplen {
        /// The captured length of the record.
        captured: u32,
        /// The snapshot length in force.
        snaplen: u32,
        /// Where the captured length field is.
        offset: usize,
    },
    /// A record captured more bytes than the packet had on the wire.
    #[error("captured length {captured} over original length {original} at offset {offset}")]
    CapturedOverOriginal {
        /// The captured length of the record.
        captured: u32,
        /// The original length of the packet.
        original: u32,
        /// Where the captured length field is.
        offset: usize,
    },
    /// A pcapng packet refers to an interface no Interface Description Block of its
    /// section has described.
    #[error("unknown interface {interface_id} at offset {offset}")]
    UnknownInterface {
        /// The interface ID in the packet block.
        interface_id: u32,
        /// Where the interface ID is (for a Simple Packet Block: the block).
        offset: usize,
    },
    /// A pcapng section describes more interfaces than the reader has room for.
    #[error("more than {capacity} interfaces in one section at offset {offset}")]
    TooManyInterfaces {
        /// The reader's capacity (its `MAX_INTERFACES` parameter).
        capacity: usize,
        /// Where the Interface Description Block that did not fit starts.
        offset: usize,
    },
    /// A value cannot be written in the format: a timestamp past the 32-bit seconds
    /// field, a packet longer than the snapshot length or than its original length,
    /// a link type over 16 bits.
    #[error("{field} cannot be written in this format")]
    Unrepresentable {
        /// What could not be written.
        field: &'static str,
    },
    /// The output buffer is too small.
    #[error("buffer too small: {needed} bytes needed, {available} available")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
}

impl Error {
    /// The byte offset in the file where the problem was found, for read errors.
    pub const fn offset(&self) -> Option<usize> {
        match *self {
            Error::Truncated { offset, .. }
            | Error::BadMagic { offset, .. }
            | Error::Unsupported { offset, .. }
            | Error::Invalid { offset, .. }
            | Error::CapturedOverSnaplen { offset, .. }
            | Error::CapturedOverOriginal { offset, .. }
            | Error::UnknownInterface { offset, .. }
            | Error::TooManyInterfaces { offset, .. } => Some(offset),
            Error::Unrepresentable { .. } | Error::BufferTooSmall { .. } => None,
        }
    }
}

/// The result type of this module.
pub type Result<T> = core::result::Result<T, Error>;

/// One captured packet, from either format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Record<'a> {
    /// When the packet was captured, since the UNIX epoch (the epoch the capture
    /// file uses). `None` only for a pcapng Simple Packet Block, which has no
    /// timestamp.
    pub timestamp: Option<Duration>,
    /// The length of the packet on the wire; at least `data.len()`.
    pub original_len: u32,
    /// The captured bytes (the first `captured_len()` bytes of the packet).
    pub data: &'a [u8],
    /// The link-layer type of `data`.
    pub link_type: LinkType,
    /// The pcapng interface the packet was captured on (0 in a classic file).
    pub interface_id: u32,
    /// Where the record (classic: its 16-byte header; pcapng: its block) starts in
    /// the file.
    pub offset: usize,
}

impl Record<'_> {
    /// The number of bytes captured, `data.len()`.
    pub const fn captured_len(&self) -> usize {
        self.data.len()
    }

    /// Whether the capture holds fewer bytes than the packet had on the wire.
    pub fn is_truncated(&self) -> bool {
        u32::try_from(self.data.len()).map_or(true, |c| c < self.original_len)
    }
}

/// The format of a capture file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The classic libpcap format.
    Pcap,
    /// pcapng.
    PcapNg,
}

/// The magic number of a microsecond-resolution classic file.
pub const MAGIC_MICROS: u32 = 0xa1b2_c3d4;
/// The magic number of a nanosecond-resolution classic file.
pub const MAGIC_NANOS: u32 = 0xa1b2_3c4d;
/// The block type of a pcapng Section Header Block, which starts every pcapng file.
pub const PCAPNG_SHB_TYPE: u32 = 0x0a0d_0d0a;
/// Alexey Kuznetzov's "modified" pcap format, which this module does not read.
const MAGIC_MODIFIED: u32 = 0xa1b2_cd34;

impl Format {
    /// Tells the format of `bytes` from its first four bytes.
    pub fn detect(bytes: &[u8]) -> Result<Self> {
        let magic = array::<4>(bytes, 0).ok_or(Error::Truncated {
            what: "magic number",
            offset: 0,
            needed: 4,
            available: bytes.len(),
        })?;
        let be = u32::from_be_bytes(magic);
        let le = u32::from_le_bytes(magic);
        if be == PCAPNG_SHB_TYPE {
            Ok(Format::PcapNg)
        } else if [be, le]
            .iter()
            .any(|&m| m == MAGIC_MICROS || m == MAGIC_NANOS)
        {
            Ok(Format::Pcap)
        } else if be == MAGIC_MODIFIED || le == MAGIC_MODIFIED {
            Err(Error::Unsupported {
                what: "modified (Kuznetzov) pcap format",
                offset: 0,
            })
        } else {
            Err(Error::BadMagic {
                magic: be,
                offset: 0,
            })
        }
    }
}

/// A capture file of either format, recognised by its magic number.
#[derive(Debug, Clone)]
pub struct Capture<'a> {
    inner: CaptureInner<'a>,
}

#[derive(Debug, Clone)]
enum CaptureInner<'a> {
    Pcap(PcapFile<'a>),
    PcapNg(PcapNgFile<'a>),
}

impl<'a> Capture<'a> {
    /// Recognises the format and checks the file header (classic) or the first
    /// Section Header Block (pcapng).
    pub fn new(bytes: &'a [u8]) -> Result<Self> {
        let inner = match Format::detect(bytes)? {
            Format::Pcap => CaptureInner::Pcap(PcapFile::new(bytes)?),
            Format::PcapNg => CaptureInner::PcapNg(PcapNgFile::new(bytes)?),
        };
        Ok(Capture { inner })
    }

    /// The file's format.
    pub const fn format(&self) -> Format {
        match self.inner {
            CaptureInner::Pcap(_) => Format::Pcap,
            CaptureInner::PcapNg(_) => Format::PcapNg,
        }
    }

    /// The classic file header, for a classic file.
    pub const fn pcap_header(&self) -> Option<&FileHeader> {
        match &self.inner {
            CaptureInner::Pcap(f) => Some(f.header()),
            CaptureInner::PcapNg(_) => None,
        }
    }

    /// The packets, in file order. Stops after the first error.
    pub fn records(&self) -> Records<'a> {
        Records {
            inner: match &self.inner {
                CaptureInner::Pcap(f) => RecordsInner::Pcap(f.records()),
                CaptureInner::PcapNg(f) => RecordsInner::PcapNg(f.records()),
            },
        }
    }
}

/// The packets of a [`Capture`], in file order; stops after the first error.
#[derive(Debug, Clone)]
pub struct Records<'a> {
    inner: RecordsInner<'a>,
}

#[derive(Debug, Clone)]
// No allocator to box into: the pcapng interface table (16 entries) lives inline.
#[allow(clippy::large_enum_variant)]
enum RecordsInner<'a> {
    Pcap(PcapRecords<'a>),
    PcapNg(PcapNgRecords<'a>),
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            RecordsInner::Pcap(r) => r.next(),
            RecordsInner::PcapNg(r) => r.next(),
        }
    }
}

impl FusedIterator for Records<'_> {}

/// The `N` bytes of `bytes` at `at`, or `None` when they are not all there.
pub(crate) fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}
