//! Which peers may tell us the client's address. `X-Forwarded-For` is whatever the client wrote,
//! with each proxy appending the address it saw; only entries appended by proxies we run can be
//! believed, so the client is the right-most entry that is not one of ours.

use std::net::{IpAddr, SocketAddr};

/// The reverse proxies in front of the server (addresses or CIDR networks); none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Network {
    base: IpAddr,
    prefix: u8,
}

impl Network {
    fn parse(text: &str) -> Option<Network> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let base = address.parse::<IpAddr>().ok()?.to_canonical();
        let bits = if base.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= bits)?,
            None => bits,
        };
        Some(Network { base, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, ip) {
            (IpAddr::V4(base), IpAddr::V4(ip)) => same_prefix(
                u32::from(base).into(),
                u32::from(ip).into(),
                32,
                self.prefix,
            ),
            (IpAddr::V6(base), IpAddr::V6(ip)) => {
                same_prefix(u128::from(base), u128::from(ip), 128, self.prefix)
            }
            _ => false,
        }
    }
}

/// Whether `a` and `b`, numbers of `bits` bits, agree in their first `prefix` bits.
fn same_prefix(a: u128, b: u128, bits: u32, prefix: u8) -> bool {
    let host_bits = bits - u32::from(prefix);
    a.checked_shr(host_bits).unwrap_or(0) == b.checked_shr(host_bits).unwrap_or(0)
}

impl TrustedProxies {
    /// `"127.0.0.1, 10.0.0.0/8 ::1"`: addresses or networks separated by commas or spaces.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        text.split([',', ' ', '\t', '\n'])
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                Network::parse(entry)
                    .ok_or_else(|| format!("{entry:?} is not an IP address or network (a.b.c.d/n)"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address: the peer's, or, when the peer is one of our proxies, the right-most
    /// entry of `forwarded` (the `X-Forwarded-For` values in order) that is not one of ours. An
    /// entry that is not an address ends the walk at the last address we could believe.
    pub fn client(&self, peer: Option<IpAddr>, forwarded: &[&str]) -> Option<IpAddr> {
        let mut client = peer?.to_canonical();
        let hops = forwarded.iter().rev().flat_map(|v| v.rsplit(','));
        for hop in hops {
            if !self.contains(client) {
                break;
            }
            match parse_hop(hop.trim()) {
                Some(ip) => client = ip,
                None => break,
            }
        }
        Some(client)
    }
}

/// One `X-Forwarded-For` entry: an address, perhaps with a port.
fn parse_hop(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .or_else(|_| text.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(proxies: &str, peer: &str, forwarded: &[&str], expected: &str) {
        let proxies = TrustedProxies::parse(proxies).unwrap();
        let client = proxies.client(Some(peer.parse().unwrap()), forwarded);
        assert_eq!(
            client.map(|ip| ip.to_string()).as_deref(),
            Some(expected),
            "{proxies:?} {peer} {forwarded:?}"
        );
    }

    #[test]
    fn the_right_most_address_that_is_not_a_proxy_is_the_client() {
        check("", "127.0.0.1", &["198.51.100.1"], "127.0.0.1");
        check("127.0.0.1", "127.0.0.1", &["198.51.100.1"], "198.51.100.1");
        check("127.0.0.1", "192.0.2.1", &["198.51.100.1"], "192.0.2.1");
        check(
            "127.0.0.1, 10.0.0.0/8",
            "127.0.0.1",
            &["1.2.3.4, 203.0.113.50, 10.1.2.3"],
            "203.0.113.50",
        );
        check(
            "127.0.0.1 10.0.0.0/8",
            "127.0.0.1",
            &["1.2.3.4", "203.0.113.50", "10.1.2.3"],
            "203.0.113.50",
        );
        check(
            "127.0.0.1",
            "127.0.0.1",
            &["not an address, <script>"],
            "127.0.0.1",
        );
        check("127.0.0.1", "127.0.0.1", &["1.2.3.4, junk"], "127.0.0.1");
        check(
            "127.0.0.1",
            "127.0.0.1",
            &["203.0.113.9:4711"],
            "203.0.113.9",
        );
        check("127.0.0.1", "127.0.0.1", &[], "127.0.0.1");
        check("::1", "::ffff:127.0.0.1", &["198.51.100.1"], "127.0.0.1");
        check(
            "127.0.0.1",
            "::ffff:127.0.0.1",
            &["2001:db8::1"],
            "2001:db8::1",
        );
        // Every entry one of ours: the left-most is as far as we can see.
        check(
            "10.0.0.0/8",
            "10.0.0.1",
            &["10.0.0.2, 10.0.0.3"],
            "10.0.0.2",
        );
    }

    #[test]
    fn networks_hold_the_addresses_of_their_prefix_only() {
        let narrow = TrustedProxies::parse("10.0.0.0/8, 192.168.1.0/24, fd00::/8").unwrap();
        for (ip, inside) in [
            ("10.0.0.0", true),
            ("10.255.255.255", true),
            ("11.0.0.0", false),
            ("9.255.255.255", false),
            ("192.168.1.255", true),
            ("192.168.2.0", false),
            ("fd12::1", true),
            ("fe00::1", false),
        ] {
            assert_eq!(narrow.contains(ip.parse().unwrap()), inside, "{ip}");
        }
        let every = TrustedProxies::parse("0.0.0.0/0").unwrap();
        assert!(every.contains("203.0.113.1".parse().unwrap()));
        assert!(!every.contains("2001:db8::1".parse().unwrap()));
    }

    #[test]
    fn a_list_with_a_bad_entry_is_refused() {
        assert_eq!(
            TrustedProxies::parse(" , ").unwrap(),
            TrustedProxies::default()
        );
        for bad in [
            "10.0.0.0/33",
            "::/129",
            "proxy.local",
            "10.0.0.0/x",
            "10.0.0",
        ] {
            assert!(
                TrustedProxies::parse(bad).unwrap_err().contains(bad),
                "{bad}"
            );
        }
    }
}
