//! Segment departure: what to send next, and the segment itself.

use super::{EmitError, Socket, State, TS_LEN, Transmit};
use crate::socket::storage::Storage;
use crate::wire::ChecksumCapabilities;
use crate::wire::tcp::{
    self, Flags, MAX_SACK_BLOCKS, SackBlocks, SeqNumber, TcpOption, emit_options,
};
use core::time::Duration;

/// One segment to write: its sequence number, flags, and which queued bytes it
/// carries.
#[derive(Debug, Clone, Copy)]
struct Plan {
    seq: SeqNumber,
    flags: Flags,
    /// Offset into the send buffer and length of the data.
    data: (usize, usize),
    /// The acknowledgment number.
    ack: SeqNumber,
}

impl<S: Storage> Socket<S> {
    /// Writes the next segment due into `buf` (header, options and data, with the
    /// checksum over the pseudo-header), or returns `None` when nothing is due.
    /// Call it until it returns `None` after every input and timeout.
    ///
    /// `buf` bounds the segment: give it at least the MSS plus 60 bytes. Fails only
    /// when `buf` is shorter than 60 bytes, the longest TCP header.
    pub fn poll_transmit(
        &mut self,
        now: Duration,
        buf: &mut [u8],
        caps: &ChecksumCapabilities,
    ) -> Result<Option<Transmit>, EmitError> {
        if buf.len() < tcp::MAX_HEADER_LEN {
            return Err(EmitError::BufferTooSmall {
                needed: tcp::MAX_HEADER_LEN,
                available: buf.len(),
            });
        }
        if let Some(r) = self.reset.take() {
            let flags = if r.ack.is_some() {
                Flags::RST | Flags::ACK
            } else {
                Flags::RST
            };
            let repr = tcp::Repr {
                src_port: self.local.port(),
                dst_port: self.remote.port(),
                seq_number: r.seq,
                ack_number: r.ack,
                flags,
                window_len: 0,
                urgent_pointer: 0,
                options: &[],
                payload_len: 0,
            };
            return Ok(self.finish(buf, caps, &repr));
        }
        match self.state {
            State::Closed => Ok(None),
            State::SynSent | State::SynReceived => {
                if self.syn_due {
                    Ok(self.emit_syn(now, buf, caps))
                } else {
                    Ok(None)
                }
            }
            _ => Ok(self.transmit_synchronized(now, buf, caps)),
        }
    }

    fn emit_syn(
        &mut self,
        now: Duration,
        buf: &mut [u8],
        caps: &ChecksumCapabilities,
    ) -> Option<Transmit> {
        let active = self.state == State::SynSent;
        let sack = if active { self.config.sack } else { self.sack };
        let ts = if active {
            self.config.timestamps.then_some(0)
        } else {
            self.timestamps.map(|t| t.recent)
        };
        let ws = if active {
            self.config.window_scaling
        } else {
            self.wscale_ok
        };
        //= https://www.rfc-editor.org/rfc/rfc9293#section-3.7.1
        //# TCP implementations MUST be able to send and receive the MSS Option.
        //# [...] If an MSS Option is not received at connection setup, TCP
        //# implementations MUST assume a default send MSS
        let mut list = [TcpOption::NoOp; 8];
        let mut n = 0;
        let mut push = |o| {
            if let Some(slot) = list.get_mut(n) {
                *slot = o;
                n += 1;
            }
        };
        push(TcpOption::MaxSegmentSize(self.config.mss));
        match (sack, ts) {
            (true, Some(tsecr)) => {
                push(TcpOption::SackPermitted);
                push(TcpOption::Timestamps {
                    tsval: self.tsval(now),
                    tsecr,
                });
            }
            (true, None) => {
                push(TcpOption::NoOp);
                push(TcpOption::NoOp);
                push(TcpOption::SackPermitted);
            }
            (false, Some(tsecr)) => {
                push(TcpOption::NoOp);
                push(TcpOption::NoOp);
                push(TcpOption::Timestamps {
                    tsval: self.tsval(now),
                    tsecr,
                });
            }
            (false, None) => {}
        }
        if ws {
            push(TcpOption::NoOp);
            push(TcpOption::WindowScale(self.rcv_shift));
        }
        let mut opts = [0u8; tcp::MAX_OPTIONS_LEN];
        let olen = emit_options(list.get(..n).unwrap_or_default(), &mut opts).unwrap_or(0);
        //= https://www.rfc-editor.org/rfc/rfc7323#section-2.2
        //# The window field in a segment where the SYN bit is set (i.e., a <SYN>
        //# or <SYN,ACK>) MUST NOT be scaled.
        let window = self.receive_window().min(u32::from(u16::MAX)) as u16;
        self.rcv_adv = self.rcv_nxt + usize::from(window);
        let repr = tcp::Repr {
            src_port: self.local.port(),
            dst_port: self.remote.port(),
            seq_number: self.iss,
            ack_number: (!active).then_some(self.rcv_nxt),
            flags: if active {
                Flags::SYN
            } else {
                Flags::SYN | Flags::ACK
            },
            window_len: window,
            urgent_pointer: 0,
            options: opts.get(..olen).unwrap_or_default(),
            payload_len: 0,
        };
        self.syn_due = false;
        if self.snd_nxt == self.iss {
            self.snd_nxt = self.iss.wrapping_add(1);
        }
        if self.retries == 0 {
            self.rtt_probe = Some((self.snd_nxt, now));
        }
        if self.rto_at.is_none() {
            self.rto_at = Some(now + self.rtt.rto());
        }
        self.finish(buf, caps, &repr)
    }

    /// The next range to retransmit: un-SACKed bytes between what retransmission
    /// already covered and the loss edge.
    fn next_retransmission(&self) -> Option<(SeqNumber, SeqNumber)> {
        let from = self.high_rxt.max(self.snd_una);
        let to = self.lost_edge.min(self.snd_nxt);
        if to <= from {
            return None;
        }
        self.scoreboard.next_hole(from, to)
    }

    fn transmit_synchronized(
        &mut self,
        now: Duration,
        buf: &mut [u8],
        caps: &ChecksumCapabilities,
    ) -> Option<Transmit> {
        let data_seq = self.data_seq();
        let data_end = data_seq + self.tx.len();
        let fin_seq = self.fin_seq();
        let opts = self.options_len();
        let room = self
            .payload_room(opts)
            .min(buf.len().saturating_sub(tcp::HEADER_LEN + opts))
            .max(1);
        let cwnd = self.cc.cwnd();

        // Retransmissions first (RFC 6675 section 5, NextSeg rule 1).
        if let Some((from, to)) = self.next_retransmission()
            && (self.pipe() < cwnd || self.pipe() == 0)
            && let Some((end, t)) = self.resend(now, buf, caps, from, to, room)
        {
            self.high_rxt = end;
            if self.rto_at.is_none() {
                self.rto_at = Some(now + self.rtt.rto());
            }
            return t;
        }

        // New data (RFC 6675 NextSeg rule 2), within both windows.
        let unsent = data_end.distance(self.snd_nxt).max(0) as usize;
        let usable = (self.snd_una + self.snd_wnd as usize)
            .distance(self.snd_nxt)
            .max(0) as usize;
        let mut cwnd_room = cwnd.saturating_sub(self.pipe()) as usize;
        if self.tlp_due {
            self.tlp_due = false;
            //= https://www.rfc-editor.org/rfc/rfc8985#section-7.3
            //# After attempting to send a loss probe, regardless of whether a loss
            //# probe was sent, the sender MUST re-arm the RTO timer, not the PTO
            //# timer, if the FlightSize is not zero.
            self.rto_at = Some(now + self.rtt.rto());
            //= https://www.rfc-editor.org/rfc/rfc8985#section-7.3
            //# If such a segment is not available, then the sender SHOULD
            //# retransmit the highest-sequence segment sent so far
            //# [...] the sender SHOULD send a new, previously unsent segment,
            //# if one is available and the receive window allows
            if unsent > 0 && usable > 0 {
                cwnd_room = cwnd_room.max(room);
            } else if let Some((s, e)) = self.sent.last_sent()
                && let Some((_, t)) = self.resend(now, buf, caps, s.max(self.snd_una), e, room)
            {
                return t;
            }
        }
        let fin_pending = fin_seq.is_some() && !self.fin_sent();
        let probe = self.probe_due && usable == 0 && unsent > 0;
        let len = if probe {
            //= https://www.rfc-editor.org/rfc/rfc9293#section-3.8.6.1
            //# The transmitting host SHOULD send the first zero-window probe when a
            //# zero window has existed for the retransmission timeout period [...]
            //# The sending TCP must regularly transmit at least one octet of new
            //# data (if available)
            1
        } else {
            unsent.min(room).min(usable).min(cwnd_room)
        };
        let everything = len == unsent;
        //= https://www.rfc-editor.org/rfc/rfc9293#section-3.7.4
        //# A TCP implementation SHOULD implement the Nagle algorithm to coalesce
        //# short segments. [...] if there is unacknowledged data [...] the sending
        //# TCP endpoint buffers all user data [...] until the outstanding data has
        //# been acknowledged or until the TCP endpoint can send a full-sized
        //# segment
        //= https://www.rfc-editor.org/rfc/rfc9293#section-3.8.6.2.1
        //# Send data: (1) if a maximum-sized segment can be sent [...] (2) or if the
        //# data is pushed and all queued data can be sent now, or (3) if at least
        //# a fraction Fs of the maximum window can be sent now
        let nagle_ok = !self.config.nagle || self.flight() == 0 || fin_pending;
        let worth = len > 0
            && (len >= room
                || (everything && nagle_ok)
                || (self.max_snd_wnd > 0 && len as u32 >= self.max_snd_wnd / 2 && nagle_ok)
                || probe);
        let fin = fin_pending && everything && (len > 0 || unsent == 0);
        if worth || (fin && cwnd_room > 0) || (fin && self.flight() == 0) {
            let mut flags = Flags::ACK;
            if everything && len > 0 {
                flags |= Flags::PSH;
            }
            if fin {
                flags |= Flags::FIN;
            }
            let seq = self.snd_nxt;
            let start = seq.distance(data_seq).max(0) as usize;
            self.snd_nxt = seq + len + usize::from(fin);
            self.sent.on_send(seq, self.snd_nxt, now, false);
            self.arm_tlp(now);
            if self.retries == 0 && self.rtt_probe.is_none() && self.timestamps.is_none() {
                self.rtt_probe = Some((self.snd_nxt, now));
            }
            if self.rto_at.is_none() {
                self.rto_at = Some(now + self.rtt.rto());
            }
            if probe {
                self.probe_due = false;
                self.persist_at = None;
            }
            if self.recovery.is_none() {
                self.lost_edge = self.snd_una;
                self.high_rxt = self.snd_una;
            }
            return self.emit_data(
                now,
                buf,
                caps,
                Plan {
                    seq,
                    flags,
                    data: (start, len),
                    ack: self.rcv_nxt,
                },
            );
        }

        // A zero window with data waiting and nothing in flight: the persist timer.
        if unsent > 0 && usable == 0 && self.flight() == 0 && self.persist_at.is_none() {
            self.persist_at = Some(now + self.rtt.rto());
        }

        if self.keepalive_due {
            //= https://www.rfc-editor.org/rfc/rfc9293#section-3.8.4
            //# Such a segment generally contains SEG.SEQ = SND.NXT-1 and may or may
            //# not contain one garbage octet of data.
            self.keepalive_due = false;
            return self.emit_data(
                now,
                buf,
                caps,
                Plan {
                    seq: self.snd_nxt.wrapping_sub(1),
                    flags: Flags::ACK,
                    data: (0, 0),
                    ack: self.rcv_nxt,
                },
            );
        }
        if self.ack_points_len > 0 {
            let point = self.ack_points[0];
            self.ack_points.copy_within(1.., 0);
            self.ack_points_len -= 1;
            if point != self.rcv_nxt {
                let saved = (
                    self.ack_due,
                    self.ack_at,
                    self.unacked_segments,
                    self.ack_points_len,
                );
                let t = self.emit_data(
                    now,
                    buf,
                    caps,
                    Plan {
                        seq: self.snd_nxt,
                        flags: Flags::ACK,
                        data: (0, 0),
                        ack: point,
                    },
                );
                // An intermediate ACK settles nothing owed for later data.
                (
                    self.ack_due,
                    self.ack_at,
                    self.unacked_segments,
                    self.ack_points_len,
                ) = saved;
                return t;
            }
            self.ack_due = true;
        }
        if self.ack_due {
            return self.emit_data(
                now,
                buf,
                caps,
                Plan {
                    seq: self.snd_nxt,
                    flags: Flags::ACK,
                    data: (0, 0),
                    ack: self.rcv_nxt,
                },
            );
        }
        None
    }

    /// Sends again the bytes of `from..to` (at most `room` of them, with the FIN
    /// if the range ends with it). Returns where the resent range ends and the
    /// segment, or `None` when the range holds nothing to send.
    fn resend(
        &mut self,
        now: Duration,
        buf: &mut [u8],
        caps: &ChecksumCapabilities,
        from: SeqNumber,
        to: SeqNumber,
        room: usize,
    ) -> Option<(SeqNumber, Option<Transmit>)> {
        let data_seq = self.data_seq();
        let data_end = data_seq + self.tx.len();
        let span = to.distance(from).max(0) as usize;
        let avail = data_end.distance(from).max(0) as usize;
        let len = span.min(room).min(avail);
        let fin = self.fin_seq().is_some_and(|f| from + len == f && to > f);
        if len == 0 && !fin {
            return None;
        }
        let end = from + len + usize::from(fin);
        self.stats.retransmissions += 1;
        self.sent.on_send(from, end, now, true);
        let mut flags = Flags::ACK;
        if fin {
            flags |= Flags::FIN;
        }
        let plan = Plan {
            seq: from,
            flags,
            data: (from.distance(data_seq).max(0) as usize, len),
            ack: self.rcv_nxt,
        };
        Some((end, self.emit_data(now, buf, caps, plan)))
    }

    /// The option bytes of a segment after the handshake: timestamps, and SACK
    /// blocks while out-of-order data is held.
    fn options_len(&self) -> usize {
        let ts = if self.timestamps.is_some() { TS_LEN } else { 0 };
        let blocks = if self.sack && !self.ooo.is_empty() {
            let max = if ts > 0 { 3 } else { MAX_SACK_BLOCKS };
            let mut b = [(SeqNumber(0), SeqNumber(0)); MAX_SACK_BLOCKS];
            self.ooo.sack_blocks(b.get_mut(..max).unwrap_or_default())
        } else {
            0
        };
        ts + if blocks > 0 { 4 + 8 * blocks } else { 0 }
    }

    /// The window field for a segment sent now, with receiver SWS avoidance.
    fn advertise(&mut self) -> u16 {
        let free = self.receive_window() as usize;
        let shift = self.rcv_shift;
        let edge = self.rcv_nxt + free;
        let gain = edge.distance(self.rcv_adv);
        let threshold = (self.rx.max_capacity() / 2)
            .min(usize::from(self.mss))
            .max(1);
        //= https://www.rfc-editor.org/rfc/rfc9293#section-3.8.6.2.2
        //# The suggested SWS avoidance algorithm for the receiver is to keep
        //# RCV.NXT+RCV.WND fixed until the reduction satisfies:
        //# RCV.BUFF - RCV.USER - RCV.WND  >=  min( Fr * RCV.BUFF, Eff.snd.MSS )
        if self.rcv_adv < self.rcv_nxt || (gain > 0 && gain as usize >= threshold) {
            self.rcv_adv = edge;
        }
        // Round up to the scale, as Linux does, so that the edge never appears to
        // move left.
        let unit = (1usize << shift) - 1;
        let wnd = (self.rcv_adv.distance(self.rcv_nxt).max(0) as usize + unit) >> shift;
        let wnd = wnd.min(usize::from(u16::MAX));
        self.rcv_adv = self.rcv_nxt + (wnd << shift);
        wnd as u16
    }

    fn emit_data(
        &mut self,
        now: Duration,
        buf: &mut [u8],
        caps: &ChecksumCapabilities,
        plan: Plan,
    ) -> Option<Transmit> {
        let mut list = [TcpOption::NoOp; 6];
        let mut n = 0;
        if let Some(t) = self.timestamps {
            list[0] = TcpOption::NoOp;
            list[1] = TcpOption::NoOp;
            list[2] = TcpOption::Timestamps {
                tsval: self.tsval(now),
                tsecr: t.recent,
            };
            n = 3;
        }
        if self.sack && !self.ooo.is_empty() {
            let max = if n > 0 { 3 } else { MAX_SACK_BLOCKS };
            let mut b = [(SeqNumber(0), SeqNumber(0)); MAX_SACK_BLOCKS];
            let k = self.ooo.sack_blocks(b.get_mut(..max).unwrap_or_default());
            if let Some(blocks) = b.get(..k).and_then(SackBlocks::new) {
                if let Some(s) = list.get_mut(n..n + 3) {
                    s[0] = TcpOption::NoOp;
                    s[1] = TcpOption::NoOp;
                    s[2] = TcpOption::SackRange(blocks);
                }
                n += 3;
            }
        }
        let mut opts = [0u8; tcp::MAX_OPTIONS_LEN];
        let olen = emit_options(list.get(..n).unwrap_or_default(), &mut opts).unwrap_or(0);
        let header = tcp::HEADER_LEN + olen;
        let (start, len) = plan.data;
        let len = len.min(buf.len().saturating_sub(header));
        let mut window = self.advertise();
        if plan.ack != self.rcv_nxt {
            // An older acknowledgment names the same right edge.
            let wnd = self.rcv_adv.distance(plan.ack).max(0) as usize >> self.rcv_shift;
            window = wnd.min(usize::from(u16::MAX)) as u16;
        }
        let (a, b) = self.tx.slices(start, len);
        let payload = buf.get_mut(header..header + a.len() + b.len())?;
        let (pa, pb) = payload.split_at_mut(a.len());
        pa.copy_from_slice(a);
        pb.copy_from_slice(b);
        let repr = tcp::Repr {
            src_port: self.local.port(),
            dst_port: self.remote.port(),
            seq_number: plan.seq,
            ack_number: Some(plan.ack),
            flags: plan.flags,
            window_len: window,
            urgent_pointer: 0,
            options: opts.get(..olen).unwrap_or_default(),
            payload_len: a.len() + b.len(),
        };
        self.ack_due = false;
        self.ack_at = None;
        self.unacked_segments = 0;
        self.ack_points_len = 0;
        self.last_ack_sent = plan.ack;
        self.finish(buf, caps, &repr)
    }

    fn finish(
        &mut self,
        buf: &mut [u8],
        caps: &ChecksumCapabilities,
        repr: &tcp::Repr<'_>,
    ) -> Option<Transmit> {
        let (src, dst) = (self.local.ip(), self.remote.ip());
        repr.emit(buf, &src, &dst, caps).ok()?;
        self.stats.segments_sent += 1;
        Some(Transmit {
            local: self.local,
            remote: self.remote,
            len: repr.buffer_len(),
        })
    }
}
