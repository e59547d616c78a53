//! Ethernet II headers with up to two VLAN tags: `ethernet::Frame::new_checked`, then
//! `ethernet::Repr::parse`.
//!
//! No accessor may panic on a checked view. The parsed header must emit into
//! `header_len()` bytes (and refuse one byte less), give the header bytes back exactly
//! (so each VLAN tag's TCI survives its split into PCP, DEI and VID) and parse again to
//! the same `Repr`.
//!
//! The input is the frame, destination address first, without FCS.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netstack::wire::ethernet::{Frame, MAX_VLAN_TAGS, Repr};

fuzz_target!(|data: &[u8]| {
    let Ok(frame) = Frame::new_checked(data) else {
        return;
    };
    // No accessor may panic after `new_checked`.
    let _ = (frame.dst_addr(), frame.src_addr(), frame.ethertype());
    let _ = (frame.header_len(), frame.payload());
    let tags = frame.vlan_count();
    assert!(tags <= MAX_VLAN_TAGS);
    for i in 0..=MAX_VLAN_TAGS {
        let tag = frame.vlan_tag(i);
        assert_eq!(tag.is_some(), i < tags);
        if let Some(tag) = tag {
            assert!(tag.tpid.is_vlan_tpid());
            assert!(tag.pcp <= 7 && tag.vid <= 0x0fff);
        }
    }
    let repr = Repr::parse(&frame).expect("a checked frame parses");
    let _ = repr.to_string();
    let len = repr.header_len();
    assert_eq!(len, frame.header_len());
    assert_eq!(repr.buffer_len(), len);
    assert!(!repr.ethertype.is_vlan_tpid());
    assert!(repr.emit(&mut vec![0u8; len - 1]).is_err());
    let mut buf = vec![0u8; len];
    repr.emit(&mut buf)
        .unwrap_or_else(|e| panic!("a parsed header does not emit: {e}\n{repr:?}"));
    assert_eq!(buf, data[..len], "header re-emits differently");
    let again = Frame::new_checked(&buf[..]).expect("an emitted header is well-formed");
    assert_eq!(Repr::parse(&again), Ok(repr));
    assert!(again.payload().is_empty());
});
