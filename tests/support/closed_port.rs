//! A loopback port that refuses connections for as long as a test holds it.
//!
//! Binding a listener, reading its port and dropping it leaves a window in which another test
//! (or anything else on the machine) can take the port, and a call meant to be refused then
//! reaches a stranger. A socket bound without `listen` keeps the port reserved: the kernel
//! answers every connection attempt with a reset, so a connect fails at once with "refused".

#![allow(dead_code, unreachable_pub)]

use std::net::{Ipv4Addr, SocketAddr};

use socket2::{Domain, Socket, Type};

/// A port on 127.0.0.1 that nothing listens on and nothing else can bind while this lives.
pub struct ClosedPort {
    _held: Socket,
    addr: SocketAddr,
}

impl ClosedPort {
    /// Reserves a fresh loopback port.
    pub fn reserve() -> ClosedPort {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("create a TCP socket");
        socket
            .bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())
            .expect("bind a loopback port");
        let addr = socket
            .local_addr()
            .expect("a bound socket has an address")
            .as_socket()
            .expect("an IPv4 address");
        ClosedPort {
            _held: socket,
            addr,
        }
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}
