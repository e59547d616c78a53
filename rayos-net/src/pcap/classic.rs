//! The classic libpcap file format
//! ([draft-ietf-opsawg-pcap](https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/)).
//!
//! ```text
//! File header (24 bytes), in the byte order of the writer:
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                 Magic Number (0xa1b2c3d4 / 0xa1b23c4d)        |
//! |        Major Version (2)      |       Minor Version (4)       |
//! |                 Reserved1 (once "thiszone")                   |
//! |                 Reserved2 (once "sigfigs")                    |
//! |                            SnapLen                            |
//! |FCS len|R|P|     Reserved3     |        Link-layer type        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//!
//! Record header (16 bytes), then Captured Packet Length bytes of data:
//! |                    Timestamp (Seconds)                        |
//! |       Timestamp (Microseconds or Nanoseconds, per the magic)  |
//! |                  Captured Packet Length                       |
//! |                  Original Packet Length                       |
//! ```

use super::{ByteOrder, Error, LinkType, MAGIC_MICROS, MAGIC_NANOS, Record, Result, array};
use core::iter::FusedIterator;
use core::time::Duration;

/// Length of the classic file header.
pub const FILE_HEADER_LEN: usize = 24;
/// Length of a classic record header.
pub const RECORD_HEADER_LEN: usize = 16;

/// The only version this module reads and writes: 2.4, what every libpcap since 1998
/// writes.
const VERSION: (u16, u16) = (2, 4);

/// Bits of the "LinkType and additional information" field.
mod lt {
    pub(super) const LINK_TYPE: u32 = 0x0000_ffff;
    pub(super) const RESERVED3: u32 = 0x03ff_0000;
    pub(super) const P: u32 = 0x0400_0000;
    pub(super) const R: u32 = 0x0800_0000;
    pub(super) const FCS_SHIFT: u32 = 28;
}

/// The resolution of the timestamps of a classic file, given by its magic number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// Magic `0xa1b2c3d4`: the second field counts microseconds.
    Microsecond,
    /// Magic `0xa1b23c4d`: the second field counts nanoseconds.
    Nanosecond,
}

impl Resolution {
    /// The magic number that announces this resolution.
    pub const fn magic(self) -> u32 {
        match self {
            Resolution::Microsecond => MAGIC_MICROS,
            Resolution::Nanosecond => MAGIC_NANOS,
        }
    }

    /// How many units of the fraction field make one second.
    const fn units_per_second(self) -> u32 {
        match self {
            Resolution::Microsecond => 1_000_000,
            Resolution::Nanosecond => 1_000_000_000,
        }
    }

    /// Nanoseconds per unit of the fraction field.
    const fn nanos_per_unit(self) -> u32 {
        match self {
            Resolution::Microsecond => 1_000,
            Resolution::Nanosecond => 1,
        }
    }
}

/// The header of a classic pcap file: everything it says, so that parsing and
/// emitting a header reproduces its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileHeader {
    /// The byte order of every field of the file.
    pub byte_order: ByteOrder,
    /// The timestamp resolution.
    pub resolution: Resolution,
    /// The snapshot length: no record captures more bytes. 0, which some writers
    /// use for "unknown", sets no limit.
    pub snaplen: u32,
    /// The link-layer type of every packet (16 bits in this format).
    pub link_type: LinkType,
    /// The number of 16-bit words of frame check sequence at the end of every packet,
    /// when the file says (the P bit is set); at most 15.
    pub fcs_words: Option<u8>,
    /// Reserved1, once "thiszone" (GMT offset); written as 0, kept as read.
    pub reserved1: u32,
    /// Reserved2, once "sigfigs" (timestamp accuracy); written as 0, kept as read.
    pub reserved2: u32,
}

impl FileHeader {
    /// A header as libpcap writes one on a little-endian machine: microsecond
    /// timestamps, no FCS information, reserved fields zero.
    pub const fn new(link_type: LinkType, snaplen: u32) -> Self {
        FileHeader {
            byte_order: ByteOrder::LittleEndian,
            resolution: Resolution::Microsecond,
            snaplen,
            link_type,
            fcs_words: None,
            reserved1: 0,
            reserved2: 0,
        }
    }

    /// Parses and checks the 24-byte header at the start of `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let h = array::<FILE_HEADER_LEN>(bytes, 0).ok_or(Error::Truncated {
            what: "file header",
            offset: 0,
            needed: FILE_HEADER_LEN,
            available: bytes.len(),
        })?;
        let magic = [h[0], h[1], h[2], h[3]];
        let (byte_order, resolution) = match (u32::from_be_bytes(magic), u32::from_le_bytes(magic))
        {
            (MAGIC_MICROS, _) => (ByteOrder::BigEndian, Resolution::Microsecond),
            (MAGIC_NANOS, _) => (ByteOrder::BigEndian, Resolution::Nanosecond),
            (_, MAGIC_MICROS) => (ByteOrder::LittleEndian, Resolution::Microsecond),
            (_, MAGIC_NANOS) => (ByteOrder::LittleEndian, Resolution::Nanosecond),
            _ => {
                // Say what the bytes are instead (pcapng, the modified format, junk).
                super::Format::detect(bytes)?;
                return Err(Error::BadMagic {
                    magic: u32::from_be_bytes(magic),
                    offset: 0,
                });
            }
        };
        let o = byte_order;
        if o.u16([h[4], h[5]]) != VERSION.0 {
            return Err(Error::Unsupported {
                what: "pcap major version",
                offset: 4,
            });
        }
        if o.u16([h[6], h[7]]) != VERSION.1 {
            return Err(Error::Unsupported {
                what: "pcap minor version",
                offset: 6,
            });
        }
        let field = o.u32([h[20], h[21], h[22], h[23]]);
        //= https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcap#section-4
        //# Reserved3 (10 bits): not used - MUST be set to zero
        //# R (1 bit): not used - MUST be set to zero
        if field & (lt::RESERVED3 | lt::R) != 0 {
            return Err(Error::Invalid {
                field: "reserved bits of LinkType and additional information",
                offset: 20,
            });
        }
        let fcs = (field >> lt::FCS_SHIFT) as u8;
        let fcs_words = if field & lt::P != 0 {
            Some(fcs)
        } else if fcs == 0 {
            None
        } else {
            // Without the P bit the FCS length is unknown; a value there would be
            // lost on re-emission, so the header is malformed.
            return Err(Error::Invalid {
                field: "FCS len without the P bit",
                offset: 20,
            });
        };
        Ok(FileHeader {
            byte_order,
            resolution,
            snaplen: o.u32([h[16], h[17], h[18], h[19]]),
            link_type: LinkType(field & lt::LINK_TYPE),
            fcs_words,
            reserved1: o.u32([h[8], h[9], h[10], h[11]]),
            reserved2: o.u32([h[12], h[13], h[14], h[15]]),
        })
    }

    /// Writes the header into `buf` and returns its length, [`FILE_HEADER_LEN`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        if self.link_type.0 > lt::LINK_TYPE {
            return Err(Error::Unrepresentable {
                field: "link type over 16 bits",
            });
        }
        let fcs = match self.fcs_words {
            None => 0,
            Some(w) if w <= 15 => (u32::from(w) << lt::FCS_SHIFT) | lt::P,
            Some(_) => {
                return Err(Error::Unrepresentable {
                    field: "FCS length over 15 words",
                });
            }
        };
        let out = out_slice(buf, FILE_HEADER_LEN)?;
        let o = self.byte_order;
        let mut h = [0u8; FILE_HEADER_LEN];
        h[0..4].copy_from_slice(&o.u32_bytes(self.resolution.magic()));
        h[4..6].copy_from_slice(&o.u16_bytes(VERSION.0));
        h[6..8].copy_from_slice(&o.u16_bytes(VERSION.1));
        h[8..12].copy_from_slice(&o.u32_bytes(self.reserved1));
        h[12..16].copy_from_slice(&o.u32_bytes(self.reserved2));
        h[16..20].copy_from_slice(&o.u32_bytes(self.snaplen));
        h[20..24].copy_from_slice(&o.u32_bytes(self.link_type.0 | fcs));
        out.copy_from_slice(&h);
        Ok(FILE_HEADER_LEN)
    }

    /// The bytes a record of `data_len` captured bytes takes: header plus data.
    pub const fn record_len(data_len: usize) -> usize {
        RECORD_HEADER_LEN.saturating_add(data_len)
    }

    /// Writes one record (header and `data`) in this file's byte order and resolution
    /// into `buf`, and returns its length, `record_len(data.len())`.
    ///
    /// `timestamp` counts from the UNIX epoch; sub-microsecond digits are dropped in
    /// a microsecond file. `data` is what was captured of a packet of `original_len`
    /// bytes, so it may not be longer, nor longer than the snapshot length.
    pub fn emit_record(
        &self,
        buf: &mut [u8],
        timestamp: Duration,
        data: &[u8],
        original_len: u32,
    ) -> Result<usize> {
        let header = self.record_header(timestamp, data.len(), original_len)?;
        let total = FileHeader::record_len(data.len());
        let out = out_slice(buf, total)?;
        let (head, body) = out.split_at_mut(RECORD_HEADER_LEN);
        head.copy_from_slice(&header);
        body.copy_from_slice(data);
        Ok(total)
    }

    /// The 16-byte record header for a record of `captured` bytes, after checking
    /// that the format can hold it.
    pub(crate) fn record_header(
        &self,
        timestamp: Duration,
        captured: usize,
        original_len: u32,
    ) -> Result<[u8; RECORD_HEADER_LEN]> {
        let captured = u32::try_from(captured).map_err(|_| Error::Unrepresentable {
            field: "captured length over 32 bits",
        })?;
        if self.snaplen != 0 && captured > self.snaplen {
            return Err(Error::Unrepresentable {
                field: "captured length over the snapshot length",
            });
        }
        if captured > original_len {
            return Err(Error::Unrepresentable {
                field: "captured length over the original length",
            });
        }
        let secs = u32::try_from(timestamp.as_secs()).map_err(|_| Error::Unrepresentable {
            field: "timestamp seconds over 32 bits",
        })?;
        let frac = timestamp.subsec_nanos() / self.resolution.nanos_per_unit();
        let o = self.byte_order;
        let mut h = [0u8; RECORD_HEADER_LEN];
        h[0..4].copy_from_slice(&o.u32_bytes(secs));
        h[4..8].copy_from_slice(&o.u32_bytes(frac));
        h[8..12].copy_from_slice(&o.u32_bytes(captured));
        h[12..16].copy_from_slice(&o.u32_bytes(original_len));
        Ok(h)
    }
}

/// Writes the header of a classic pcap file into `buf`: little-endian, microsecond
/// resolution, version 2.4, as libpcap writes on x86 and ARM. Returns
/// [`FILE_HEADER_LEN`].
///
/// The same as `FileHeader::new(link_type, snaplen).emit(buf)`.
pub fn write_header(buf: &mut [u8], link_type: LinkType, snaplen: u32) -> Result<usize> {
    FileHeader::new(link_type, snaplen).emit(buf)
}

/// Writes one record into `buf` for a file begun with [`write_header`]
/// (little-endian, microseconds) and returns its length, 16 plus `data.len()`.
///
/// `data` may not be longer than `original_len`; keeping it within the snapshot length
/// given to [`write_header`] is the caller's part (use [`FileHeader::emit_record`] to
/// have it checked).
pub fn write_record(
    buf: &mut [u8],
    timestamp: Duration,
    data: &[u8],
    original_len: u32,
) -> Result<usize> {
    FileHeader::new(LinkType::ETHERNET, 0).emit_record(buf, timestamp, data, original_len)
}

fn out_slice(buf: &mut [u8], needed: usize) -> Result<&mut [u8]> {
    let available = buf.len();
    buf.get_mut(..needed)
        .ok_or(Error::BufferTooSmall { needed, available })
}

/// A classic pcap file held in memory, its header checked.
#[derive(Debug, Clone)]
pub struct PcapFile<'a> {
    header: FileHeader,
    bytes: &'a [u8],
}

impl<'a> PcapFile<'a> {
    /// Checks the file header of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Result<Self> {
        Ok(PcapFile {
            header: FileHeader::parse(bytes)?,
            bytes,
        })
    }

    /// The file header.
    pub const fn header(&self) -> &FileHeader {
        &self.header
    }

    /// The records, in file order; stops after the first error.
    pub fn records(&self) -> PcapRecords<'a> {
        PcapRecords {
            header: self.header,
            bytes: self.bytes,
            pos: FILE_HEADER_LEN,
            done: false,
        }
    }
}

/// The records of a [`PcapFile`]; stops after the first error.
#[derive(Debug, Clone)]
pub struct PcapRecords<'a> {
    header: FileHeader,
    bytes: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> PcapRecords<'a> {
    /// The offset in the file of the next record.
    pub const fn offset(&self) -> usize {
        self.pos
    }

    fn read(&self, pos: usize) -> Result<(Record<'a>, usize)> {
        let available = self.bytes.len().saturating_sub(pos);
        let h = array::<RECORD_HEADER_LEN>(self.bytes, pos).ok_or(Error::Truncated {
            what: "record header",
            offset: pos,
            needed: RECORD_HEADER_LEN,
            available,
        })?;
        let o = self.header.byte_order;
        let secs = o.u32([h[0], h[1], h[2], h[3]]);
        let frac = o.u32([h[4], h[5], h[6], h[7]]);
        let captured = o.u32([h[8], h[9], h[10], h[11]]);
        let original = o.u32([h[12], h[13], h[14], h[15]]);
        let res = self.header.resolution;
        if frac >= res.units_per_second() {
            return Err(Error::Invalid {
                field: "timestamp fraction",
                offset: pos.saturating_add(4),
            });
        }
        let snaplen = self.header.snaplen;
        if snaplen != 0 && captured > snaplen {
            return Err(Error::CapturedOverSnaplen {
                captured,
                snaplen,
                offset: pos.saturating_add(8),
            });
        }
        if captured > original {
            return Err(Error::CapturedOverOriginal {
                captured,
                original,
                offset: pos.saturating_add(8),
            });
        }
        let start = pos.saturating_add(RECORD_HEADER_LEN);
        let len = usize::try_from(captured).unwrap_or(usize::MAX);
        let data = start
            .checked_add(len)
            .and_then(|end| self.bytes.get(start..end))
            .ok_or(Error::Truncated {
                what: "record data",
                offset: start,
                needed: len,
                available: self.bytes.len().saturating_sub(start),
            })?;
        let record = Record {
            // `frac` is below one second, so `Duration::new` cannot carry or panic.
            timestamp: Some(Duration::new(
                u64::from(secs),
                frac.saturating_mul(res.nanos_per_unit()),
            )),
            original_len: original,
            data,
            link_type: self.header.link_type,
            interface_id: 0,
            offset: pos,
        };
        Ok((record, start.saturating_add(len)))
    }
}

impl<'a> Iterator for PcapRecords<'a> {
    type Item = Result<Record<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.bytes.len() {
            self.done = true;
            return None;
        }
        match self.read(self.pos) {
            Ok((record, next)) => {
                self.pos = next;
                Some(Ok(record))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl FusedIterator for PcapRecords<'_> {}
