//! pcapng, read only
//! ([draft-ietf-opsawg-pcapng](https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/)).
//!
//! A file is a sequence of sections; each starts with a Section Header Block that
//! sets the byte order of the section, and describes its interfaces with Interface
//! Description Blocks; packets refer to them by index. Every block has the same frame:
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +---------------------------------------------------------------+
//! |                          Block Type                           |
//! |                      Block Total Length                       |
//! /                          Block Body                           /
//! |                      Block Total Length                       |
//! +---------------------------------------------------------------+
//!
//! Section Header Block (type 0x0A0D0D0A), body:
//! |                      Byte-Order Magic (0x1A2B3C4D)            |
//! |          Major Version (1)    |         Minor Version (0)     |
//! |                 Section Length (64 bits, -1: unknown)         |
//! /                           Options                             /
//!
//! Interface Description Block (type 1), body:
//! |           LinkType            |           Reserved            |
//! |                            SnapLen                            |
//! /          Options (if_tsresol = 9, if_tsoffset = 14)           /
//!
//! Enhanced Packet Block (type 6), body:
//! |                         Interface ID                          |
//! |                   Timestamp (High), (Low)                     |
//! |                    Captured Packet Length                     |
//! |                    Original Packet Length                     |
//! /              Packet Data, padded to 32 bits, Options          /
//!
//! Simple Packet Block (type 3), body:
//! |                    Original Packet Length                     |
//! /                  Packet Data, padded to 32 bits               /
//! ```
//!
//! Every other block (Name Resolution, Interface Statistics, Decryption Secrets,
//! custom blocks, types yet to be defined) is skipped by its length.

use super::{ByteOrder, Error, LinkType, PCAPNG_SHB_TYPE, Record, Result, array};
use core::iter::FusedIterator;
use core::time::Duration;

/// Block types this reader interprets.
mod block {
    pub(super) const IDB: u32 = 1;
    pub(super) const PB: u32 = 2;
    pub(super) const SPB: u32 = 3;
    pub(super) const EPB: u32 = 6;
}

/// Option codes this reader interprets.
mod option {
    pub(super) const END_OF_OPT: u16 = 0;
    pub(super) const IF_TSRESOL: u16 = 9;
    pub(super) const IF_TSOFFSET: u16 = 14;
}

const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
/// The smallest block: type, two lengths.
const MIN_BLOCK_LEN: usize = 12;
/// The smallest Section Header Block: frame, magic, versions, section length.
const MIN_SHB_LEN: usize = 28;

/// The unit of the timestamps of an interface, from its `if_tsresol` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TsResolution {
    /// Units of 10^-n seconds.
    PowerOfTen(u8),
    /// Units of 2^-n seconds.
    PowerOfTwo(u8),
}

impl TsResolution {
    /// Microseconds, the resolution of an interface without `if_tsresol`.
    pub const MICROSECONDS: Self = TsResolution::PowerOfTen(6);

    /// Decodes the one byte of `if_tsresol`: the most significant bit chooses the base
    /// (0: ten, 1: two), the other seven bits are the negative exponent.
    pub const fn from_option(byte: u8) -> Self {
        if byte & 0x80 == 0 {
            TsResolution::PowerOfTen(byte)
        } else {
            TsResolution::PowerOfTwo(byte & 0x7f)
        }
    }

    /// The time `units` of this resolution make, rounded down to the nanosecond.
    pub fn to_duration(self, units: u64) -> Duration {
        let u = u128::from(units);
        let (secs, nanos) = match self {
            TsResolution::PowerOfTen(n) => match 10u128.checked_pow(u32::from(n)) {
                Some(per_second) => {
                    let rem = u % per_second;
                    let nanos = if n <= 9 {
                        rem * 10u128.pow(9 - u32::from(n))
                    } else {
                        rem / 10u128.pow(u32::from(n) - 9)
                    };
                    (u / per_second, nanos)
                }
                // A unit under 10^-38 s: 2^64 units are less than a nanosecond.
                None => (0, 0),
            },
            TsResolution::PowerOfTwo(n) => {
                let n = u32::from(n.min(127));
                let rem = u & ((1u128 << n) - 1);
                // rem < 2^64, so rem * 10^9 < 2^94 fits.
                (u >> n, (rem * 1_000_000_000) >> n)
            }
        };
        // secs <= units and nanos < 10^9: neither conversion fails, and
        // `Duration::new` does not carry.
        Duration::new(
            u64::try_from(secs).unwrap_or(u64::MAX),
            u32::try_from(nanos).unwrap_or(0),
        )
    }
}

/// What an Interface Description Block says about the packets captured on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interface {
    /// The link-layer type of its packets.
    pub link_type: LinkType,
    /// Its snapshot length; 0 means no limit.
    pub snaplen: u32,
    /// The unit of its timestamps (`if_tsresol`, default microseconds).
    pub ts_resolution: TsResolution,
    /// Seconds to add to its timestamps (`if_tsoffset`, default 0).
    pub ts_offset: i64,
}

impl Interface {
    const EMPTY: Interface = Interface {
        link_type: LinkType(0),
        snaplen: 0,
        ts_resolution: TsResolution::MICROSECONDS,
        ts_offset: 0,
    };

    /// The time a 64-bit timestamp of this interface stands for, or `None` when
    /// `if_tsoffset` moves it before the epoch or past `Duration::MAX`.
    pub fn timestamp(&self, units: u64) -> Option<Duration> {
        let base = self.ts_resolution.to_duration(units);
        let offset = Duration::from_secs(self.ts_offset.unsigned_abs());
        if self.ts_offset >= 0 {
            base.checked_add(offset)
        } else {
            base.checked_sub(offset)
        }
    }
}

/// One block, its frame checked.
struct Block<'a> {
    ty: u32,
    /// Where the block starts in the file.
    offset: usize,
    /// Block Total Length.
    len: usize,
    body: &'a [u8],
}

impl Block<'_> {
    /// Offset in the file of byte `at` of the body.
    const fn at(&self, at: usize) -> usize {
        self.offset.saturating_add(8).saturating_add(at)
    }

    fn u32(&self, order: ByteOrder, at: usize) -> Option<u32> {
        array::<4>(self.body, at).map(|b| order.u32(b))
    }

    fn too_short(&self) -> Error {
        Error::Invalid {
            field: "Block Total Length",
            offset: self.offset.saturating_add(4),
        }
    }
}

/// Reads the frame of the block at `pos` and checks its lengths.
fn read_block(bytes: &[u8], pos: usize, order: ByteOrder) -> Result<Block<'_>> {
    let available = bytes.len().saturating_sub(pos);
    let head = array::<8>(bytes, pos).ok_or(Error::Truncated {
        what: "block header",
        offset: pos,
        needed: MIN_BLOCK_LEN,
        available,
    })?;
    let ty = order.u32([head[0], head[1], head[2], head[3]]);
    let len32 = order.u32([head[4], head[5], head[6], head[7]]);
    let len = usize::try_from(len32).unwrap_or(usize::MAX);
    //= https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcapng#section-3.1
    //# Block Total Length: total size of this block, in octets. [...] MUST be a
    //# multiple of 4.
    if len < MIN_BLOCK_LEN || len % 4 != 0 {
        return Err(Error::Invalid {
            field: "Block Total Length",
            offset: pos.saturating_add(4),
        });
    }
    if len > available {
        return Err(Error::Truncated {
            what: "block",
            offset: pos,
            needed: len,
            available,
        });
    }
    // len <= available, so these offsets are inside `bytes`.
    let trailer_at = pos + len - 4;
    let trailer = array::<4>(bytes, trailer_at).map(|b| order.u32(b));
    if trailer != Some(len32) {
        return Err(Error::Invalid {
            field: "trailing Block Total Length",
            offset: trailer_at,
        });
    }
    let body = bytes.get(pos + 8..trailer_at).unwrap_or(&[]);
    Ok(Block {
        ty,
        offset: pos,
        len,
        body,
    })
}

/// Checks the Section Header Block at `pos`; returns the section's byte order and
/// the block's length.
fn read_shb(bytes: &[u8], pos: usize) -> Result<(ByteOrder, usize)> {
    let magic = array::<4>(bytes, pos.saturating_add(8)).ok_or(Error::Truncated {
        what: "section header block",
        offset: pos,
        needed: MIN_SHB_LEN,
        available: bytes.len().saturating_sub(pos),
    })?;
    let order = if u32::from_be_bytes(magic) == BYTE_ORDER_MAGIC {
        ByteOrder::BigEndian
    } else if u32::from_le_bytes(magic) == BYTE_ORDER_MAGIC {
        ByteOrder::LittleEndian
    } else {
        return Err(Error::Invalid {
            field: "Byte-Order Magic",
            offset: pos.saturating_add(8),
        });
    };
    let block = read_block(bytes, pos, order)?;
    if block.len < MIN_SHB_LEN {
        return Err(block.too_short());
    }
    let versions = array::<4>(block.body, 4).ok_or(block.too_short())?;
    if order.u16([versions[0], versions[1]]) != 1 {
        return Err(Error::Unsupported {
            what: "pcapng major version",
            offset: block.at(4),
        });
    }
    //= https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcapng#section-4.1
    //# Some pcapng file writers have used a minor version of 2 [...] pcapng file
    //# readers MUST treat a minor version of 2 as equivalent to a minor version of 0
    if !matches!(order.u16([versions[2], versions[3]]), 0 | 2) {
        return Err(Error::Unsupported {
            what: "pcapng minor version",
            offset: block.at(6),
        });
    }
    Ok((order, block.len))
}

/// A pcapng file held in memory, its first Section Header Block checked.
#[derive(Debug, Clone)]
pub struct PcapNgFile<'a> {
    bytes: &'a [u8],
    byte_order: ByteOrder,
}

impl<'a> PcapNgFile<'a> {
    /// Checks that `bytes` starts with a valid Section Header Block.
    pub fn new(bytes: &'a [u8]) -> Result<Self> {
        let magic = array::<4>(bytes, 0).ok_or(Error::Truncated {
            what: "section header block",
            offset: 0,
            needed: MIN_SHB_LEN,
            available: bytes.len(),
        })?;
        if u32::from_be_bytes(magic) != PCAPNG_SHB_TYPE {
            return Err(Error::BadMagic {
                magic: u32::from_be_bytes(magic),
                offset: 0,
            });
        }
        let (byte_order, _) = read_shb(bytes, 0)?;
        Ok(PcapNgFile { bytes, byte_order })
    }

    /// The byte order of the first section.
    pub const fn byte_order(&self) -> ByteOrder {
        self.byte_order
    }

    /// The packets, in file order, with room for 16 interfaces per section; stops
    /// after the first error.
    pub fn records(&self) -> PcapNgRecords<'a> {
        self.records_with_capacity()
    }

    /// The packets, with room for `MAX_INTERFACES` interfaces per section.
    pub fn records_with_capacity<const MAX_INTERFACES: usize>(
        &self,
    ) -> PcapNgRecords<'a, MAX_INTERFACES> {
        PcapNgRecords {
            bytes: self.bytes,
            pos: 0,
            order: self.byte_order,
            interfaces: [Interface::EMPTY; MAX_INTERFACES],
            count: 0,
            done: false,
        }
    }
}

/// The packets of a [`PcapNgFile`], from Enhanced, Simple and obsolete Packet Blocks;
/// stops after the first error.
///
/// Keeps the interfaces of the current section in a table of `MAX_INTERFACES`
/// entries; a section with more is reported as [`Error::TooManyInterfaces`].
#[derive(Debug, Clone)]
pub struct PcapNgRecords<'a, const MAX_INTERFACES: usize = 16> {
    bytes: &'a [u8],
    pos: usize,
    order: ByteOrder,
    interfaces: [Interface; MAX_INTERFACES],
    count: usize,
    done: bool,
}

impl<'a, const MAX_INTERFACES: usize> PcapNgRecords<'a, MAX_INTERFACES> {
    /// The offset in the file of the next block.
    pub const fn offset(&self) -> usize {
        self.pos
    }

    /// The byte order of the current section.
    pub const fn byte_order(&self) -> ByteOrder {
        self.order
    }

    /// The interfaces described so far in the current section.
    pub fn interfaces(&self) -> &[Interface] {
        self.interfaces.get(..self.count).unwrap_or(&[])
    }

    /// The interface with index `id` in the current section.
    pub fn interface(&self, id: u32) -> Option<&Interface> {
        self.interfaces().get(usize::try_from(id).ok()?)
    }

    /// Reads the block at `self.pos`; a packet, or `None` for a block that holds none.
    fn step(&mut self) -> Result<Option<Record<'a>>> {
        let pos = self.pos;
        let ty = array::<4>(self.bytes, pos).ok_or(Error::Truncated {
            what: "block header",
            offset: pos,
            needed: MIN_BLOCK_LEN,
            available: self.bytes.len().saturating_sub(pos),
        })?;
        // The Section Header Block's type reads the same in both byte orders; its
        // own magic gives the order of the section it opens.
        if u32::from_be_bytes(ty) == PCAPNG_SHB_TYPE {
            let (order, len) = read_shb(self.bytes, pos)?;
            self.order = order;
            self.count = 0;
            self.pos = pos.saturating_add(len);
            return Ok(None);
        }
        let block = read_block(self.bytes, pos, self.order)?;
        self.pos = pos.saturating_add(block.len);
        match block.ty {
            block::IDB => {
                self.add_interface(&block)?;
                Ok(None)
            }
            block::EPB => self.packet(&block, false).map(Some),
            block::PB => self.packet(&block, true).map(Some),
            block::SPB => self.simple_packet(&block).map(Some),
            _ => Ok(None),
        }
    }

    fn add_interface(&mut self, block: &Block<'_>) -> Result<()> {
        let o = self.order;
        let fixed = array::<8>(block.body, 0).ok_or(block.too_short())?;
        let mut iface = Interface {
            link_type: LinkType(u32::from(o.u16([fixed[0], fixed[1]]))),
            snaplen: o.u32([fixed[4], fixed[5], fixed[6], fixed[7]]),
            ..Interface::EMPTY
        };
        let mut at = 8;
        // Each option takes at least 4 bytes: the loop ends.
        while let Some(head) = array::<4>(block.body, at) {
            let code = o.u16([head[0], head[1]]);
            let len = usize::from(o.u16([head[2], head[3]]));
            let value = block
                .body
                .get(at.saturating_add(4)..at.saturating_add(4).saturating_add(len))
                .ok_or(Error::Invalid {
                    field: "Option Length",
                    offset: block.at(at + 2),
                })?;
            match code {
                option::END_OF_OPT => break,
                option::IF_TSRESOL => match value {
                    &[byte] => iface.ts_resolution = TsResolution::from_option(byte),
                    _ => {
                        return Err(Error::Invalid {
                            field: "if_tsresol length",
                            offset: block.at(at + 2),
                        });
                    }
                },
                option::IF_TSOFFSET => {
                    let v = <[u8; 8]>::try_from(value).map_err(|_| Error::Invalid {
                        field: "if_tsoffset length",
                        offset: block.at(at + 2),
                    })?;
                    iface.ts_offset = match o {
                        ByteOrder::BigEndian => i64::from_be_bytes(v),
                        ByteOrder::LittleEndian => i64::from_le_bytes(v),
                    };
                }
                _ => {}
            }
            // Values are padded to 32 bits.
            at = at.saturating_add(4).saturating_add(len.next_multiple_of(4));
        }
        let slot = self
            .interfaces
            .get_mut(self.count)
            .ok_or(Error::TooManyInterfaces {
                capacity: MAX_INTERFACES,
                offset: block.offset,
            })?;
        *slot = iface;
        self.count += 1;
        Ok(())
    }

    /// An Enhanced Packet Block, or with `obsolete` a Packet Block (16-bit interface
    /// ID and drops count in place of the 32-bit interface ID).
    fn packet(&self, block: &Block<'a>, obsolete: bool) -> Result<Record<'a>> {
        let o = self.order;
        let first = block.u32(o, 0).ok_or(block.too_short())?;
        let interface_id = if obsolete {
            let head = array::<2>(block.body, 0).ok_or(block.too_short())?;
            u32::from(o.u16(head))
        } else {
            first
        };
        let (ts_high, ts_low, captured, original) = match (
            block.u32(o, 4),
            block.u32(o, 8),
            block.u32(o, 12),
            block.u32(o, 16),
        ) {
            (Some(h), Some(l), Some(c), Some(r)) => (h, l, c, r),
            _ => return Err(block.too_short()),
        };
        let iface = self
            .interface(interface_id)
            .ok_or(Error::UnknownInterface {
                interface_id,
                offset: block.at(0),
            })?;
        let data = self.data(block, 20, block.at(12), captured, original, iface.snaplen)?;
        let units = (u64::from(ts_high) << 32) | u64::from(ts_low);
        let timestamp = iface.timestamp(units).ok_or(Error::Invalid {
            field: "Timestamp (with if_tsoffset)",
            offset: block.at(4),
        })?;
        Ok(Record {
            timestamp: Some(timestamp),
            original_len: original,
            data,
            link_type: iface.link_type,
            interface_id,
            offset: block.offset,
        })
    }

    //= https://datatracker.ietf.org/doc/html/draft-ietf-opsawg-pcapng#section-4.4
    //# The Simple Packet Block does not contain the Interface ID field. Therefore, it
    //# MUST be assumed that all the Simple Packet Blocks have been captured on the
    //# interface previously specified in the first Interface Description Block.
    fn simple_packet(&self, block: &Block<'a>) -> Result<Record<'a>> {
        let original = block.u32(self.order, 0).ok_or(block.too_short())?;
        let iface = self.interface(0).ok_or(Error::UnknownInterface {
            interface_id: 0,
            offset: block.offset,
        })?;
        // The captured length is the smaller of Original Packet Length and SnapLen.
        let captured = match iface.snaplen {
            0 => original,
            snaplen => original.min(snaplen),
        };
        let data = self.data(block, 4, block.at(0), captured, original, iface.snaplen)?;
        Ok(Record {
            timestamp: None,
            original_len: original,
            data,
            link_type: iface.link_type,
            interface_id: 0,
            offset: block.offset,
        })
    }

    /// The `captured` bytes of packet data at `at` in the body, after the length
    /// checks; `field_at` is the file offset of the length field errors point to.
    fn data(
        &self,
        block: &Block<'a>,
        at: usize,
        field_at: usize,
        captured: u32,
        original: u32,
        snaplen: u32,
    ) -> Result<&'a [u8]> {
        if captured > original {
            return Err(Error::CapturedOverOriginal {
                captured,
                original,
                offset: field_at,
            });
        }
        if snaplen != 0 && captured > snaplen {
            return Err(Error::CapturedOverSnaplen {
                captured,
                snaplen,
                offset: field_at,
            });
        }
        let body: &'a [u8] = block.body;
        usize::try_from(captured)
            .ok()
            .and_then(|len| body.get(at..at.checked_add(len)?))
            .ok_or(Error::Invalid {
                field: "packet length over the block",
                offset: field_at,
            })
    }
}

impl<'a, const MAX_INTERFACES: usize> Iterator for PcapNgRecords<'a, MAX_INTERFACES> {
    type Item = Result<Record<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        // Every block read moves `pos` forward by at least 12 bytes, or ends the
        // iteration with an error: the loop is bounded by the file length.
        while !self.done && self.pos < self.bytes.len() {
            match self.step() {
                Ok(Some(record)) => return Some(Ok(record)),
                Ok(None) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        self.done = true;
        None
    }
}

impl<const MAX_INTERFACES: usize> FusedIterator for PcapNgRecords<'_, MAX_INTERFACES> {}
