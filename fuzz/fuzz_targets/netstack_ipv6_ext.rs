//! The IPv6 extension header chain walker, `ipv6ext::ExtHeaders`, over arbitrary bytes.
//!
//! The first input byte is the Next Header of the (absent) fixed header, the rest is the
//! payload that follows it. The walk must end, within `MAX_EXT_HEADERS + 1` steps, with
//! an `End` or an error and then yield nothing more; it must never panic. Headers must
//! follow one another without gaps, and the end must lie within the bytes.
//!
//! Every `Step::Header` is emitted again with `ExtHeaderRepr::emit` and must give its
//! own bytes back, except the reserved fields the Fragment header and the Authentication
//! Header do not keep (module docs of netstack/src/wire/ipv6ext/fragment.rs and
//! auth.rs), which must come out as zero; the emitted header must parse to the same
//! representation. The typed readers (options, Segment Routing Header) must not panic
//! on what the walk accepted, and the options must cover their area exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netstack::wire::ip::IpProtocol;
use netstack::wire::ipv6ext::{ExtHeader, ExtHeaderRepr, ExtHeaders, MAX_EXT_HEADERS, Step};

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let mut walk = ExtHeaders::new(IpProtocol(first), bytes);
    let mut steps = 0;
    let mut next_offset = 0;
    let mut finished = false;
    for step in walk.by_ref() {
        steps += 1;
        assert!(steps <= MAX_EXT_HEADERS + 1, "walk did not end");
        assert!(!finished, "a step after the end or an error");
        match step {
            Ok(Step::Header(h)) => {
                assert_eq!(h.offset, next_offset, "gap or overlap in the chain");
                check_header(&h, &bytes[h.offset..h.offset + h.len]);
                next_offset = h.offset + h.len;
            }
            Ok(Step::End(end)) => {
                assert_eq!(end.offset, next_offset);
                assert!(end.offset <= bytes.len());
                finished = true;
            }
            Err(e) => {
                let _ = e.to_string();
                finished = true;
            }
        }
    }
    assert!(walk.next().is_none(), "the walk is fused");
    assert!(walk.end().is_err(), "a finished walk has no fresh end");
});

fn check_header(h: &ExtHeader<'_>, own: &[u8]) {
    let repr = h.repr;
    assert_eq!(repr.header_len(), h.len);
    assert_eq!(repr.buffer_len(), h.len);
    let _ = (repr.header_type(), repr.next_header(), repr.layer());

    let mut out = vec![0u8; h.len];
    assert!(repr.emit(&mut out[..h.len - 1]).is_err());
    repr.emit(&mut out)
        .unwrap_or_else(|e| panic!("a walked header does not emit: {e}\n{repr:?}"));

    // What each header keeps: all of its bytes, but for reserved fields.
    let mut expected = own.to_vec();
    match repr {
        ExtHeaderRepr::Fragment(_) => {
            // Reserved (byte 1) and Res (two bits of byte 3), RFC 8200 section 4.5.
            expected[1] = 0;
            expected[3] &= !0x06;
        }
        ExtHeaderRepr::Auth(_) => {
            // RESERVED (bytes 2 and 3), RFC 4302 section 2.
            expected[2] = 0;
            expected[3] = 0;
        }
        _ => {}
    }
    assert!(
        out == expected,
        "header re-emits differently\n in: {own:02x?}\nout: {out:02x?}\n{repr:?}"
    );
    let (again, len) =
        ExtHeaderRepr::parse(repr.header_type(), &out).expect("an emitted header parses");
    assert_eq!((again, len), (repr, h.len));

    match repr {
        ExtHeaderRepr::HopByHop(o) | ExtHeaderRepr::DestOpts(o) => {
            // A validated area is covered by its options exactly.
            let mut at = 2;
            for (offset, opt) in o.options() {
                assert_eq!(offset, at, "options do not follow one another");
                let _ = (
                    opt.option_type().action(),
                    opt.alignment(),
                    opt.is_padding(),
                );
                at += opt.buffer_len();
            }
            assert_eq!(at, o.header_len(), "options do not fill their header");
            let _ = o.router_alert();
            let _ = o.unrecognized(|_| false);
        }
        ExtHeaderRepr::Routing(r) => {
            let _ = (r.is_deprecated(), r.must_discard_if_unrecognized());
            if let Some(Ok(srh)) = r.segment_routing() {
                let _ = (srh.segment_list().count(), srh.next_segment());
                let _ = srh.segment(usize::from(srh.last_entry));
                // Type 4 keeps every byte of the header: it re-emits exactly.
                let mut srh_out = vec![0u8; srh.buffer_len()];
                srh.emit(r.next_header, &mut srh_out)
                    .expect("a parsed Segment Routing Header emits");
                assert_eq!(srh_out, own, "Segment Routing Header re-emits differently");
            }
        }
        ExtHeaderRepr::Fragment(f) => {
            let _ = (f.byte_offset(), f.is_first(), f.is_atomic());
        }
        ExtHeaderRepr::Auth(_) | ExtHeaderRepr::Other { .. } => {}
    }
}
