//! Keyed hashes of a connection's 4-tuple: initial sequence numbers, timestamp
//! offsets, SYN cookies and the socket table's hash.
//!
//! Everything here derives from one [`Secret`], 128 random bits that the caller draws
//! (from its CSPRNG, at boot) and hands in: the library draws no randomness. What an
//! off-path attacker sees (our ISNs, our timestamps, the order of the socket table)
//! then tells them nothing they can use to guess another connection's numbers or to
//! aim hash collisions.
//!
//! - [`Secret::isn`]: RFC 6528 initial sequence numbers, `ISN = M + F(4-tuple, key)`
//!   with `M` a 4 µs clock and `F` SipHash-2-4.
//! - [`Secret::ts_offset`]: a per-connection offset for TCP timestamps, so that TSval
//!   does not reveal the host's clock (RFC 7323 sections 5.4 and 7).
//! - [`Secret::syn_cookie`] and [`Secret::check_syn_cookie`]: SYN cookies (RFC 4987
//!   section 3.6), with [`cookie_tsval`] and [`cookie_options`] for the options a
//!   cookie cannot carry.
//! - [`Secret::hash_tuple`]: the hash [`table`](super::table) indexes sockets by.
//!
//! Each use hashes a different domain tag before the 4-tuple, so no two of them give
//! related values for the same connection; the table hash uses SipHash-1-3 under its
//! own key, derived from the secret, so that a weakness of the faster function
//! exposes nothing about the ISN and cookie key.
//!
//! ## The 4-tuple encoding
//! Each endpoint is encoded as a family byte (4 or 6), the address's 4 or 16 octets
//! and the port in network order, local endpoint first. The family byte fixes the
//! length of what follows, so no two tuples (of either family, or mixed) encode to
//! the same bytes. IPv6 flow labels and scope ids are not part of the encoding.
//!
//! ## SYN cookies
//! A listener whose SYN queue is full answers a SYN with a SYN-ACK whose ISN is a
//! cookie, and forgets the SYN. The ACK that completes the handshake carries the
//! cookie back (its acknowledgment number minus one) with the peer's ISN (its
//! sequence number minus one); [`Secret::check_syn_cookie`] checks both and recovers
//! the MSS the cookie encoded. The 32 bits of a cookie are, high to low:
//!
//! ```text
//!  31  30 29  28 27                                                  0
//! +------+------+-----------------------------------------------------+
//! |  t   | mss  |  MAC: low 28 bits of SipHash-2-4(key, "cookie", t,  |
//! | mod 4| index|       4-tuple, peer ISN, mss index)                  |
//! +------+------+-----------------------------------------------------+
//! ```
//!
//! `t` is `now` in periods of [`SYN_COOKIE_PERIOD`] (64 s), as in Bernstein's
//! design; a cookie is accepted in the period it was made and the next one, so it
//! lives at least 64 s and less than 128 s. The MSS index selects an entry of
//! [`MSS_TABLE_V4`] or [`MSS_TABLE_V6`] (Linux's tables). A random 32-bit value
//! passes with probability 2^-29; an attacker who knows the time and picks the
//! clear bits still has to guess 28 bits. Linux's cookies (RFC 4987 section 3.6
//! describes them) carry 24 bits of hash with the counter and MSS index folded in;
//! these carry more MAC bits, and the peer's ISN is under the MAC, as Linux's is.
//!
//! Window scale and SACK do not fit: when the SYN carried timestamps,
//! [`cookie_tsval`] encodes them in the low 6 bits of the TSval of the SYN-ACK, and
//! [`cookie_options`] decodes them from the TSecr the ACK echoes, as Linux does. A
//! SYN without timestamps gets a connection without window scaling and SACK.
//!
//! ## Example
//! ```
//! use core::net::SocketAddr;
//! use core::time::Duration;
//! use netstack::socket::keyed::{cookie_options, cookie_tsval, Secret};
//! use netstack::wire::tcp::SeqNumber;
//!
//! // In real use the key comes from the caller's CSPRNG.
//! let secret = Secret::new([7; 16]);
//! let local: SocketAddr = "192.0.2.1:80".parse().unwrap();
//! let remote: SocketAddr = "198.51.100.7:49152".parse().unwrap();
//!
//! // A SYN (seq 1000, MSS 1460, window scale 7, SACK permitted, timestamps) meets a
//! // full SYN queue: answer with a cookie and keep nothing.
//! let now = Duration::from_secs(100);
//! let (isn, mss) = secret.syn_cookie(now, local, remote, SeqNumber(1000), 1460);
//! assert_eq!(mss, 1460);
//! let clock = now.as_millis() as u32;
//! let tsval = cookie_tsval(clock.wrapping_add(secret.ts_offset(local, remote)), Some(7), true);
//!
//! // The ACK comes back a second later: seq 1001, ack isn + 1, TSecr = tsval.
//! let (seq, ack, tsecr) = (SeqNumber(1001), isn + 1, tsval);
//! let later = now + Duration::from_secs(1);
//! assert_eq!(secret.check_syn_cookie(later, local, remote, seq - 1, ack - 1), Some(1460));
//! assert_eq!(cookie_options(tsecr), Some((Some(7), true)));
//! // Any other peer ISN, or too late, and the ACK is not a connection.
//! assert_eq!(secret.check_syn_cookie(later, local, remote, seq, ack - 1), None);
//! let late = now + Duration::from_secs(128);
//! assert_eq!(secret.check_syn_cookie(late, local, remote, seq - 1, ack - 1), None);
//! ```

use core::fmt;
use core::net::{IpAddr, SocketAddr};
use core::time::Duration;

use siphasher::sip::{SipHasher13, SipHasher24};
use siphasher::sip128::SipHasher24 as SipHasher24x128;

use crate::wire::tcp::SeqNumber;

/// The length of a SYN cookie's time period; a cookie is valid in the period it was
/// made and the next one.
pub const SYN_COOKIE_PERIOD: Duration = Duration::from_secs(64);

/// The MSS values an IPv4 SYN cookie can encode (Linux's `msstab` in
/// `net/ipv4/syncookies.c`): 536 (the default MSS of RFC 9293 section 3.7.1), 1300
/// (a tunnel or VPN path), 1440 (Ethernet under PPPoE or with options) and 1460
/// (Ethernet).
pub const MSS_TABLE_V4: [u16; 4] = [536, 1300, 1440, 1460];

/// The MSS values an IPv6 SYN cookie can encode (Linux's `msstab` in
/// `net/ipv6/syncookies.c`): 1220 (the IPv6 minimum MTU of 1280 less 60), 1420
/// (1480, a 6in4 tunnel), 1440 (Ethernet) and 8940 (9000-byte jumbo frames).
pub const MSS_TABLE_V6: [u16; 4] = [1220, 1420, 1440, 8940];

/// Domain tags: the first byte hashed, so that each use of the key sees inputs no
/// other use can produce.
const TAG_ISN: u8 = 1;
const TAG_TS_OFFSET: u8 = 2;
const TAG_COOKIE: u8 = 3;
const TAG_TABLE: u8 = 4;
/// The label the table key is derived from.
const TABLE_KEY_LABEL: &[u8] = b"rayos-netstack socket table key";

/// Periods after the one it was made in during which a cookie is accepted.
const COOKIE_MAX_AGE: u64 = 1;
const COOKIE_MAC_BITS: u32 = 28;
const COOKIE_MAC_MASK: u32 = (1 << COOKIE_MAC_BITS) - 1;
const COOKIE_INDEX_SHIFT: u32 = 28;
const COOKIE_TIME_SHIFT: u32 = 30;

/// Low bits of a cookie TSval that hold options.
const TS_OPT_BITS: u32 = 6;
const TS_OPT_MASK: u32 = (1 << TS_OPT_BITS) - 1;
/// Window scale shift, or 15 for "no window scaling".
const TS_WSCALE_MASK: u32 = 0xf;
const TS_SACK: u32 = 1 << 4;
/// Linux's ECN bit; this crate never sets it, so an echo with it set is not ours.
const TS_RESERVED: u32 = 1 << 5;
/// The largest window scale shift (RFC 7323 section 2.3).
const MAX_WINDOW_SCALE: u8 = 14;

/// A 128-bit secret key for the keyed hashes of this module.
///
/// The caller draws it from a cryptographically secure random source, once (at boot
/// or when the stack is created), and keeps it for as long as connections made under
/// it may live: ISNs, cookies and the table's layout all depend on it. `Debug` does
/// not print it.
#[derive(Clone)]
pub struct Secret {
    /// SipHash-2-4 under the caller's key: ISNs, timestamp offsets, cookies.
    prf: SipHasher24,
    /// SipHash-1-3 under a key derived from the caller's: the socket table.
    table: SipHasher13,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// The bytes one hash call reads: a domain tag, the 4-tuple and what else that use
/// adds, on the stack.
struct Input {
    buf: [u8; 64],
    len: usize,
}

impl Input {
    fn new(tag: u8, local: SocketAddr, remote: SocketAddr) -> Self {
        let mut input = Input {
            buf: [0; 64],
            len: 0,
        };
        input.put(&[tag]);
        input.endpoint(local);
        input.endpoint(remote);
        input
    }

    /// Appends `bytes`. The longest input is 52 bytes, so this always fits.
    fn put(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
            self.len = end;
        }
    }

    fn endpoint(&mut self, addr: SocketAddr) {
        match addr.ip() {
            IpAddr::V4(ip) => {
                self.put(&[4]);
                self.put(&ip.octets());
            }
            IpAddr::V6(ip) => {
                self.put(&[6]);
                self.put(&ip.octets());
            }
        }
        self.put(&addr.port().to_be_bytes());
    }

    fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

/// The MSS table for a connection with `remote`.
fn mss_table(remote: SocketAddr) -> &'static [u16; 4] {
    match remote {
        SocketAddr::V4(_) => &MSS_TABLE_V4,
        SocketAddr::V6(_) => &MSS_TABLE_V6,
    }
}

/// `now` in cookie periods.
fn cookie_period(now: Duration) -> u64 {
    now.as_secs() / SYN_COOKIE_PERIOD.as_secs()
}

impl Secret {
    /// A secret from 16 random bytes.
    pub fn new(key: [u8; 16]) -> Self {
        let table_key = SipHasher24x128::new_with_key(&key)
            .hash(TABLE_KEY_LABEL)
            .as_bytes();
        Secret {
            prf: SipHasher24::new_with_key(&key),
            table: SipHasher13::new_with_key(&table_key),
        }
    }

    /// The initial sequence number for a connection from `local` to `remote` opened
    /// at `now` (RFC 6528 section 3).
    ///
    /// `M` is `now` in 4 µs ticks, modulo 2^32 (so it wraps every 4.77 hours); `F` is
    /// SipHash-2-4 under the secret over the 4-tuple, truncated to 32 bits. For one
    /// 4-tuple the ISN thus advances by one every 4 µs, faster than any connection
    /// of the past can have used sequence numbers, which protects new incarnations
    /// of a connection from old duplicates (RFC 9293 section 3.4.1); for different
    /// 4-tuples the ISNs are unrelated.
    //= https://www.rfc-editor.org/rfc/rfc6528#section-3
    //# TCP SHOULD generate its Initial Sequence Numbers with the expression:
    //#
    //#    ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
    //#
    //# where M is the 4 microsecond timer, and F() is a pseudorandom
    //# function (PRF) of the connection-id.  F() MUST NOT be computable from
    //# the outside, or an attacker could still guess at sequence numbers
    //# from the ISN used for some other connection.
    pub fn isn(&self, now: Duration, local: SocketAddr, remote: SocketAddr) -> SeqNumber {
        // Truncation is the timer's wrap modulo 2^32.
        let m = (now.as_micros() / 4) as u32;
        let f = self.prf.hash(Input::new(TAG_ISN, local, remote).bytes()) as u32;
        SeqNumber(m.wrapping_add(f))
    }

    /// The offset to add to our timestamp clock in TSval for a connection from
    /// `local` to `remote`.
    ///
    /// RFC 7323 (sections 5.4 and 7) recommends a random offset per connection, so
    /// that TSval does not give away the host's clock (its uptime, and which
    /// connections share a host behind a NAT), as Linux does since 4.10. The offset
    /// is a keyed hash of the 4-tuple, so it is the same for every incarnation of a
    /// 4-tuple: timestamps stay monotonic across them, which the reuse of a
    /// TIME-WAIT 4-tuple relies on (RFC 6191). It is unrelated to the ISN's `F`.
    pub fn ts_offset(&self, local: SocketAddr, remote: SocketAddr) -> u32 {
        self.prf
            .hash(Input::new(TAG_TS_OFFSET, local, remote).bytes()) as u32
    }

    /// The 64-bit hash of a 4-tuple that [`table`](super::table) indexes sockets by:
    /// SipHash-1-3 under a key derived from the secret, so that a remote peer cannot
    /// choose addresses and ports that collide.
    pub fn hash_tuple(&self, local: SocketAddr, remote: SocketAddr) -> u64 {
        self.table
            .hash(Input::new(TAG_TABLE, local, remote).bytes())
    }

    /// The 28-bit MAC of a cookie made in period `period`.
    fn cookie_mac(
        &self,
        period: u64,
        local: SocketAddr,
        remote: SocketAddr,
        peer_isn: SeqNumber,
        index: u32,
    ) -> u32 {
        let mut input = Input::new(TAG_COOKIE, local, remote);
        input.put(&period.to_be_bytes());
        input.put(&peer_isn.0.to_be_bytes());
        // The index is 0..4.
        input.put(&[index as u8]);
        (self.prf.hash(input.bytes()) as u32) & COOKIE_MAC_MASK
    }

    /// A SYN cookie: the ISN of a SYN-ACK from `local` to `remote`, answering a SYN
    /// with sequence number `peer_isn` and MSS option `mss`, sent at `now` without
    /// keeping any state. Returns the cookie and the MSS it encodes.
    ///
    /// The encoded MSS is the largest entry of [`MSS_TABLE_V4`] or [`MSS_TABLE_V6`]
    /// (by the family of `remote`) not above `mss`, or the table's smallest entry when
    /// `mss` is below all of them (Linux does the same; 536 and 1220 are the least
    /// MSS any IPv4 or IPv6 host must accept). A SYN without an MSS option should
    /// pass 536 for IPv4 and 1220 for IPv6 (RFC 9293 section 3.7.1). The caller
    /// uses the returned MSS, not `mss`, once the cookie comes back.
    ///
    /// The cookie is valid for at least [`SYN_COOKIE_PERIOD`] and less than twice
    /// that (see the [module documentation](self) for the layout).
    pub fn syn_cookie(
        &self,
        now: Duration,
        local: SocketAddr,
        remote: SocketAddr,
        peer_isn: SeqNumber,
        mss: u16,
    ) -> (SeqNumber, u16) {
        let table = mss_table(remote);
        let [smallest, ..] = *table;
        let index = table.iter().rposition(|&m| m <= mss).unwrap_or(0);
        let encoded = table.get(index).copied().unwrap_or(smallest);
        // The index is 0..4.
        let index = index as u32;
        let period = cookie_period(now);
        let mac = self.cookie_mac(period, local, remote, peer_isn, index);
        let cookie =
            (((period % 4) as u32) << COOKIE_TIME_SHIFT) | (index << COOKIE_INDEX_SHIFT) | mac;
        (SeqNumber(cookie), encoded)
    }

    /// Checks a SYN cookie that came back at `now` in an ACK from `remote` to
    /// `local`: `cookie` is the ACK's acknowledgment number minus one and
    /// `peer_isn` its sequence number minus one. Returns the MSS the cookie encoded
    /// if it is one [`syn_cookie`](Self::syn_cookie) made for this 4-tuple and peer
    /// ISN, in the current cookie period or the one before; `None` otherwise.
    pub fn check_syn_cookie(
        &self,
        now: Duration,
        local: SocketAddr,
        remote: SocketAddr,
        peer_isn: SeqNumber,
        cookie: SeqNumber,
    ) -> Option<u16> {
        let current = cookie_period(now);
        let low = u64::from(cookie.0 >> COOKIE_TIME_SHIFT);
        // The age in periods, modulo 4 (2^64 is a multiple of 4, so the wrapping
        // subtraction keeps the residue).
        let age = current.wrapping_sub(low) % 4;
        if age > COOKIE_MAX_AGE {
            return None;
        }
        let period = current.checked_sub(age)?;
        let index = (cookie.0 >> COOKIE_INDEX_SHIFT) & 0b11;
        let mac = self.cookie_mac(period, local, remote, peer_isn, index);
        if mac != cookie.0 & COOKIE_MAC_MASK {
            return None;
        }
        mss_table(remote).get(index as usize).copied()
    }
}

/// The TSval to send in a SYN-ACK that carries a SYN cookie: `tsval` (our clock plus
/// [`Secret::ts_offset`]) with its low 6 bits replaced by the SYN's window scale
/// (bits 0 to 3; 15 when the SYN had no Window Scale option) and SACK-permitted
/// (bit 4), the way Linux does. Bit 5 is zero.
///
/// The result is never later than `tsval` (it goes back up to 63 ticks when the
/// options are larger than `tsval`'s low bits), so timestamps stay monotonic. A
/// window scale above 14 is sent as 14.
//= https://www.rfc-editor.org/rfc/rfc7323#section-2.3
//# If a Window Scale option is received with a shift.cnt
//# value larger than 14, the TCP SHOULD log the error but MUST use 14
//# instead of the specified value.
pub fn cookie_tsval(tsval: u32, window_scale: Option<u8>, sack: bool) -> u32 {
    let mut options = match window_scale {
        Some(shift) => u32::from(shift.min(MAX_WINDOW_SCALE)),
        None => TS_WSCALE_MASK,
    };
    if sack {
        options |= TS_SACK;
    }
    let ts = (tsval & !TS_OPT_MASK) | options;
    if options > tsval & TS_OPT_MASK {
        ts.wrapping_sub(1 << TS_OPT_BITS)
    } else {
        ts
    }
}

/// The options a SYN cookie's TSval carried, from the TSecr of the ACK that brought
/// the cookie back: the window scale shift the peer announced (`None`: no window
/// scaling) and whether it permitted SACK. `None` when the low bits are not a value
/// [`cookie_tsval`] produces (bit 5 set).
///
/// Only call this for an ACK that carries a Timestamps option; an ACK without one
/// completes a connection without window scaling or SACK.
pub fn cookie_options(tsecr: u32) -> Option<(Option<u8>, bool)> {
    if tsecr & TS_RESERVED != 0 {
        return None;
    }
    let shift = tsecr & TS_WSCALE_MASK;
    let window_scale = if shift == TS_WSCALE_MASK {
        None
    } else {
        // 4 bits: 0..=14 here.
        Some(shift as u8)
    };
    Some((window_scale, tsecr & TS_SACK != 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use core::net::{Ipv4Addr, Ipv6Addr, SocketAddrV6};
    use proptest::prelude::*;

    const KEY: [u8; 16] = [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
        0xff,
    ];

    fn secret() -> Secret {
        Secret::new(KEY)
    }

    fn v4(a: [u8; 4], port: u16) -> SocketAddr {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::from(a)), port)
    }

    fn v6(s: &str, port: u16) -> SocketAddr {
        SocketAddr::new(IpAddr::V6(s.parse().unwrap()), port)
    }

    fn pairs() -> [(SocketAddr, SocketAddr); 2] {
        [
            (v4([192, 0, 2, 1], 80), v4([198, 51, 100, 7], 49_152)),
            (v6("2001:db8::1", 443), v6("2001:db8:1::7", 50_000)),
        ]
    }

    const T: Duration = Duration::from_secs(1_000_000);

    #[test]
    fn debug_hides_the_key() {
        let s = format!("{:?}", secret());
        assert_eq!(s, "Secret(..)");
    }

    #[test]
    fn deterministic() {
        let (a, b) = (secret(), secret());
        for (l, r) in pairs() {
            assert_eq!(a.isn(T, l, r), b.isn(T, l, r));
            assert_eq!(a.ts_offset(l, r), b.ts_offset(l, r));
            assert_eq!(a.hash_tuple(l, r), b.hash_tuple(l, r));
            assert_eq!(
                a.syn_cookie(T, l, r, SeqNumber(7), 1460),
                b.syn_cookie(T, l, r, SeqNumber(7), 1460)
            );
            // A clone is the same secret.
            let c = a.clone();
            assert_eq!(c.isn(T, l, r), a.isn(T, l, r));
        }
    }

    #[test]
    fn different_keys_differ() {
        let a = secret();
        let mut key = KEY;
        key[15] ^= 1;
        let b = Secret::new(key);
        for (l, r) in pairs() {
            assert_ne!(a.isn(T, l, r), b.isn(T, l, r));
            assert_ne!(a.ts_offset(l, r), b.ts_offset(l, r));
            assert_ne!(a.hash_tuple(l, r), b.hash_tuple(l, r));
            let (ca, _) = a.syn_cookie(T, l, r, SeqNumber(7), 1460);
            assert_eq!(b.check_syn_cookie(T, l, r, SeqNumber(7), ca), None);
        }
    }

    #[test]
    fn different_tuples_differ() {
        let s = secret();
        for (l, r) in pairs() {
            let mut others = vec![(r, l)];
            others.push((SocketAddr::new(l.ip(), l.port() + 1), r));
            others.push((l, SocketAddr::new(r.ip(), r.port() + 1)));
            let ip = match r.ip() {
                IpAddr::V4(ip) => IpAddr::V4(Ipv4Addr::from_bits(ip.to_bits() ^ 1)),
                IpAddr::V6(ip) => IpAddr::V6(Ipv6Addr::from_bits(ip.to_bits() ^ 1)),
            };
            others.push((l, SocketAddr::new(ip, r.port())));
            for (l2, r2) in others {
                assert_ne!(s.isn(T, l, r), s.isn(T, l2, r2));
                assert_ne!(s.ts_offset(l, r), s.ts_offset(l2, r2));
                assert_ne!(s.hash_tuple(l, r), s.hash_tuple(l2, r2));
            }
        }
    }

    #[test]
    fn encoding_is_unambiguous() {
        // 10.0.2.15:0xc000 and 10.0.2.192:0x0f00 would concatenate to the same bytes
        // without fixed widths; 0.0.0.0 and :: would without the family byte.
        let s = secret();
        let r = v4([192, 0, 2, 9], 80);
        let a = v4([10, 0, 2, 15], 0xc000);
        let b = v4([10, 0, 2, 0xc0], 0x0f00);
        assert_ne!(s.isn(T, a, r), s.isn(T, b, r));
        let z4 = v4([0; 4], 0);
        let z6 = v6("::", 0);
        assert_ne!(s.hash_tuple(z4, z6), s.hash_tuple(z6, z4));
        assert_ne!(s.hash_tuple(z4, z4), s.hash_tuple(z6, z6));
        // The IPv4-mapped IPv6 address is a different endpoint from the IPv4 one.
        let mapped = v6("::ffff:192.0.2.9", 80);
        assert_ne!(s.hash_tuple(a, r), s.hash_tuple(a, mapped));
    }

    #[test]
    fn uses_are_domain_separated() {
        let s = secret();
        for (l, r) in pairs() {
            let f = s.isn(Duration::ZERO, l, r).0;
            assert_ne!(f, s.ts_offset(l, r));
            assert_ne!(u64::from(f), s.hash_tuple(l, r) & 0xffff_ffff);
            assert_ne!(
                u64::from(s.ts_offset(l, r)),
                s.hash_tuple(l, r) & 0xffff_ffff
            );
        }
    }

    #[test]
    fn flowinfo_and_scope_do_not_change_the_hash() {
        let s = secret();
        let (l, r) = pairs()[1];
        let SocketAddr::V6(r6) = r else { panic!() };
        let r2 = SocketAddr::V6(SocketAddrV6::new(*r6.ip(), r6.port(), 0x12345, 3));
        assert_eq!(s.isn(T, l, r), s.isn(T, l, r2));
        assert_eq!(s.hash_tuple(l, r), s.hash_tuple(l, r2));
    }

    //= https://www.rfc-editor.org/rfc/rfc6528#section-3
    //# where M is the 4 microsecond timer
    #[test]
    fn isn_advances_once_per_4_us() {
        let s = secret();
        for (l, r) in pairs() {
            let base = s.isn(T, l, r);
            for us in 0..4 {
                assert_eq!(s.isn(T + Duration::from_micros(us), l, r), base);
            }
            assert_eq!(s.isn(T + Duration::from_micros(4), l, r), base + 1);
            assert_eq!(s.isn(T + Duration::from_micros(7), l, r), base + 1);
            assert_eq!(s.isn(T + Duration::from_secs(1), l, r), base + 250_000);
            // M wraps modulo 2^32 ticks (2^34 µs, 4.77 hours).
            assert_eq!(s.isn(T + Duration::from_micros(1 << 34), l, r), base);
            assert_eq!(
                s.isn(T + Duration::from_micros((1 << 34) - 4), l, r),
                base - 1
            );
        }
        // The timer is per host, F per connection: two tuples at the same time differ
        // by F alone, and the difference does not change with time.
        let [(l1, r1), (l2, r2)] = pairs();
        let d0 = s.isn(T, l1, r1).0.wrapping_sub(s.isn(T, l2, r2).0);
        let later = T + Duration::from_millis(1234);
        let d1 = s.isn(later, l1, r1).0.wrapping_sub(s.isn(later, l2, r2).0);
        assert_eq!(d0, d1);
        assert_ne!(d0, 0);
    }

    #[test]
    fn cookie_round_trip_every_mss_entry() {
        let s = secret();
        for (l, r) in pairs() {
            let table = mss_table(r);
            for (i, &mss) in table.iter().enumerate() {
                // The exact value, and a value just below the next entry.
                let above = table.get(i + 1).map_or(u16::MAX, |m| m - 1);
                for offered in [mss, above] {
                    let isn = SeqNumber(0xdead_beef);
                    let (cookie, encoded) = s.syn_cookie(T, l, r, isn, offered);
                    assert_eq!(encoded, mss, "offered {offered}");
                    assert_eq!(s.check_syn_cookie(T, l, r, isn, cookie), Some(mss));
                    assert_eq!((cookie.0 >> 28) & 3, i as u32);
                }
            }
        }
    }

    #[test]
    fn cookie_mss_below_the_table_encodes_the_smallest() {
        let s = secret();
        for (l, r) in pairs() {
            let smallest = mss_table(r)[0];
            for offered in [0, 1, smallest - 1] {
                let (cookie, encoded) = s.syn_cookie(T, l, r, SeqNumber(1), offered);
                assert_eq!(encoded, smallest);
                assert_eq!(
                    s.check_syn_cookie(T, l, r, SeqNumber(1), cookie),
                    Some(smallest)
                );
            }
        }
        assert_eq!(MSS_TABLE_V4, [536, 1300, 1440, 1460]);
        assert_eq!(MSS_TABLE_V6, [1220, 1420, 1440, 8940]);
    }

    #[test]
    fn cookie_rejects_another_tuple() {
        let s = secret();
        for (l, r) in pairs() {
            let isn = SeqNumber(42);
            let (cookie, _) = s.syn_cookie(T, l, r, isn, 1440);
            let other_port = SocketAddr::new(r.ip(), r.port() ^ 1);
            let other_local = SocketAddr::new(l.ip(), l.port() ^ 1);
            assert_eq!(s.check_syn_cookie(T, l, other_port, isn, cookie), None);
            assert_eq!(s.check_syn_cookie(T, other_local, r, isn, cookie), None);
            assert_eq!(s.check_syn_cookie(T, r, l, isn, cookie), None);
        }
    }

    #[test]
    fn cookie_rejects_another_peer_isn() {
        let s = secret();
        for (l, r) in pairs() {
            let isn = SeqNumber(42);
            let (cookie, _) = s.syn_cookie(T, l, r, isn, 1440);
            for other in [isn + 1, isn - 1, SeqNumber(isn.0 ^ 0x8000_0000)] {
                assert_eq!(s.check_syn_cookie(T, l, r, other, cookie), None);
            }
        }
    }

    #[test]
    fn cookie_rejects_every_flipped_bit() {
        let s = secret();
        for (l, r) in pairs() {
            let isn = SeqNumber(0x0102_0304);
            for mss in mss_table(r) {
                let (cookie, _) = s.syn_cookie(T, l, r, isn, *mss);
                for bit in 0..32 {
                    let bad = SeqNumber(cookie.0 ^ (1 << bit));
                    assert_eq!(s.check_syn_cookie(T, l, r, isn, bad), None, "bit {bit}");
                }
            }
        }
    }

    #[test]
    fn cookie_expires_at_the_documented_bound() {
        let s = secret();
        let p = SYN_COOKIE_PERIOD;
        let tick = Duration::from_nanos(1);
        for (l, r) in pairs() {
            let isn = SeqNumber(9);
            for k in [0u32, 1, 2, 3, 1000] {
                let start = p * k;
                for made in [start, start + p - tick] {
                    let (cookie, mss) = s.syn_cookie(made, l, r, isn, 1440);
                    let check = |now| s.check_syn_cookie(now, l, r, isn, cookie);
                    // Valid through the end of the next period: at least 64 s.
                    assert_eq!(check(made), Some(mss));
                    assert_eq!(check(made + p - tick), Some(mss));
                    assert_eq!(check(start + 2 * p - tick), Some(mss));
                    // Never from the period after that on: less than 128 s.
                    assert_eq!(check(start + 2 * p), None);
                    assert_eq!(check(start + 3 * p), None);
                    // 4 periods later the clear time bits match again: the MAC, over
                    // the full period number, still rejects.
                    assert_eq!(check(start + 4 * p), None);
                    assert_eq!(check(start + 5 * p), None);
                    // A cookie from the future (a clock that went back) is rejected.
                    if k > 0 {
                        assert_eq!(check(start - tick), None);
                    }
                }
            }
        }
    }

    #[test]
    fn cookie_of_the_first_periods_near_the_epoch() {
        // Period 0 with an age that would reach before the epoch must not wrap.
        let s = secret();
        let (l, r) = pairs()[0];
        let (cookie, _) = s.syn_cookie(Duration::ZERO, l, r, SeqNumber(0), 536);
        assert!(
            s.check_syn_cookie(Duration::ZERO, l, r, SeqNumber(0), cookie)
                .is_some()
        );
        // A cookie claiming period 3 (that is, -1) at period 0.
        let forged = SeqNumber((3 << 30) | (cookie.0 & 0x3fff_ffff));
        assert_eq!(
            s.check_syn_cookie(Duration::ZERO, l, r, SeqNumber(0), forged),
            None
        );
    }

    #[test]
    fn random_cookies_are_rejected() {
        // 2^16 values from a fixed xorshift: each passes with probability 2^-29.
        let s = secret();
        let mut x: u32 = 0x9e37_79b9;
        let mut accepted = 0;
        for (l, r) in pairs() {
            for _ in 0..(1 << 15) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                if s.check_syn_cookie(T, l, r, SeqNumber(5), SeqNumber(x))
                    .is_some()
                {
                    accepted += 1;
                }
            }
        }
        assert_eq!(accepted, 0);
    }

    #[test]
    fn cookie_tsval_round_trip() {
        for tsval in [0u32, 1, 63, 64, 1000, 0x1234_5678, u32::MAX - 1, u32::MAX] {
            for ws in (0..=14).map(Some).chain([None]) {
                for sack in [false, true] {
                    let ts = cookie_tsval(tsval, ws, sack);
                    assert_eq!(cookie_options(ts), Some((ws, sack)), "{tsval} {ws:?}");
                    // Never later than the clock, and at most 63 ticks earlier.
                    let back = tsval.wrapping_sub(ts);
                    assert!(back < 64, "{tsval} -> {ts}");
                    assert_eq!(ts & 0x20, 0);
                }
            }
        }
    }

    #[test]
    fn cookie_tsval_clamps_window_scale() {
        for ws in [15u8, 16, 200, u8::MAX] {
            let ts = cookie_tsval(1 << 20, Some(ws), true);
            assert_eq!(cookie_options(ts), Some((Some(14), true)));
        }
    }

    #[test]
    fn cookie_tsval_layout_matches_linux() {
        // Linux: bits 0-3 window scale (0xf none), bit 4 SACK, bit 5 ECN.
        assert_eq!(cookie_tsval(0x1000_007f, Some(7), true), 0x1000_0057);
        assert_eq!(cookie_tsval(0x1000_0040, Some(7), true), 0x1000_0017);
        assert_eq!(cookie_tsval(0x1000_007f, None, false), 0x1000_004f);
        // Options above the clock's low bits: one 64-tick step back.
        assert_eq!(cookie_tsval(0x1000_0040, None, true), 0x1000_001f);
        assert_eq!(cookie_tsval(0, Some(0), false), 0);
        assert_eq!(cookie_tsval(0, Some(1), false), 0xffff_ffc1);
    }

    #[test]
    fn cookie_options_rejects_the_reserved_bit() {
        assert_eq!(cookie_options(0x20), None);
        assert_eq!(cookie_options(0xffff_ffff), None);
        assert_eq!(cookie_options(0x0f), Some((None, false)));
        assert_eq!(cookie_options(0x1e), Some((Some(14), true)));
    }

    fn endpoint() -> impl Strategy<Value = SocketAddr> {
        prop_oneof![
            (any::<u32>(), any::<u16>())
                .prop_map(|(a, p)| SocketAddr::new(IpAddr::V4(Ipv4Addr::from_bits(a)), p)),
            (any::<u128>(), any::<u16>(), any::<u32>(), any::<u32>()).prop_map(
                |(a, p, flow, scope)| SocketAddr::V6(SocketAddrV6::new(
                    Ipv6Addr::from_bits(a),
                    p,
                    flow,
                    scope
                ))
            ),
        ]
    }

    fn time() -> impl Strategy<Value = Duration> {
        prop_oneof![
            Just(Duration::ZERO),
            Just(Duration::MAX),
            (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        ]
    }

    proptest! {
        #[test]
        fn no_input_panics(
            key in any::<[u8; 16]>(),
            now in time(),
            later in time(),
            l in endpoint(),
            r in endpoint(),
            isn in any::<u32>(),
            mss in any::<u16>(),
            cookie in any::<u32>(),
            ts in any::<u32>(),
            ws in proptest::option::of(any::<u8>()),
            sack in any::<bool>(),
        ) {
            let s = Secret::new(key);
            let _ = s.isn(now, l, r);
            let _ = s.ts_offset(l, r);
            let _ = s.hash_tuple(l, r);
            let (c, encoded) = s.syn_cookie(now, l, r, SeqNumber(isn), mss);
            prop_assert!(mss_table(r).contains(&encoded));
            prop_assert_eq!(s.check_syn_cookie(now, l, r, SeqNumber(isn), c), Some(encoded));
            let _ = s.check_syn_cookie(later, l, r, SeqNumber(isn), c);
            let _ = s.check_syn_cookie(now, l, r, SeqNumber(isn), SeqNumber(cookie));
            let _ = cookie_options(ts);
            prop_assert!(cookie_options(cookie_tsval(ts, ws, sack)).is_some());
        }

        #[test]
        fn a_random_cookie_is_rejected(
            key in any::<[u8; 16]>(),
            now in time(),
            l in endpoint(),
            r in endpoint(),
            isn in any::<u32>(),
            cookie in any::<u32>(),
        ) {
            let s = Secret::new(key);
            // Probability 2^-29 per case of a false failure; the real cookie is
            // excluded, since it is the one value that must pass.
            let real = (0..4).map(|i| s.syn_cookie(now, l, r, SeqNumber(isn), mss_table(r)[i]).0);
            let real: Vec<SeqNumber> = real.collect();
            prop_assume!(!real.contains(&SeqNumber(cookie)));
            prop_assert_eq!(s.check_syn_cookie(now, l, r, SeqNumber(isn), SeqNumber(cookie)), None);
        }
    }
}
