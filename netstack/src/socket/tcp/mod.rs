//! TCP connections (RFC 9293), as sans-IO state machines.
//!
//! A [`Socket`] is one connection: its state, its send and receive buffers (in the
//! caller's [`Storage`]), its timers and its congestion control. The host finds the
//! socket a segment belongs to, parses it, and calls [`Socket::handle_segment`]; it
//! asks [`Socket::poll_transmit`] for segments to send, wraps them in IP, and drives
//! the timers with [`Socket::poll_timeout`] and [`Socket::handle_timeout`]. The
//! program reads and writes with [`Socket::recv`] and [`Socket::send`], and learns
//! what happened from [`Socket::poll_event`].
//!
//! What it implements, with the RFC text quoted beside the code:
//! - the state machine of RFC 9293 section 3.3.2, simultaneous open and close,
//!   half-close, TIME-WAIT for 2 MSL and its reuse by a newer SYN (RFC 6191);
//! - RST and SYN handling hardened per RFC 5961 (challenge ACKs, rate-limited), and
//!   the acknowledgment acceptability check of its section 5;
//! - window scaling, timestamps and PAWS (RFC 7323), MSS (RFC 9293 section 3.7.1,
//!   RFC 6691) lowered by ICMP Packet Too Big or Fragmentation Needed
//!   ([`Socket::handle_mtu`]);
//! - the retransmission timer of RFC 6298, SACK (RFC 2018) with RFC 6675's loss
//!   recovery, NewReno's (RFC 6582) without SACK, and NewReno or CUBIC (RFC 9438)
//!   congestion control per socket ([`Algorithm`]);
//! - Nagle's algorithm (switchable), delayed ACKs, sender and receiver silly window
//!   avoidance, zero-window probes, keepalives (RFC 9293 sections 3.8.4 and 3.8.6),
//!   out-of-order data kept in the receive buffer in a bounded number of ranges.
//!
//! Initial sequence numbers and timestamp offsets come from the caller (RFC 6528
//! generators need a secret, which a library must not invent).

mod assembler;
mod congestion;
mod input;
mod output;
mod rack;
mod rtt;
mod scoreboard;
mod timer;

pub use congestion::Algorithm;

use super::storage::{RingBuffer, Storage};
use crate::wire::tcp::{self, Flags, SeqNumber};
use assembler::Assembler;
use congestion::Congestion;
use core::fmt;
use core::net::SocketAddr;
use core::time::Duration;
use rack::SentLog;
use rtt::RttEstimator;
use scoreboard::Scoreboard;

/// The connection states of RFC 9293 section 3.3.2 (LISTEN is a
/// [listener](super)'s, not a connection's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// No connection.
    Closed,
    /// SYN sent, waiting for the peer's SYN.
    SynSent,
    /// SYN received and answered, waiting for the acknowledgment of ours.
    SynReceived,
    /// Open: data flows both ways.
    Established,
    /// We closed and sent FIN; waiting for its acknowledgment or the peer's FIN.
    FinWait1,
    /// Our FIN is acknowledged; waiting for the peer's.
    FinWait2,
    /// The peer closed; we may still send.
    CloseWait,
    /// Both sent FIN at once; waiting for the acknowledgment of ours.
    Closing,
    /// The peer closed first, then we did; waiting for the acknowledgment of our FIN.
    LastAck,
    /// Both directions closed; waiting 2 MSL so that stray segments die out.
    TimeWait,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Closed => "CLOSED",
            State::SynSent => "SYN-SENT",
            State::SynReceived => "SYN-RECEIVED",
            State::Established => "ESTABLISHED",
            State::FinWait1 => "FIN-WAIT-1",
            State::FinWait2 => "FIN-WAIT-2",
            State::CloseWait => "CLOSE-WAIT",
            State::Closing => "CLOSING",
            State::LastAck => "LAST-ACK",
            State::TimeWait => "TIME-WAIT",
        })
    }
}

impl State {
    /// Whether the connection is synchronized (both SYNs exchanged and acknowledged,
    /// RFC 9293 section 3.5.2): ESTABLISHED and every state after it.
    pub fn is_synchronized(self) -> bool {
        !matches!(self, State::Closed | State::SynSent | State::SynReceived)
    }
}

/// Per-socket settings. `Config::default()` is what Linux does, where the RFCs leave
/// a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// The MSS we announce: the largest segment we can receive, from the MTU of
    /// the interface (1460 for Ethernet and IPv4, 1440 for IPv6). Also the most we
    /// send per segment, whatever the peer announces.
    pub mss: u16,
    /// Congestion control.
    pub congestion: Algorithm,
    /// Nagle's algorithm (RFC 9293 section 3.7.4): hold back small segments while
    /// data is unacknowledged. On by default; off is `TCP_NODELAY`.
    pub nagle: bool,
    /// How long an acknowledgment may be delayed, or `None` to acknowledge every
    /// segment at once. 40 ms (Linux's floor); RFC 9293 section 3.8.6.3 requires
    /// under 500 ms.
    pub ack_delay: Option<Duration>,
    /// Send keepalive probes after the connection has been idle this long (RFC 9293
    /// section 3.8.4: off by default, and at least two hours when on).
    pub keepalive: Option<Duration>,
    /// Between keepalive probes (75 s).
    pub keepalive_interval: Duration,
    /// Unanswered keepalive probes before the connection is dropped (9).
    pub keepalive_probes: u32,
    /// Offer window scaling (RFC 7323 section 2).
    pub window_scaling: bool,
    /// Offer SACK (RFC 2018).
    pub sack: bool,
    /// Offer timestamps (RFC 7323 section 3).
    pub timestamps: bool,
    /// The retransmission timeout before any RTT is measured (RFC 6298: 1 s).
    pub initial_rto: Duration,
    /// The lowest retransmission timeout (200 ms, as Linux).
    pub min_rto: Duration,
    /// The highest retransmission timeout (120 s, as Linux; RFC 6298 asks at least 60).
    pub max_rto: Duration,
    /// Retransmissions of one segment before the connection is given up (15, as
    /// Linux's `tcp_retries2`; RFC 9293 section 3.8.3's R2).
    pub max_retransmissions: u32,
    /// Retransmissions of a SYN before the connection attempt fails (6, as Linux).
    pub syn_retries: u32,
    /// Maximum Segment Lifetime; TIME-WAIT lasts twice this (30 s, so 60 s as Linux).
    pub msl: Duration,
    /// The initial congestion window in segments (10, RFC 6928 and Linux).
    pub initial_window: u32,
    /// Challenge ACKs sent at most per second (RFC 5961 section 7).
    pub challenge_ack_limit: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mss: 1460,
            congestion: Algorithm::Cubic,
            nagle: true,
            ack_delay: Some(Duration::from_millis(40)),
            keepalive: None,
            keepalive_interval: Duration::from_secs(75),
            keepalive_probes: 9,
            window_scaling: true,
            sack: true,
            timestamps: true,
            initial_rto: Duration::from_secs(1),
            min_rto: Duration::from_millis(200),
            max_rto: Duration::from_secs(120),
            max_retransmissions: 15,
            syn_retries: 6,
            msl: Duration::from_secs(30),
            initial_window: 10,
            challenge_ack_limit: 10,
        }
    }
}

/// Why a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseReason {
    /// Both sides closed and every FIN was acknowledged.
    Normal,
    /// The peer reset the connection.
    Reset,
    /// The peer refused the connection (a RST answering our SYN).
    Refused,
    /// Retransmissions or keepalives went unanswered.
    TimedOut,
    /// The program aborted it ([`Socket::abort`]).
    Aborted,
}

/// Something that happened to a connection, from [`Socket::poll_event`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Event {
    /// The handshake completed: ESTABLISHED.
    Connected,
    /// The peer closed its direction (FIN received): after the data already
    /// buffered, [`Socket::recv`] reports the end.
    PeerClosed,
    /// The connection is over (the socket is CLOSED and may be reused).
    Closed(CloseReason),
}

/// Why [`Socket::connect`] or [`Socket::accept`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The socket is not CLOSED.
    #[error("the socket is already in use ({0})")]
    InUse(State),
    /// The endpoints are unusable: port 0, an unspecified or multicast address, or
    /// two address families.
    #[error("unusable endpoints")]
    Unaddressable,
}

/// Why [`Socket::send`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// Not connected, or our direction is already closed.
    #[error("cannot send in state {0}")]
    InvalidState(State),
}

/// Why [`Socket::recv`] returned no data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecvError {
    /// The peer closed its direction and every byte has been read.
    #[error("the peer closed the connection")]
    Finished,
    /// Not connected.
    #[error("cannot receive in state {0}")]
    InvalidState(State),
}

/// Why [`Socket::poll_transmit`] could not write a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// The buffer cannot hold even a header with its options (60 bytes always do).
    #[error("the buffer holds {available} bytes, a segment needs {needed}")]
    BufferTooSmall {
        /// The bytes the smallest segment needs.
        needed: usize,
        /// The buffer's length.
        available: usize,
    },
}

/// What [`Socket::handle_segment`] did with a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// Processed (which may mean: acknowledged and discarded as a duplicate).
    Accepted,
    /// Discarded: not acceptable, or not for this state. An answer may be due
    /// anyway (an ACK or challenge ACK); [`Socket::poll_transmit`] has it.
    Discarded,
    /// A SYN that may reopen this connection in TIME-WAIT (RFC 6191): close this
    /// socket and hand the SYN to the listener.
    Reopen,
}

/// A segment ready to send: the TCP header and data are in `buf[..len]`, the
/// checksum over the pseudo-header of `local` and `remote` filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit {
    /// The source of the segment.
    pub local: SocketAddr,
    /// The destination.
    pub remote: SocketAddr,
    /// The segment's length.
    pub len: usize,
}

/// Counters of one connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Segments sent, retransmissions included.
    pub segments_sent: u64,
    /// Segments received and handled.
    pub segments_received: u64,
    /// Segments retransmitted (fast retransmit, loss recovery and timeouts).
    pub retransmissions: u64,
    /// Retransmission timer expirations.
    pub timeouts: u64,
    /// Fast recovery episodes entered.
    pub fast_recoveries: u64,
    /// Data bytes acknowledged by the peer.
    pub bytes_acked: u64,
    /// Data bytes received in order.
    pub bytes_received: u64,
    /// Segments discarded as unacceptable (outside the window, failing PAWS, ...).
    pub discarded: u64,
    /// Challenge ACKs sent (RFC 5961).
    pub challenge_acks: u64,
}

/// The handshake parameters a listener hands to [`Socket::accept`]: what the peer's
/// SYN said, and what we answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handshake {
    /// Our address and port (the SYN's destination).
    pub local: SocketAddr,
    /// The peer's address and port.
    pub remote: SocketAddr,
    /// The peer's initial sequence number.
    pub irs: SeqNumber,
    /// Our initial sequence number (of the SYN-ACK).
    pub iss: SeqNumber,
    /// The MSS the peer announced (536 when it announced none, RFC 9293
    /// section 3.7.1).
    pub peer_mss: u16,
    /// The peer's window scale shift, if it sent one and we agreed.
    pub peer_window_scale: Option<u8>,
    /// Our window scale shift, sent in the SYN-ACK (when `peer_window_scale` is set).
    pub window_scale: u8,
    /// Whether both sides permitted SACK.
    pub sack: bool,
    /// The peer's latest TSval, when both sides use timestamps.
    pub ts_recent: Option<u32>,
    /// The offset added to our clock in TSval.
    pub ts_offset: u32,
    /// The peer's window, from the segment that completes the handshake (already
    /// scaled when window scaling is on).
    pub peer_window: u32,
}

impl Handshake {
    /// The parameters of a passive open answering `syn`, a SYN from `remote` to
    /// `local`, with our initial sequence number `iss`, timestamp offset
    /// `ts_offset`, and a receive buffer of up to `rx_capacity` bytes (which sets
    /// our window scale). Options the config turns off are not agreed.
    pub fn from_syn(
        config: &Config,
        local: SocketAddr,
        remote: SocketAddr,
        syn: &tcp::Repr<'_>,
        iss: SeqNumber,
        ts_offset: u32,
        rx_capacity: usize,
    ) -> Handshake {
        let default = if remote.is_ipv4() { 536 } else { 1220 };
        let peer_window_scale = syn
            .window_scale()
            .filter(|_| config.window_scaling)
            .map(|s| s.min(14));
        let mut window_scale = 0u8;
        while window_scale < 14 && (rx_capacity >> window_scale) > usize::from(u16::MAX) {
            window_scale += 1;
        }
        Handshake {
            local,
            remote,
            irs: syn.seq_number,
            iss,
            peer_mss: syn.mss().unwrap_or(default),
            peer_window_scale,
            window_scale: if peer_window_scale.is_some() {
                window_scale
            } else {
                0
            },
            sack: config.sack && syn.sack_permitted(),
            ts_recent: syn
                .timestamps()
                .filter(|_| config.timestamps)
                .map(|(tsval, _)| tsval),
            ts_offset,
            peer_window: u32::from(syn.window_len),
        }
    }
}

/// Timestamps state once negotiated (RFC 7323 section 4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Timestamps {
    /// TS.Recent.
    recent: u32,
    /// When TS.Recent was set, for the 24-day rule of RFC 7323 section 5.5.
    recent_at: Duration,
}

/// The fixed-size queue behind [`Socket::poll_event`].
#[derive(Debug, Clone, Default)]
struct Events {
    q: [Option<Event>; 4],
}

impl Events {
    fn push(&mut self, e: Event) {
        if let Some(slot) = self.q.iter_mut().find(|s| s.is_none()) {
            *slot = Some(e);
        } else if let Some(last) = self.q.last_mut() {
            // Full: the newest event wins (`Closed` says more than what it replaces).
            *last = Some(e);
        }
    }

    fn pop(&mut self) -> Option<Event> {
        let e = self.q.first_mut()?.take()?;
        self.q.rotate_left(1);
        Some(e)
    }
}

/// A reset owed to the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reset {
    seq: SeqNumber,
    ack: Option<SeqNumber>,
}

/// One TCP connection. See the [module documentation](self).
pub struct Socket<S: Storage> {
    config: Config,
    state: State,
    local: SocketAddr,
    remote: SocketAddr,

    // Send sequence space (RFC 9293 section 3.3.1).
    iss: SeqNumber,
    snd_una: SeqNumber,
    /// The next new sequence number to send (RFC 6675's HighData + 1); never moves
    /// back: retransmissions are chosen by the loss recovery state below.
    snd_nxt: SeqNumber,
    snd_wnd: u32,
    snd_wl1: SeqNumber,
    snd_wl2: SeqNumber,
    max_snd_wnd: u32,
    /// The peer's window scale shift.
    snd_shift: u8,
    /// Unacknowledged and unsent data; byte 0 is the first unacknowledged data byte.
    tx: RingBuffer<S>,
    /// The program closed our direction: a FIN follows the data.
    fin_queued: bool,
    /// Our FIN has been acknowledged.
    fin_acked: bool,

    // Receive sequence space.
    irs: SeqNumber,
    rcv_nxt: SeqNumber,
    /// The right edge of the window we last advertised (never moves left).
    rcv_adv: SeqNumber,
    /// Our window scale shift.
    rcv_shift: u8,
    /// Data received in order and not yet read; out-of-order data past it.
    rx: RingBuffer<S>,
    ooo: Assembler,
    /// Where the peer's FIN is, when it arrived before the data in front of it.
    fin_at: Option<SeqNumber>,
    /// The peer's FIN has been received in order.
    fin_received: bool,

    // Options.
    /// The largest segment the peer takes (its MSS, our own, and the path MTU).
    mss: u16,
    sack: bool,
    timestamps: Option<Timestamps>,
    ts_offset: u32,
    last_ack_sent: SeqNumber,

    // Loss recovery.
    scoreboard: Scoreboard,
    dupacks: u32,
    /// In loss recovery until this is acknowledged (RFC 6675 RecoveryPoint).
    recovery: Option<Recovery>,
    /// Un-SACKed bytes below this are lost.
    lost_edge: SeqNumber,
    /// Retransmissions have covered everything below this.
    high_rxt: SeqNumber,
    /// Send times for RACK (RFC 8985).
    sent: SentLog,
    /// RACK's reordering timer.
    rack_at: Option<Duration>,
    /// The tail loss probe timer (RFC 8985 section 7).
    tlp_at: Option<Duration>,
    /// A tail loss probe is due.
    tlp_due: bool,
    rtt: RttEstimator,
    /// Karn's algorithm without timestamps: the one segment being timed.
    rtt_probe: Option<(SeqNumber, Duration)>,
    cc: Congestion,
    /// Retransmission timer expirations in a row (R2 of RFC 9293 section 3.8.3).
    retries: u32,

    // Timers.
    rto_at: Option<Duration>,
    persist_at: Option<Duration>,
    /// A zero-window probe is due.
    probe_due: bool,
    ack_at: Option<Duration>,
    keepalive_at: Option<Duration>,
    keepalive_sent: u32,
    time_wait_at: Option<Duration>,
    /// When the peer last sent anything.
    last_recv: Duration,

    // Output.
    /// A SYN (or SYN-ACK) is due.
    syn_due: bool,
    /// An ACK is due now.
    ack_due: bool,
    /// A keepalive probe is due.
    keepalive_due: bool,
    /// Both sides sent Window Scale in their SYNs.
    wscale_ok: bool,
    reset: Option<Reset>,
    /// Full-sized segments received since we last acknowledged.
    unacked_segments: u32,
    /// Acknowledgments owed for every second segment of a burst that arrived
    /// between two calls of `poll_transmit`, oldest first.
    ack_points: [SeqNumber; 8],
    ack_points_len: usize,
    challenge_window: Duration,
    challenge_count: u32,

    events: Events,
    stats: Stats,
}

/// Which kind of loss recovery runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Recovery {
    /// Ends when this is acknowledged.
    point: SeqNumber,
    /// Entered on a retransmission timeout (the window grows from one segment)
    /// rather than on duplicate ACKs or SACKs (the window stays at ssthresh).
    timeout: bool,
}

impl<S: Storage> fmt::Debug for Socket<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("state", &self.state)
            .field("local", &self.local)
            .field("remote", &self.remote)
            .field("snd_una", &self.snd_una)
            .field("snd_nxt", &self.snd_nxt)
            .field("snd_wnd", &self.snd_wnd)
            .field("rcv_nxt", &self.rcv_nxt)
            .field("cwnd", &self.cc.cwnd())
            .field("tx", &self.tx.len())
            .field("rx", &self.rx.len())
            .finish_non_exhaustive()
    }
}

const UNSPECIFIED: SocketAddr = SocketAddr::V4(core::net::SocketAddrV4::new(
    core::net::Ipv4Addr::UNSPECIFIED,
    0,
));

/// The MSS assumed when the peer announces none (RFC 9293 section 3.7.1).
const DEFAULT_MSS: u16 = 536;

/// Bytes of the Timestamps option in a segment: NOP, NOP, kind, length, 8 bytes.
const TS_LEN: usize = 12;

impl<S: Storage> Socket<S> {
    /// A CLOSED socket with receive buffer `rx` and send buffer `tx`.
    pub fn new(rx: S, tx: S, config: Config) -> Self {
        Socket {
            config,
            state: State::Closed,
            local: UNSPECIFIED,
            remote: UNSPECIFIED,
            iss: SeqNumber(0),
            snd_una: SeqNumber(0),
            snd_nxt: SeqNumber(0),
            snd_wnd: 0,
            snd_wl1: SeqNumber(0),
            snd_wl2: SeqNumber(0),
            max_snd_wnd: 0,
            snd_shift: 0,
            tx: RingBuffer::new(tx),
            fin_queued: false,
            fin_acked: false,
            irs: SeqNumber(0),
            rcv_nxt: SeqNumber(0),
            rcv_adv: SeqNumber(0),
            rcv_shift: 0,
            rx: RingBuffer::new(rx),
            ooo: Assembler::default(),
            fin_at: None,
            fin_received: false,
            mss: DEFAULT_MSS,
            sack: false,
            timestamps: None,
            ts_offset: 0,
            last_ack_sent: SeqNumber(0),
            scoreboard: Scoreboard::default(),
            dupacks: 0,
            recovery: None,
            lost_edge: SeqNumber(0),
            high_rxt: SeqNumber(0),
            sent: SentLog::default(),
            rack_at: None,
            tlp_at: None,
            tlp_due: false,
            rtt: RttEstimator::new(config.initial_rto, config.min_rto, config.max_rto),
            rtt_probe: None,
            cc: Congestion::new(config.congestion, DEFAULT_MSS, config.initial_window),
            retries: 0,
            rto_at: None,
            persist_at: None,
            probe_due: false,
            ack_at: None,
            keepalive_at: None,
            keepalive_sent: 0,
            time_wait_at: None,
            last_recv: Duration::ZERO,
            syn_due: false,
            ack_due: false,
            keepalive_due: false,
            wscale_ok: false,
            reset: None,
            unacked_segments: 0,
            ack_points: [SeqNumber(0); 8],
            ack_points_len: 0,
            challenge_window: Duration::ZERO,
            challenge_count: 0,
            events: Events::default(),
            stats: Stats::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Changes the settings that may change on an open connection: Nagle, the ACK
    /// delay, keepalive, the RTO bounds and retry counts. The others take effect on
    /// the next connection.
    pub fn set_config(&mut self, config: Config) {
        self.config = config;
    }

    /// The connection's state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Our address and port.
    pub fn local(&self) -> SocketAddr {
        self.local
    }

    /// The peer's address and port.
    pub fn remote(&self) -> SocketAddr {
        self.remote
    }

    /// The counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The congestion window, in bytes.
    pub fn congestion_window(&self) -> u32 {
        self.cc.cwnd()
    }

    /// The smoothed round-trip time, once measured.
    pub fn srtt(&self) -> Option<Duration> {
        self.rtt.srtt()
    }

    /// The MSS the connection sends with (the peer's, our own, the path's).
    pub fn mss(&self) -> u16 {
        self.mss
    }

    /// Whether SACK was negotiated.
    pub fn sack_enabled(&self) -> bool {
        self.sack
    }

    /// Whether timestamps were negotiated.
    pub fn timestamps_enabled(&self) -> bool {
        self.timestamps.is_some()
    }

    /// The window scale shifts `(ours, the peer's)`, when negotiated.
    pub fn window_scales(&self) -> Option<(u8, u8)> {
        (self.rcv_shift != 0 || self.snd_shift != 0).then_some((self.rcv_shift, self.snd_shift))
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    /// Whether the socket is CLOSED (and may take a new connection).
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Whether [`Socket::send`] can queue data now.
    pub fn can_send(&self) -> bool {
        self.may_send() && self.tx.max_free() > 0
    }

    /// Whether [`Socket::recv`] has data or the end to report.
    pub fn can_recv(&self) -> bool {
        !self.rx.is_empty() || self.fin_received
    }

    /// Bytes queued to send, sent or not, not yet acknowledged.
    pub fn send_queue(&self) -> usize {
        self.tx.len()
    }

    /// Bytes received in order and not yet read.
    pub fn recv_queue(&self) -> usize {
        self.rx.len()
    }

    fn may_send(&self) -> bool {
        !self.fin_queued
            && matches!(
                self.state,
                State::SynSent | State::SynReceived | State::Established | State::CloseWait
            )
    }

    fn check_endpoints(local: SocketAddr, remote: SocketAddr) -> Result<(), ConnectError> {
        let bad =
            |a: &SocketAddr| a.port() == 0 || a.ip().is_unspecified() || a.ip().is_multicast();
        if bad(&local) || bad(&remote) || local.is_ipv4() != remote.is_ipv4() {
            return Err(ConnectError::Unaddressable);
        }
        if let (SocketAddr::V4(l), SocketAddr::V4(r)) = (local, remote)
            && (l.ip().is_broadcast() || r.ip().is_broadcast())
        {
            return Err(ConnectError::Unaddressable);
        }
        Ok(())
    }

    /// Clears every per-connection field, keeping the config, the buffers' storage,
    /// the pending events and the counters.
    fn reset_connection(&mut self) {
        self.tx.clear();
        self.rx.clear();
        self.state = State::Closed;
        self.local = UNSPECIFIED;
        self.remote = UNSPECIFIED;
        self.iss = SeqNumber(0);
        self.snd_una = SeqNumber(0);
        self.snd_nxt = SeqNumber(0);
        self.snd_wnd = 0;
        self.snd_wl1 = SeqNumber(0);
        self.snd_wl2 = SeqNumber(0);
        self.max_snd_wnd = 0;
        self.snd_shift = 0;
        self.fin_queued = false;
        self.fin_acked = false;
        self.irs = SeqNumber(0);
        self.rcv_nxt = SeqNumber(0);
        self.rcv_adv = SeqNumber(0);
        self.rcv_shift = 0;
        self.ooo = Assembler::default();
        self.fin_at = None;
        self.fin_received = false;
        self.mss = DEFAULT_MSS;
        self.sack = false;
        self.timestamps = None;
        self.ts_offset = 0;
        self.last_ack_sent = SeqNumber(0);
        self.scoreboard = Scoreboard::default();
        self.dupacks = 0;
        self.recovery = None;
        self.lost_edge = SeqNumber(0);
        self.high_rxt = SeqNumber(0);
        self.sent = SentLog::default();
        self.rack_at = None;
        self.tlp_at = None;
        self.tlp_due = false;
        self.rtt = RttEstimator::new(
            self.config.initial_rto,
            self.config.min_rto,
            self.config.max_rto,
        );
        self.rtt_probe = None;
        self.cc = Congestion::new(
            self.config.congestion,
            DEFAULT_MSS,
            self.config.initial_window,
        );
        self.retries = 0;
        self.rto_at = None;
        self.persist_at = None;
        self.probe_due = false;
        self.ack_at = None;
        self.keepalive_at = None;
        self.keepalive_sent = 0;
        self.time_wait_at = None;
        self.last_recv = Duration::ZERO;
        self.syn_due = false;
        self.ack_due = false;
        self.keepalive_due = false;
        self.wscale_ok = false;
        self.reset = None;
        self.unacked_segments = 0;
        self.ack_points_len = 0;
        self.challenge_window = Duration::ZERO;
        self.challenge_count = 0;
    }

    /// Opens a connection from `local` to `remote` (an active OPEN, RFC 9293
    /// section 3.10.1), with initial sequence number `iss` and timestamp offset
    /// `ts_offset` (see [`super::keyed::Secret`] for RFC 6528 generators). The SYN goes out
    /// from [`Socket::poll_transmit`].
    pub fn connect(
        &mut self,
        now: Duration,
        local: SocketAddr,
        remote: SocketAddr,
        iss: SeqNumber,
        ts_offset: u32,
    ) -> Result<(), ConnectError> {
        if self.state != State::Closed {
            return Err(ConnectError::InUse(self.state));
        }
        Self::check_endpoints(local, remote)?;
        self.reset_connection();
        self.local = local;
        self.remote = remote;
        self.iss = iss;
        self.snd_una = iss;
        self.snd_nxt = iss;
        self.lost_edge = iss;
        self.high_rxt = iss;
        self.ts_offset = ts_offset;
        self.rcv_shift = self.our_window_scale();
        self.state = State::SynSent;
        self.syn_due = true;
        self.last_recv = now;
        Ok(())
    }

    /// Takes over a connection a listener has set up (a passive OPEN): from the
    /// peer's SYN and our SYN-ACK in `hs`. With `established`, the peer's ACK of our
    /// SYN has arrived and the connection is ESTABLISHED; otherwise it is
    /// SYN-RECEIVED and the socket sends the SYN-ACK itself.
    pub fn accept(
        &mut self,
        now: Duration,
        hs: &Handshake,
        established: bool,
    ) -> Result<(), ConnectError> {
        if self.state != State::Closed {
            return Err(ConnectError::InUse(self.state));
        }
        Self::check_endpoints(hs.local, hs.remote)?;
        self.reset_connection();
        self.local = hs.local;
        self.remote = hs.remote;
        self.iss = hs.iss;
        self.snd_una = hs.iss;
        self.snd_nxt = hs.iss.wrapping_add(1);
        self.irs = hs.irs;
        self.rcv_nxt = hs.irs.wrapping_add(1);
        self.rcv_adv = self.rcv_nxt;
        self.last_ack_sent = self.rcv_nxt;
        self.ts_offset = hs.ts_offset;
        self.last_recv = now;
        if let Some(shift) = hs.peer_window_scale {
            self.wscale_ok = true;
            self.snd_shift = shift.min(14);
            self.rcv_shift = hs.window_scale.min(14);
        }
        self.sack = hs.sack && self.config.sack;
        self.timestamps = hs.ts_recent.map(|recent| Timestamps {
            recent,
            recent_at: now,
        });
        self.set_peer_mss(hs.peer_mss);
        self.snd_wnd = hs.peer_window;
        self.max_snd_wnd = hs.peer_window;
        self.snd_wl1 = hs.irs;
        self.snd_wl2 = hs.iss;
        if established {
            self.snd_una = self.snd_nxt;
            self.lost_edge = self.snd_nxt;
            self.high_rxt = self.snd_nxt;
            self.state = State::Established;
            self.events.push(Event::Connected);
            self.arm_keepalive(now);
        } else {
            self.lost_edge = self.snd_una;
            self.high_rxt = self.snd_una;
            self.state = State::SynReceived;
            self.syn_due = true;
        }
        Ok(())
    }

    /// Queues `data` to send and returns how much fit (0 when the buffer is full).
    pub fn send(&mut self, data: &[u8]) -> Result<usize, SendError> {
        if !self.may_send() {
            return Err(SendError::InvalidState(self.state));
        }
        Ok(self.tx.enqueue(data))
    }

    /// Moves received data into `out` and returns how much; `Ok(0)` when none has
    /// arrived yet. After the peer's FIN and the last byte, `Err(Finished)`.
    pub fn recv(&mut self, out: &mut [u8]) -> Result<usize, RecvError> {
        let n = self.peek(out)?;
        self.consume(n);
        Ok(n)
    }

    /// Like [`Socket::recv`], without taking the data.
    pub fn peek(&self, out: &mut [u8]) -> Result<usize, RecvError> {
        if self.rx.is_empty() {
            if self.fin_received {
                return Err(RecvError::Finished);
            }
            if matches!(
                self.state,
                State::Closed | State::SynSent | State::SynReceived
            ) {
                return Err(RecvError::InvalidState(self.state));
            }
            return Ok(0);
        }
        Ok(self.rx.peek(0, out))
    }

    /// The received data as up to two slices, for reading without a copy; pair with
    /// [`Socket::consume`].
    pub fn recv_slices(&self) -> (&[u8], &[u8]) {
        self.rx.slices(0, usize::MAX)
    }

    /// Drops `n` bytes of received data (read through [`Socket::recv_slices`]), and
    /// opens the window if that frees enough room.
    pub fn consume(&mut self, n: usize) {
        self.rx.consume(n);
        //= https://www.rfc-editor.org/rfc/rfc9293#section-3.8.6.2.2
        //# The suggested SWS avoidance algorithm for the receiver is to keep
        //# RCV.NXT+RCV.WND fixed until the reduction satisfies:
        //# RCV.BUFF - RCV.USER - RCV.WND  >=  min( Fr * RCV.BUFF, Eff.snd.MSS )
        if self.state.is_synchronized() && self.window_update_worth_it() {
            self.ack_due = true;
        }
    }

    /// Closes our direction: a FIN follows the queued data (RFC 9293 section
    /// 3.10.4). Receiving goes on until the peer closes too. Closing a socket that
    /// never got its SYN answered just drops it.
    pub fn close(&mut self) {
        match self.state {
            State::Closed => {}
            State::SynSent => self.enter_closed(CloseReason::Aborted),
            //= https://www.rfc-editor.org/rfc/rfc9293#section-3.10.4
            //# ESTABLISHED STATE: Queue this until all preceding SENDs have been
            //# segmentized, then form a FIN segment and send it. In any case, enter
            //# FIN-WAIT-1 state.
            //# CLOSE-WAIT STATE: Queue this request until all preceding SENDs have
            //# been segmentized; then send a FIN segment, enter LAST-ACK state.
            //# SYN-RECEIVED STATE: [...] queue for processing after entering
            //# ESTABLISHED state.
            State::SynReceived => self.fin_queued = true,
            State::Established => {
                self.fin_queued = true;
                self.state = State::FinWait1;
            }
            State::CloseWait => {
                self.fin_queued = true;
                self.state = State::LastAck;
            }
            _ => {}
        }
    }

    /// Drops the connection and tells the peer with a RST (RFC 9293 section
    /// 3.10.5); queued data is discarded.
    pub fn abort(&mut self) {
        if matches!(
            self.state,
            State::SynReceived
                | State::Established
                | State::FinWait1
                | State::FinWait2
                | State::CloseWait
        ) {
            self.reset = Some(Reset {
                seq: self.snd_nxt,
                ack: None,
            });
        }
        if self.state != State::Closed {
            self.enter_closed(CloseReason::Aborted);
        }
    }

    /// The path MTU towards the peer is `mtu` (ICMP Fragmentation Needed or Packet
    /// Too Big quoted one of our segments): segments get smaller, and what was in
    /// flight is sent again at the new size (RFC 1191 section 6.3, RFC 8201 section
    /// 5.2). The MSS never falls below what the minimum MTU of the family gives.
    pub fn handle_mtu(&mut self, mtu: u16) {
        let (ip, floor) = if self.remote.is_ipv4() {
            (20u16, 536u16) // RFC 791: every host takes 576-byte datagrams
        } else {
            (40u16, 1220u16) // RFC 8200: a 1280-byte minimum MTU
        };
        let mss = mtu.saturating_sub(ip + tcp::HEADER_LEN as u16).max(floor);
        if mss >= self.mss || !self.state.is_synchronized() {
            self.mss = self.mss.min(mss);
            return;
        }
        self.mss = mss;
        self.cc.set_mss(self.smss_u16());
        //= https://www.rfc-editor.org/rfc/rfc1191#section-6.3
        //# TCP should also [...] retransmit [...] the segments [...] dropped
        // Everything in flight was sent at the old size: send it again now, as
        // Linux's tcp_simple_retransmit does, without a congestion response.
        self.lost_edge = self.snd_nxt;
        self.high_rxt = self.snd_una;
        self.scoreboard.clear();
        if self.recovery.is_none() {
            self.recovery = Some(Recovery {
                point: self.snd_nxt,
                timeout: true,
            });
        }
    }

    // ---- helpers shared by input, output and timers -------------------------------

    /// The data bytes that fit a segment with `options` bytes of options.
    fn payload_room(&self, options: usize) -> usize {
        usize::from(self.mss).saturating_sub(options).max(1)
    }

    /// The sender's full segment size: the MSS less the timestamps option.
    fn smss(&self) -> u32 {
        let ts = if self.timestamps.is_some() { TS_LEN } else { 0 };
        self.payload_room(ts) as u32
    }

    fn smss_u16(&self) -> u16 {
        u16::try_from(self.smss()).unwrap_or(u16::MAX)
    }

    fn set_peer_mss(&mut self, peer: u16) {
        //= https://www.rfc-editor.org/rfc/rfc9293#section-3.7.1
        //# SendMSS is the MSS value received from the remote host, or the default
        //# 536 for IPv4 or 1220 for IPv6, if no MSS Option is received.
        self.mss = peer.min(self.config.mss).max(64);
        self.cc = Congestion::new(
            self.config.congestion,
            self.smss_u16(),
            self.config.initial_window,
        );
    }

    /// The window scale we offer: the smallest shift that lets the largest receive
    /// buffer be advertised (RFC 7323 section 2.3, at most 14).
    fn our_window_scale(&self) -> u8 {
        if !self.config.window_scaling {
            return 0;
        }
        let mut shift = 0u8;
        while shift < 14 && (self.rx.max_capacity() >> shift) > usize::from(u16::MAX) {
            shift += 1;
        }
        shift
    }

    /// The first sequence number of the data in `tx` (the SYN takes one before it).
    fn data_seq(&self) -> SeqNumber {
        if self.syn_unacked() {
            self.snd_una.wrapping_add(1)
        } else {
            self.snd_una
        }
    }

    fn syn_unacked(&self) -> bool {
        self.snd_una == self.iss && matches!(self.state, State::SynSent | State::SynReceived)
    }

    /// The sequence number of our FIN, once the program closed.
    fn fin_seq(&self) -> Option<SeqNumber> {
        (self.fin_queued && !self.fin_acked).then(|| self.data_seq() + self.tx.len())
    }

    /// Whether our FIN has been sent.
    fn fin_sent(&self) -> bool {
        self.fin_seq().is_some_and(|f| self.snd_nxt > f)
    }

    /// Bytes sent and not acknowledged (SYN and FIN count one each).
    fn flight(&self) -> u32 {
        self.snd_nxt.distance(self.snd_una).max(0) as u32
    }

    /// RFC 6675's pipe: the bytes believed to be in the network.
    fn pipe(&self) -> u32 {
        let outstanding = self.flight();
        let sacked = if self.sack {
            self.scoreboard.sacked()
        } else {
            // Without SACK each duplicate ACK stands for one segment that left.
            self.dupacks.saturating_mul(self.smss())
        };
        let from = self.high_rxt.max(self.snd_una);
        let lost_unsent = if self.lost_edge > from {
            let span = self.lost_edge.distance(from) as u32;
            span - self.scoreboard.sacked_in(from, self.lost_edge).min(span)
        } else {
            0
        };
        outstanding
            .saturating_sub(sacked)
            .saturating_sub(lost_unsent)
    }

    /// The window we can advertise: free receive space, less what out-of-order data
    /// already holds, within what the field and our shift can say.
    fn receive_window(&self) -> u32 {
        let free = self.rx.max_free();
        let max = usize::from(u16::MAX) << self.rcv_shift;
        free.min(max) as u32
    }

    fn window_update_worth_it(&self) -> bool {
        let edge = self.rcv_nxt + self.receive_window() as usize;
        let gain = edge.distance(self.rcv_adv);
        let threshold = (self.rx.max_capacity() / 2).min(usize::from(self.mss));
        gain > 0 && gain as usize >= threshold
    }

    fn enter_closed(&mut self, reason: CloseReason) {
        let reset = self.reset.take();
        self.reset_connection();
        self.reset = reset;
        self.events.push(Event::Closed(reason));
    }

    fn enter_time_wait(&mut self, now: Duration) {
        self.state = State::TimeWait;
        self.tx.clear();
        self.rto_at = None;
        self.persist_at = None;
        self.keepalive_at = None;
        self.tlp_at = None;
        self.tlp_due = false;
        self.rack_at = None;
        self.time_wait_at = Some(now + self.config.msl * 2);
    }

    fn arm_keepalive(&mut self, now: Duration) {
        self.keepalive_at = self.config.keepalive.map(|idle| now + idle);
        self.keepalive_sent = 0;
    }

    /// The TSval for a segment sent at `now`: milliseconds plus our offset.
    fn tsval(&self, now: Duration) -> u32 {
        (now.as_millis() as u32).wrapping_add(self.ts_offset)
    }
}

/// The RST answering `repr`, a segment that reached no connection (RFC 9293
/// section 3.10.7.1), or `None` when a RST must not be sent (it was one).
pub fn reset_for<'a>(repr: &tcp::Repr<'_>) -> Option<tcp::Repr<'a>> {
    //= https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.1
    //# If the state is CLOSED (i.e., TCB does not exist), then all data in the
    //# incoming segment is discarded. An incoming segment containing a RST is
    //# discarded. An incoming segment not containing a RST causes a RST to be
    //# sent in response. The acknowledgment and sequence field values are
    //# selected to make the reset sequence acceptable to the TCP endpoint that
    //# sent the offending segment.
    //# If the ACK bit is off, sequence number zero is used,
    //# <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
    //# If the ACK bit is on,
    //# <SEQ=SEG.ACK><CTL=RST>
    if repr.flags.contains(Flags::RST) {
        return None;
    }
    let (seq, ack, flags) = match repr.ack_number {
        Some(ack) => (ack, None, Flags::RST),
        None => (
            SeqNumber(0),
            Some(repr.seq_number + repr.segment_len()),
            Flags::RST | Flags::ACK,
        ),
    };
    Some(tcp::Repr {
        src_port: repr.dst_port,
        dst_port: repr.src_port,
        seq_number: seq,
        ack_number: ack,
        flags,
        window_len: 0,
        urgent_pointer: 0,
        options: &[],
        payload_len: 0,
    })
}

#[cfg(test)]
mod tests;
