//! The retransmission timer (RFC 6298): a smoothed round-trip time, its variation,
//! and the timeout they give, with exponential backoff.

use core::time::Duration;

/// The clock granularity G of RFC 6298 section 2: our timestamps tick in milliseconds.
const GRANULARITY: Duration = Duration::from_millis(1);

/// RFC 6298's estimator.
#[derive(Debug, Clone)]
pub(crate) struct RttEstimator {
    srtt: Option<Duration>,
    rttvar: Duration,
    /// The timeout before backoff.
    rto: Duration,
    /// How many times the timer expired since the last new acknowledgment.
    backoff: u32,
    min: Duration,
    max: Duration,
}

impl RttEstimator {
    pub(crate) fn new(initial: Duration, min: Duration, max: Duration) -> Self {
        //= https://www.rfc-editor.org/rfc/rfc6298#section-2
        //# (2.1) Until a round-trip time (RTT) measurement has been made for a
        //# segment sent between the sender and receiver, the sender SHOULD set
        //# RTO <- 1 second
        RttEstimator {
            srtt: None,
            rttvar: Duration::ZERO,
            rto: initial.clamp(min, max),
            backoff: 0,
            min,
            max,
        }
    }

    /// The smoothed round-trip time, once measured.
    pub(crate) fn srtt(&self) -> Option<Duration> {
        self.srtt
    }

    /// The round-trip time variation.
    #[cfg(test)]
    pub(crate) fn rttvar(&self) -> Duration {
        self.rttvar
    }

    /// Takes a measurement `r`.
    pub(crate) fn sample(&mut self, r: Duration) {
        match self.srtt {
            //# (2.2) When the first RTT measurement R is made, the host MUST set
            //# SRTT <- R, RTTVAR <- R/2, RTO <- SRTT + max (G, K*RTTVAR) where K = 4.
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            //# (2.3) When a subsequent RTT measurement R' is made, a host MUST set
            //# RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|
            //# SRTT <- (1 - alpha) * SRTT + alpha * R'
            //# [...] using alpha=1/8 and beta=1/4
            Some(srtt) => {
                let delta = srtt.abs_diff(r);
                self.rttvar = self.rttvar * 3 / 4 + delta / 4;
                self.srtt = Some(srtt * 7 / 8 + r / 8);
            }
        }
        let srtt = self.srtt.unwrap_or(r);
        //# (2.4) Whenever RTO is computed, if it is less than 1 second, then the RTO
        //# SHOULD be rounded up to 1 second.
        // As Linux does, the floor (`Config::min_rto`, 200 ms) bounds the variance
        // term instead: RTO = SRTT + max(K*RTTVAR, min_rto). A one-second floor
        // costs loss recovery dearly on short paths, and a floor on the whole RTO
        // fires spuriously when the path's RTT is steady (RTTVAR near zero) and a
        // delayed or lost ACK stretches one round trip.
        //# (2.5) A maximum value MAY be placed on RTO provided it is at least 60
        //# seconds.
        let var = GRANULARITY.max(self.rttvar * 4).max(self.min);
        self.rto = (srtt + var).min(self.max);
    }

    /// The current timeout, backoff included.
    pub(crate) fn rto(&self) -> Duration {
        let factor = 1u32.checked_shl(self.backoff.min(16)).unwrap_or(u32::MAX);
        self.rto.saturating_mul(factor).min(self.max)
    }

    /// The timer expired.
    pub(crate) fn back_off(&mut self) {
        //= https://www.rfc-editor.org/rfc/rfc6298#section-5
        //# (5.5) The host MUST set RTO <- RTO * 2 ("back off the timer").
        self.backoff = self.backoff.saturating_add(1);
    }

    /// New data was acknowledged: the backoff ends.
    pub(crate) fn reset_backoff(&mut self) {
        self.backoff = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn rfc6298_first_and_later_samples() {
        let mut r = RttEstimator::new(ms(1000), ms(200), ms(120_000));
        assert_eq!(r.rto(), ms(1000));
        r.sample(ms(100));
        // SRTT 100, RTTVAR 50, RTO 100 + 4 * 50.
        assert_eq!(
            (r.srtt(), r.rttvar(), r.rto()),
            (Some(ms(100)), ms(50), ms(300))
        );
        r.sample(ms(200));
        // RTTVAR = 3/4 * 50 + 1/4 * 100 = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5.
        assert_eq!(r.rttvar(), Duration::from_micros(62_500));
        assert_eq!(r.srtt(), Some(Duration::from_micros(112_500)));
        assert_eq!(r.rto(), Duration::from_micros(362_500));
    }

    #[test]
    fn floor_ceiling_and_backoff() {
        let mut r = RttEstimator::new(ms(1000), ms(200), ms(60_000));
        r.sample(ms(1));
        // 1 ms + max(4 * 0.5 ms, 200 ms).
        assert_eq!(r.rto(), ms(201));
        r.back_off();
        r.back_off();
        assert_eq!(r.rto(), ms(804));
        for _ in 0..40 {
            r.back_off();
        }
        assert_eq!(r.rto(), ms(60_000));
        r.reset_backoff();
        assert_eq!(r.rto(), ms(201));
    }
}
