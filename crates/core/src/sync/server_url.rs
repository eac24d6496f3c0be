//! The clinic server's address: HTTPS, or plain HTTP to this computer only (development).

use ureq::http::Uri;

use crate::{CoreError, CoreResult};

/// A checked server address without a trailing slash, e.g. `https://sync.clinic.example` or
/// `https://example.org/clinic-sync`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrl(String);

/// Host names that stay on this computer, the only ones plain HTTP is allowed to.
const LOCAL_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

impl ServerUrl {
    /// Checks a typed address. Only `https://` is accepted, except `http://` to this computer for development;
    /// no user name or password in the address, no query or fragment.
    pub fn parse(text: &str) -> CoreResult<ServerUrl> {
        let bad = |message: &str| CoreError::validation("server_url", message);
        let trimmed = text.trim().trim_end_matches('/');
        if trimmed.is_empty() {
            return Err(bad("Enter the clinic server's address, e.g. https://sync.myclinic.org."));
        }
        let uri: Uri =
            trimmed.parse().map_err(|_| bad("This is not a web address. Type it like https://sync.myclinic.org."))?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(bad("Type the whole address, starting with https://, e.g. https://sync.myclinic.org."));
        };
        if authority.as_str().contains('@') {
            return Err(bad("Leave any user name or password out of the address."));
        }
        if uri.query().is_some() || trimmed.contains('#') {
            return Err(bad("Leave anything after ? or # out of the address."));
        }
        let host = authority.host().to_ascii_lowercase();
        match scheme.to_ascii_lowercase().as_str() {
            "https" => {}
            "http" if LOCAL_HOSTS.contains(&host.as_str()) => {}
            "http" => {
                return Err(bad(
                    "The clinic server must be reached over a secure connection: the address starts with https://.",
                ));
            }
            _ => return Err(bad("The address starts with https://, e.g. https://sync.myclinic.org.")),
        }
        Ok(ServerUrl(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address of an endpoint, e.g. `join("/v1/push")`.
    pub fn join(&self, path: &str) -> String {
        [self.0.as_str(), path].concat()
    }

    /// The host (and port) alone, for the audit trail.
    pub fn host(&self) -> String {
        self.0.parse::<Uri>().ok().and_then(|u| u.authority().map(|a| a.as_str().to_owned())).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_only_to_this_computer() {
        assert_eq!(ServerUrl::parse(" https://Sync.Example.org/ ").expect("ok").as_str(), "https://Sync.Example.org");
        assert_eq!(
            ServerUrl::parse("https://example.org/base/").expect("ok").join("/v1/push"),
            "https://example.org/base/v1/push"
        );
        for local in ["http://localhost:8080", "http://127.0.0.1:3000", "http://[::1]:9000"] {
            assert!(ServerUrl::parse(local).is_ok(), "{local}");
        }
        for refused in [
            "",
            "sync.example.org",
            "http://sync.example.org",
            "ftp://example.org",
            "https://user:pw@example.org",
            "https://example.org/?x=1",
            "http://localhost.evil.org",
        ] {
            let err = ServerUrl::parse(refused).expect_err(refused);
            assert_eq!(err.field.as_deref(), Some("server_url"), "{refused}");
        }
        assert_eq!(ServerUrl::parse("https://example.org:8443/x").expect("ok").host(), "example.org:8443");
    }
}
