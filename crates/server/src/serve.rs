//! Running the HTTP server: HTTPS with rustls (ring provider), or plain HTTP when explicitly asked for local
//! development, until a shutdown signal; in-flight requests get a grace period.

use std::future::Future;
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;

use crate::{AppState, db, router};

/// How the listener speaks.
#[derive(Debug, Clone)]
pub enum Transport {
    /// HTTPS with this PEM certificate chain and private key.
    Tls { cert: PathBuf, key: PathBuf },
    /// Plain HTTP: local development and tests only.
    InsecureHttp,
}

/// Serves `state` on `listener` until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    transport: Transport,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let app = router::router(state).into_make_service();
    let handle: Handle<std::net::SocketAddr> = Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    match transport {
        Transport::Tls { cert, key } => {
            db::install_crypto_provider();
            let config = RustlsConfig::from_pem_file(cert, key).await?;
            axum_server::from_tcp_rustls(listener, config)?.handle(handle).serve(app).await
        }
        Transport::InsecureHttp => axum_server::from_tcp(listener)?.handle(handle).serve(app).await,
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
