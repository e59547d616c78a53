//! TCP options (RFC 9293 section 3.1 and 3.2, RFC 7323, RFC 2018): a validating
//! iterator over the raw option bytes of a header, and a writer.
//!
//! ```text
//! +--------+                                 single-byte options: End of Option
//! |  kind  |                                 List (0) and No-Operation (1)
//! +--------+--------+--------+---- - - -
//! |  kind  | length |  data ...               every other option; length counts
//! +--------+--------+--------+---- - - -     kind and length, so it is >= 2
//! ```

use super::super::macros::number_space;
use super::super::{Error, Layer, Result, check_emit_len};
use super::{HEADER_LEN, MAX_OPTIONS_LEN, SeqNumber};

number_space! {
    /// A TCP option kind (IANA "TCP Option Kind Numbers").
    pub struct OptionKind(u8) {
        /// End of Option List (RFC 9293).
        END_OF_LIST = 0 => "End of Option List",
        /// No-Operation (RFC 9293).
        NO_OPERATION = 1 => "No-Operation",
        /// Maximum Segment Size (RFC 9293).
        MAXIMUM_SEGMENT_SIZE = 2 => "Maximum Segment Size",
        /// Window Scale (RFC 7323).
        WINDOW_SCALE = 3 => "Window Scale",
        /// SACK Permitted (RFC 2018).
        SACK_PERMITTED = 4 => "SACK Permitted",
        /// SACK (RFC 2018).
        SACK = 5 => "SACK",
        /// Timestamps (RFC 7323).
        TIMESTAMPS = 8 => "Timestamps",
        /// MD5 Signature (RFC 2385, obsoleted by TCP-AO).
        MD5_SIGNATURE = 19 => "MD5 Signature",
        /// User Timeout (RFC 5482).
        USER_TIMEOUT = 28 => "User Timeout",
        /// TCP Authentication Option, TCP-AO (RFC 5925).
        AUTHENTICATION = 29 => "TCP-AO",
        /// Multipath TCP, MPTCP (RFC 8684).
        MULTIPATH = 30 => "MPTCP",
        /// TCP Fast Open cookie (RFC 7413).
        FAST_OPEN = 34 => "TCP Fast Open Cookie",
        /// Encryption Negotiation, TCP-ENO (RFC 8547).
        ENCRYPTION_NEGOTIATION = 69 => "TCP-ENO",
        /// Accurate ECN Order 0, AccECN0 (RFC 9768).
        ACCURATE_ECN_ORDER_0 = 172 => "AccECN Order 0",
        /// Accurate ECN Order 1, AccECN1 (RFC 9768).
        ACCURATE_ECN_ORDER_1 = 174 => "AccECN Order 1",
        /// RFC 3692-style experiment 1 (RFC 4727, RFC 6994).
        EXPERIMENT_1 = 253 => "Experiment 1",
        /// RFC 3692-style experiment 2 (RFC 4727, RFC 6994).
        EXPERIMENT_2 = 254 => "Experiment 2",
    }
}

impl OptionKind {
    /// Whether this implementation decodes the kind into its own [`TcpOption`]
    /// variant (so it never appears as [`TcpOption::Unknown`]).
    pub const fn is_decoded(self) -> bool {
        matches!(self.0, 0..=5 | 8)
    }
}

/// The most SACK blocks an option can hold: 2 + 4 * 8 = 34 bytes fit in the 40 bytes
/// of option space, 5 blocks (42 bytes) do not (RFC 2018 section 3).
pub const MAX_SACK_BLOCKS: usize = 4;

/// One to [`MAX_SACK_BLOCKS`] SACK blocks, each `(left edge, right edge)`: the first
/// sequence number of a received block and the one just after it (RFC 2018
/// section 3).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SackBlocks {
    // Invariant: 1 <= len <= 4, and blocks[len..] are zero, so derived equality only
    // sees the blocks in use.
    blocks: [(SeqNumber, SeqNumber); MAX_SACK_BLOCKS],
    len: u8,
}

impl SackBlocks {
    /// The blocks in `blocks`, or `None` unless there are one to four of them.
    pub fn new(blocks: &[(SeqNumber, SeqNumber)]) -> Option<SackBlocks> {
        if blocks.is_empty() || blocks.len() > MAX_SACK_BLOCKS {
            return None;
        }
        let mut out = SackBlocks {
            blocks: [(SeqNumber(0), SeqNumber(0)); MAX_SACK_BLOCKS],
            len: 0,
        };
        for (slot, b) in out.blocks.iter_mut().zip(blocks) {
            *slot = *b;
        }
        out.len = blocks.len() as u8;
        Some(out)
    }

    /// The blocks, in the order of the option.
    pub fn as_slice(&self) -> &[(SeqNumber, SeqNumber)] {
        &self.blocks[..usize::from(self.len).min(MAX_SACK_BLOCKS)]
    }

    /// The number of blocks (1 to 4).
    #[allow(clippy::len_without_is_empty)] // never empty
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Length of the SACK option holding these blocks: 2 + 8 per block.
    pub fn option_len(&self) -> usize {
        2 + 8 * self.len()
    }
}

impl core::fmt::Debug for SackBlocks {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.as_slice().iter().map(|(l, r)| l.0..r.0))
            .finish()
    }
}

/// One TCP option, as decoded from the wire or to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpOption<'a> {
    /// End of Option List (kind 0). The bytes after it are padding.
    EndOfList,
    /// No-Operation (kind 1), used to align the next option.
    NoOp,
    /// Maximum Segment Size (kind 2, length 4): the largest segment the sender of
    /// the SYN can receive (RFC 9293 section 3.7.1).
    MaxSegmentSize(u16),
    /// Window Scale (kind 3, length 3): the shift count (RFC 7323 section 2). Values
    /// above 14 are carried as sent; RFC 7323 section 2.3 has the receiver use 14.
    WindowScale(u8),
    /// SACK Permitted (kind 4, length 2), in a SYN (RFC 2018 section 2).
    SackPermitted,
    /// SACK (kind 5, length 2 + 8n): the blocks received out of order (RFC 2018
    /// section 3).
    SackRange(SackBlocks),
    /// Timestamps (kind 8, length 10): TSval and TSecr (RFC 7323 section 3).
    Timestamps {
        /// Timestamp Value.
        tsval: u32,
        /// Timestamp Echo Reply.
        tsecr: u32,
    },
    /// Any other kind, with the bytes after the length byte.
    Unknown {
        /// The option kind; never one of the kinds decoded above.
        kind: OptionKind,
        /// The option data (length byte minus 2 bytes).
        data: &'a [u8],
    },
}

impl TcpOption<'_> {
    /// The option's kind.
    pub const fn kind(&self) -> OptionKind {
        match self {
            TcpOption::EndOfList => OptionKind::END_OF_LIST,
            TcpOption::NoOp => OptionKind::NO_OPERATION,
            TcpOption::MaxSegmentSize(_) => OptionKind::MAXIMUM_SEGMENT_SIZE,
            TcpOption::WindowScale(_) => OptionKind::WINDOW_SCALE,
            TcpOption::SackPermitted => OptionKind::SACK_PERMITTED,
            TcpOption::SackRange(_) => OptionKind::SACK,
            TcpOption::Timestamps { .. } => OptionKind::TIMESTAMPS,
            TcpOption::Unknown { kind, .. } => *kind,
        }
    }

    /// The number of bytes the option takes on the wire.
    pub fn buffer_len(&self) -> usize {
        match self {
            TcpOption::EndOfList | TcpOption::NoOp => 1,
            TcpOption::MaxSegmentSize(_) => 4,
            TcpOption::WindowScale(_) => 3,
            TcpOption::SackPermitted => 2,
            TcpOption::SackRange(b) => b.option_len(),
            TcpOption::Timestamps { .. } => 10,
            TcpOption::Unknown { data, .. } => data.len().saturating_add(2),
        }
    }

    /// Writes the option at the start of `buf` and returns its length.
    ///
    /// Fails with `BufferTooSmall` when `buf` is short, and with `Invalid` for an
    /// `Unknown` option whose kind has its own variant (it would not parse back as
    /// written) or whose data does not fit in the one-byte length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        if let TcpOption::Unknown { kind, data } = self {
            if kind.is_decoded() {
                return Err(invalid("option kind", HEADER_LEN));
            }
            if data.len() > usize::from(u8::MAX) - 2 {
                return Err(invalid("option length", HEADER_LEN + 1));
            }
        }
        let len = self.buffer_len();
        check_emit_len(Layer::Tcp, buf, len)?;
        let buf = &mut buf[..len];
        buf[0] = self.kind().0;
        if len > 1 {
            // Every multi-byte option fits the one-byte length (checked above).
            buf[1] = len as u8;
        }
        match self {
            TcpOption::EndOfList | TcpOption::NoOp | TcpOption::SackPermitted => {}
            TcpOption::MaxSegmentSize(mss) => buf[2..4].copy_from_slice(&mss.to_be_bytes()),
            TcpOption::WindowScale(shift) => buf[2] = *shift,
            TcpOption::SackRange(blocks) => {
                for (chunk, (l, r)) in buf[2..].chunks_exact_mut(8).zip(blocks.as_slice()) {
                    chunk[..4].copy_from_slice(&l.0.to_be_bytes());
                    chunk[4..].copy_from_slice(&r.0.to_be_bytes());
                }
            }
            TcpOption::Timestamps { tsval, tsecr } => {
                buf[2..6].copy_from_slice(&tsval.to_be_bytes());
                buf[6..10].copy_from_slice(&tsecr.to_be_bytes());
            }
            TcpOption::Unknown { data, .. } => buf[2..].copy_from_slice(data),
        }
        Ok(len)
    }
}

const fn invalid(field: &'static str, offset: usize) -> Error {
    Error::Invalid {
        layer: Layer::Tcp,
        field,
        offset,
    }
}

/// The length of the option area holding `options`, padded to a multiple of 4, or
/// `None` on overflow. Whether it fits in a header is for [`emit_options`] to say.
pub fn options_buffer_len(options: &[TcpOption<'_>]) -> Option<usize> {
    let mut len: usize = 0;
    for o in options {
        len = len.checked_add(o.buffer_len())?;
    }
    len.checked_next_multiple_of(4)
}

/// Writes `options` into the start of `buf`, padded with zero bytes (End of Option
/// List) to a multiple of 4, and returns the padded length, which is what the data
/// offset must cover.
///
/// Fails with `Invalid { field: "data offset" }` when the options need more than the
/// 40 bytes a header can hold, with `BufferTooSmall` when `buf` is shorter than the
/// padded length, and as [`TcpOption::emit`] for a malformed `Unknown` option.
/// Nothing is written past the padded length.
pub fn emit_options(options: &[TcpOption<'_>], buf: &mut [u8]) -> Result<usize> {
    //= https://www.rfc-editor.org/rfc/rfc9293#section-3.1
    //# Padding: [...] The TCP header padding is used to ensure that the TCP header
    //# ends, and data begins, on a 32-bit boundary. The padding is composed of zeros.
    let total = match options_buffer_len(options) {
        Some(n) if n <= MAX_OPTIONS_LEN => n,
        _ => return Err(invalid("data offset", super::offset::DATA_OFFSET)),
    };
    check_emit_len(Layer::Tcp, buf, total)?;
    let mut at = 0;
    for o in options {
        let rest = buf.get_mut(at..total).unwrap_or_default();
        at += o.emit(rest)?;
    }
    if let Some(pad) = buf.get_mut(at..total) {
        pad.fill(0);
    }
    Ok(total)
}

/// An iterator over the raw option bytes of a TCP header that validates each option
/// as it decodes it.
///
/// It yields `Ok(option)` for each option, including [`TcpOption::EndOfList`], after
/// which it stops: the bytes after End of Option List are padding and are not read.
/// On a malformed option it yields one `Err` and then stops. Error offsets count from
/// the start of the TCP header: the option area starts at offset 20.
#[derive(Debug, Clone)]
pub struct OptionsIter<'a> {
    data: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> OptionsIter<'a> {
    /// Iterates over `options`, the bytes between the fixed header and the data
    /// offset.
    pub const fn new(options: &'a [u8]) -> Self {
        OptionsIter {
            data: options,
            pos: 0,
            done: false,
        }
    }

    /// Checks every option up to End of Option List or the end of the area.
    ///
    /// Returns the error the iterator would yield, without decoding the options.
    #[inline]
    pub fn validate(options: &'a [u8]) -> Result<()> {
        let mut at = 0;
        // Each pass moves `at` forward by at least one byte.
        while let Some(&kind) = options.get(at) {
            let kind = OptionKind(kind);
            match kind {
                OptionKind::END_OF_LIST => return Ok(()),
                OptionKind::NO_OPERATION => {
                    at += 1;
                    continue;
                }
                _ => {}
            }
            let len_at = HEADER_LEN + at + 1;
            // The same rules as `next_option`, on the length alone.
            let len = match options.get(at + 1) {
                Some(&l) if l >= 2 => usize::from(l),
                _ => return Err(invalid("option length", len_at)),
            };
            let fits = options.len() - at >= len;
            let well_formed = match kind {
                OptionKind::MAXIMUM_SEGMENT_SIZE => len == 4,
                OptionKind::WINDOW_SCALE => len == 3,
                OptionKind::SACK_PERMITTED => len == 2,
                OptionKind::SACK => {
                    let data = len - 2;
                    data != 0 && data.is_multiple_of(8) && data <= 8 * MAX_SACK_BLOCKS
                }
                OptionKind::TIMESTAMPS => len == 10,
                _ => true,
            };
            if !(fits && well_formed) {
                return Err(invalid("option length", len_at));
            }
            at += len;
        }
        Ok(())
    }

    fn next_option(&mut self) -> Result<TcpOption<'a>> {
        let at = self.pos;
        let rest = self.data.get(at..).unwrap_or_default();
        let Some(&kind) = rest.first() else {
            // Unreachable through `next`, which stops at the end.
            return Err(invalid("option kind", HEADER_LEN + at));
        };
        let kind = OptionKind(kind);
        match kind {
            OptionKind::END_OF_LIST => {
                self.pos = self.data.len();
                return Ok(TcpOption::EndOfList);
            }
            OptionKind::NO_OPERATION => {
                self.pos = at + 1;
                return Ok(TcpOption::NoOp);
            }
            _ => {}
        }
        //= https://www.rfc-editor.org/rfc/rfc9293#section-3.1
        //# The option-length counts the two octets of option-kind and option-length
        //# as well as the option-data octets.
        let len_at = HEADER_LEN + at + 1;
        let len = match rest.get(1) {
            Some(&l) if l >= 2 => usize::from(l),
            _ => return Err(invalid("option length", len_at)),
        };
        //= https://www.rfc-editor.org/rfc/rfc9293#section-3.2
        //# A TCP implementation MUST be able to receive a TCP option in any segment.
        //# [...] be prepared to handle an illegal option length (e.g., zero)
        let Some(opt) = rest.get(..len) else {
            return Err(invalid("option length", len_at));
        };
        let data = &opt[2..];
        let option = match kind {
            OptionKind::MAXIMUM_SEGMENT_SIZE => match data {
                [a, b] => TcpOption::MaxSegmentSize(u16::from_be_bytes([*a, *b])),
                _ => return Err(invalid("option length", len_at)),
            },
            OptionKind::WINDOW_SCALE => match data {
                [shift] => TcpOption::WindowScale(*shift),
                _ => return Err(invalid("option length", len_at)),
            },
            OptionKind::SACK_PERMITTED => match data {
                [] => TcpOption::SackPermitted,
                _ => return Err(invalid("option length", len_at)),
            },
            OptionKind::SACK => {
                //= https://www.rfc-editor.org/rfc/rfc2018#section-3
                //# Length: Variable [...] 8*n+2 bytes
                if data.is_empty()
                    || !data.len().is_multiple_of(8)
                    || data.len() > 8 * MAX_SACK_BLOCKS
                {
                    return Err(invalid("option length", len_at));
                }
                let mut blocks = [(SeqNumber(0), SeqNumber(0)); MAX_SACK_BLOCKS];
                let mut n = 0;
                for (slot, c) in blocks.iter_mut().zip(data.chunks_exact(8)) {
                    *slot = (
                        SeqNumber(u32::from_be_bytes([c[0], c[1], c[2], c[3]])),
                        SeqNumber(u32::from_be_bytes([c[4], c[5], c[6], c[7]])),
                    );
                    n += 1;
                }
                match SackBlocks::new(&blocks[..n]) {
                    Some(b) => TcpOption::SackRange(b),
                    None => return Err(invalid("option length", len_at)),
                }
            }
            OptionKind::TIMESTAMPS => match data {
                [a, b, c, d, e, f, g, h] => TcpOption::Timestamps {
                    tsval: u32::from_be_bytes([*a, *b, *c, *d]),
                    tsecr: u32::from_be_bytes([*e, *f, *g, *h]),
                },
                _ => return Err(invalid("option length", len_at)),
            },
            kind => TcpOption::Unknown { kind, data },
        };
        self.pos = at + len;
        Ok(option)
    }
}

impl<'a> Iterator for OptionsIter<'a> {
    type Item = Result<TcpOption<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.data.len() {
            return None;
        }
        let r = self.next_option();
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }
}

impl core::iter::FusedIterator for OptionsIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The validation the iterator does, option by option.
    fn validate_by_iterating(options: &[u8]) -> Result<()> {
        for o in OptionsIter::new(options) {
            o?;
        }
        Ok(())
    }

    #[test]
    fn validate_agrees_with_iterator_on_edge_cases() {
        let cases: [&[u8]; 14] = [
            &[],
            &[0, 0xff, 0xff],
            &[1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2],
            &[1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0],
            &[2, 4, 5, 0xb4],
            &[2, 3, 5],
            &[3],
            &[3, 1, 7],
            &[4, 2],
            &[4, 3, 0],
            &[5, 10, 0, 0, 0, 1, 0, 0, 0, 2],
            &[5, 2],
            &[5, 42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            &[254, 2, 1, 0],
        ];
        for case in cases {
            assert_eq!(
                OptionsIter::validate(case),
                validate_by_iterating(case),
                "{case:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn validate_agrees_with_iterator(
            options in proptest::collection::vec(
                prop_oneof![any::<u8>(), 0u8..12, Just(1u8)],
                0..48,
            )
        ) {
            prop_assert_eq!(OptionsIter::validate(&options), validate_by_iterating(&options));
        }
    }
}
