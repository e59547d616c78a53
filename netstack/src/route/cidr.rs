//! IPv4 and IPv6 prefixes (`addr/len`).

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::str::FromStr;

/// Why a prefix could not be built or parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CidrError {
    /// The prefix length is longer than the address (`max` is 32 or 128).
    #[error("prefix length {len} longer than {max}")]
    PrefixTooLong {
        /// The length given.
        len: u8,
        /// The address length in bits.
        max: u8,
    },
    /// The text has no `/`.
    #[error("no '/' before the prefix length")]
    MissingLength,
    /// The text before `/` is not an address of the right family.
    #[error("invalid address")]
    InvalidAddress,
    /// The text after `/` is not a decimal number of at most three digits.
    #[error("invalid prefix length")]
    InvalidLength,
}

/// Parses the decimal prefix length after `/`: one to three ASCII digits.
fn parse_len(s: &str) -> Result<u8, CidrError> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CidrError::InvalidLength);
    }
    let n = s.bytes().fold(0u16, |n, b| n * 10 + u16::from(b - b'0'));
    u8::try_from(n).map_err(|_| CidrError::InvalidLength)
}

/// Splits `addr/len`.
fn split(s: &str) -> Result<(&str, u8), CidrError> {
    let (a, l) = s.split_once('/').ok_or(CidrError::MissingLength)?;
    Ok((a, parse_len(l)?))
}

/// Defines a prefix type of one family; IPv4 and IPv6 differ only in address type,
/// integer width and text form.
macro_rules! cidr_type {
    ($(#[$doc:meta])* $name:ident, $addr:ty, $bits:ty, $max:literal, $text:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name {
            addr: $addr,
            len: u8,
        }

        impl $name {
            /// A prefix of `len` bits of `addr`; the host bits of `addr` are cleared.
            pub const fn new(addr: $addr, len: u8) -> Result<Self, CidrError> {
                if len > $max {
                    return Err(CidrError::PrefixTooLong { len, max: $max });
                }
                let bits = addr.to_bits() & Self::mask(len);
                Ok(Self { addr: <$addr>::from_bits(bits), len })
            }

            /// The netmask of a `len`-bit prefix as an integer (`len` at most the
            /// address length).
            const fn mask(len: u8) -> $bits {
                if len == 0 { 0 } else { <$bits>::MAX << ($max - len as u32) }
            }

            /// The network address (host bits zero).
            pub const fn address(&self) -> $addr {
                self.addr
            }

            /// The prefix length in bits.
            pub const fn prefix_len(&self) -> u8 {
                self.len
            }

            /// Whether `addr` is inside this prefix.
            pub const fn contains(&self, addr: $addr) -> bool {
                addr.to_bits() & Self::mask(self.len) == self.addr.to_bits()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}/{}", self.addr, self.len)
            }
        }

        impl FromStr for $name {
            type Err = CidrError;
            #[doc = $text]
            fn from_str(s: &str) -> Result<Self, CidrError> {
                let (a, len) = split(s)?;
                let addr = a.parse().map_err(|_| CidrError::InvalidAddress)?;
                Self::new(addr, len)
            }
        }
    };
}

cidr_type!(
    /// An IPv4 prefix: a network address with its host bits zero, and a length of 0 to 32.
    Ipv4Cidr, Ipv4Addr, u32, 32, "Parses `a.b.c.d/n`; host bits are cleared as in `new`."
);
cidr_type!(
    /// An IPv6 prefix: a network address with its host bits zero, and a length of 0 to
    /// 128.
    Ipv6Cidr, Ipv6Addr, u128, 128, "Parses `addr/n` with `addr` in RFC 4291 text form; host bits are cleared."
);

/// A prefix of either family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IpCidr {
    /// An IPv4 prefix.
    V4(Ipv4Cidr),
    /// An IPv6 prefix.
    V6(Ipv6Cidr),
}

impl IpCidr {
    /// A prefix of `len` bits of `addr`; the host bits are cleared.
    pub const fn new(addr: IpAddr, len: u8) -> Result<Self, CidrError> {
        match addr {
            IpAddr::V4(a) => match Ipv4Cidr::new(a, len) {
                Ok(c) => Ok(Self::V4(c)),
                Err(e) => Err(e),
            },
            IpAddr::V6(a) => match Ipv6Cidr::new(a, len) {
                Ok(c) => Ok(Self::V6(c)),
                Err(e) => Err(e),
            },
        }
    }

    /// The network address.
    pub const fn address(&self) -> IpAddr {
        match self {
            Self::V4(c) => IpAddr::V4(c.addr),
            Self::V6(c) => IpAddr::V6(c.addr),
        }
    }

    /// The prefix length in bits.
    pub const fn prefix_len(&self) -> u8 {
        match self {
            Self::V4(c) => c.len,
            Self::V6(c) => c.len,
        }
    }

    /// Whether `addr` is inside this prefix (always false across families).
    pub const fn contains(&self, addr: IpAddr) -> bool {
        match (self, addr) {
            (Self::V4(c), IpAddr::V4(a)) => c.contains(a),
            (Self::V6(c), IpAddr::V6(a)) => c.contains(a),
            _ => false,
        }
    }
}

impl From<Ipv4Cidr> for IpCidr {
    fn from(c: Ipv4Cidr) -> Self {
        Self::V4(c)
    }
}

impl From<Ipv6Cidr> for IpCidr {
    fn from(c: Ipv6Cidr) -> Self {
        Self::V6(c)
    }
}

impl fmt::Display for IpCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::V4(c) => c.fmt(f),
            Self::V6(c) => c.fmt(f),
        }
    }
}

impl FromStr for IpCidr {
    type Err = CidrError;
    /// Parses an IPv4 or IPv6 `addr/n`; host bits are cleared.
    fn from_str(s: &str) -> Result<Self, CidrError> {
        let (a, len) = split(s)?;
        let addr = a.parse().map_err(|_| CidrError::InvalidAddress)?;
        Self::new(addr, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    extern crate alloc;
    use alloc::string::ToString;

    #[test]
    fn parse_and_display() {
        let c: Ipv4Cidr = "10.1.2.3/8".parse().unwrap();
        assert_eq!(c.address(), Ipv4Addr::new(10, 0, 0, 0));
        assert_eq!(c.prefix_len(), 8);
        assert_eq!(c.to_string(), "10.0.0.0/8");
        assert_eq!(
            "0.0.0.0/0".parse::<Ipv4Cidr>().unwrap().to_string(),
            "0.0.0.0/0"
        );
        assert_eq!(
            "192.0.2.255/32".parse::<Ipv4Cidr>().unwrap().to_string(),
            "192.0.2.255/32"
        );
        let c: Ipv6Cidr = "2001:db8:ffff::1/33".parse().unwrap();
        assert_eq!(c.to_string(), "2001:db8:8000::/33");
        let c: IpCidr = "2001:db8::/32".parse().unwrap();
        assert_eq!(c.prefix_len(), 32);
        assert!(matches!(c, IpCidr::V6(_)));
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            "10.0.0.0".parse::<Ipv4Cidr>(),
            Err(CidrError::MissingLength)
        );
        assert_eq!(
            "10.0.0/8".parse::<Ipv4Cidr>(),
            Err(CidrError::InvalidAddress)
        );
        assert_eq!("::/8".parse::<Ipv4Cidr>(), Err(CidrError::InvalidAddress));
        assert_eq!(
            "10.0.0.0/".parse::<Ipv4Cidr>(),
            Err(CidrError::InvalidLength)
        );
        assert_eq!(
            "10.0.0.0/+8".parse::<Ipv4Cidr>(),
            Err(CidrError::InvalidLength)
        );
        assert_eq!(
            "10.0.0.0/0008".parse::<Ipv4Cidr>(),
            Err(CidrError::InvalidLength)
        );
        assert_eq!(
            "10.0.0.0/256".parse::<Ipv4Cidr>(),
            Err(CidrError::InvalidLength)
        );
        assert_eq!(
            "10.0.0.0/33".parse::<Ipv4Cidr>(),
            Err(CidrError::PrefixTooLong { len: 33, max: 32 })
        );
        assert_eq!(
            "::/129".parse::<Ipv6Cidr>(),
            Err(CidrError::PrefixTooLong { len: 129, max: 128 })
        );
    }

    #[test]
    fn contains() {
        let c: Ipv4Cidr = "192.0.2.0/25".parse().unwrap();
        assert!(c.contains(Ipv4Addr::new(192, 0, 2, 127)));
        assert!(!c.contains(Ipv4Addr::new(192, 0, 2, 128)));
        let all: IpCidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(IpAddr::V4(Ipv4Addr::new(1, 2, 3, 4))));
        assert!(!all.contains(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    }

    proptest! {
        #[test]
        fn v4_display_parse_round_trip(bits: u32, len in 0u8..=32) {
            let c = Ipv4Cidr::new(Ipv4Addr::from_bits(bits), len).unwrap();
            prop_assert_eq!(c.to_string().parse::<Ipv4Cidr>(), Ok(c));
            prop_assert!(c.contains(Ipv4Addr::from_bits(bits)));
        }

        #[test]
        fn v6_display_parse_round_trip(bits: u128, len in 0u8..=128) {
            let c = Ipv6Cidr::new(Ipv6Addr::from_bits(bits), len).unwrap();
            prop_assert_eq!(c.to_string().parse::<IpCidr>(), Ok(IpCidr::V6(c)));
            prop_assert!(c.contains(Ipv6Addr::from_bits(bits)));
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".{0,50}") {
            let _ = s.parse::<IpCidr>();
        }
    }
}
