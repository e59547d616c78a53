//! Congestion control, chosen per socket: NewReno (RFC 5681, RFC 6582) or CUBIC
//! (RFC 9438). Both share slow start; they differ in congestion avoidance and in
//! how far the window falls on a loss.
//!
//! Loss *detection* and the choice of what to retransmit (RFC 6675 with SACK, or
//! NewReno's partial acknowledgments without it) live in the socket; this module only
//! owns `cwnd` and `ssthresh`.

use core::time::Duration;

/// A congestion control algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Algorithm {
    /// NewReno: additive increase of one segment per round trip, halving on loss
    /// (RFC 5681, RFC 6582).
    NewReno,
    /// CUBIC: window growth as a cubic function of the time since the last loss,
    /// falling to 0.7 of the window on loss, never slower than Reno (RFC 9438). The
    /// default, as in Linux.
    #[default]
    Cubic,
}

/// CUBIC's multiplicative decrease factor (RFC 9438 section 4.6).
const BETA: f64 = 0.7;
/// CUBIC's scaling constant, in segments per second cubed (RFC 9438 section 5).
const C: f64 = 0.4;

/// The window state of one connection, in bytes.
#[derive(Debug, Clone)]
pub(crate) struct Congestion {
    algorithm: Algorithm,
    cwnd: u32,
    ssthresh: u32,
    mss: u32,
    /// Bytes acknowledged in congestion avoidance since `cwnd` last grew (byte
    /// counting, RFC 5681 section 3.1).
    acked: u32,
    cubic: Cubic,
}

#[derive(Debug, Clone, Default)]
struct Cubic {
    /// The window, in segments, just before the last reduction (W_max).
    w_max: f64,
    /// The window before the last reduction (cwnd_prior), in segments.
    prior: f64,
    /// When the current congestion avoidance epoch began.
    epoch: Option<Duration>,
    /// The window at the start of the epoch, in segments.
    origin: f64,
    /// Seconds from the start of the epoch until the window is back at `w_max` (K).
    k: f64,
    /// The Reno-friendly estimate (W_est), in segments.
    w_est: f64,
}

impl Congestion {
    /// Starts with an initial window of `initial_segments` segments of `mss` bytes.
    pub(crate) fn new(algorithm: Algorithm, mss: u16, initial_segments: u32) -> Self {
        let mss = u32::from(mss.max(1));
        Congestion {
            algorithm,
            cwnd: initial_window(mss, initial_segments),
            //= https://www.rfc-editor.org/rfc/rfc5681#section-3.1
            //# The initial value of ssthresh SHOULD be set arbitrarily high (e.g.,
            //# to the size of the largest possible advertised window)
            ssthresh: u32::MAX,
            mss,
            acked: 0,
            cubic: Cubic::default(),
        }
    }

    pub(crate) fn cwnd(&self) -> u32 {
        self.cwnd
    }

    #[cfg(test)]
    pub(crate) fn ssthresh(&self) -> u32 {
        self.ssthresh
    }

    /// The sender's MSS changed (path MTU): the window keeps its size in segments.
    pub(crate) fn set_mss(&mut self, mss: u16) {
        let new = u32::from(mss.max(1));
        if new != self.mss {
            self.cwnd = (u64::from(self.cwnd) * u64::from(new) / u64::from(self.mss))
                .clamp(u64::from(new), u64::from(u32::MAX)) as u32;
            self.mss = new;
        }
    }

    fn segments(&self, bytes: u32) -> f64 {
        f64::from(bytes) / f64::from(self.mss)
    }

    /// `acked` bytes were newly acknowledged outside loss recovery.
    pub(crate) fn on_ack(&mut self, now: Duration, acked: u32, srtt: Option<Duration>) {
        if acked == 0 {
            return;
        }
        if self.cwnd < self.ssthresh {
            //= https://www.rfc-editor.org/rfc/rfc5681#section-3.1
            //# During slow start, a TCP increments cwnd by at most SMSS bytes for
            //# each ACK received that cumulatively acknowledges new data.
            //# cwnd += min (N, SMSS)
            //= https://www.rfc-editor.org/rfc/rfc3465#section-2.2
            //# The limit, L, chosen for the cwnd increase during slow start,
            //# controls the aggressiveness of the algorithm. [...] a TCP SHOULD
            //# use L=2*SMSS bytes [...] when acknowledging every other segment
            // Appropriate Byte Counting with L = 2*SMSS, so that a receiver that
            // acknowledges every second segment still doubles the window per RTT.
            self.cwnd = self.cwnd.saturating_add(acked.min(2 * self.mss));
            return;
        }
        match self.algorithm {
            Algorithm::NewReno => self.reno_avoidance(acked),
            Algorithm::Cubic => self.cubic_avoidance(now, acked, srtt),
        }
    }

    fn reno_avoidance(&mut self, acked: u32) {
        //= https://www.rfc-editor.org/rfc/rfc5681#section-3.1
        //# Another common formula that a TCP MAY use to update cwnd during
        //# congestion avoidance is given in equation (3): cwnd += SMSS*SMSS/cwnd
        //# [...] the cwnd could be increased by SMSS bytes [...] when the number
        //# of bytes acknowledged reaches cwnd
        self.acked = self.acked.saturating_add(acked);
        if self.acked >= self.cwnd {
            self.acked -= self.cwnd;
            self.cwnd = self.cwnd.saturating_add(self.mss);
        }
    }

    fn cubic_avoidance(&mut self, now: Duration, acked: u32, srtt: Option<Duration>) {
        let cwnd = self.segments(self.cwnd);
        let c = &mut self.cubic;
        let epoch = match c.epoch {
            Some(e) => e,
            None => {
                //= https://www.rfc-editor.org/rfc/rfc9438#section-4.2
                //# K = cubic_root((W_max - cwnd_epoch) / C)
                c.epoch = Some(now);
                c.origin = cwnd;
                c.w_est = cwnd;
                c.k = if c.w_max > cwnd {
                    cbrt((c.w_max - cwnd) / C)
                } else {
                    c.w_max = cwnd;
                    0.0
                };
                now
            }
        };
        let rtt = srtt.unwrap_or(Duration::from_millis(100)).as_secs_f64();
        let t = now.saturating_sub(epoch).as_secs_f64();
        let w_cubic = |t: f64| C * cube(t - c.k) + c.w_max;
        let segs_acked = f64::from(acked) / f64::from(self.mss);
        //= https://www.rfc-editor.org/rfc/rfc9438#section-4.3
        //# W_est = W_est + alpha_cubic * segments_acked / cwnd
        //# [...] Once W_est has grown to reach the cwnd at the time of most
        //# recently setting ssthresh -- that is, W_est >= cwnd_prior -- the sender
        //# SHOULD set alpha_cubic to 1
        let alpha = if c.w_est >= c.prior {
            1.0
        } else {
            3.0 * (1.0 - BETA) / (1.0 + BETA)
        };
        c.w_est += alpha * segs_acked / cwnd.max(1.0);
        let next = if w_cubic(t) < c.w_est {
            //# When receiving a new ACK in congestion avoidance (where cwnd could be
            //# greater than or less than W_max), CUBIC checks whether W_cubic(t) is
            //# less than W_est. If so, CUBIC is in the Reno-friendly region and
            //# cwnd SHOULD be set to W_est at each reception of a new ACK.
            c.w_est
        } else {
            //= https://www.rfc-editor.org/rfc/rfc9438#section-4.4
            //# cwnd SHOULD be incremented by (target - cwnd) / cwnd for each
            //# received new ACK
            let target = w_cubic(t + rtt).clamp(cwnd, 1.5 * cwnd);
            cwnd + (target - cwnd) / cwnd.max(1.0) * segs_acked
        };
        let bytes = next * f64::from(self.mss);
        if bytes > f64::from(self.cwnd) {
            self.cwnd = if bytes >= f64::from(u32::MAX) {
                u32::MAX
            } else {
                bytes as u32
            };
        }
    }

    /// A loss was detected with `flight` bytes outstanding (entering fast recovery).
    pub(crate) fn on_congestion(&mut self, flight: u32) {
        self.acked = 0;
        match self.algorithm {
            Algorithm::NewReno => {
                //= https://www.rfc-editor.org/rfc/rfc5681#section-3.2
                //# ssthresh = max (FlightSize / 2, 2*SMSS)            (4)
                self.ssthresh = (flight / 2).max(2 * self.mss);
            }
            Algorithm::Cubic => {
                let cwnd = self.segments(self.cwnd);
                let c = &mut self.cubic;
                //= https://www.rfc-editor.org/rfc/rfc9438#section-4.7
                //# With fast convergence, when a congestion event occurs, W_max is
                //# updated as follows, before the window reduction described in
                //# Section 4.6. if cwnd < W_max and fast convergence enabled,
                //# further reduce W_max: W_max = cwnd * (1 + beta_cubic) / 2
                c.w_max = if cwnd < c.w_max {
                    cwnd * (1.0 + BETA) / 2.0
                } else {
                    cwnd
                };
                c.prior = cwnd;
                c.epoch = None;
                //= https://www.rfc-editor.org/rfc/rfc9438#section-4.6
                //# ssthresh = flight_size * beta_cubic
                //# ssthresh = max(ssthresh, 2) // threshold is at least 2 MSS
                let s = (f64::from(flight) * BETA) as u32;
                self.ssthresh = s.max(2 * self.mss);
            }
        }
        self.cwnd = self.ssthresh;
    }

    /// The retransmission timer expired with `flight` bytes outstanding.
    pub(crate) fn on_timeout(&mut self, flight: u32, first: bool) {
        if first {
            //= https://www.rfc-editor.org/rfc/rfc5681#section-3.1
            //# When a TCP sender detects segment loss using the retransmission
            //# timer and the given segment has not yet been resent by way of the
            //# retransmission timer, the value of ssthresh MUST be set to no more
            //# than the value given in equation (4)
            self.on_congestion(flight);
        }
        //# Furthermore, upon a timeout (as specified in [RFC2988]) cwnd MUST be set
        //# to no more than the loss window, LW, which equals 1 full-sized segment
        self.cwnd = self.mss;
        self.acked = 0;
    }

    /// Fast recovery ended: the window is `ssthresh` (RFC 6582 section 3.2 step 3,
    /// RFC 6675 section 5).
    pub(crate) fn on_recovery_end(&mut self) {
        self.cwnd = self.ssthresh.max(self.mss);
        self.acked = 0;
    }
}

/// RFC 6928's initial window of `segments` segments (Linux uses 10), never below RFC
/// 5681's.
fn initial_window(mss: u32, segments: u32) -> u32 {
    //= https://www.rfc-editor.org/rfc/rfc6928#section-2
    //# min (10*MSS, max (2*MSS, 14600))
    let rfc5681 = if mss > 2190 {
        2 * mss
    } else if mss > 1095 {
        3 * mss
    } else {
        4 * mss
    };
    let wanted = segments.saturating_mul(mss);
    wanted.min((2 * mss).max(14600)).max(rfc5681)
}

fn cube(x: f64) -> f64 {
    x * x * x
}

/// The real cube root of `x >= 0`, by Newton's method (`core` has no `cbrt`).
fn cbrt(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return 0.0;
    }
    let mut y = if x > 1.0 { x / 3.0 + 1.0 } else { 1.0 };
    for _ in 0..200 {
        let next = (2.0 * y + x / (y * y)) / 3.0;
        let diff = if next > y { next - y } else { y - next };
        y = next;
        if diff <= y * 1e-12 {
            break;
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn cube_root() {
        for x in [1e-9, 0.001, 1.0, 2.0, 27.0, 1000.0, 3.375e9] {
            let y = cbrt(x);
            assert!((y * y * y - x).abs() <= x * 1e-9, "{x}: {y}");
        }
        assert_eq!(cbrt(0.0), 0.0);
        assert_eq!(cbrt(-5.0), 0.0);
        assert_eq!(cbrt(f64::NAN), 0.0);
    }

    #[test]
    fn initial_windows() {
        assert_eq!(initial_window(1460, 10), 14600);
        assert_eq!(initial_window(536, 10), 5360);
        assert_eq!(initial_window(8960, 10), 17920); // max(2*MSS, 14600)
        assert_eq!(initial_window(1460, 1), 4380); // never below RFC 5681's IW
    }

    #[test]
    fn reno_slow_start_avoidance_and_loss() {
        let mut c = Congestion::new(Algorithm::NewReno, 1000, 10);
        c.on_ack(ms(0), 3000, None); // slow start: at most 2 SMSS per ACK
        assert_eq!(c.cwnd(), 12_000);
        c.on_congestion(11_000);
        assert_eq!((c.cwnd(), c.ssthresh()), (5500, 5500));
        // Congestion avoidance: one MSS per cwnd of acknowledged bytes.
        for _ in 0..5 {
            c.on_ack(ms(0), 1000, None);
        }
        assert_eq!(c.cwnd(), 5500);
        c.on_ack(ms(0), 1000, None);
        assert_eq!(c.cwnd(), 6500);
        c.on_timeout(6500, true);
        assert_eq!((c.cwnd(), c.ssthresh()), (1000, 3250));
        c.on_congestion(1000);
        assert_eq!(c.ssthresh(), 2000); // never below 2 SMSS
    }

    /// Runs congestion avoidance for `secs` seconds of 100 ms round trips, a
    /// 1000-byte segment acknowledged per ACK, and returns the window in segments
    /// at each whole second.
    fn avoid(c: &mut Congestion, secs: u64) -> alloc::vec::Vec<f64> {
        let mut out = alloc::vec::Vec::new();
        for rtt in 0..secs * 10 {
            let now = ms(rtt * 100);
            for _ in 0..c.cwnd() / 1000 {
                c.on_ack(now, 1000, Some(ms(100)));
            }
            if rtt % 10 == 9 {
                out.push(f64::from(c.cwnd()) / 1000.0);
            }
        }
        out
    }

    #[test]
    fn cubic_follows_w_cubic() {
        let mut c = Congestion::new(Algorithm::Cubic, 1000, 10);
        c.ssthresh = 0; // straight into congestion avoidance
        c.cwnd = 100_000;
        c.on_congestion(100_000);
        assert_eq!(c.cwnd(), 70_000);
        let w = avoid(&mut c, 7);
        // K = cbrt((100 - 70) / 0.4) = 4.217 s.
        assert!((c.cubic.k - 4.2172).abs() < 1e-3, "{}", c.cubic.k);
        // After t seconds (the last ACK of the second at t - 0.1 s, aiming at
        // W_cubic(t - 0.1 + RTT)), the window is the larger of W_cubic(t) =
        // 0.4 (t - K)^3 + 100 and the Reno-friendly W_est, which grows 0.53 segments
        // per RTT up to cwnd_prior = 100 and one per RTT after.
        let alpha = 3.0 * 0.3 / 1.7;
        for (i, got) in w.iter().enumerate() {
            let t = (i + 1) as f64;
            let w_cubic = 0.4 * (t - 4.2172f64).powi(3) + 100.0;
            let to_prior = 30.0 / (alpha * 10.0);
            let w_est = if t < to_prior {
                70.0 + alpha * 10.0 * t
            } else {
                100.0 + 10.0 * (t - to_prior)
            };
            let want = w_cubic.max(w_est);
            assert!((got - want).abs() < want * 0.03, "t={t}: {got} vs {want}");
        }
    }

    #[test]
    fn cubic_is_never_slower_than_reno_at_small_windows() {
        // At a 10-segment window and 100 ms RTT CUBIC is in its Reno-friendly region:
        // W_est grows by alpha_cubic = 0.53 segments per RTT.
        let mut c = Congestion::new(Algorithm::Cubic, 1000, 10);
        c.ssthresh = 0;
        c.cwnd = 10_000;
        c.on_congestion(10_000);
        assert_eq!(c.cwnd(), 7000);
        let mut now = ms(0);
        for _ in 0..10 {
            for _ in 0..c.cwnd() / 1000 {
                c.on_ack(now, 1000, Some(ms(100)));
            }
            now += ms(100);
        }
        let w = f64::from(c.cwnd()) / 1000.0;
        // W_est: 0.53 segments per RTT from 7 up to cwnd_prior = 10 (about 5.7
        // RTTs), then one per RTT (RFC 9438 section 4.3): about 13.4. W_cubic(1.1 s)
        // would be only 9.75 (K = 1.96 s).
        assert!((13.0..14.0).contains(&w), "{w}");
    }
}
