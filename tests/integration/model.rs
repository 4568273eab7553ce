//! A stand-in for the `OpenAI` Responses API and the Anthropic Messages API, so the real
//! Codex CLI and Claude Code run offline in tests.
//!
//! It listens on loopback only, answers `POST /v1/responses` (Codex) and `POST /v1/messages`
//! (Claude Code) with a streamed reply whose text echoes the user's last message (`ECHO:
//! ...`), and stops when dropped or after a minute, whichever comes first. A message
//! containing `FAIL500` gets HTTP 500; one containing `STALL` gets headers and then nothing
//! until the stand-in stops. Every reply reports 10 input and 5 output tokens.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LIFETIME: Duration = Duration::from_secs(60);

/// A running stand-in; dropping it stops it.
pub struct Model {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
    /// Every request's user messages, in order: a resumed conversation sends the earlier ones.
    inputs: Arc<Mutex<Vec<Vec<String>>>>,
}

impl Model {
    /// Starts listening on a free loopback port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let inputs = Arc::new(Mutex::new(Vec::new()));
        let (stop_flag, counter, seen) = (stop.clone(), requests.clone(), inputs.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + LIFETIME;
            while !stop_flag.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        counter.fetch_add(1, Ordering::Relaxed);
                        let stop = stop_flag.clone();
                        let seen = seen.clone();
                        std::thread::spawn(move || {
                            let _ = serve(stream, &stop, &seen);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Model { port, stop, requests, inputs }
    }

    /// The user messages of every request so far, a list per request.
    pub fn inputs(&self) -> Vec<Vec<String>> {
        self.inputs.lock().unwrap().clone()
    }

    /// Where the stand-in listens, for `ANTHROPIC_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// How many requests arrived.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// The `-c` settings that point Codex at this stand-in, with retries off so failures
    /// show at once.
    pub fn codex_config(&self) -> Vec<String> {
        [
            "model_provider=\"standin\"".to_owned(),
            "model_providers.standin.name=\"standin\"".to_owned(),
            format!("model_providers.standin.base_url=\"http://127.0.0.1:{}/v1\"", self.port),
            "model_providers.standin.wire_api=\"responses\"".to_owned(),
            "model_providers.standin.request_max_retries=0".to_owned(),
            "model_providers.standin.stream_max_retries=0".to_owned(),
        ]
        .into_iter()
        .flat_map(|setting| ["-c".to_owned(), setting])
        .collect()
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(
    stream: TcpStream,
    stop: &AtomicBool,
    seen: &Mutex<Vec<Vec<String>>>,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut length = 0;
    let mut request_line = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if request_line.is_empty() {
            line.clone_into(&mut request_line);
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let mut out = stream;
    if !request_line.starts_with("POST ") {
        // Claude Code checks that the server is there (`HEAD /`).
        return write!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
    }
    if request_line.contains("/v1/messages") {
        return messages(out, &body, seen);
    }
    let texts = user_texts(&body);
    let text = texts.last().cloned().unwrap_or_default();
    seen.lock().unwrap().push(texts);
    if text.contains("FAIL500") {
        let body = r#"{"error":{"message":"stand-in failure","type":"server_error"}}"#;
        write!(
            out,
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        return Ok(());
    }
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\
         Connection: close\r\n\r\n"
    )?;
    event(&mut out, serde_json::json!({"type": "response.created", "response": {"id": "resp_1"}}))?;
    if text.contains("STALL") {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(50));
        }
        return Ok(());
    }
    event(
        &mut out,
        serde_json::json!({
            "type": "response.output_item.done",
            "item": {
                "type": "message", "role": "assistant", "id": "msg_1",
                "content": [{"type": "output_text", "text": format!("ECHO: {text}")}],
            },
        }),
    )?;
    event(
        &mut out,
        serde_json::json!({
            "type": "response.completed",
            "response": {
                "id": "resp_1",
                "usage": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15},
            },
        }),
    )
}

/// Answers a Messages API request as Claude Code expects it, streamed: the echo, or for the
/// side request that titles a session (a JSON schema asked for), a title.
fn messages(
    mut out: TcpStream,
    body: &[u8],
    seen: &Mutex<Vec<Vec<String>>>,
) -> std::io::Result<()> {
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let titling = !request["output_config"]["format"].is_null();
    let texts: Vec<String> = request["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["role"] == "user")
        .flat_map(|m| match &m["content"] {
            serde_json::Value::String(text) => vec![text.clone()],
            content => content
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["text"].as_str().map(str::to_owned))
                .collect(),
        })
        .filter(|text| !text.starts_with('<'))
        .collect();
    let reply = if titling {
        r#"{"title": "Stand-in title"}"#.to_owned()
    } else {
        format!("ECHO: {}", texts.last().cloned().unwrap_or_default())
    };
    // Message ids are unique, as the real API's: a transcript counts each message once.
    let id = {
        let mut seen = seen.lock().unwrap();
        if !titling {
            seen.push(texts);
        }
        format!("msg_standin_{}_{}", seen.len(), std::process::id())
    };
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\
         Connection: close\r\n\r\n"
    )?;
    let model = request["model"].as_str().unwrap_or("stand-in").to_owned();
    let usage = serde_json::json!({"input_tokens": 10, "output_tokens": 1,
        "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0});
    event(
        &mut out,
        serde_json::json!({"type": "message_start", "message": {"id": id,
        "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": null, "usage": usage}}),
    )?;
    event(
        &mut out,
        serde_json::json!({"type": "content_block_start", "index": 0,
        "content_block": {"type": "text", "text": ""}}),
    )?;
    event(
        &mut out,
        serde_json::json!({"type": "content_block_delta", "index": 0,
        "delta": {"type": "text_delta", "text": reply}}),
    )?;
    event(&mut out, serde_json::json!({"type": "content_block_stop", "index": 0}))?;
    event(
        &mut out,
        serde_json::json!({"type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": null},
        "usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 0,
            "cache_creation_input_tokens": 0}}),
    )?;
    event(&mut out, serde_json::json!({"type": "message_stop"}))
}

#[allow(clippy::needless_pass_by_value)] // every caller builds the event in place
fn event(out: &mut TcpStream, data: serde_json::Value) -> std::io::Result<()> {
    write!(out, "event: {}\ndata: {data}\n\n", data["type"].as_str().unwrap_or_default())?;
    out.flush()
}

/// The texts of the user messages in a Responses API request, oldest first, without the
/// context Codex adds in `<...>` blocks.
fn user_texts(body: &[u8]) -> Vec<String> {
    let Ok(request) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let items = request["input"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .filter(|item| item["role"] == "user")
        .filter_map(|item| {
            item["content"].as_array()?.iter().rev().find_map(|c| c["text"].as_str())
        })
        .filter(|text| !text.starts_with('<'))
        .map(str::to_owned)
        .collect()
}
