//! Segment arrival: RFC 9293 section 3.10.7, with RFC 5961, RFC 7323 and RFC 6675.

use super::scoreboard::DUP_THRESH;
use super::{CloseReason, Event, Outcome, Recovery, Reset, Socket, State, Timestamps};
use crate::socket::storage::Storage;
use crate::wire::tcp::{self, Flags, SeqNumber};
use core::time::Duration;

/// RFC 7323 section 5.5: a TS.Recent older than 24 days is invalid.
const PAWS_IDLE: Duration = Duration::from_secs(24 * 24 * 3600);

impl<S: Storage> Socket<S> {
    /// Handles a segment the host found for this connection (its addresses and
    /// ports match), already parsed and checksum-verified; `payload` is its data.
    /// Answers, if any are due, come out of [`Socket::poll_transmit`].
    pub fn handle_segment(
        &mut self,
        now: Duration,
        seg: &tcp::Repr<'_>,
        payload: &[u8],
    ) -> Outcome {
        self.stats.segments_received += 1;
        let outcome = match self.state {
            State::Closed => Outcome::Discarded,
            State::SynSent => self.in_syn_sent(now, seg, payload),
            _ => self.in_synchronized(now, seg, payload),
        };
        if outcome == Outcome::Discarded {
            self.stats.discarded += 1;
        }
        outcome
    }

    /// Reads the options of the peer's SYN.
    fn take_syn_options(&mut self, now: Duration, seg: &tcp::Repr<'_>) {
        //= https://www.rfc-editor.org/rfc/rfc7323#section-2.2
        //# A TCP MAY send the Window Scale option in a <SYN> segment [...] it MUST
        //# only send the Window Scale option in a <SYN,ACK> segment if its
        //# corresponding <SYN> segment contained a Window Scale option
        match seg.window_scale() {
            Some(shift) if self.config.window_scaling => {
                self.wscale_ok = true;
                //= https://www.rfc-editor.org/rfc/rfc7323#section-2.3
                //# If a Window Scale option is received with a shift.cnt value
                //# larger than 14, the TCP SHOULD log the error but MUST use 14
                //# instead of the specified value.
                self.snd_shift = shift.min(14);
            }
            _ => {
                self.snd_shift = 0;
                self.rcv_shift = 0;
            }
        }
        self.sack = self.config.sack && seg.sack_permitted();
        self.timestamps = match seg.timestamps() {
            Some((tsval, _)) if self.config.timestamps => Some(Timestamps {
                recent: tsval,
                recent_at: now,
            }),
            _ => None,
        };
        let default = if self.remote.is_ipv4() { 536 } else { 1220 };
        self.set_peer_mss(seg.mss().unwrap_or(default));
    }

    /// SYN-SENT (RFC 9293 section 3.10.7.3).
    fn in_syn_sent(&mut self, now: Duration, seg: &tcp::Repr<'_>, payload: &[u8]) -> Outcome {
        let rst = seg.flags.contains(Flags::RST);
        if let Some(ack) = seg.ack_number {
            //= https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.3
            //# If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless the RST
            //# bit is set, if so drop the segment and return)
            //# <SEQ=SEG.ACK><CTL=RST>
            if !ack.in_range_left_open(self.iss, self.snd_nxt) {
                if !rst {
                    self.reset = Some(Reset {
                        seq: ack,
                        ack: None,
                    });
                }
                return Outcome::Discarded;
            }
        }
        if rst {
            //# If the ACK was acceptable, then signal to the user "error: connection
            //# reset", drop the segment, enter CLOSED state [...] Otherwise (no ACK),
            //# drop the segment and return.
            if seg.ack_number.is_some() {
                self.enter_closed(CloseReason::Refused);
                return Outcome::Accepted;
            }
            return Outcome::Discarded;
        }
        if !seg.flags.contains(Flags::SYN) {
            //# If neither of the SYN or RST bits is set, then drop the segment and
            //# return.
            return Outcome::Discarded;
        }
        //# RCV.NXT is set to SEG.SEQ+1, IRS is set to SEG.SEQ. SND.UNA should be
        //# advanced to equal SEG.ACK (if there is an ACK)
        self.irs = seg.seq_number;
        self.rcv_nxt = seg.seq_number.wrapping_add(1);
        self.rcv_adv = self.rcv_nxt;
        self.last_ack_sent = self.rcv_nxt;
        self.take_syn_options(now, seg);
        self.last_recv = now;
        //= https://www.rfc-editor.org/rfc/rfc7323#section-2.2
        //# The window field in a segment where the SYN bit is set (i.e., a <SYN>
        //# or <SYN,ACK>) MUST NOT be scaled.
        self.snd_wnd = u32::from(seg.window_len);
        self.max_snd_wnd = self.snd_wnd;
        self.snd_wl1 = seg.seq_number;
        match seg.ack_number {
            Some(ack) => {
                self.snd_wl2 = ack;
                if self.retries == 0 {
                    // Karn: a SYN sent more than once gives no sample.
                    self.rtt_sample(now, seg, ack);
                }
                self.snd_una = ack;
                self.lost_edge = ack;
                self.high_rxt = ack;
                self.rto_at = None;
                self.rtt.reset_backoff();
                self.retries = 0;
                //# If SND.UNA > ISS (our SYN has been ACKed), change the connection
                //# state to ESTABLISHED, form an ACK segment
                //# <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
                //# and send it. Data or controls that were queued for transmission
                //# MAY be included.
                self.state = State::Established;
                self.events.push(Event::Connected);
                self.arm_keepalive(now);
                self.ack_due = true;
                if !payload.is_empty() || seg.flags.contains(Flags::FIN) {
                    let seq = seg.seq_number.wrapping_add(1);
                    self.receive(now, seq, payload, seg.flags.contains(Flags::FIN));
                }
            }
            None => {
                //# Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment
                //# <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
                //# and send it.
                self.state = State::SynReceived;
                self.syn_due = true;
            }
        }
        Outcome::Accepted
    }

    /// Every state after SYN-SENT (RFC 9293 section 3.10.7.4).
    fn in_synchronized(&mut self, now: Duration, seg: &tcp::Repr<'_>, payload: &[u8]) -> Outcome {
        let flags = seg.flags;
        let (syn, rst, fin) = (
            flags.contains(Flags::SYN),
            flags.contains(Flags::RST),
            flags.contains(Flags::FIN),
        );
        let seq = seg.seq_number;
        let ts = self.timestamps.and(seg.timestamps());

        if self.state == State::TimeWait && syn && !rst && seg.ack_number.is_none() {
            //= https://www.rfc-editor.org/rfc/rfc6191#section-2
            //# If the previous incarnation of the connection used Timestamps, then:
            //# If TCP Timestamps would be enabled for the new incarnation of the
            //# connection, and the timestamp contained in the incoming SYN segment
            //# is greater than the last timestamp seen on the previous incarnation
            //# of the connection (for that direction of the data transfer), honor
            //# the connection request (creating a connection in the SYN-RECEIVED
            //# state).
            //# [...] If the previous incarnation of the connection did not use
            //# Timestamps, then: If the incoming SYN segment contains a Sequence
            //# Number greater than the final sequence number of the previous
            //# incarnation, honor the connection request
            let newer = match (self.timestamps, seg.timestamps()) {
                (Some(t), Some((tsval, _))) => tsval.wrapping_sub(t.recent) as i32 > 0,
                (Some(_), None) => false,
                (None, _) => seq > self.rcv_nxt,
            };
            if newer {
                return Outcome::Reopen;
            }
        }

        // First: the sequence number (RFC 9293 section 3.10.7.4), and PAWS before it.
        let seg_len = payload.len() + flags.seq_len();
        let wnd = self.rcv_adv.distance(self.rcv_nxt).max(0) as u32;
        //= https://www.rfc-editor.org/rfc/rfc7323#section-5.3
        //# R1) If there is a Timestamps option in the arriving segment, SEG.TSval
        //# < TS.Recent, TS.Recent is valid (see later discussion), and the RST bit
        //# is off, then treat the arriving segment as not acceptable: Send an
        //# acknowledgment in reply as specified in Section 3.10.7.4 of [RFC9293]
        //# and drop the segment.
        if let (Some(t), Some((tsval, _))) = (self.timestamps, ts)
            && !rst
            && (tsval.wrapping_sub(t.recent) as i32) < 0
            && now.saturating_sub(t.recent_at) < PAWS_IDLE
        {
            self.ack_due = true;
            return Outcome::Discarded;
        }
        //= https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.4
        //# Segment Length  Receive Window  Test
        //# 0               0               SEG.SEQ = RCV.NXT
        //# 0               >0              RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
        //# >0              0               not acceptable
        //# >0              >0              RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
        //#                                 or RCV.NXT =< SEG.SEQ+SEG.LEN-1 <
        //#                                 RCV.NXT+RCV.WND
        let acceptable = match (seg_len, wnd) {
            (0, 0) => seq == self.rcv_nxt,
            (0, _) => seq.in_window(self.rcv_nxt, wnd),
            (_, 0) => false,
            (_, _) => {
                seq.in_window(self.rcv_nxt, wnd)
                    || (seq + (seg_len - 1)).in_window(self.rcv_nxt, wnd)
            }
        };
        // A zero window still takes ACKs and RSTs at RCV.NXT, and must take a
        // segment's ACK even when its data does not fit (RFC 9293 section 3.10.7.4:
        // "valid ACKs, URGs, and RSTs").
        let acceptable = acceptable || (wnd == 0 && seq == self.rcv_nxt);
        if syn && !rst && self.state != State::SynReceived {
            //= https://www.rfc-editor.org/rfc/rfc5961#section-4.2
            //# If the SYN bit is set, irrespective of the sequence number, TCP MUST
            //# send an ACK (also referred to as challenge ACK) to the remote peer
            self.challenge_ack(now);
            return Outcome::Discarded;
        }
        if !acceptable {
            //# If an incoming segment is not acceptable, an acknowledgment should be
            //# sent in reply (unless the RST bit is set, if so drop the segment and
            //# return)
            // Without data it may be one side of an ACK loop: those answers share
            // the challenge ACK limit, as Linux's out-of-window rate limit does.
            if !rst && payload.is_empty() && !fin {
                self.challenge_ack(now);
            } else if !rst {
                self.ack_due = true;
                if self.state == State::TimeWait && fin {
                    // A retransmitted FIN: acknowledge it and restart the 2 MSL.
                    self.time_wait_at = Some(now + self.config.msl * 2);
                }
            }
            return Outcome::Discarded;
        }
        self.last_recv = now;
        self.arm_keepalive(now);

        //= https://www.rfc-editor.org/rfc/rfc7323#section-4.3
        //# If SEG.TSval >= TS.Recent and SEG.SEQ <= Last.ACK.sent, then SEG.TSval
        //# is copied to TS.Recent; otherwise, it is ignored.
        if let (Some(t), Some((tsval, _))) = (self.timestamps.as_mut(), ts)
            && (tsval.wrapping_sub(t.recent) as i32) >= 0
            && seq <= self.last_ack_sent
        {
            t.recent = tsval;
            t.recent_at = now;
        }

        // Second: the RST bit.
        if rst {
            //= https://www.rfc-editor.org/rfc/rfc5961#section-3.2
            //# 1) If the RST bit is set and the sequence number is outside the
            //# current receive window, silently drop the segment.
            //# 2) If the RST bit is set and the sequence number exactly matches the
            //# next expected sequence number (RCV.NXT), then TCP MUST reset the
            //# connection.
            //# 3) If the RST bit is set and the sequence number does not exactly
            //# match the next expected sequence value, yet is within the current
            //# receive window, TCP MUST send an acknowledgment (challenge ACK)
            if seq == self.rcv_nxt {
                let reason = if self.state == State::TimeWait {
                    CloseReason::Normal
                } else {
                    CloseReason::Reset
                };
                self.enter_closed(reason);
                return Outcome::Accepted;
            }
            self.challenge_ack(now);
            return Outcome::Discarded;
        }

        // Fourth: the SYN bit.
        if syn {
            if self.state == State::SynReceived && seq == self.irs {
                // The peer's SYN again: our SYN-ACK was lost.
                self.syn_due = true;
                return Outcome::Discarded;
            }
            //= https://www.rfc-editor.org/rfc/rfc5961#section-4.2
            //# If the SYN bit is set, irrespective of the sequence number, TCP MUST
            //# send an ACK (also referred to as challenge ACK) to the remote peer
            self.challenge_ack(now);
            return Outcome::Discarded;
        }

        // Fifth: the ACK field.
        let Some(ack) = seg.ack_number else {
            //= https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.4
            //# if the ACK bit is off, drop the segment and return
            return Outcome::Discarded;
        };
        if self.state == State::SynReceived {
            //# SYN-RECEIVED STATE: If SND.UNA < SEG.ACK =< SND.NXT, then enter
            //# ESTABLISHED state and continue processing [...] If the segment
            //# acknowledgment is not acceptable, form a reset segment
            //# <SEQ=SEG.ACK><CTL=RST>
            if !ack.in_range_left_open(self.snd_una, self.snd_nxt) {
                self.reset = Some(Reset {
                    seq: ack,
                    ack: None,
                });
                return Outcome::Discarded;
            }
            self.state = if self.fin_queued {
                State::FinWait1
            } else {
                State::Established
            };
            self.events.push(Event::Connected);
            self.arm_keepalive(now);
            //# [...] with the variables SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ,
            //# SND.WL2 <- SEG.ACK
            self.snd_wnd = u32::from(seg.window_len) << self.snd_shift;
            self.max_snd_wnd = self.max_snd_wnd.max(self.snd_wnd);
            self.snd_wl1 = seq;
            self.snd_wl2 = ack;
        }
        //= https://www.rfc-editor.org/rfc/rfc5961#section-5.2
        //# The ACK value is considered acceptable only if it is in the range of
        //# ((SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT). All incoming segments
        //# whose ACK value doesn't satisfy the above condition MUST be discarded
        //# and an ACK sent back.
        let oldest = self.snd_una.wrapping_sub(self.max_snd_wnd.min(1 << 30));
        if ack > self.snd_nxt || ack < oldest {
            self.ack_due = true;
            return Outcome::Discarded;
        }
        let fin_acked = self.process_ack(now, seg, payload.len());
        if fin_acked {
            match self.state {
                //# FIN-WAIT-1 STATE: [...] if the FIN segment is now acknowledged,
                //# then enter FIN-WAIT-2 and continue processing in that state.
                State::FinWait1 => self.state = State::FinWait2,
                //# CLOSING STATE: [...] if the ACK acknowledges our FIN, then enter
                //# the TIME-WAIT state; otherwise, ignore the segment.
                State::Closing => {
                    self.enter_time_wait(now);
                    return Outcome::Accepted;
                }
                //# LAST-ACK STATE: The only thing that can arrive in this state is
                //# an acknowledgment of our FIN. If our FIN is now acknowledged,
                //# delete the TCB, enter the CLOSED state, and return.
                State::LastAck => {
                    self.enter_closed(CloseReason::Normal);
                    return Outcome::Accepted;
                }
                _ => {}
            }
        }

        // Sixth and seventh: the data, then eighth: the FIN bit.
        match self.state {
            State::Established | State::FinWait1 | State::FinWait2 => {
                self.receive(now, seq, payload, fin);
            }
            //# CLOSE-WAIT STATE, CLOSING STATE, LAST-ACK STATE, TIME-WAIT STATE:
            //# This should not occur since a FIN has been received from the remote
            //# side. Ignore the segment text.
            _ => {}
        }
        Outcome::Accepted
    }

    /// Sends a challenge ACK, at most `challenge_ack_limit` a second.
    fn challenge_ack(&mut self, now: Duration) {
        //= https://www.rfc-editor.org/rfc/rfc5961#section-7
        //# An implementation SHOULD include an ACK throttling mechanism to be
        //# conservative.
        // Per connection rather than per host: a host-wide counter is the side
        // channel of CVE-2016-5696.
        if now.saturating_sub(self.challenge_window) >= Duration::from_secs(1) {
            self.challenge_window = now;
            self.challenge_count = 0;
        }
        if self.challenge_count < self.config.challenge_ack_limit {
            self.challenge_count += 1;
            self.stats.challenge_acks += 1;
            self.ack_due = true;
        }
    }

    /// The acknowledgment of an acceptable segment: `SND.UNA`, the send window,
    /// SACK, RTT, congestion control and loss recovery. Returns whether it
    /// acknowledged our FIN.
    fn process_ack(&mut self, now: Duration, seg: &tcp::Repr<'_>, payload_len: usize) -> bool {
        let Some(ack) = seg.ack_number else {
            return false;
        };
        let wnd = u32::from(seg.window_len) << self.snd_shift;
        let flight = self.flight();
        let smss = self.smss();
        let mut fin_acked = false;

        let before = self.snd_una;
        let mut sacked_new = false;
        if self.sack
            && let Some(blocks) = seg.sack_ranges()
        {
            for &(l, r) in blocks.as_slice() {
                sacked_new |= self
                    .scoreboard
                    .add(l, r, ack.max(self.snd_una), self.snd_nxt);
            }
        }

        if ack > self.snd_una {
            //= https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.4
            //# If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK. Any
            //# segments on the retransmission queue that are thereby entirely
            //# acknowledged are removed.
            let mut acked = ack.distance(self.snd_una) as usize;
            if self.syn_unacked() {
                acked -= 1;
            }
            let data = acked.min(self.tx.len());
            if let Some(f) = self.fin_seq()
                && ack > f
            {
                fin_acked = true;
                self.fin_acked = true;
            }
            self.tx.consume(data);
            self.snd_una = ack;
            self.scoreboard.acknowledge(ack);
            self.stats.bytes_acked += data as u64;
            self.rtt_sample(now, seg, ack);
            self.rtt.reset_backoff();
            self.retries = 0;
            //= https://www.rfc-editor.org/rfc/rfc6298#section-5
            //# (5.2) When all outstanding data has been acknowledged, turn off the
            //# retransmission timer.
            //# (5.3) When an ACK is received that acknowledges new data, restart the
            //# retransmission timer so that it will expire after RTO seconds
            self.rto_at = (self.snd_una != self.snd_nxt).then(|| now + self.rtt.rto());
            let acked_bytes = u32::try_from(acked).unwrap_or(u32::MAX);
            match self.recovery {
                Some(r) if ack >= r.point => {
                    //= https://www.rfc-editor.org/rfc/rfc6675#section-5
                    //# An incoming cumulative ACK for a sequence number greater than
                    //# RecoveryPoint signals the end of loss recovery
                    self.recovery = None;
                    if !r.timeout {
                        self.cc.on_recovery_end();
                    }
                    self.dupacks = 0;
                }
                Some(r) => {
                    if !self.sack {
                        //= https://www.rfc-editor.org/rfc/rfc6582#section-3.2
                        //# If this ACK does *not* acknowledge all of the data up to
                        //# and including "recover", then this is a partial ACK. In
                        //# this case, retransmit the first unacknowledged segment.
                        self.high_rxt = ack;
                        self.lost_edge = self.lost_edge.max(ack + smss as usize);
                    }
                    if r.timeout {
                        self.cc.on_ack(now, acked_bytes, self.rtt.srtt());
                    }
                    self.dupacks = 0;
                }
                None => {
                    self.cc.on_ack(now, acked_bytes, self.rtt.srtt());
                    self.dupacks = 0;
                }
            }
            self.lost_edge = self.lost_edge.max(ack);
            self.high_rxt = self.high_rxt.max(ack);
        } else if ack == self.snd_una {
            //= https://www.rfc-editor.org/rfc/rfc5681#section-2
            //# DUPLICATE ACKNOWLEDGMENT: An acknowledgment is considered a
            //# "duplicate" in the following algorithms when (a) the receiver of the
            //# ACK has outstanding data, (b) the incoming acknowledgment carries no
            //# data, (c) the SYN and FIN bits are both off, (d) the acknowledgment
            //# number is equal to the greatest acknowledgment received on the given
            //# connection (TCP.UNA from [RFC793]) and (e) the advertised window in
            //# the incoming acknowledgment equals the advertised window in the last
            //# incoming acknowledgment.
            //= https://www.rfc-editor.org/rfc/rfc6675#section-2
            //# DupAcks: [...] the number of duplicate acknowledgments [...] an ACK
            //# that [...] SACKs new data
            let plain = payload_len == 0 && !seg.flags.intersects(Flags::SYN | Flags::FIN);
            if flight > 0 && plain && (wnd == self.snd_wnd || sacked_new) {
                self.dupacks = self.dupacks.saturating_add(1);
            }
        }

        //= https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.4
        //# If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated.
        //# If (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)),
        //# set SND.WND <- SEG.WND, set SND.WL1 <- SEG.SEQ, and set SND.WL2 <-
        //# SEG.ACK.
        if ack >= self.snd_una
            && (self.snd_wl1 < seg.seq_number
                || (self.snd_wl1 == seg.seq_number && self.snd_wl2 <= ack))
        {
            self.snd_wnd = wnd;
            self.snd_wl1 = seg.seq_number;
            self.snd_wl2 = ack;
            self.max_snd_wnd = self.max_snd_wnd.max(wnd);
            if wnd > 0 {
                self.persist_at = None;
            } else {
                // The receiver answers our probes: not a dead peer (RFC 9293
                // section 3.8.6.1).
                self.retries = 0;
            }
        }

        // Loss detection: RACK (RFC 8985), and RFC 6675's rule on SACKs and
        // duplicate ACKs.
        self.sent.on_ack(
            now,
            self.snd_una,
            &self.scoreboard,
            self.rtt.srtt().unwrap_or_default(),
        );
        let rack_lost = self.rack_detect(now);
        let edge = if self.sack {
            self.scoreboard.lost_edge(smss)
        } else {
            None
        };
        if let Some(e) = edge {
            self.lost_edge = self.lost_edge.max(e.min(self.snd_nxt));
        }
        if self.recovery.is_none()
            && self.flight() > 0
            && (rack_lost || self.dupacks >= DUP_THRESH || self.lost_edge > self.snd_una)
        {
            self.enter_fast_recovery();
        }
        if ack > before {
            self.arm_tlp(now);
        }
        fin_acked
    }

    /// Runs RACK's detection and marks what it found lost. Returns whether it
    /// found anything.
    pub(super) fn rack_detect(&mut self, now: Duration) -> bool {
        let (lost, timer) = self.sent.detect(now, &self.scoreboard);
        self.rack_at = timer;
        let mut any = false;
        if let Some(e) = lost.edge {
            let e = e.min(self.snd_nxt);
            if e > self.lost_edge {
                self.lost_edge = e;
                any = true;
            }
        }
        if let Some(r) = lost.retransmission
            && r >= self.snd_una
            && r < self.high_rxt
        {
            // A retransmission was lost: send its range again.
            self.high_rxt = r;
            any = true;
        }
        if any && self.recovery.is_none() && self.flight() > 0 {
            self.enter_fast_recovery();
        }
        any
    }

    /// Loss detected (by RACK, SACKs or duplicate ACKs): fast recovery.
    fn enter_fast_recovery(&mut self) {
        //= https://www.rfc-editor.org/rfc/rfc6675#section-5
        //# (4.1) RecoveryPoint = HighData
        //# (4.2) ssthresh = cwnd = (FlightSize / 2)
        //# (4.3) Retransmit the first data segment presumed dropped
        self.stats.fast_recoveries += 1;
        self.recovery = Some(Recovery {
            point: self.snd_nxt,
            timeout: false,
        });
        self.cc.on_congestion(self.flight());
        self.high_rxt = self.snd_una;
        let first = self.snd_una + self.smss() as usize;
        self.lost_edge = self.lost_edge.max(first).min(self.snd_nxt);
        self.rtt_probe = None;
        self.tlp_at = None;
        self.tlp_due = false;
    }

    fn rtt_sample(&mut self, now: Duration, seg: &tcp::Repr<'_>, ack: SeqNumber) {
        //= https://www.rfc-editor.org/rfc/rfc7323#section-4.1
        //# When timestamps are used, every segment that acknowledges new data
        //# [...] can be used to update the RTT estimate
        if self.timestamps.is_some()
            && let Some((_, tsecr)) = seg.timestamps()
            && tsecr != 0
        {
            let ms = self.tsval(now).wrapping_sub(tsecr);
            // An echo from the future or from long ago is not a measurement.
            if ms < 60_000 {
                self.rtt.sample(Duration::from_millis(u64::from(ms)));
            }
            return;
        }
        //= https://www.rfc-editor.org/rfc/rfc6298#section-3
        //# RTT samples MUST NOT be made using segments that were retransmitted
        //# (and thus for which it is ambiguous whether the reply was for the first
        //# instance of the packet or a later instance).
        if let Some((end, sent)) = self.rtt_probe
            && ack >= end
        {
            self.rtt.sample(now.saturating_sub(sent));
            self.rtt_probe = None;
        }
    }

    /// Takes the data (and FIN) of an acceptable segment starting at `seq`.
    fn receive(&mut self, now: Duration, seq: SeqNumber, payload: &[u8], fin: bool) {
        let fin_seq = seq + payload.len();
        // Trim what was already received.
        let skip = self.rcv_nxt.distance(seq).max(0) as usize;
        let (seq, data) = match payload.get(skip..) {
            Some(rest) => (seq + skip, rest),
            None => (self.rcv_nxt, &[][..]),
        };
        let offset = seq.distance(self.rcv_nxt).max(0) as usize;
        // Trim what lies beyond the window.
        let room = (self.receive_window() as usize).saturating_sub(offset);
        let data = data.get(..room).unwrap_or(data);
        let fin = fin && seq + data.len() == fin_seq;

        let before = self.rcv_nxt;
        let mut out_of_order = false;
        let mut filled = false;
        if !data.is_empty() {
            let at = self.rx.len() + offset;
            let written = self.rx.write_at(at, data);
            if offset == 0 {
                self.rx.commit(written);
                self.rcv_nxt += written;
                let edge = self.ooo.advance(self.rcv_nxt);
                if edge > self.rcv_nxt {
                    self.rx.commit(edge.distance(self.rcv_nxt) as usize);
                    self.rcv_nxt = edge;
                    filled = true;
                }
            } else {
                // Held in the buffer; remembered only if a range slot is free.
                let _ = self.ooo.add(seq, seq + written, self.rcv_nxt);
                out_of_order = true;
            }
        }
        if fin {
            self.fin_at = Some(fin_seq);
        }
        let advanced = self.rcv_nxt.distance(before).max(0) as u64;
        self.stats.bytes_received += advanced;

        if self.fin_at == Some(self.rcv_nxt) && !self.fin_received {
            self.take_fin(now);
            return;
        }
        //= https://www.rfc-editor.org/rfc/rfc5681#section-4.2
        //# A TCP receiver SHOULD send an immediate duplicate ACK when an out-of-
        //# order segment arrives. [...] A TCP receiver SHOULD send an immediate
        //# ACK when the incoming segment fills in all or part of a gap in the
        //# sequence space.
        if out_of_order || filled || (advanced == 0 && !payload.is_empty()) || !self.ooo.is_empty()
        {
            self.ack_due = true;
            return;
        }
        if advanced > 0 {
            //= https://www.rfc-editor.org/rfc/rfc9293#section-3.8.6.3
            //# an ACK SHOULD be generated for at least every second full-sized
            //# segment or 2*RMSS bytes of new data [...] and the delay MUST be less
            //# than 0.5 seconds.
            self.unacked_segments += 1;
            match self.config.ack_delay {
                Some(delay) if self.unacked_segments < 2 => {
                    if self.ack_at.is_none() {
                        self.ack_at = Some(now + delay);
                    }
                }
                _ => {
                    // One ACK per two segments even when a burst arrives before
                    // the next `poll_transmit`: a single ACK for a whole window
                    // slows the sender's slow start and, if lost, stalls it.
                    self.unacked_segments = 0;
                    self.ack_at = None;
                    let len = self.ack_points_len;
                    if let Some(slot) = self.ack_points.get_mut(len) {
                        *slot = self.rcv_nxt;
                        self.ack_points_len += 1;
                    } else if let Some(last) = self.ack_points.last_mut() {
                        *last = self.rcv_nxt;
                    }
                }
            }
        }
    }

    /// The peer's FIN, in order.
    fn take_fin(&mut self, now: Duration) {
        self.rcv_nxt = self.rcv_nxt.wrapping_add(1);
        self.fin_received = true;
        self.fin_at = None;
        self.ack_due = true;
        self.events.push(Event::PeerClosed);
        //= https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.4
        //# SYN-RECEIVED STATE, ESTABLISHED STATE: Enter the CLOSE-WAIT state.
        //# FIN-WAIT-1 STATE: If our FIN has been ACKed (perhaps in this segment),
        //# then enter TIME-WAIT, start the time-wait timer, turn off the other
        //# timers; otherwise, enter the CLOSING state.
        //# FIN-WAIT-2 STATE: Enter the TIME-WAIT state. Start the time-wait
        //# timer, turn off the other timers.
        match self.state {
            State::SynReceived | State::Established => self.state = State::CloseWait,
            State::FinWait1 => self.state = State::Closing,
            State::FinWait2 => self.enter_time_wait(now),
            _ => {}
        }
    }
}
