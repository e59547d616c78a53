//! Timers: retransmission (RFC 6298), persist (zero-window probes), delayed ACK,
//! keepalive and TIME-WAIT.

use super::{CloseReason, Recovery, Socket, State};
use crate::socket::storage::Storage;
use core::time::Duration;

impl<S: Storage> Socket<S> {
    /// When [`Socket::handle_timeout`] must next be called, if ever.
    pub fn poll_timeout(&self) -> Option<Duration> {
        [
            self.rto_at,
            self.persist_at,
            self.ack_at,
            self.rack_at,
            self.tlp_at,
            self.keepalive_at,
            self.time_wait_at,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Runs the timers that expired by `now`. Segments they call for come out of
    /// [`Socket::poll_transmit`].
    pub fn handle_timeout(&mut self, now: Duration) {
        if self.time_wait_at.is_some_and(|t| t <= now) {
            //= https://www.rfc-editor.org/rfc/rfc9293#section-3.10.8
            //# If the time-wait timeout expires on a connection, delete the TCB,
            //# enter the CLOSED state, and return.
            self.enter_closed(CloseReason::Normal);
            return;
        }
        if self.ack_at.is_some_and(|t| t <= now) {
            self.ack_at = None;
            self.ack_due = true;
        }
        if self.persist_at.is_some_and(|t| t <= now) {
            self.persist_at = None;
            self.probe_due = true;
            self.rtt.back_off();
        }
        if self.keepalive_at.is_some_and(|t| t <= now) {
            if self.keepalive_sent >= self.config.keepalive_probes {
                self.enter_closed(CloseReason::TimedOut);
                return;
            }
            self.keepalive_sent += 1;
            self.keepalive_due = true;
            self.keepalive_at = Some(now + self.config.keepalive_interval);
        }
        if self.rack_at.is_some_and(|t| t <= now) {
            self.rack_at = None;
            self.rack_detect(now);
        }
        if self.tlp_at.is_some_and(|t| t <= now) {
            self.tlp_at = None;
            if self.recovery.is_none() && self.flight() > 0 {
                // The probe goes out instead of a timeout due at the same time (the
                // PTO is never later than the RTO); sending it re-arms the RTO.
                self.tlp_due = true;
                return;
            }
        }
        if self.rto_at.is_some_and(|t| t <= now) {
            self.on_retransmission_timeout(now);
        }
    }

    /// Arms the tail loss probe timer (RFC 8985 section 7.2) after new data went
    /// out or new data was acknowledged.
    pub(super) fn arm_tlp(&mut self, now: Duration) {
        self.tlp_at = None;
        if !self.sack || self.recovery.is_some() || self.flight() == 0 {
            return;
        }
        let Some(srtt) = self.rtt.srtt() else {
            return;
        };
        //= https://www.rfc-editor.org/rfc/rfc8985#section-7.2
        //# If SRTT is available, then: PTO = 2*SRTT [...] If FlightSize is one
        //# segment, add an allowance for the receiver's delayed ACK: PTO +=
        //# WCDelAckT [200 ms] [...] PTO = min(RTO.expiry - now, PTO)
        let mut pto = srtt * 2;
        if self.flight() <= self.smss() {
            pto += Duration::from_millis(200);
        }
        let at = now + pto;
        self.tlp_at = Some(self.rto_at.map_or(at, |r| r.min(at)));
    }

    fn on_retransmission_timeout(&mut self, now: Duration) {
        self.rto_at = None;
        if self.snd_una == self.snd_nxt && !self.syn_due {
            return;
        }
        self.stats.timeouts += 1;
        self.retries += 1;
        let limit = match self.state {
            State::SynSent | State::SynReceived => self.config.syn_retries,
            _ => self.config.max_retransmissions,
        };
        //= https://www.rfc-editor.org/rfc/rfc9293#section-3.8.3
        //# (b) When the number of transmissions of the same segment reaches a
        //# threshold R2 greater than R1, close the connection.
        if self.retries > limit {
            self.enter_closed(CloseReason::TimedOut);
            return;
        }
        //= https://www.rfc-editor.org/rfc/rfc6298#section-5
        //# (5.4) Retransmit the earliest segment that has not been acknowledged by
        //# the TCP receiver.
        //# (5.5) The host MUST set RTO <- RTO * 2 ("back off the timer").
        //# (5.6) Start the retransmission timer, such that it expires after RTO
        //# seconds (for the value of RTO after the doubling operation outlined in
        //# 5.5).
        self.rtt.back_off();
        self.rto_at = Some(now + self.rtt.rto());
        self.rtt_probe = None;
        self.tlp_at = None;
        self.tlp_due = false;
        if matches!(self.state, State::SynSent | State::SynReceived) {
            self.syn_due = true;
            return;
        }
        let zero_window_probe = self.snd_wnd == 0;
        if !zero_window_probe {
            self.cc.on_timeout(self.flight(), self.retries == 1);
        }
        self.recovery = Some(Recovery {
            point: self.snd_nxt,
            timeout: true,
        });
        // Everything not SACKed is presumed lost and resent from SND.UNA, skipping
        // what the receiver holds (the SACK information is kept, as Linux does).
        self.lost_edge = self.snd_nxt;
        self.high_rxt = self.snd_una;
        self.dupacks = 0;
        if self.retries > 2 {
            // The receiver may have reneged: forget its SACKs (RFC 2018 section 8).
            self.scoreboard.clear();
        }
    }
}
