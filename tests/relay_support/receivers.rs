//! Tiny real servers the forwarders talk to: an HTTP receiver that records
//! each request and answers with a chosen status, and an SMTP sink that
//! records each message. Plain std threads and sockets.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One request an HTTP receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        super::header(&self.headers, name)
    }
}

/// An HTTP server on a free loopback port.
pub struct HttpReceiver {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Received>>>,
    /// The status the next requests are answered with.
    pub status: Arc<Mutex<u16>>,
}

impl HttpReceiver {
    pub fn start(status: u16) -> HttpReceiver {
        HttpReceiver::start_on("127.0.0.1:0", status)
    }

    pub fn start_on(addr: &str, status: u16) -> HttpReceiver {
        let listener = TcpListener::bind(addr).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(Mutex::new(status));
        let (log, answer) = (requests.clone(), status.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (log, answer) = (log.clone(), answer.clone());
                std::thread::spawn(move || serve_http(stream, &log, &answer));
            }
        });
        HttpReceiver {
            url,
            requests,
            status,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve_http(stream: TcpStream, log: &Mutex<Vec<Received>>, answer: &Mutex<u16>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    log.lock().unwrap().push(Received {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let status = *answer.lock().unwrap();
    let mut stream = stream;
    let reply = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    );
    let _ = stream.write_all(reply.as_bytes());
}

/// One message an SMTP sink got.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body as sent (dot-unstuffed).
    pub data: String,
}

/// An SMTP server on a free loopback port that accepts every message.
pub struct SmtpSink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let log = mails.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let log = log.clone();
                std::thread::spawn(move || serve_smtp(stream, &log));
            }
        });
        SmtpSink { port, mails }
    }

    pub fn received(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

fn serve_smtp(stream: TcpStream, log: &Mutex<Vec<Mail>>) {
    let mut out = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut say = |text: &str| out.write_all(format!("{text}\r\n").as_bytes());
    let _ = say("220 sink.test ESMTP");
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            let _ = say("250-sink.test\r\n250 8BITMIME");
        } else if upper.starts_with("MAIL FROM:") {
            from = command[10..].trim().trim_matches(['<', '>']).to_string();
            let _ = say("250 OK");
        } else if upper.starts_with("RCPT TO:") {
            to.push(command[8..].trim().trim_matches(['<', '>']).to_string());
            let _ = say("250 OK");
        } else if upper == "DATA" {
            let _ = say("354 go ahead");
            let mut data = String::new();
            loop {
                let mut l = String::new();
                if reader.read_line(&mut l).unwrap_or(0) == 0 {
                    return;
                }
                if l == ".\r\n" {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
            }
            log.lock().unwrap().push(Mail {
                from: std::mem::take(&mut from),
                to: std::mem::take(&mut to),
                data,
            });
            let _ = say("250 queued");
        } else if upper == "QUIT" {
            let _ = say("221 bye");
            return;
        } else if upper == "RSET" || upper == "NOOP" {
            let _ = say("250 OK");
        } else {
            let _ = say("502 not implemented");
        }
    }
}

/// A destination that accepts connections, reads nothing and never answers,
/// as a hung webhook consumer does. It counts the connections it got.
pub struct HungReceiver {
    pub url: String,
    pub connections: Arc<Mutex<Vec<TcpStream>>>,
}

impl HungReceiver {
    pub fn start() -> HungReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let connections = Arc::new(Mutex::new(Vec::new()));
        let held = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                held.lock().unwrap().push(stream);
            }
        });
        HungReceiver { url, connections }
    }

    pub fn connections(&self) -> usize {
        self.connections.lock().unwrap().len()
    }
}
