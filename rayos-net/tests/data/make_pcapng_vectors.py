"""Writes the pcapng test vectors of rayos_net::pcap, block by block, from the layout in
draft-ietf-opsawg-pcapng (no pcapng library involved).

Run from this directory: python3 make_pcapng_vectors.py
Check them with an independent reader: tcpdump -r FILE -n -tt --time-stamp-precision=nano

The packets are two frames of linux-veth.pcap (made by the Linux kernel): its first
ARP request (42 bytes) and its first ICMP echo request (98 bytes).

Files:
- le.pcapng: one little-endian section: IDB 0 (Ethernet, no snaplen, if_tsresol 10^-9),
  EPB on interface 0, an Interface Statistics Block and a block of an unknown type (both
  to be skipped), a Simple Packet Block, IDB 1 (Ethernet, no snaplen (libpcap wants one for all), if_tsresol 2^-10,
  if_tsoffset 1000000000 s), an EPB on interface 1 holding 64 of 98 bytes.
- be.pcapng: the same blocks, big-endian.
- two-sections.pcapng: le.pcapng followed by be.pcapng (the byte order changes at the
  second Section Header Block, and the interface numbering starts again).
"""

import struct

FIXTURE = open("linux-veth.pcap", "rb").read()


def frames():
    """The frames of the classic fixture, in order."""
    at = 24
    while at < len(FIXTURE):
        _, _, caplen, _ = struct.unpack("<IIII", FIXTURE[at:at + 16])
        yield FIXTURE[at + 16:at + 16 + caplen]
        at += 16 + caplen


# EtherType ARP, operation request; EtherType IPv4, protocol ICMP, type echo request.
ARP = next(f for f in frames() if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x01")
ICMP = next(f for f in frames() if f[12:14] == b"\x08\x00" and f[23] == 1 and f[34] == 8)
assert len(ARP) == 42 and len(ICMP) == 98


def pad4(data):
    return data + b"\0" * (-len(data) % 4)


def block(e, kind, body):
    total = 12 + len(body)
    assert total % 4 == 0
    return struct.pack(e + "II", kind, total) + body + struct.pack(e + "I", total)


def option(e, code, value):
    return struct.pack(e + "HH", code, len(value)) + pad4(value)


def end_of_options(e):
    return struct.pack(e + "HH", 0, 0)


def section(e):
    shb = block(e, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb0 = block(e, 1, struct.pack(e + "HHI", 1, 0, 0) + option(e, 9, b"\x09") + end_of_options(e))
    # 2024-11-24 05:43:41.373527252 UTC in nanoseconds.
    ts0 = 1732427021_373527252
    epb0 = block(e, 6, struct.pack(e + "IIIII", 0, ts0 >> 32, ts0 & 0xFFFFFFFF, 42, 42) + pad4(ARP))
    isb = block(e, 5, struct.pack(e + "III", 0, ts0 >> 32, ts0 & 0xFFFFFFFF))
    unknown = block(e, 0x00000BAD, b"skip")
    spb = block(e, 3, struct.pack(e + "I", 42) + pad4(ARP))
    idb1 = block(
        e,
        1,
        struct.pack(e + "HHI", 1, 0, 0)
        + option(e, 9, b"\x8a")
        + option(e, 14, struct.pack(e + "q", 1_000_000_000))
        + end_of_options(e),
    )
    # 732427021.5 s in units of 2^-10 s; with if_tsoffset the same 2024 day.
    ts1 = (732427021 << 10) | 512
    epb1 = block(e, 6, struct.pack(e + "IIIII", 1, ts1 >> 32, ts1 & 0xFFFFFFFF, 64, 98) + pad4(ICMP[:64]))
    return shb + idb0 + epb0 + isb + unknown + spb + idb1 + epb1


le = section("<")
be = section(">")
open("le.pcapng", "wb").write(le)
open("be.pcapng", "wb").write(be)
open("two-sections.pcapng", "wb").write(le + be)
