//! A connection that remembers whether a request is half-read, so that a
//! client too slow to send its headers gets a `408` rather than a bare close
//! (hyper closes without answering when its header timer fires), while an
//! idle keep-alive connection is just closed.
//!
//! Both halves share one socket (one file descriptor per connection): the
//! watcher takes it back once hyper has let go of its half.

use std::io::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The TCP stream hyper reads and writes, with the half-read flag.
pub struct Watched {
    stream: Arc<Mutex<TcpStream>>,
    mid_request: Arc<AtomicBool>,
}

/// What the accept loop keeps to answer after hyper has given up.
pub struct Watcher {
    mid_request: Arc<AtomicBool>,
    /// The socket, shared with hyper until it drops its half.
    socket: Arc<Mutex<TcpStream>>,
}

/// Splits an accepted stream into the part hyper serves and the watcher.
pub fn watch(stream: TcpStream) -> std::io::Result<(Watched, Watcher)> {
    let stream = Arc::new(Mutex::new(stream));
    let socket = stream.clone();
    let mid_request = Arc::new(AtomicBool::new(false));
    Ok((
        Watched {
            stream,
            mid_request: mid_request.clone(),
        },
        Watcher {
            mid_request,
            socket,
        },
    ))
}

impl Watcher {
    /// After hyper's header timer fired: answer 408 when a request had begun.
    pub fn header_timed_out(self, limit_secs: u64) {
        if !self.mid_request.load(Ordering::SeqCst) {
            return;
        }
        // Hyper has given up and dropped its half by now.
        let Ok(socket) = Arc::try_unwrap(self.socket) else {
            return;
        };
        let socket = socket.into_inner().unwrap_or_else(|p| p.into_inner());
        let Ok(mut socket) = socket.into_std() else {
            return;
        };
        let body = format!(
            "{{\"error\":\"the request headers took longer than {limit_secs} s to arrive\",\"field\":null}}"
        );
        // The send buffer is empty (nothing was answered), so this small
        // write does not block even on a non-blocking socket.
        let _ = write!(
            socket,
            "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = socket.shutdown(std::net::Shutdown::Both);
    }
}

impl Watched {
    /// Only hyper's task polls the stream; the watcher waits until it is done.
    fn stream(&self) -> MutexGuard<'_, TcpStream> {
        self.stream.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut *self.stream()).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.mid_request.store(true, Ordering::SeqCst);
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        // Hyper writes only once a request has been read: it is answered.
        let polled = Pin::new(&mut *self.stream()).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.mid_request.store(false, Ordering::SeqCst);
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut *self.stream()).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.mid_request.store(false, Ordering::SeqCst);
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream().is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.stream()).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.stream()).poll_shutdown(cx)
    }
}
