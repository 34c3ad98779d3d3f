//! HTTPS is verified against the bundled Mozilla roots only: a self-signed server is refused
//! before any request is sent, and the refusal is final rather than retried.

mod client_support;
// The Terraform scenarios' self-signed endpoint; only its acceptor is used here.
#[allow(dead_code, unreachable_pub)]
#[path = "support/loopback_server.rs"]
mod loopback_server;
#[allow(dead_code, unreachable_pub)]
#[path = "support/tls_api.rs"]
mod tls_api;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use client_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tpz::zenlayer::{Error, Scheme};

/// A TLS server on 127.0.0.1 with a self-signed certificate for "localhost". Counts TLS
/// handshakes that reached the server and requests that got through.
async fn self_signed_server() -> (std::net::SocketAddr, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let acceptor = tls_api::self_signed_acceptor();
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port available");
    let addr = listener.local_addr().expect("bound socket has an address");
    let handshakes = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let (h, r) = (Arc::clone(&handshakes), Arc::clone(&requests));
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            h.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            let r = Arc::clone(&r);
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let mut buf = [0u8; 1024];
                    if tls.read(&mut buf).await.unwrap_or(0) > 0 {
                        r.fetch_add(1, Ordering::SeqCst);
                        let _ = tls.write_all(&ok_response(serde_json::json!({}))).await;
                    }
                }
            });
        }
    });
    (addr, handshakes, requests)
}

#[tokio::test]
async fn https_refuses_a_certificate_outside_the_bundled_roots_without_retrying() {
    let (addr, handshakes, requests) = self_signed_server().await;
    let mut c = config(addr);
    c.scheme = Scheme::Https;
    c.domain = format!("localhost:{}", addr.port());
    c.max_retries = 3;

    let err = client_with(c)
        .attach_network_interface("nic-1", "ins-1", &no_limits())
        .await
        .unwrap_err();

    let Error::Network { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains("the TLS handshake with localhost failed"),
        "{message}"
    );
    assert!(message.to_lowercase().contains("certificate"), "{message}");
    assert_eq!(
        handshakes.load(Ordering::SeqCst),
        1,
        "an untrusted certificate was retried"
    );
    assert_eq!(requests.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn plain_http_to_a_tls_port_is_not_mistaken_for_an_api_answer() {
    let (addr, _, requests) = self_signed_server().await;
    let mut c = config(addr);
    c.max_retries = 0;
    let err = client_with(c)
        .describe_zones(&no_limits())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Network { .. } | Error::UnexpectedResponse { .. }
        ),
        "{err:?}"
    );
    assert_eq!(requests.load(Ordering::SeqCst), 0);
}
