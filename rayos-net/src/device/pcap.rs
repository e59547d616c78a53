//! The pcap middleware: records the frames a device receives and transmits.

use super::{Capabilities, Device};
use crate::pcap::{self as file, LinkType};
use core::time::Duration;

/// Where [`PcapWriter`] puts its records.
pub trait PcapSink {
    /// Records one frame seen at `timestamp`. An error is counted by the
    /// [`PcapWriter`] (see [`PcapWriter::sink_errors`]); the frame still passes.
    fn record(&mut self, timestamp: Duration, frame: &[u8]) -> Result<(), file::Error>;
}

impl<S: PcapSink + ?Sized> PcapSink for &mut S {
    fn record(&mut self, timestamp: Duration, frame: &[u8]) -> Result<(), file::Error> {
        (**self).record(timestamp, frame)
    }
}

/// A classic pcap file written by [`crate::pcap::PcapWriter`] into any
/// `std::io::Write`; frames longer than its snapshot length are cut to it.
#[cfg(feature = "std")]
impl<W: std::io::Write> PcapSink for file::PcapWriter<W> {
    fn record(&mut self, timestamp: Duration, frame: &[u8]) -> Result<(), file::Error> {
        self.write_packet(timestamp, frame).map_err(|e| {
            // Our own format errors come back as the error they were; an I/O failure
            // has no pcap equivalent and reads as "cannot be written".
            e.get_ref()
                .and_then(|inner| inner.downcast_ref::<file::Error>())
                .copied()
                .unwrap_or(file::Error::Unrepresentable {
                    field: "record (I/O error)",
                })
        })
    }
}

/// A classic pcap file (little-endian, microseconds) written into a caller buffer,
/// without an allocator: for firmware that keeps a capture in RAM.
#[derive(Debug)]
pub struct BufferSink<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> BufferSink<'a> {
    /// Writes the file header for `link_type` (snapshot length 65535) into `buf`.
    pub fn new(buf: &'a mut [u8], link_type: LinkType) -> Result<Self, file::Error> {
        let len = file::write_header(buf, link_type, 65535)?;
        Ok(BufferSink { buf, len })
    }

    /// The file written so far.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Its length in bytes.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written (never: the header is written at creation).
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl PcapSink for BufferSink<'_> {
    fn record(&mut self, timestamp: Duration, frame: &[u8]) -> Result<(), file::Error> {
        let rest = self.buf.get_mut(self.len..).unwrap_or(&mut []);
        let keep = frame.len().min(65535);
        let data = frame.get(..keep).unwrap_or(frame);
        let original = u32::try_from(frame.len()).map_err(|_| file::Error::Unrepresentable {
            field: "original length over 32 bits",
        })?;
        self.len += file::write_record(rest, timestamp, data, original)?;
        Ok(())
    }
}

/// Which direction [`PcapWriter`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PcapMode {
    /// Received and transmitted frames.
    #[default]
    Both,
    /// Received frames only.
    Rx,
    /// Transmitted frames only.
    Tx,
}

/// A device that records every frame of the device it wraps into a [`PcapSink`],
/// stamped with the `now` of the call.
///
/// Received frames are recorded before the receive closure sees them; transmitted
/// frames after the transmit closure wrote them (a frame with an invalid length is not
/// recorded). The record is the one copy this device makes; the frame itself is still
/// lent straight through.
///
/// The capture's timestamps are the caller's `now`: pass time since the UNIX epoch for
/// wall-clock times in the file.
#[derive(Debug)]
pub struct PcapWriter<D, S> {
    inner: D,
    sink: S,
    mode: PcapMode,
    sink_errors: u64,
}

impl<D: Device, S: PcapSink> PcapWriter<D, S> {
    /// Records both directions of `inner` into `sink`. The sink should be a file of
    /// [`Device::capabilities`]' link type (see [`super::Medium::link_type`]).
    pub fn new(inner: D, sink: S) -> Self {
        Self::with_mode(inner, sink, PcapMode::Both)
    }

    /// Records the directions `mode` names.
    pub const fn with_mode(inner: D, sink: S, mode: PcapMode) -> Self {
        PcapWriter {
            inner,
            sink,
            mode,
            sink_errors: 0,
        }
    }

    /// Records the sink refused (a full buffer, an I/O error).
    pub const fn sink_errors(&self) -> u64 {
        self.sink_errors
    }

    /// The wrapped device.
    pub const fn get_ref(&self) -> &D {
        &self.inner
    }

    /// The wrapped device, mutably.
    pub const fn get_mut(&mut self) -> &mut D {
        &mut self.inner
    }

    /// The sink.
    pub const fn sink(&self) -> &S {
        &self.sink
    }

    /// The sink, mutably (to flush it).
    pub const fn sink_mut(&mut self) -> &mut S {
        &mut self.sink
    }

    /// The wrapped device and the sink.
    pub fn into_parts(self) -> (D, S) {
        (self.inner, self.sink)
    }
}

impl<D: Device, S: PcapSink> Device for PcapWriter<D, S> {
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn receive<F>(&mut self, now: Duration, mut f: F) -> usize
    where
        F: FnMut(&mut [u8]),
    {
        let on = matches!(self.mode, PcapMode::Both | PcapMode::Rx);
        let sink = &mut self.sink;
        let errors = &mut self.sink_errors;
        self.inner.receive(now, |frame| {
            if on && sink.record(now, frame).is_err() {
                *errors += 1;
            }
            f(frame);
        })
    }

    fn transmit<F>(&mut self, now: Duration, mut f: F) -> usize
    where
        F: FnMut(&mut [u8]) -> Option<usize>,
    {
        let on = matches!(self.mode, PcapMode::Both | PcapMode::Tx);
        let sink = &mut self.sink;
        let errors = &mut self.sink_errors;
        self.inner.transmit(now, |buf| {
            let n = f(buf)?;
            if on
                && let Some(frame) = buf.get(..n)
                && sink.record(now, frame).is_err()
            {
                *errors += 1;
            }
            Some(n)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Link, Loopback};
    use super::*;
    use crate::pcap::Capture;
    extern crate alloc;
    use alloc::vec;
    use alloc::vec::Vec;

    fn send<D: Device>(dev: &mut D, now: Duration, frames: &[&[u8]]) -> usize {
        let mut it = frames.iter();
        dev.transmit(now, |buf| {
            let fr = it.next()?;
            buf.get_mut(..fr.len())?.copy_from_slice(fr);
            Some(fr.len())
        })
    }

    /// (timestamp, bytes) of every record of a capture.
    fn records(bytes: &[u8]) -> Vec<(Duration, Vec<u8>)> {
        Capture::new(bytes)
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                assert_eq!(r.link_type, LinkType::ETHERNET);
                (r.timestamp.unwrap(), r.data.to_vec())
            })
            .collect()
    }

    #[test]
    fn records_both_directions_with_the_callers_time() {
        let mut buf = [0u8; 512];
        let sink = BufferSink::new(&mut buf, LinkType::ETHERNET).unwrap();
        let mut dev = PcapWriter::new(Loopback::<4, 64>::new(), sink);
        let t1 = Duration::from_micros(1_000_001);
        let t2 = Duration::from_micros(2_500_000);
        assert_eq!(send(&mut dev, t1, &[b"first", b"second"]), 2);
        let mut seen = Vec::new();
        assert_eq!(dev.receive(t2, |f| seen.push(f.to_vec())), 2);
        assert_eq!(seen, [b"first".to_vec(), b"second".to_vec()]);
        assert_eq!(dev.sink_errors(), 0);
        let (_, sink) = dev.into_parts();
        assert_eq!(
            records(sink.as_bytes()),
            [
                (t1, b"first".to_vec()),
                (t1, b"second".to_vec()),
                (t2, b"first".to_vec()),
                (t2, b"second".to_vec()),
            ]
        );
        // 24-byte header, then 16 bytes per record plus its data.
        assert_eq!(sink.len(), 24 + 4 * 16 + 2 * (5 + 6));
    }

    #[test]
    fn modes_select_directions_and_records_precede_rx_changes() {
        for (mode, expected) in [
            (PcapMode::Rx, vec![b"ab".to_vec()]),
            (PcapMode::Tx, vec![b"ab".to_vec()]),
            (PcapMode::Both, vec![b"ab".to_vec(), b"ab".to_vec()]),
        ] {
            let mut buf = [0u8; 256];
            let sink = BufferSink::new(&mut buf, LinkType::ETHERNET).unwrap();
            let mut dev = PcapWriter::with_mode(Loopback::<2, 16>::new(), sink, mode);
            send(&mut dev, Duration::ZERO, &[b"ab"]);
            // The receiver rewrites the frame in place; the capture has it as received.
            dev.receive(Duration::ZERO, |f| f[0] = b'X');
            let got: Vec<_> = records(dev.sink().as_bytes())
                .into_iter()
                .map(|(_, d)| d)
                .collect();
            assert_eq!(got, expected, "{mode:?}");
        }
    }

    #[test]
    fn a_full_sink_is_counted_and_frames_still_pass() {
        let mut buf = [0u8; 24 + 16 + 3];
        let sink = BufferSink::new(&mut buf, LinkType::ETHERNET).unwrap();
        let mut dev = PcapWriter::new(Loopback::<4, 16>::new(), sink);
        assert_eq!(send(&mut dev, Duration::ZERO, &[b"abc", b"defg"]), 2);
        assert_eq!(dev.sink_errors(), 1);
        assert_eq!(dev.receive(Duration::ZERO, |_| {}), 2);
        assert_eq!(dev.sink_errors(), 3);
        assert_eq!(records(dev.sink().as_bytes()).len(), 1);
    }

    #[test]
    fn stacks_over_a_link_port() {
        let link = Link::<4, 64>::new();
        let (a, mut b) = link.ports();
        let mut buf = [0u8; 256];
        let sink = BufferSink::new(&mut buf, LinkType::ETHERNET).unwrap();
        let mut a = PcapWriter::new(a, sink);
        send(&mut a, Duration::from_secs(3), &[b"hello"]);
        let mut got = Vec::new();
        b.receive(Duration::ZERO, |f| got.push(f.to_vec()));
        assert_eq!(got, [b"hello".to_vec()]);
        assert_eq!(
            records(a.sink().as_bytes()),
            [(Duration::from_secs(3), b"hello".to_vec())]
        );
        assert_eq!(a.get_ref().stats().tx_frames, 1);
    }

    #[cfg(feature = "std")]
    #[test]
    fn std_writer_sink_opens_in_tcpdump() {
        use alloc::format;
        use std::process::Command;
        let file = crate::pcap::PcapWriter::new(Vec::new(), LinkType::ETHERNET, 65535).unwrap();
        let mut dev = PcapWriter::new(Loopback::<4, 1514>::new(), file);
        // An ARP request, who-has 10.0.0.2 tell 10.0.0.1, padded to 60 bytes.
        let mut arp = [0u8; 60];
        arp[..42].copy_from_slice(&[
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1, 0x08, 0, 6,
            4, 0, 1, 0x02, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
        ]);
        let t = Duration::from_secs(1_700_000_000);
        send(&mut dev, t, &[&arp]);
        dev.receive(t + Duration::from_millis(1), |_| {});
        let (_, file) = dev.into_parts();
        let bytes = file.into_inner();
        assert_eq!(records(&bytes).len(), 2);

        let path =
            std::env::temp_dir().join(format!("rayos-device-pcap-{}.pcap", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let out = Command::new("tcpdump")
            .args(["-r", path.to_str().unwrap(), "-n", "-tt"])
            .output();
        let _ = std::fs::remove_file(&path);
        let out = out.expect("tcpdump is installed (cargo xtask setup)");
        let stdout = alloc::string::String::from_utf8_lossy(&out.stdout);
        let stderr = alloc::string::String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "tcpdump failed: {stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{stdout}");
        assert!(
            lines[0].starts_with("1700000000.000000 ARP, Request who-has 10.0.0.2 tell 10.0.0.1"),
            "{stdout}"
        );
        assert!(lines[1].starts_with("1700000000.001000 ARP"), "{stdout}");
    }
}
