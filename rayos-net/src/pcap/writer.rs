//! A classic pcap writer over [`std::io::Write`].

use super::{Error, FileHeader, LinkType};
use core::time::Duration;
use std::io::{self, Write};

/// Writes a classic pcap file to any [`Write`]: the header when created, then one
/// record per call.
///
/// ```
/// use rayos_net::pcap::{Capture, LinkType, PcapWriter};
/// use core::time::Duration;
///
/// let mut w = PcapWriter::new(Vec::new(), LinkType::ETHERNET, 96)?;
/// w.write_packet(Duration::from_secs(1), &[0u8; 200])?; // keeps 96 bytes
/// let file = w.into_inner();
/// let record = Capture::new(&file).unwrap().records().next().unwrap().unwrap();
/// assert_eq!((record.captured_len(), record.original_len), (96, 200));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    inner: W,
    header: FileHeader,
}

impl<W: Write> PcapWriter<W> {
    /// Writes a little-endian, microsecond file header (see [`super::write_header`]).
    pub fn new(inner: W, link_type: LinkType, snaplen: u32) -> io::Result<Self> {
        Self::with_header(inner, FileHeader::new(link_type, snaplen))
    }

    /// Writes `header`; its byte order and resolution are used for every record.
    pub fn with_header(mut inner: W, header: FileHeader) -> io::Result<Self> {
        let mut buf = [0u8; super::FILE_HEADER_LEN];
        let n = header.emit(&mut buf).map_err(invalid)?;
        inner.write_all(buf.get(..n).unwrap_or(&buf))?;
        Ok(PcapWriter { inner, header })
    }

    /// The header written.
    pub const fn header(&self) -> &FileHeader {
        &self.header
    }

    /// Writes a packet as a capture of it would: the first `snaplen` bytes (all of
    /// them when the snapshot length is 0), with `frame.len()` as original length.
    pub fn write_packet(&mut self, timestamp: Duration, frame: &[u8]) -> io::Result<()> {
        let original = u32::try_from(frame.len()).map_err(|_| {
            invalid(Error::Unrepresentable {
                field: "original length over 32 bits",
            })
        })?;
        let keep = match self.header.snaplen {
            0 => frame.len(),
            n => frame.len().min(usize::try_from(n).unwrap_or(usize::MAX)),
        };
        self.write_record(timestamp, frame.get(..keep).unwrap_or(frame), original)
    }

    /// Writes one record of `data`, captured from a packet of `original_len` bytes.
    /// Fails with [`io::ErrorKind::InvalidInput`] (and writes nothing) when the format
    /// cannot hold it (see [`FileHeader::emit_record`]).
    pub fn write_record(
        &mut self,
        timestamp: Duration,
        data: &[u8],
        original_len: u32,
    ) -> io::Result<()> {
        let head = self
            .header
            .record_header(timestamp, data.len(), original_len)
            .map_err(invalid)?;
        self.inner.write_all(&head)?;
        self.inner.write_all(data)
    }

    /// Flushes the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }

    /// The underlying writer.
    pub const fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The underlying writer, mutably (writing to it directly corrupts the file).
    pub const fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// Returns the underlying writer, without flushing it.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

fn invalid(e: Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, e)
}
