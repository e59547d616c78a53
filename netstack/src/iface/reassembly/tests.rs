use super::*;
use core::net::{Ipv4Addr, Ipv6Addr};
use proptest::prelude::*;

const KEY: Key = Key {
    src: IpAddr::V6(Ipv6Addr::new(0xfd00, 0x99, 0, 0, 0, 0, 0, 1)),
    dst: IpAddr::V6(Ipv6Addr::new(0xfd00, 0x99, 0, 0, 0, 0, 0, 2)),
    protocol: 0,
    id: 0xdead_beef,
};

type R = Reassembler<2, 4096>;

fn s(secs: u64) -> Duration {
    Duration::from_secs(secs)
}

fn frag(offset: usize, more: bool, data: &[u8]) -> Fragment<'_> {
    Fragment {
        key: KEY,
        offset,
        more,
        data,
    }
}

fn data(len: usize) -> alloc::vec::Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

#[test]
fn in_order_and_duplicates() {
    let d = data(3000);
    let mut r = R::new(s(60));
    let mut out = [0u8; 4096];
    assert_eq!(
        r.handle(s(0), frag(0, true, &d[..1448]), &mut out),
        Ok(None)
    );
    // A retransmitted fragment is not an overlap.
    assert_eq!(
        r.handle(s(0), frag(0, true, &d[..1448]), &mut out),
        Ok(None)
    );
    assert_eq!(
        r.handle(s(1), frag(1448, true, &d[1448..2896]), &mut out),
        Ok(None)
    );
    assert_eq!(
        r.handle(s(2), frag(2896, false, &d[2896..]), &mut out),
        Ok(Some(3000))
    );
    assert_eq!(&out[..3000], &d[..]);
    assert!(r.is_empty());
}

/// RFC 5722: an overlap drops the datagram, and its later fragments too, until the
/// timer frees the slot.
#[test]
fn overlap_drops_the_datagram() {
    let d = data(64);
    let mut r = R::new(s(60));
    let mut out = [0u8; 4096];
    r.handle(s(0), frag(0, true, &d[..32]), &mut out).unwrap();
    assert_eq!(
        r.handle(s(0), frag(24, true, &d[24..40]), &mut out),
        Err(Error::Overlap)
    );
    assert_eq!(
        r.handle(s(1), frag(32, false, &d[32..]), &mut out),
        Err(Error::Dropped)
    );
    // The same blocks with other bytes are an overlap too, not a duplicate.
    let mut r = R::new(s(60));
    r.handle(s(0), frag(0, true, &d[..32]), &mut out).unwrap();
    assert_eq!(
        r.handle(s(0), frag(0, true, &[0; 32]), &mut out),
        Err(Error::Overlap)
    );
    assert_eq!(r.handle_timeout(s(59)), None);
    assert_eq!(
        r.handle_timeout(s(60)),
        Some(Expired {
            key: KEY,
            had_first: false
        })
    );
    // After expiry the same key starts afresh.
    r.handle(s(61), frag(0, true, &d[..32]), &mut out).unwrap();
    assert_eq!(
        r.handle(s(61), frag(32, false, &d[32..]), &mut out),
        Ok(Some(64))
    );
}

#[test]
fn errors() {
    let d = data(100);
    let mut r: Reassembler<1, 64> = Reassembler::new(s(30));
    let mut out = [0u8; 64];
    assert_eq!(
        r.handle(s(0), frag(0, true, &d[..12]), &mut out),
        Err(Error::Misaligned { offset: 0, len: 12 })
    );
    assert_eq!(
        r.handle(s(0), frag(4, false, &d[..8]), &mut out),
        Err(Error::Misaligned { offset: 4, len: 8 })
    );
    assert_eq!(
        r.handle(s(0), frag(56, false, &d[..16]), &mut out),
        Err(Error::TooLarge { end: 72, max: 64 })
    );
    // One slot: a second datagram does not fit.
    r.handle(s(0), frag(0, true, &d[..8]), &mut out).unwrap();
    let other = Fragment {
        key: Key { id: 1, ..KEY },
        offset: 0,
        more: true,
        data: &d[..8],
    };
    assert_eq!(
        r.handle(s(0), other, &mut out),
        Err(Error::Full { slots: 1 })
    );
    // Data past the last fragment's end is inconsistent (and drops the datagram).
    r.handle(s(0), frag(16, true, &d[..8]), &mut out).unwrap();
    assert_eq!(
        r.handle(s(0), frag(8, false, &d[..4]), &mut out),
        Err(Error::Inconsistent)
    );
    assert_eq!(
        r.handle(s(0), frag(8, true, &d[..8]), &mut out),
        Err(Error::Dropped)
    );
    // A short output buffer is an error that says the size.
    let mut r: Reassembler<1, 64> = Reassembler::new(s(30));
    assert_eq!(
        r.handle(s(0), frag(0, false, &d[..20]), &mut [0u8; 10]),
        Err(Error::BufferTooSmall {
            needed: 20,
            available: 10
        })
    );
}

/// RFC 792 / RFC 8200: an expired datagram reports whether its first fragment came, so
/// the caller knows whether to send Time Exceeded.
#[test]
fn timeouts() {
    let d = data(32);
    let mut r = R::new(s(30));
    let mut out = [0u8; 4096];
    r.handle(s(10), frag(0, true, &d[..16]), &mut out).unwrap();
    let v4 = Key {
        src: IpAddr::V4(Ipv4Addr::LOCALHOST),
        dst: IpAddr::V4(Ipv4Addr::LOCALHOST),
        protocol: 17,
        id: 7,
    };
    r.handle(
        s(12),
        Fragment {
            key: v4,
            offset: 16,
            more: false,
            data: &d[16..],
        },
        &mut out,
    )
    .unwrap();
    assert_eq!(r.poll_timeout(), Some(s(40)));
    assert_eq!(r.handle_timeout(s(39)), None);
    assert_eq!(
        r.handle_timeout(s(40)),
        Some(Expired {
            key: KEY,
            had_first: true
        })
    );
    assert_eq!(r.poll_timeout(), Some(s(42)));
    assert_eq!(
        r.handle_timeout(s(50)),
        Some(Expired {
            key: v4,
            had_first: false
        })
    );
    assert_eq!(r.handle_timeout(s(50)), None);
}

proptest! {
    /// Random data cut into 8-byte-aligned fragments, delivered in any order with
    /// duplicates: reassembled exactly, on the last missing piece and not before.
    #[test]
    fn any_order_reassembles(len in 1usize..3000, cuts in proptest::collection::vec(1usize..400, 1..12), order in proptest::collection::vec(any::<u16>(), 0..40)) {
        let d = data(len);
        let mut bounds = vec![0];
        for c in cuts {
            let next = (bounds.last().unwrap() + c * 8).min(len);
            if next == *bounds.last().unwrap() { break; }
            bounds.push(next);
        }
        if *bounds.last().unwrap() != len { bounds.push(len); }
        let frags: alloc::vec::Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
        let mut sequence: alloc::vec::Vec<usize> = (0..frags.len()).collect();
        for (i, o) in order.iter().enumerate() {
            let a = i % sequence.len();
            let b = usize::from(*o) % sequence.len();
            sequence.swap(a, b);
            if o % 5 == 0 {
                sequence.push(sequence[b]); // a duplicate
            }
        }
        let mut r = R::new(s(60));
        let mut out = [0u8; 4096];
        let mut done = false;
        let mut seen = std::collections::HashSet::new();
        for i in sequence {
            let (a, b) = frags[i];
            let got = r.handle(s(0), frag(a, b != len, &d[a..b]), &mut out);
            seen.insert(i);
            if done {
                // After completion, a late duplicate starts a new datagram, complete
                // only if it is the whole datagram.
                let whole = if frags.len() == 1 { Some(len) } else { None };
                prop_assert_eq!(got, Ok(whole));
                break;
            }
            if seen.len() == frags.len() {
                prop_assert_eq!(got, Ok(Some(len)));
                prop_assert_eq!(&out[..len], &d[..]);
                done = true;
            } else {
                prop_assert_eq!(got, Ok(None));
            }
        }
        prop_assert!(done);
    }

    /// Arbitrary fragments never panic, and a completed datagram is exactly as long as
    /// the last fragment said.
    #[test]
    fn arbitrary_fragments_never_panic(frags in proptest::collection::vec((0usize..600, any::<bool>(), 0usize..80, any::<u8>()), 0..30)) {
        let mut r: Reassembler<2, 512> = Reassembler::new(s(5));
        let mut out = [0u8; 512];
        for (i, (offset, more, len, id)) in frags.into_iter().enumerate() {
            let key = Key { id: u32::from(id % 3), ..KEY };
            let bytes = [0xabu8; 80];
            if let Ok(Some(n)) = r.handle(s(i as u64), Fragment { key, offset, more, data: &bytes[..len] }, &mut out) {
                prop_assert!(n <= 512 && !more && n == offset + len);
            }
            while r.handle_timeout(s(i as u64)).is_some() {}
            prop_assert!(r.len() <= 2);
        }
    }
}
