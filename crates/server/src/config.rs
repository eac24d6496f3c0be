//! Configuration: an optional TOML file, then environment variables (which win), then command-line flags (which
//! win over both). `serve` refuses to start without TLS unless plain HTTP was explicitly asked for.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The listen address when none is configured: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";
/// Database connections per instance when none is configured.
pub const DEFAULT_POOL_SIZE: usize = 16;

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the configuration file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{name} is not valid: {message}")]
    Invalid { name: &'static str, message: String },
    #[error("DATABASE_URL is not set (environment or `database_url` in the configuration file)")]
    NoDatabase,
    #[error(
        "refusing to serve without TLS: set CLINIC_SERVER_TLS_CERT and CLINIC_SERVER_TLS_KEY (or tls_cert and tls_key in the file), or pass --insecure-http for local development"
    )]
    NoTls,
}

/// The TOML file's keys (all optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub database_url: Option<String>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub insecure_http: Option<bool>,
    pub pool_size: Option<usize>,
}

/// The configuration in effect.
#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// May hold a password: never printed (see the `Debug` impl).
    pub database_url: Option<String>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub insecure_http: bool,
    pub pool_size: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &self.database_url.as_ref().map(|_| "<set>"))
            .field("tls_cert", &self.tls_cert)
            .field("tls_key", &self.tls_key)
            .field("insecure_http", &self.insecure_http)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

fn truthy(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
}

impl Config {
    /// Reads the file (if given) and the environment through `env` (so tests need not touch the process's).
    pub fn load(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let from_file = match file {
            None => FileConfig::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
                toml::from_str(&text)
                    .map_err(|e| ConfigError::Parse { path: path.to_owned(), message: e.to_string() })?
            }
        };
        let listen_text = env("CLINIC_SERVER_LISTEN").or(from_file.listen).unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen_text.parse().map_err(|_| ConfigError::Invalid {
            name: "CLINIC_SERVER_LISTEN",
            message: "expected an address and port such as 127.0.0.1:8443".into(),
        })?;
        let pool_size = match env("CLINIC_SERVER_POOL_SIZE") {
            Some(text) => text.trim().parse().map_err(|_| ConfigError::Invalid {
                name: "CLINIC_SERVER_POOL_SIZE",
                message: "expected a whole number".into(),
            })?,
            None => from_file.pool_size.unwrap_or(DEFAULT_POOL_SIZE),
        };
        if pool_size == 0 {
            return Err(ConfigError::Invalid { name: "CLINIC_SERVER_POOL_SIZE", message: "must be at least 1".into() });
        }
        Ok(Config {
            listen,
            database_url: env("DATABASE_URL").or(from_file.database_url),
            tls_cert: env("CLINIC_SERVER_TLS_CERT").map(PathBuf::from).or(from_file.tls_cert),
            tls_key: env("CLINIC_SERVER_TLS_KEY").map(PathBuf::from).or(from_file.tls_key),
            insecure_http: env("CLINIC_SERVER_INSECURE_HTTP")
                .map(|v| truthy(&v))
                .or(from_file.insecure_http)
                .unwrap_or(false),
            pool_size,
        })
    }

    pub fn database_url(&self) -> Result<&str, ConfigError> {
        self.database_url.as_deref().ok_or(ConfigError::NoDatabase)
    }

    /// The certificate and key to serve HTTPS with, or `None` for plain HTTP when that was asked for.
    pub fn tls(&self) -> Result<Option<(PathBuf, PathBuf)>, ConfigError> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) if !self.insecure_http => Ok(Some((cert.clone(), key.clone()))),
            _ if self.insecure_http => Ok(None),
            _ => Err(ConfigError::NoTls),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn defaults_listen_on_loopback_and_refuse_plain_http() {
        let config = Config::load(None, &env_of(&[])).expect("defaults load");
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert!(matches!(config.tls(), Err(ConfigError::NoTls)));
        assert!(matches!(config.database_url(), Err(ConfigError::NoDatabase)));
    }

    #[test]
    fn the_environment_configures_and_plain_http_must_be_asked_for() {
        let env = env_of(&[
            ("CLINIC_SERVER_LISTEN", "0.0.0.0:9000"),
            ("CLINIC_SERVER_INSECURE_HTTP", "1"),
            ("DATABASE_URL", "postgres://secret@db/x"),
        ]);
        let config = Config::load(None, &env).expect("loads");
        assert_eq!(config.listen.port(), 9000);
        assert!(matches!(config.tls(), Ok(None)));
        assert!(!format!("{config:?}").contains("secret"));
    }

    #[test]
    fn a_file_is_read_and_the_environment_wins() {
        let dir = std::env::temp_dir().join(["clinic-server-config-", &uuid::Uuid::now_v7().to_string()].concat());
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("server.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:7000\"\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"\npool_size = 4\n",
        )
        .expect("write");
        let config = Config::load(Some(&path), &env_of(&[("CLINIC_SERVER_POOL_SIZE", "8")])).expect("loads");
        assert_eq!(config.listen.port(), 7000);
        assert_eq!(config.pool_size, 8);
        assert!(matches!(config.tls(), Ok(Some(_))));
        std::fs::write(&path, "colour = \"blue\"\n").expect("write");
        assert!(matches!(Config::load(Some(&path), &env_of(&[])), Err(ConfigError::Parse { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
