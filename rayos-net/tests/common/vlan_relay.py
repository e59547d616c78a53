"""An 802.1Q VLAN subinterface in user space, for kernels built without 8021q.

Usage: vlan_relay.py PARENT TAP VID SECONDS

Creates the TAP interface TAP and joins it to the Ethernet interface PARENT as VLAN
VID, the way the kernel's 8021q driver joins a `PARENT.VID` interface: every frame the
kernel sends on TAP leaves PARENT with an 802.1Q tag (TPID 0x8100, PCP 0, DEI 0, VID)
inserted after the source address; every frame that arrives on PARENT tagged with VID
is delivered to TAP without its tag. Frames of other VLANs and untagged frames are
left to PARENT. The frames themselves are the kernel's, built by its stack on TAP.

Prints "ready" once both ends are open, exits after SECONDS (or on SIGTERM/SIGINT).
"""

import fcntl
import os
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
TPID_8021Q = 0x8100


def deliver(send):
    """Sends a frame; drops it, as a link does, when the interface cannot take it (a
    TAP that is not up yet answers EIO, a parent that is down ENETDOWN)."""
    try:
        send()
    except OSError:
        pass


def main():
    parent, tap_name, vid, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF, struct.pack("16sH", tap_name.encode(), IFF_TAP | IFF_NO_PI))
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    raw.bind((parent, 0))
    # The kernel moves a received tag out of the frame into metadata (skb_vlan_untag
    # runs even without 8021q); PACKET_AUXDATA hands it back.
    raw.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    print("ready", flush=True)
    tag = struct.pack("!HH", TPID_8021Q, vid & 0x0FFF)
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        readable, _, _ = select.select([tap, raw], [], [], min(left, 0.5))
        if tap in readable:
            frame = os.read(tap, 65536)
            if len(frame) >= 14:
                deliver(lambda: raw.send(frame[:12] + tag + frame[12:]))
        if raw in readable:
            frame, ancdata, _, addr = raw.recvmsg(65536, socket.CMSG_SPACE(20))
            if addr[2] == PACKET_OUTGOING:
                continue
            tci = None
            for level, kind, data in ancdata:
                if level == SOL_PACKET and kind == PACKET_AUXDATA and len(data) >= 20:
                    status, _, _, _, _, vlan_tci, vlan_tpid = struct.unpack("=IIIHHHH", data[:20])
                    if status & TP_STATUS_VLAN_VALID and (
                        not status & TP_STATUS_VLAN_TPID_VALID or vlan_tpid == TPID_8021Q
                    ):
                        tci = vlan_tci
            if tci is None and len(frame) >= 18 and frame[12:14] == tag[:2]:
                # The tag is still in the frame.
                tci = struct.unpack("!H", frame[14:16])[0]
                frame = frame[:12] + frame[16:]
            if tci is not None and tci & 0x0FFF == vid:
                deliver(lambda: os.write(tap, frame))


if __name__ == "__main__":
    main()
