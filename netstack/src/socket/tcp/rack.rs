//! Time-based loss detection (RACK, RFC 8985 section 6) and tail loss probes
//! (TLP, RFC 8985 section 7).
//!
//! RACK needs the time each segment was sent. [`SentLog`] keeps it as ranges of
//! sequence space sent at one instant, in the order they were sent, in a fixed
//! number of records: a burst sent in one poll shares one record. When the log is
//! full the two oldest records merge, keeping the older time, so a segment can only
//! be judged lost earlier than exact RACK would, never later.

use super::scoreboard::Scoreboard;
use crate::wire::tcp::SeqNumber;
use core::time::Duration;

/// Send records kept at most.
pub(crate) const MAX_RECORDS: usize = 32;

#[derive(Debug, Clone, Copy, Default)]
struct Record {
    start: SeqNumber,
    end: SeqNumber,
    at: Duration,
    /// A retransmission (RFC 8985's "retransmitted" segment flag).
    retransmitted: bool,
}

/// What [`SentLog::detect`] found lost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Lost {
    /// First transmissions below this are lost.
    pub(crate) edge: Option<SeqNumber>,
    /// A retransmission starting here was lost: send it again.
    pub(crate) retransmission: Option<SeqNumber>,
}

/// The send times of what is outstanding, and RACK's state.
#[derive(Debug, Clone, Default)]
pub(crate) struct SentLog {
    recs: [Record; MAX_RECORDS],
    len: usize,
    /// RACK.xmit_ts: the latest send time of a delivered segment.
    xmit: Option<Duration>,
    /// RACK.rtt: the round trip of that segment.
    rtt: Duration,
    /// RACK.min_RTT.
    min_rtt: Option<Duration>,
}

impl SentLog {
    fn live(&self) -> &[Record] {
        self.recs.get(..self.len).unwrap_or_default()
    }

    /// `start..end` was sent at `now`.
    pub(crate) fn on_send(
        &mut self,
        start: SeqNumber,
        end: SeqNumber,
        now: Duration,
        retransmitted: bool,
    ) {
        if end <= start {
            return;
        }
        if retransmitted {
            self.forget(start, end);
        }
        if let Some(last) = self.len.checked_sub(1).and_then(|i| self.recs.get_mut(i))
            && last.at == now
            && last.end == start
            && last.retransmitted == retransmitted
        {
            last.end = end;
            return;
        }
        if self.len == MAX_RECORDS {
            // Merge the two oldest: the older time stands for both.
            let [a, b, ..] = &mut self.recs;
            a.start = a.start.min(b.start);
            a.end = a.end.max(b.end);
            a.retransmitted |= b.retransmitted;
            self.recs.copy_within(2..self.len, 1);
            self.len -= 1;
        }
        if let Some(slot) = self.recs.get_mut(self.len) {
            *slot = Record {
                start,
                end,
                at: now,
                retransmitted,
            };
            self.len += 1;
        }
    }

    /// Drops the records of `start..end` (sent again, or acknowledged).
    fn forget(&mut self, start: SeqNumber, end: SeqNumber) {
        let mut w = 0;
        for r in 0..self.len {
            let Some(mut rec) = self.recs.get(r).copied() else {
                break;
            };
            if rec.start >= start && rec.end <= end {
                continue; // wholly covered
            }
            if rec.start < start && rec.end > start && rec.end <= end {
                rec.end = start;
            } else if rec.start >= start && rec.start < end && rec.end > end {
                rec.start = end;
            }
            if let Some(slot) = self.recs.get_mut(w) {
                *slot = rec;
            }
            w += 1;
        }
        self.len = w;
    }

    /// An acknowledgment moved `SND.UNA` to `una`, with `sacked` the scoreboard
    /// after it: records now delivered update RACK's clock (RFC 8985 section 6.2
    /// step 2) and leave the log.
    pub(crate) fn on_ack(
        &mut self,
        now: Duration,
        una: SeqNumber,
        sacked: &Scoreboard,
        srtt_floor: Duration,
    ) {
        let mut w = 0;
        for r in 0..self.len {
            let Some(rec) = self.recs.get(r).copied() else {
                break;
            };
            let len = rec.end.distance(rec.start).max(0) as u32;
            let delivered = rec.end <= una
                || sacked.sacked_in(rec.start.max(una), rec.end)
                    >= rec.end.distance(rec.start.max(una)).max(0) as u32;
            if delivered && len > 0 {
                let rtt = now.saturating_sub(rec.at);
                //= https://www.rfc-editor.org/rfc/rfc8985#section-6.2
                //# If Segment.retransmitted is TRUE and rtt < RACK.min_RTT, then
                //# [...] ignore this segment [...] it's ambiguous whether the
                //# ACK was for the original or the retransmission
                let ambiguous = rec.retransmitted && self.min_rtt.is_some_and(|m| rtt < m);
                if !ambiguous {
                    if !rec.retransmitted {
                        self.min_rtt = Some(self.min_rtt.map_or(rtt, |m| m.min(rtt)));
                    }
                    if self.xmit.is_none_or(|x| rec.at >= x) {
                        self.xmit = Some(rec.at);
                        self.rtt = rtt.max(srtt_floor / 8);
                    }
                }
                continue;
            }
            if let Some(slot) = self.recs.get_mut(w) {
                *slot = Record {
                    start: rec.start.max(una),
                    ..rec
                };
            }
            w += 1;
        }
        self.len = w;
    }

    /// The reordering window (RFC 8985 section 6.2 step 4): a quarter of the
    /// minimum RTT.
    fn reo_wnd(&self) -> Duration {
        self.min_rtt.unwrap_or_default() / 4
    }

    /// Marks lost what was sent more than the reordering window before a delivered
    /// segment, or whose time is up (RFC 8985 section 6.2 step 5). Returns what
    /// was lost, and when to look again for what may still be.
    pub(crate) fn detect(
        &mut self,
        now: Duration,
        sacked: &Scoreboard,
    ) -> (Lost, Option<Duration>) {
        let mut lost = Lost::default();
        let Some(xmit) = self.xmit else {
            return (lost, None);
        };
        let reo = self.reo_wnd();
        let mut timer: Option<Duration> = None;
        let mut w = 0;
        for r in 0..self.len {
            let Some(rec) = self.recs.get(r).copied() else {
                break;
            };
            let whole = rec.end.distance(rec.start).max(0) as u32;
            if sacked.sacked_in(rec.start, rec.end) >= whole {
                if let Some(slot) = self.recs.get_mut(w) {
                    *slot = rec;
                }
                w += 1;
                continue;
            }
            //# RACK.segment is lost if Segment.xmit_ts + RACK.rtt + RACK.reo_wnd
            //# - now <= 0 [, for a segment sent before RACK.xmit_ts]
            let deadline = rec.at + self.rtt + reo;
            if rec.at < xmit && deadline <= now {
                if rec.retransmitted {
                    lost.retransmission =
                        Some(lost.retransmission.map_or(rec.start, |s| s.min(rec.start)));
                } else {
                    lost.edge = Some(lost.edge.map_or(rec.end, |e| e.max(rec.end)));
                }
                // Out of the log: a retransmission will log it again.
                continue;
            }
            if rec.at < xmit {
                timer = Some(timer.map_or(deadline, |t| t.min(deadline)));
            }
            if let Some(slot) = self.recs.get_mut(w) {
                *slot = rec;
            }
            w += 1;
        }
        self.len = w;
        (lost, timer)
    }

    /// The last range sent for the first time, for a tail loss probe that has no
    /// new data to send.
    pub(crate) fn last_sent(&self) -> Option<(SeqNumber, SeqNumber)> {
        self.live()
            .iter()
            .rev()
            .find(|r| !r.retransmitted)
            .map(|r| (r.start, r.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u32) -> SeqNumber {
        SeqNumber(n)
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_later_delivery_marks_earlier_sends_lost() {
        let mut log = SentLog::default();
        let sb = Scoreboard::default();
        log.on_send(s(0), s(100), ms(0), false);
        log.on_send(s(100), s(200), ms(0), false); // same instant: one record
        assert_eq!(log.len, 1);
        log.on_ack(ms(100), s(200), &sb, ms(0)); // min_rtt 100 ms
        log.on_send(s(200), s(300), ms(100), false);
        log.on_send(s(300), s(400), ms(110), false);
        log.on_send(s(400), s(500), ms(120), false);
        // 400..500 arrives (SACKed) at 220 ms; 200..300 sent 20 ms earlier is lost
        // once 220 >= 100 + RACK.rtt (100) + reo_wnd (25)? Not yet: timer.
        let mut sb = Scoreboard::default();
        sb.add(s(400), s(500), s(200), s(500));
        log.on_ack(ms(220), s(200), &sb, ms(0));
        let (lost, timer) = log.detect(ms(220), &sb);
        assert_eq!(lost, Lost::default());
        assert_eq!(timer, Some(ms(225)));
        let (lost, _) = log.detect(ms(235), &sb);
        assert_eq!(lost.edge, Some(s(400)));
    }

    #[test]
    fn lost_retransmission_is_found() {
        let mut log = SentLog::default();
        let mut sb = Scoreboard::default();
        log.on_send(s(0), s(100), ms(0), false);
        log.on_ack(ms(50), s(100), &sb, ms(0)); // min_rtt 50 ms
        log.on_send(s(100), s(200), ms(50), false);
        log.on_send(s(200), s(300), ms(60), false);
        log.on_send(s(100), s(200), ms(120), true); // retransmitted
        log.on_send(s(300), s(400), ms(130), false);
        sb.add(s(200), s(400), s(100), s(400));
        log.on_ack(ms(180), s(100), &sb, ms(0));
        let (lost, _) = log.detect(ms(300), &sb);
        assert_eq!(lost.retransmission, Some(s(100)));
    }

    #[test]
    fn full_log_merges_the_oldest() {
        let mut log = SentLog::default();
        for i in 0..40u32 {
            log.on_send(s(i * 10), s(i * 10 + 10), ms(u64::from(i)), false);
        }
        assert_eq!(log.len, MAX_RECORDS);
        assert_eq!(log.recs[0].start, s(0));
        assert_eq!(log.recs[0].end, s(90));
        assert_eq!(log.recs[0].at, ms(0));
        assert_eq!(log.last_sent(), Some((s(390), s(400))));
    }
}
