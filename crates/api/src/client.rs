//! Who is calling: the client's IP and whether it reached us over TLS.
//!
//! `X-Forwarded-For` and `X-Forwarded-Proto` are believed only when the direct peer is a
//! configured trusted proxy; otherwise a client could pick its own rate-limit key or
//! pretend to be on HTTPS by sending a header.

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<IpAddr>,
    pub https: bool,
}

#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&ip))
    }

    /// Resolves the client behind `peer`. Walks `X-Forwarded-For` from the right, skipping
    /// trusted proxies, and stops at the first address we did not add ourselves.
    pub fn resolve(&self, peer: Option<IpAddr>, headers: &HeaderMap, tls: bool) -> ClientInfo {
        let Some(peer) = peer else {
            return ClientInfo {
                ip: None,
                https: tls,
            };
        };
        if !self.trusts(peer) {
            return ClientInfo {
                ip: Some(peer),
                https: tls,
            };
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|part| part.trim().parse().ok())
            .collect();
        let ip = forwarded
            .iter()
            .rev()
            .find(|ip| !self.trusts(**ip))
            .or(forwarded.first())
            .copied()
            .unwrap_or(peer);
        let https = tls
            || headers
                .get("x-forwarded-proto")
                .and_then(|value| value.to_str().ok())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
        ClientInfo {
            ip: Some(ip),
            https,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn proxies() -> TrustedProxies {
        TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()])
    }

    #[test]
    fn an_untrusted_peer_cannot_spoof_its_address_or_scheme() {
        let spoofed = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-proto", "https"),
        ]);
        let client = proxies().resolve(Some("203.0.113.9".parse().unwrap()), &spoofed, false);
        assert_eq!(client.ip, Some("203.0.113.9".parse().unwrap()));
        assert!(!client.https);
    }

    #[test]
    fn a_trusted_proxy_forwards_the_client_address_and_scheme() {
        let forwarded = headers(&[
            ("x-forwarded-for", "198.51.100.7, 10.1.1.1"),
            ("x-forwarded-proto", "https"),
        ]);
        let client = proxies().resolve(Some("10.0.0.2".parse().unwrap()), &forwarded, false);
        assert_eq!(client.ip, Some("198.51.100.7".parse().unwrap()));
        assert!(client.https);
    }

    #[test]
    fn a_client_prefix_before_the_real_address_is_ignored() {
        let forwarded = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7")]);
        let client = proxies().resolve(Some("10.0.0.2".parse().unwrap()), &forwarded, false);
        assert_eq!(client.ip, Some("198.51.100.7".parse().unwrap()));
    }
}
