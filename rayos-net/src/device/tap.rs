//! The Linux TAP driver: Ethernet frames to and from the kernel through
//! `/dev/net/tun` (see the kernel's `Documentation/networking/tuntap.rst`).
//!
//! [`Tap::open`] creates (or attaches to) a TAP interface with `IFF_TAP | IFF_NO_PI`
//! (frames without the 4-byte packet-information prefix) and makes the descriptor
//! nonblocking. Each `read` of the descriptor returns one frame, each `write` sends
//! one. The kernel copies each frame once between its socket buffer and ours; this
//! driver lends its own receive and transmit buffer and makes no further copy.
//!
//! Creating an interface needs `CAP_NET_ADMIN`. The interface is brought up and given
//! addresses by the caller (`ip link set NAME up`), as with any Linux interface.

// The one `unsafe` operation is the TUNSETIFF ioctl.
#![allow(unsafe_code)]

use super::{Capabilities, Device, Medium};
use core::time::Duration;
use std::fs::{File, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
extern crate alloc;

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// How many frames one call reads or writes at most, by default.
const DEFAULT_BURST: usize = 32;

/// Counts of the TAP device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TapStats {
    /// Frames read.
    pub rx_frames: u64,
    /// Their bytes.
    pub rx_bytes: u64,
    /// Frames written.
    pub tx_frames: u64,
    /// Their bytes.
    pub tx_bytes: u64,
    /// Frames not written: the kernel's queue was full (`EAGAIN`), the interface was
    /// down, or the transmit closure returned a length over the buffer's.
    pub tx_dropped: u64,
    /// Reads that failed with an error other than "no frame waiting".
    pub rx_errors: u64,
}

/// A Linux TAP interface (an Ethernet device whose other side is the kernel).
#[derive(Debug)]
pub struct Tap {
    file: File,
    name: String,
    mtu: usize,
    max_burst: usize,
    rx_buf: Vec<u8>,
    tx_buf: Vec<u8>,
    stats: TapStats,
    last_error: Option<ErrorKind>,
}

impl Tap {
    /// Creates the TAP interface `name` (or attaches to an existing one of that name,
    /// when this process may), nonblocking. Its MTU is read from
    /// `/sys/class/net/NAME/mtu`; frames are up to MTU + 14 bytes.
    pub fn open(name: &str) -> io::Result<Tap> {
        let bytes = name.as_bytes();
        if bytes.is_empty() || bytes.len() >= libc::IFNAMSIZ || bytes.contains(&0) {
            return Err(io::Error::new(
                ErrorKind::InvalidInput,
                "interface names are 1 to 15 bytes, without NUL",
            ));
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open("/dev/net/tun")?;

        // SAFETY: `ifreq` is a plain C struct (arrays of integers and a union of
        // integers, arrays and a pointer); all zero bytes is a valid value of it.
        let mut req: libc::ifreq = unsafe { core::mem::zeroed() };
        for (dst, &src) in req.ifr_name.iter_mut().zip(bytes) {
            *dst = src as libc::c_char;
        }
        // IFF_TAP | IFF_NO_PI fit in the 16-bit flags field (0x0002 | 0x1000).
        req.ifr_ifru.ifru_flags = (libc::IFF_TAP | libc::IFF_NO_PI) as libc::c_short;
        // SAFETY: the descriptor is open (owned by `file`, alive for the call);
        // TUNSETIFF reads and writes one `struct ifreq`, and `req` is one, valid and
        // exclusively borrowed for the duration of the call. The name is NUL-terminated
        // (it is shorter than IFNAMSIZ and the rest is zero).
        let rc = unsafe { libc::ioctl(file.as_raw_fd(), libc::TUNSETIFF, &raw mut req) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        // The kernel writes back the name it used.
        let name: String = req
            .ifr_name
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| char::from(c as u8))
            .collect();
        let mtu = std::fs::read_to_string(mtu_path(&name))
            .ok()
            .and_then(|s| s.trim().parse::<usize>().ok())
            .unwrap_or(1500);
        let frame = mtu.saturating_add(14);
        Ok(Tap {
            file,
            name,
            mtu,
            max_burst: DEFAULT_BURST,
            rx_buf: vec![0; frame],
            tx_buf: vec![0; frame],
            stats: TapStats::default(),
            last_error: None,
        })
    }

    /// The interface's name, as the kernel has it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The interface's IP MTU when it was opened.
    pub const fn mtu(&self) -> usize {
        self.mtu
    }

    /// Frames per call at most (32 by default; 0 is taken as 1).
    pub const fn set_max_burst(&mut self, max_burst: usize) {
        self.max_burst = if max_burst == 0 { 1 } else { max_burst };
    }

    /// The counts so far.
    pub const fn stats(&self) -> TapStats {
        self.stats
    }

    /// The kind of the last I/O error other than "would block", if any.
    pub const fn last_error(&self) -> Option<ErrorKind> {
        self.last_error
    }
}

/// Waits until one of the descriptors `fds` is readable (for a [`Tap`], a frame is
/// waiting: get its descriptor with `AsRawFd` before lending the device out), until
/// `timeout` passes (rounded up to whole milliseconds, so that a timer due in a
/// fraction of one is not busy-polled), or until a signal interrupts the wait. One
/// `poll(2)`: the way a single-threaded driver loop sleeps between batches.
///
/// Sound for any integers: `poll` only reads and writes the array built here, and
/// reports a descriptor that is not open as `POLLNVAL` rather than failing.
pub fn wait_readable(fds: &[RawFd], timeout: Duration) -> io::Result<()> {
    let mut pfds: Vec<libc::pollfd> = fds
        .iter()
        .map(|&fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let ms = libc::c_int::try_from(timeout.as_micros().div_ceil(1000)).unwrap_or(libc::c_int::MAX);
    let n = libc::nfds_t::try_from(pfds.len()).unwrap_or(libc::nfds_t::MAX);
    // SAFETY: `pfds` is a live, exclusively borrowed array of `n` `pollfd` structs for
    // the duration of the call, which is all poll(2) reads and writes.
    let rc = unsafe { libc::poll(pfds.as_mut_ptr(), n, ms) };
    if rc < 0 {
        let e = io::Error::last_os_error();
        if e.kind() != ErrorKind::Interrupted {
            return Err(e);
        }
    }
    Ok(())
}

fn mtu_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new("/sys/class/net")
        .join(name)
        .join("mtu")
}

impl AsFd for Tap {
    /// The descriptor, to wait for frames with `poll`/`epoll` (readable: a frame is
    /// waiting).
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

impl AsRawFd for Tap {
    fn as_raw_fd(&self) -> RawFd {
        self.file.as_raw_fd()
    }
}

impl Device for Tap {
    fn capabilities(&self) -> Capabilities {
        Capabilities::new(Medium::Ethernet, self.rx_buf.len()).with_max_burst(self.max_burst)
    }

    fn receive<F>(&mut self, _now: Duration, mut f: F) -> usize
    where
        F: FnMut(&mut [u8]),
    {
        let mut count = 0;
        while count < self.max_burst {
            match (&self.file).read(&mut self.rx_buf) {
                Ok(0) => break,
                Ok(n) => {
                    if let Some(frame) = self.rx_buf.get_mut(..n) {
                        f(frame);
                        count += 1;
                        self.stats.rx_frames += 1;
                        self.stats.rx_bytes += n as u64;
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    self.stats.rx_errors += 1;
                    self.last_error = Some(e.kind());
                    break;
                }
            }
        }
        count
    }

    fn transmit<F>(&mut self, _now: Duration, mut f: F) -> usize
    where
        F: FnMut(&mut [u8]) -> Option<usize>,
    {
        let mut count = 0;
        for _ in 0..self.max_burst {
            let Some(n) = f(&mut self.tx_buf) else {
                break;
            };
            let Some(frame) = self.tx_buf.get(..n) else {
                self.stats.tx_dropped += 1;
                continue;
            };
            match (&self.file).write(frame) {
                // A TAP write takes the whole frame or fails.
                Ok(w) if w == n => {
                    count += 1;
                    self.stats.tx_frames += 1;
                    self.stats.tx_bytes += n as u64;
                }
                Ok(_) => self.stats.tx_dropped += 1,
                Err(e) => {
                    // The frame is lost, as on a link whose queue is full.
                    self.stats.tx_dropped += 1;
                    if e.kind() != ErrorKind::WouldBlock {
                        self.last_error = Some(e.kind());
                    }
                }
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_readable_returns_when_data_is_waiting() {
        use std::os::unix::net::UnixStream;
        let (mut a, b) = UnixStream::pair().unwrap();
        a.write_all(b"x").unwrap();
        // Readable at once; a closed or negative descriptor is no error (poll ignores
        // a negative one and reports a closed one in revents).
        wait_readable(&[b.as_raw_fd(), -1], Duration::from_secs(60)).unwrap();
        wait_readable(&[], Duration::ZERO).unwrap();
    }

    #[test]
    fn bad_names_are_refused_before_any_system_call() {
        for name in ["", "0123456789abcdef", "a\0b"] {
            let e = Tap::open(name).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{name:?}");
        }
    }
}
