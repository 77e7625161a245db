//! A TCP stream whose writes can be held back: what is written while the gate is shut
//! stays in memory until [`Release::now`], which writes it straight to the socket from
//! whichever task calls it. It sits under lettre's connection (and under TLS, so what it
//! holds may be ciphertext): the lane shuts it once the whole content is written, so
//! that only the end of the data (`\r\n.\r\n`) waits for the hand-over to be recorded.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use socket2::SockRef;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

struct State {
    tcp: TcpStream,
    shut: bool,
    held: Vec<u8>,
    waiting: Option<Waker>,
}

/// The shared gate of one connection.
#[derive(Clone)]
pub(super) struct Gate(Arc<Mutex<State>>);

/// Lets a held end of data go: the caller records the hand-over, then calls
/// [`Release::now`] at once (from its own task, without waiting for the lane's).
#[derive(Clone, Default)]
pub struct Release(Option<Gate>);

impl Release {
    /// Writes what the gate holds to the socket now (what the socket cannot take at
    /// once the lane writes when it next runs) and opens the gate.
    pub fn now(&self) {
        self.now_after(|| {});
    }

    /// Calls `note`, then writes what the gate holds, with the gate's lock taken before
    /// `note` so that nothing can come between the two but the `send` itself.
    pub fn now_after(&self, note: impl FnOnce()) {
        let Some(gate) = &self.0 else { return note() };
        let mut s = gate.lock();
        note();
        // Straight to the socket: tokio's `try_write` answers "would block" without
        // trying when its readiness is stale, which would leave the end to the lane.
        let written = if s.held.is_empty() { 0 } else { SockRef::from(&s.tcp).send(&s.held).unwrap_or(0) };
        s.held.drain(..written);
        s.shut = false;
        if let Some(w) = s.waiting.take() {
            w.wake();
        }
    }
}

impl Gate {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// From now on writes are held.
    pub(super) fn shut(&self) {
        self.lock().shut = true;
    }

    pub(super) fn release(&self) -> Release {
        Release(Some(self.clone()))
    }
}

/// The stream handed to lettre.
pub(super) struct Gated(Gate);

impl Gated {
    pub(super) fn new(tcp: TcpStream) -> (Gated, Gate) {
        let gate = Gate(Arc::new(Mutex::new(State { tcp, shut: false, held: Vec::new(), waiting: None })));
        (Gated(gate.clone()), gate)
    }
}

impl fmt::Debug for Gated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Gated")
    }
}

impl lettre::transport::smtp::client::AsyncTokioStream for Gated {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.lock().tcp.peer_addr()
    }
}

impl AsyncRead for Gated {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0.lock().tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Gated {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let mut s = self.0.lock();
        if s.shut || !s.held.is_empty() {
            s.held.extend_from_slice(buf);
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut s.tcp).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut s = self.0.lock();
        if s.shut {
            s.waiting = Some(cx.waker().clone());
            return Poll::Pending;
        }
        while !s.held.is_empty() {
            let state = &mut *s;
            match Pin::new(&mut state.tcp).poll_write(cx, &state.held) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => drop(state.held.drain(..n)),
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Pin::new(&mut s.tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0.lock().tcp).poll_shutdown(cx)
    }
}

/// lettre's TLS stream (futures' traits) as a tokio stream, so that TLS from the first
/// byte (`smtps://`) can run over a [`Gated`] stream too.
#[allow(deprecated)]
pub(super) struct Tls(pub(super) lettre::transport::smtp::client::AsyncNetworkStream);

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tls")
    }
}

impl lettre::transport::smtp::client::AsyncTokioStream for Tls {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }
}

impl AsyncRead for Tls {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let n = std::task::ready!(futures::AsyncRead::poll_read(Pin::new(&mut self.0), cx, buf.initialize_unfilled()))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Tls {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        futures::AsyncWrite::poll_write(Pin::new(&mut self.0), cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures::AsyncWrite::poll_flush(Pin::new(&mut self.0), cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures::AsyncWrite::poll_close(Pin::new(&mut self.0), cx)
    }
}
