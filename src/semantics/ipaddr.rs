//! `ipv4_address` / `ipv6_address` values: an address with an optional prefix (CIDR `/n`, or a
//! dotted netmask for IPv4), compared as networks.

use std::cmp::Ordering;
use std::net::{Ipv4Addr, Ipv6Addr};

/// An address and its prefix length, as 128 bits so both families share the arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    bits: u128,
    prefix: u32,
    width: u32,
}

impl IpNet {
    pub fn parse_v4(text: &str) -> Option<IpNet> {
        let (addr, prefix) = split_prefix(text.trim());
        let addr: Ipv4Addr = addr.parse().ok()?;
        let prefix = match prefix {
            None => 32,
            Some(p) if p.contains('.') => netmask_prefix(p.parse::<Ipv4Addr>().ok()?)?,
            Some(p) => p.parse::<u32>().ok().filter(|p| *p <= 32)?,
        };
        Some(IpNet { bits: u32::from(addr) as u128, prefix, width: 32 })
    }

    pub fn parse_v6(text: &str) -> Option<IpNet> {
        let (addr, prefix) = split_prefix(text.trim());
        let addr: Ipv6Addr = addr.parse().ok()?;
        let prefix = match prefix {
            None => 128,
            Some(p) => p.parse::<u32>().ok().filter(|p| *p <= 128)?,
        };
        Some(IpNet { bits: u128::from(addr), prefix, width: 128 })
    }

    fn mask(&self, prefix: u32) -> u128 {
        if prefix == 0 {
            0
        } else {
            let all = if self.width == 128 { u128::MAX } else { (1u128 << self.width) - 1 };
            all & !((1u128 << (self.width - prefix)) - 1)
        }
    }

    fn network(&self) -> u128 {
        self.bits & self.mask(self.prefix)
    }

    /// Same address and same prefix (host bits included, as OpenSCAP compares them).
    pub fn same(&self, other: &IpNet) -> bool {
        self.prefix == other.prefix && self.bits == other.bits
    }

    /// Order of the network addresses; `None` when the prefixes differ (not comparable).
    pub fn order(&self, other: &IpNet) -> Option<Ordering> {
        (self.prefix == other.prefix).then(|| self.network().cmp(&other.network()))
    }

    /// Every address of `self` lies in `other`.
    pub fn is_subset_of(&self, other: &IpNet) -> bool {
        self.prefix >= other.prefix && (self.bits & other.mask(other.prefix)) == other.network()
    }
}

fn split_prefix(text: &str) -> (&str, Option<&str>) {
    match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    }
}

/// A dotted netmask must be contiguous ones.
fn netmask_prefix(mask: Ipv4Addr) -> Option<u32> {
    let m = u32::from(mask);
    let ones = m.leading_ones();
    (m.checked_shl(ones).unwrap_or(0) == 0).then_some(ones)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prefixes_and_netmasks() {
        let a = IpNet::parse_v4("192.168.1.0/24").unwrap();
        let b = IpNet::parse_v4("192.168.1.0/255.255.255.0").unwrap();
        assert!(a.same(&b));
        assert!(!a.same(&IpNet::parse_v4("192.168.1.7/24").unwrap()), "host bits count");
        assert!(IpNet::parse_v4("192.168.1.0/255.0.255.0").is_none());
        assert!(IpNet::parse_v4("192.168.1.300").is_none());
        assert!(IpNet::parse_v4("10.0.0.0/33").is_none());
        assert!(IpNet::parse_v6("fe80::1/64").is_some());
        assert!(IpNet::parse_v6("fe80::1/129").is_none());
    }

    #[test]
    fn subsets_and_order() {
        let host = IpNet::parse_v4("10.1.2.3").unwrap();
        let net = IpNet::parse_v4("10.1.0.0/16").unwrap();
        assert!(host.is_subset_of(&net));
        assert!(!net.is_subset_of(&host));
        assert!(!IpNet::parse_v4("10.2.0.1").unwrap().is_subset_of(&net));
        assert_eq!(host.order(&IpNet::parse_v4("10.1.2.4").unwrap()), Some(Ordering::Less));
        assert_eq!(host.order(&net), None);
        let v6 = IpNet::parse_v6("2001:db8::1").unwrap();
        assert!(v6.is_subset_of(&IpNet::parse_v6("2001:db8::/32").unwrap()));
        assert!(v6.is_subset_of(&IpNet::parse_v6("::/0").unwrap()));
    }
}
