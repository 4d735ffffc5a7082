//! Which addresses the crawler may reach: none that is private, loopback, link-local or otherwise
//! not public, unless told to; whether written as an IP literal (in any IPv6 form that carries
//! an IPv4 address) or reached through a name that resolves to one.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use url::Url;

/// Whether an address is one a crawler must not reach unless told to: loopback, private,
/// link-local, unspecified, shared (CGNAT), reserved, documentation or multicast; for IPv6 also
/// unique-local and site-local, and every form that carries an IPv4 address that is one of those.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => is_private_v6(v6),
    }
}

fn is_private_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_multicast()
        || v4.is_documentation()
        // "This network" (0/8), reserved (240/4, with the broadcast address), shared (100.64/10),
        // IETF protocol assignments (192.0.0/24) and benchmarking (198.18/15).
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b & 0xfe) == 18)
}

fn is_private_v6(v6: Ipv6Addr) -> bool {
    let seg = v6.segments();
    v6.is_loopback()
        || v6.is_unspecified()
        || v6.is_multicast()
        || (seg[0] & 0xfe00) == 0xfc00 // unique local, fc00::/7
        || (seg[0] & 0xffc0) == 0xfe80 // link-local, fe80::/10
        || (seg[0] & 0xffc0) == 0xfec0 // site-local, fec0::/10
        || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
        || (seg[0] == 0x0100 && seg[1..4] == [0, 0, 0]) // discard-only, 100::/64
        // Local-use NAT64 (RFC 8215) translates into the operator's own network.
        || (seg[0] == 0x0064 && seg[1] == 0xff9b && seg[2] == 0x0001)
        || carried_v4(v6).into_iter().any(is_private_v4)
}

/// The IPv4 addresses an IPv6 address carries, and through which traffic to it may end up at
/// that IPv4 address: IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`),
/// IPv4-translated (`::ffff:0:a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`), 6to4 (`2002:AABB:CCDD::`)
/// and Teredo (server and, obfuscated, client).
fn carried_v4(v6: Ipv6Addr) -> Vec<Ipv4Addr> {
    let s = v6.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0, 0, 0, 0, 0xffff, 0, hi, lo] | [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => {
            vec![v4(hi, lo)]
        }
        // `::` and `::1` are themselves unspecified and loopback.
        [0, 0, 0, 0, 0, 0, hi, lo] if (hi, lo) > (0, 1) => vec![v4(hi, lo)],
        [0x2002, hi, lo, ..] => vec![v4(hi, lo)],
        [0x2001, 0, server_hi, server_lo, _, _, client_hi, client_lo] => {
            vec![v4(server_hi, server_lo), v4(!client_hi, !client_lo)]
        }
        _ => Vec::new(),
    }
}

/// Refuses URLs the crawler must not fetch: other schemes, and IP literals in private ranges.
pub fn check_url(url: &Url, allow_private: bool) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("not an http(s) URL: {url}"));
    }
    let literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => Some(IpAddr::from([127, 0, 0, 1])),
        Some(url::Host::Domain(_)) => None,
        None => return Err(format!("no host in {url}")),
    };
    match literal {
        Some(ip) if !allow_private && is_private(ip) => {
            Err(format!("{url} is a private or loopback address (use --allow-private to crawl it)"))
        }
        _ => Ok(()),
    }
}

/// Resolves names with the system resolver and drops private addresses (so a public name cannot
/// be pointed at the local network).
pub(super) struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| !is_private(a.ip())).collect();
            if public.is_empty() {
                let msg = format!("{host} resolves only to private addresses (use --allow-private to crawl them)");
                return Err(msg.into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_recognised_in_every_form() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fec0::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "::169.254.169.254",
            "::ffff:0:192.168.1.1",
            "64:ff9b::7f00:1",
            "64:ff9b::10.0.0.1",
            "64:ff9b:1::5db8:d822",
            "2002:7f00:1::1",
            "2002:c0a8:101::",
            // Teredo with the client 127.0.0.1 (stored inverted).
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
        ] {
            assert!(is_private(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1", "64:ff9b::5db8:d822", "2002:5db8:d822::1", "::ffff:8.8.8.8"] {
            assert!(!is_private(ip.parse().expect("ip")), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked_before_fetching() {
        let u = |s: &str| Url::parse(s).expect("url");
        assert!(check_url(&u("http://127.0.0.1:8080/a"), false).is_err());
        assert!(check_url(&u("http://localhost/a"), false).is_err());
        assert!(check_url(&u("http://[::127.0.0.1]/a"), false).is_err());
        assert!(check_url(&u("http://[64:ff9b::127.0.0.1]/a"), false).is_err());
        assert!(check_url(&u("http://127.0.0.1:8080/a"), true).is_ok());
        assert!(check_url(&u("http://[::127.0.0.1]/a"), true).is_ok());
        assert!(check_url(&u("ftp://example.org/a"), true).is_err());
        assert!(check_url(&u("https://example.org/a"), false).is_ok());
    }
}
