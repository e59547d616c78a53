//! Numbers and helpers shared by IPv4 and IPv6.

use super::macros::number_space;

number_space! {
    /// An IP protocol number (IPv4 `Protocol`, IPv6 `Next Header`), from the IANA
    /// "Assigned Internet Protocol Numbers" registry.
    pub struct IpProtocol(u8) {
        /// IPv6 Hop-by-Hop Options (RFC 8200).
        HOP_BY_HOP = 0 => "HOPOPT",
        /// ICMP for IPv4 (RFC 792).
        ICMP = 1 => "ICMP",
        /// IGMP (RFC 3376).
        IGMP = 2 => "IGMP",
        /// IPv4 encapsulation (RFC 2003).
        IPV4_IN_IP = 4 => "IPv4",
        /// TCP (RFC 9293).
        TCP = 6 => "TCP",
        /// UDP (RFC 768).
        UDP = 17 => "UDP",
        /// IPv6 encapsulation (RFC 2473).
        IPV6_IN_IP = 41 => "IPv6",
        /// IPv6 Routing header (RFC 8200).
        IPV6_ROUTING = 43 => "IPv6-Route",
        /// IPv6 Fragment header (RFC 8200).
        IPV6_FRAGMENT = 44 => "IPv6-Frag",
        /// Encapsulating Security Payload (RFC 4303).
        ESP = 50 => "ESP",
        /// Authentication Header (RFC 4302).
        AH = 51 => "AH",
        /// ICMP for IPv6 (RFC 4443).
        ICMPV6 = 58 => "ICMPv6",
        /// No next header (RFC 8200).
        IPV6_NO_NEXT_HEADER = 59 => "IPv6-NoNxt",
        /// IPv6 Destination Options (RFC 8200).
        IPV6_DEST_OPTS = 60 => "IPv6-Opts",
        /// SCTP (RFC 9260).
        SCTP = 132 => "SCTP",
        /// Mobility Header (RFC 6275).
        MOBILITY = 135 => "Mobility",
        /// Host Identity Protocol (RFC 7401).
        HIP = 139 => "HIP",
        /// Shim6 (RFC 5533).
        SHIM6 = 140 => "Shim6",
    }
}

impl IpProtocol {
    /// Whether this number names an IPv6 extension header that
    /// [`ipv6ext`](super::ipv6ext) walks (Hop-by-Hop, Routing, Fragment, Destination
    /// Options).
    pub const fn is_ipv6_extension(self) -> bool {
        matches!(self.0, 0 | 43 | 44 | 60)
    }
}
