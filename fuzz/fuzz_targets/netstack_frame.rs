//! Whole Ethernet frames through the dissector, `Frame::dissect`, with every checksum
//! verified (the default capabilities) and with every checksum offloaded.
//!
//! Whatever dissects must print (`Display`) without panicking, say its own length
//! (`buffer_len() == data.len()`), refuse a buffer one byte short with an error, emit
//! into `buffer_len()` bytes with `Ok(data.len())`, and dissect again to an equal
//! `Frame`. With checksums verified, the emitted bytes must be the input itself: layers
//! that parsed are rebuilt from their representations (checksums computed afresh),
//! layers that did not are copied. The only exceptions are the fields the wire modules
//! document as not kept (see `drops_a_field`).
//!
//! The input is the frame, Ethernet header first, without FCS.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use netstack::wire::ChecksumCapabilities;
use netstack::wire::dissect::{Frame, Network, Transport};
use netstack::wire::igmp;
use netstack::wire::ipv6;
use netstack::wire::ipv6ext::{ExtHeaderRepr, ExtHeaders, Step};

fuzz_target!(|data: &[u8]| {
    let verified = ChecksumCapabilities::default();
    let offloaded = ChecksumCapabilities::offloaded();
    for caps in [verified, offloaded] {
        let Ok(frame) = Frame::dissect(data, &caps) else {
            continue;
        };
        let _ = frame.to_string();
        let _ = frame.error();
        assert_eq!(frame.buffer_len(), data.len(), "{frame:?}");

        let mut out = vec![0u8; frame.buffer_len()];
        if let Some(short) = out.len().checked_sub(1) {
            assert!(frame.emit(&mut out[..short], &caps).is_err());
        }
        let written = frame
            .emit(&mut out, &caps)
            .unwrap_or_else(|e| panic!("a dissected frame does not emit: {e}\n{frame:?}"));
        assert_eq!(written, data.len());

        // Offloaded checksums are emitted as zero, verified ones are recomputed, and
        // documented lossy fields are zeroed: none of that shows in the `Frame`.
        let mut again = Frame::dissect(&out, &caps).expect("an emitted frame dissects");
        if caps == offloaded {
            // Offload writes every checksum as zero, which for UDP over IPv4 reads
            // back as "no checksum" (RFC 768): the device would fill it in.
            udp_checksummed_as(&mut again, &frame);
        }
        assert!(
            same(&again, &frame),
            "re-dissected frame differs\n{again:?}\n{frame:?}"
        );

        if caps == verified && !drops_a_field(&frame, data) {
            assert!(
                common::same_but_negative_zero(data, &out),
                "frame re-emits differently (error: {:?})\n in: {data:02x?}\nout: {out:02x?}\n{frame:?}",
                frame.error()
            );
        }
    }
});

/// Whether two frames are equal, extension headers compared by what they hold: a
/// `Frame` keeps them as raw bytes, reserved fields included (see `drops_a_field`).
fn same(a: &Frame<'_>, b: &Frame<'_>) -> bool {
    match (&a.network, &b.network) {
        (
            Network::Ipv6 {
                header: h,
                extensions: e,
                transport: t,
            },
            Network::Ipv6 {
                header: h2,
                extensions: e2,
                transport: t2,
            },
        ) => {
            (a.ethernet, a.padding, h, t, e.len()) == (b.ethernet, b.padding, h2, t2, e2.len())
                && ExtHeaders::new(h.next_header, e).eq(ExtHeaders::new(h2.next_header, e2))
        }
        _ => a == b,
    }
}

/// Whether the frame holds a field that the wire layer documents as not kept, with a
/// value that re-emission cannot reproduce:
///
/// - TCP (netstack/src/wire/tcp/mod.rs, `Repr::ack_number`): without the ACK flag the
///   acknowledgment number is not kept and is emitted as zero.
/// - IGMP (module docs of netstack/src/wire/igmp.rs): reserved and unused fields are
///   written as zero (Max Resp Time of reports and Leave Group, the Resv bits of a
///   version 3 query, the two reserved fields of a version 3 report).
/// - IPv6 extension headers (netstack/src/wire/ipv6ext/fragment.rs and auth.rs): the
///   reserved fields of the Fragment header and the RESERVED field of the
///   Authentication Header are written as zero.
///
/// The checksums that cover such a field change with it, so the whole frame is then
/// exempt from the byte-for-byte comparison (not from emitting and re-dissecting).
fn drops_a_field(frame: &Frame<'_>, data: &[u8]) -> bool {
    let at = frame.ethernet.header_len();
    let (transport, upper) = match &frame.network {
        Network::Ipv4 { header, transport } => (transport, at + header.header_len()),
        Network::Ipv6 {
            header,
            extensions,
            transport,
        } => {
            if ext_drops_reserved(header, extensions) {
                return true;
            }
            (transport, at + ipv6::HEADER_LEN + extensions.len())
        }
        Network::Arp(_) | Network::Other(_) | Network::Malformed { .. } => return false,
    };
    let msg = &data[upper..];
    match transport {
        Transport::Tcp { repr, .. } => repr.ack_number.is_none() && msg[8..12] != [0; 4],
        Transport::Igmp(repr) => igmp_drops_reserved(repr, msg),
        _ => false,
    }
}

fn igmp_drops_reserved(repr: &igmp::Repr<'_>, msg: &[u8]) -> bool {
    match repr {
        igmp::Repr::MembershipQuery { .. } => false,
        igmp::Repr::MembershipReportV1 { .. }
        | igmp::Repr::MembershipReportV2 { .. }
        | igmp::Repr::LeaveGroup { .. } => msg[1] != 0,
        igmp::Repr::MembershipQueryV3 { .. } => msg[8] & 0xf0 != 0,
        igmp::Repr::MembershipReportV3 { .. } => msg[1] != 0 || msg[4..6] != [0, 0],
    }
}

fn ext_drops_reserved(header: &ipv6::Repr, extensions: &[u8]) -> bool {
    ExtHeaders::new(header.next_header, extensions).any(|step| match step {
        Ok(Step::Header(h)) => {
            let own = &extensions[h.offset..h.offset + h.len];
            match h.repr {
                ExtHeaderRepr::Fragment(_) => own[1] != 0 || own[3] & 0x06 != 0,
                ExtHeaderRepr::Auth(_) => own[2..4] != [0, 0],
                _ => false,
            }
        }
        _ => false,
    })
}

/// Sets `frame`'s UDP `checksummed` flag to `like`'s, if both carry UDP.
fn udp_checksummed_as(frame: &mut Frame<'_>, like: &Frame<'_>) {
    let flag = |f: &Frame<'_>| match &f.network {
        Network::Ipv4 {
            transport: Transport::Udp { checksummed, .. },
            ..
        }
        | Network::Ipv6 {
            transport: Transport::Udp { checksummed, .. },
            ..
        } => Some(*checksummed),
        _ => None,
    };
    let Some(want) = flag(like) else { return };
    if let Network::Ipv4 {
        transport: Transport::Udp { checksummed, .. },
        ..
    }
    | Network::Ipv6 {
        transport: Transport::Udp { checksummed, .. },
        ..
    } = &mut frame.network
    {
        *checksummed = want;
    }
}
