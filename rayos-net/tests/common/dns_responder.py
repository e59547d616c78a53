"""A minimal authoritative DNS responder over UDP, for `dig` to query.

Usage: dns_responder.py PORT SECONDS

Listens on [::]:PORT (IPv4 too). Answers a standard query for an A record with one
A record, 10.99.0.53, TTL 60, the name given as a compression pointer to the question
(RFC 1035 section 4.1.4); any other query type with an empty NOERROR answer. The EDNS
OPT record of the query is not echoed. Prints "ready" once bound, exits after SECONDS.
"""

import socket
import struct
import sys
import time

ANSWER_ADDRESS = bytes([10, 99, 0, 53])


def respond(query):
    if len(query) < 12:
        return None
    ident, flags, qdcount = struct.unpack("!HHH", query[:6])
    if flags & 0x8000 or qdcount != 1:
        return None
    # Walk the question name: labels up to the root label.
    at = 12
    while at < len(query) and query[at] != 0:
        at += 1 + query[at]
    end = at + 1 + 4
    if end > len(query):
        return None
    qtype, qclass = struct.unpack("!HH", query[at + 1:end])
    answer = b""
    if qtype == 1 and qclass == 1:
        answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + ANSWER_ADDRESS
    # QR=1, opcode copied, AA=1, RD copied, RA=0, RCODE=0.
    rflags = 0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100)
    header = struct.pack("!HHHHHH", ident, rflags, 1, 1 if answer else 0, 0, 0)
    return header + query[12:end] + answer


def main():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", port))
    print("ready", flush=True)
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        sock.settimeout(min(left, 0.5))
        try:
            query, peer = sock.recvfrom(4096)
        except socket.timeout:
            continue
        reply = respond(query)
        if reply is not None:
            sock.sendto(reply, peer)


if __name__ == "__main__":
    main()
