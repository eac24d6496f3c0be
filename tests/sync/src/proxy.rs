//! A loopback TCP proxy that delays every chunk of bytes by a fixed time in each direction, so a benchmark can
//! measure sync over a slow link (25 ms each way is a 50 ms round trip) against the real server on this machine.
//! Only latency is added, not a bandwidth limit: chunks keep flowing while earlier ones wait out their delay.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// A running proxy on 127.0.0.1 in front of `target`. Stopped (with every connection through it) when dropped.
pub struct LatencyProxy {
    runtime: Option<Runtime>,
    /// `http://127.0.0.1:<port>`: the address clients use instead of the server's.
    pub url: String,
    stop: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for LatencyProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LatencyProxy").field("url", &self.url).finish()
    }
}

impl LatencyProxy {
    /// Listens on a free loopback port and forwards each connection to `target`, each direction `one_way` late.
    pub fn start(target: SocketAddr, one_way: Duration) -> LatencyProxy {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("tokio runtime");
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).expect("bind the proxy");
        let url = ["http://", &listener.local_addr().expect("proxy address").to_string()].concat();
        let (stop, stopped) = oneshot::channel::<()>();
        runtime.spawn(async move {
            tokio::select! {
                _ = stopped => {}
                () = accept(listener, target, one_way) => {}
            }
        });
        LatencyProxy { runtime: Some(runtime), url, stop: Some(stop) }
    }
}

impl Drop for LatencyProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn accept(listener: TcpListener, target: SocketAddr, one_way: Duration) {
    loop {
        let Ok((client, _)) = listener.accept().await else { continue };
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(target).await else { return };
            // Small requests must not wait for Nagle's algorithm on top of the added delay.
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::join!(forward(client_read, server_write, one_way), forward(server_read, client_write, one_way));
        });
    }
}

/// Copies one direction: each chunk read is written `delay` after it arrived, in order.
async fn forward(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, delay: Duration) {
    let (queue, mut due) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = async move {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match from.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if queue.send((Instant::now() + delay, buffer[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
        // Dropping the sender ends the writer once everything queued is delivered.
    };
    let writer = async move {
        while let Some((at, chunk)) = due.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}
