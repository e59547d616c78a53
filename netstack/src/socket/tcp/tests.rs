//! Single segments in and out, against the RFC text.

use super::*;
use crate::wire::ChecksumCapabilities;
use crate::wire::tcp::Packet;
use alloc::vec::Vec;
use core::net::{IpAddr, Ipv4Addr};

const US: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 40000);
const PEER: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), 80);
const ISS: SeqNumber = SeqNumber(1000);
const IRS: SeqNumber = SeqNumber(5000);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn socket(config: Config) -> Socket<Vec<u8>> {
    Socket::new(
        alloc::vec![0; 256 * 1024],
        alloc::vec![0; 16 * 1024],
        config,
    )
}

/// The next segment the socket sends, as bytes.
fn sent(s: &mut Socket<Vec<u8>>, now: Duration) -> Option<Vec<u8>> {
    let mut buf = alloc::vec![0u8; 1600];
    let t = s
        .poll_transmit(now, &mut buf, &ChecksumCapabilities::default())
        .unwrap()?;
    assert_eq!((t.local, t.remote), (US, PEER));
    buf.truncate(t.len);
    Some(buf)
}

fn parse(bytes: &[u8]) -> tcp::Repr<'_> {
    let p = Packet::new_checked(bytes).unwrap();
    tcp::Repr::parse(&p, &US.ip(), &PEER.ip(), &ChecksumCapabilities::default()).unwrap()
}

/// A segment from the peer.
fn from_peer(
    s: &mut Socket<Vec<u8>>,
    now: Duration,
    seq: SeqNumber,
    ack: Option<SeqNumber>,
    flags: Flags,
    options: &[u8],
    payload: &[u8],
) -> Outcome {
    let flags = if ack.is_some() {
        flags | Flags::ACK
    } else {
        flags
    };
    let repr = tcp::Repr {
        src_port: PEER.port(),
        dst_port: US.port(),
        seq_number: seq,
        ack_number: ack,
        flags,
        window_len: 65535,
        urgent_pointer: 0,
        options,
        payload_len: payload.len(),
    };
    s.handle_segment(now, &repr, payload)
}

/// A socket in ESTABLISHED with timestamps off, after an exchange with the peer.
fn established() -> Socket<Vec<u8>> {
    let c = Config {
        timestamps: false,
        ..Config::default()
    };
    let mut s = socket(c);
    s.connect(ms(0), US, PEER, ISS, 0).unwrap();
    sent(&mut s, ms(0)).unwrap();
    // SYN-ACK with MSS 1460, no other option.
    let opts = [2, 4, 0x05, 0xb4];
    from_peer(&mut s, ms(10), IRS, Some(ISS + 1), Flags::SYN, &opts, &[]);
    assert_eq!(s.state(), State::Established);
    let ack = sent(&mut s, ms(10)).unwrap();
    assert_eq!(parse(&ack).ack_number, Some(IRS + 1));
    s
}

#[test]
fn syn_carries_mss_sack_timestamps_and_window_scale() {
    let mut s = socket(Config::default());
    s.connect(ms(1234), US, PEER, ISS, 7).unwrap();
    assert_eq!(s.state(), State::SynSent);
    let syn = sent(&mut s, ms(1234)).unwrap();
    let r = parse(&syn);
    assert_eq!(r.flags, Flags::SYN);
    assert_eq!(r.seq_number, ISS);
    assert_eq!(r.ack_number, None);
    // Linux's layout: MSS, SACK Permitted, Timestamps, NOP, Window Scale. A 256 KiB
    // receive buffer needs shift 3 (RFC 7323 section 2.3); TSval is 1234 ms + 7.
    assert_eq!(
        r.options,
        [
            2, 4, 0x05, 0xb4, // MSS 1460
            4, 2, // SACK Permitted
            8, 10, 0, 0, 0x04, 0xd9, 0, 0, 0, 0, // TSval 1241, TSecr 0
            1, // NOP
            3, 3, 3 // Window Scale 3
        ]
    );
    // The window of a SYN is never scaled (RFC 7323 section 2.2).
    assert_eq!(r.window_len, 65535);
    assert_eq!(sent(&mut s, ms(1234)), None);
}

#[test]
fn handshake_negotiates_what_both_sent() {
    let mut s = socket(Config::default());
    s.connect(ms(0), US, PEER, ISS, 0).unwrap();
    sent(&mut s, ms(0)).unwrap();
    // SYN-ACK: MSS 1400, SACK Permitted, Timestamps (TSval 99, echoing ours),
    // Window Scale 7.
    let opts = [
        2, 4, 0x05, 0x78, 4, 2, 8, 10, 0, 0, 0, 99, 0, 0, 0, 0, 1, 3, 3, 7,
    ];
    assert_eq!(
        from_peer(&mut s, ms(20), IRS, Some(ISS + 1), Flags::SYN, &opts, &[]),
        Outcome::Accepted
    );
    assert_eq!(s.state(), State::Established);
    assert_eq!(s.poll_event(), Some(Event::Connected));
    assert_eq!(s.mss(), 1400);
    assert!(s.sack_enabled() && s.timestamps_enabled());
    assert_eq!(s.window_scales(), Some((3, 7)));
    assert_eq!(s.srtt(), Some(ms(20)));
    let ack = sent(&mut s, ms(20)).unwrap();
    let r = parse(&ack);
    assert_eq!((r.seq_number, r.ack_number), (ISS + 1, Some(IRS + 1)));
    assert_eq!(r.flags, Flags::ACK);
    // 256 KiB >> 3 = 32768.
    assert_eq!(r.window_len, 32768);
    assert_eq!(r.timestamps(), Some((20, 99)));
}

#[test]
fn unacceptable_ack_in_syn_sent_is_reset() {
    let mut s = socket(Config::default());
    s.connect(ms(0), US, PEER, ISS, 0).unwrap();
    sent(&mut s, ms(0)).unwrap();
    //= https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.3
    //# If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset [...]
    //# <SEQ=SEG.ACK><CTL=RST>
    let bad = SeqNumber(77_777);
    assert_eq!(
        from_peer(&mut s, ms(5), IRS, Some(bad), Flags::SYN, &[], &[]),
        Outcome::Discarded
    );
    let rst = sent(&mut s, ms(5)).unwrap();
    let r = parse(&rst);
    assert_eq!(
        (r.flags, r.seq_number, r.ack_number),
        (Flags::RST, bad, None)
    );
    assert_eq!(s.state(), State::SynSent);
    // A RST with an acceptable ACK refuses the connection.
    from_peer(
        &mut s,
        ms(6),
        SeqNumber(0),
        Some(ISS + 1),
        Flags::RST,
        &[],
        &[],
    );
    assert_eq!(s.state(), State::Closed);
    assert_eq!(s.poll_event(), Some(Event::Closed(CloseReason::Refused)));
}

#[test]
fn rst_outside_exact_sequence_gets_a_challenge_ack() {
    let mut s = established();
    //= https://www.rfc-editor.org/rfc/rfc5961#section-3.2
    //# If the RST bit is set and the sequence number does not exactly match the
    //# next expected sequence value, yet is within the current receive window,
    //# TCP MUST send an acknowledgment (challenge ACK)
    assert_eq!(
        from_peer(&mut s, ms(20), IRS + 100, None, Flags::RST, &[], &[]),
        Outcome::Discarded
    );
    assert_eq!(s.state(), State::Established);
    let ack = sent(&mut s, ms(20)).unwrap();
    let r = parse(&ack);
    assert_eq!((r.flags, r.ack_number), (Flags::ACK, Some(IRS + 1)));
    // Outside the window: silently dropped.
    from_peer(&mut s, ms(21), IRS + 10_000_000, None, Flags::RST, &[], &[]);
    assert_eq!(sent(&mut s, ms(21)), None);
    // Exactly RCV.NXT: reset.
    from_peer(&mut s, ms(22), IRS + 1, None, Flags::RST, &[], &[]);
    assert_eq!(s.state(), State::Closed);
    assert_eq!(s.poll_event(), Some(Event::Connected));
    assert_eq!(s.poll_event(), Some(Event::Closed(CloseReason::Reset)));
}

#[test]
fn syn_in_established_gets_rate_limited_challenge_acks() {
    let mut s = established();
    //= https://www.rfc-editor.org/rfc/rfc5961#section-4.2
    //# If the SYN bit is set, irrespective of the sequence number, TCP MUST send
    //# an ACK (also referred to as challenge ACK) to the remote peer
    let mut acks = 0;
    for i in 0..25 {
        from_peer(
            &mut s,
            ms(100 + i),
            SeqNumber(9),
            None,
            Flags::SYN,
            &[],
            &[],
        );
        while let Some(a) = sent(&mut s, ms(100 + i)) {
            assert_eq!(parse(&a).ack_number, Some(IRS + 1));
            acks += 1;
        }
    }
    assert_eq!(s.state(), State::Established);
    assert_eq!(acks, 10, "Config::challenge_ack_limit per second");
    assert_eq!(s.stats().challenge_acks, 10);
}

#[test]
fn ack_of_unsent_data_is_answered_and_dropped() {
    let mut s = established();
    s.send(b"hello").unwrap();
    let data = sent(&mut s, ms(30)).unwrap();
    assert_eq!(parse(&data).payload_len, 5);
    //= https://www.rfc-editor.org/rfc/rfc9293#section-3.10.7.4
    //# If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send an
    //# ACK, drop the segment, and return.
    assert_eq!(
        from_peer(
            &mut s,
            ms(40),
            IRS + 1,
            Some(ISS + 100),
            Flags::empty(),
            &[],
            b"x"
        ),
        Outcome::Discarded
    );
    assert_eq!(s.recv_queue(), 0, "its data was not taken");
    assert!(sent(&mut s, ms(40)).is_some());
    // The right ACK frees the send buffer.
    from_peer(
        &mut s,
        ms(41),
        IRS + 1,
        Some(ISS + 6),
        Flags::empty(),
        &[],
        &[],
    );
    assert_eq!(s.send_queue(), 0);
}

#[test]
fn close_both_ways_and_time_wait() {
    let mut s = established();
    s.close();
    assert_eq!(s.state(), State::FinWait1);
    let fin = sent(&mut s, ms(50)).unwrap();
    let r = parse(&fin);
    assert_eq!((r.flags, r.seq_number), (Flags::FIN | Flags::ACK, ISS + 1));
    // The peer acknowledges our FIN, then sends its own.
    from_peer(
        &mut s,
        ms(60),
        IRS + 1,
        Some(ISS + 2),
        Flags::empty(),
        &[],
        &[],
    );
    assert_eq!(s.state(), State::FinWait2);
    from_peer(&mut s, ms(70), IRS + 1, Some(ISS + 2), Flags::FIN, &[], &[]);
    assert_eq!(s.state(), State::TimeWait);
    let ack = sent(&mut s, ms(70)).unwrap();
    assert_eq!(parse(&ack).ack_number, Some(IRS + 2));
    let mut buf = [0u8; 8];
    assert_eq!(s.recv(&mut buf), Err(RecvError::Finished));
    // A retransmitted FIN is acknowledged again and restarts the 2 MSL.
    from_peer(
        &mut s,
        ms(1000),
        IRS + 1,
        Some(ISS + 2),
        Flags::FIN,
        &[],
        &[],
    );
    assert!(sent(&mut s, ms(1000)).is_some());
    assert_eq!(s.poll_timeout(), Some(ms(1000) + s.config().msl * 2));
    s.handle_timeout(ms(1000) + s.config().msl * 2);
    assert_eq!(s.state(), State::Closed);
    let events: Vec<_> = core::iter::from_fn(|| s.poll_event()).collect();
    assert_eq!(
        events,
        [
            Event::Connected,
            Event::PeerClosed,
            Event::Closed(CloseReason::Normal)
        ]
    );
}

#[test]
fn retransmission_timer_backs_off_and_gives_up() {
    let c = Config {
        syn_retries: 2,
        ..Config::default()
    };
    let mut s = socket(c);
    s.connect(ms(0), US, PEER, ISS, 0).unwrap();
    sent(&mut s, ms(0)).unwrap();
    // RFC 6298 (2.1): 1 s before any RTT measurement, then doubling.
    assert_eq!(s.poll_timeout(), Some(ms(1000)));
    s.handle_timeout(ms(1000));
    assert_eq!(parse(&sent(&mut s, ms(1000)).unwrap()).flags, Flags::SYN);
    assert_eq!(s.poll_timeout(), Some(ms(3000)));
    s.handle_timeout(ms(3000));
    assert!(sent(&mut s, ms(3000)).is_some());
    assert_eq!(s.poll_timeout(), Some(ms(7000)));
    s.handle_timeout(ms(7000));
    assert_eq!(s.state(), State::Closed);
    assert_eq!(s.poll_event(), Some(Event::Closed(CloseReason::TimedOut)));
}

#[test]
fn zero_window_is_probed() {
    let mut s = established();
    // The peer closes its window.
    let zero = tcp::Repr {
        src_port: PEER.port(),
        dst_port: US.port(),
        seq_number: IRS + 1,
        ack_number: Some(ISS + 1),
        flags: Flags::ACK,
        window_len: 0,
        urgent_pointer: 0,
        options: &[],
        payload_len: 0,
    };
    s.handle_segment(ms(100), &zero, &[]);
    s.send(b"queued").unwrap();
    assert_eq!(sent(&mut s, ms(100)), None, "nothing fits a zero window");
    let t = s.poll_timeout().expect("the persist timer");
    s.handle_timeout(t);
    let probe = sent(&mut s, t).unwrap();
    let r = parse(&probe);
    //= https://www.rfc-editor.org/rfc/rfc9293#section-3.8.6.1
    //# The sending TCP must regularly transmit at least one octet of new data (if
    //# available)
    assert_eq!((r.seq_number, r.payload_len), (ISS + 1, 1));
}

#[test]
fn reset_for_a_segment_without_a_connection() {
    let syn = tcp::Repr {
        src_port: 1234,
        dst_port: 80,
        seq_number: SeqNumber(100),
        ack_number: None,
        flags: Flags::SYN,
        window_len: 1000,
        urgent_pointer: 0,
        options: &[],
        payload_len: 0,
    };
    let rst = reset_for(&syn).unwrap();
    assert_eq!((rst.src_port, rst.dst_port), (80, 1234));
    assert_eq!(rst.flags, Flags::RST | Flags::ACK);
    assert_eq!(
        (rst.seq_number, rst.ack_number),
        (SeqNumber(0), Some(SeqNumber(101)))
    );
    let ack = tcp::Repr {
        ack_number: Some(SeqNumber(555)),
        flags: Flags::ACK,
        payload_len: 10,
        ..syn
    };
    let rst = reset_for(&ack).unwrap();
    assert_eq!(
        (rst.flags, rst.seq_number, rst.ack_number),
        (Flags::RST, SeqNumber(555), None)
    );
    let r = tcp::Repr {
        flags: Flags::RST,
        ..syn
    };
    assert_eq!(reset_for(&r), None, "never answer a RST");
}
