//! lpj-tokio-baseline: an LPJ server (`lpj/1`, spec/lpj.md) written the way an implementer picks first in
//! Rust: tokio for the connections, serde_json to read every request and write every response.
//!
//!     22 00 00 00  {"in":"ping","params":"ireader 0"}     request: 4-octet length (little-endian), JSON
//!     23 00 00 00  {"out":"pong","result":"ireader 0"}    response
//!
//! Every request is checked as the spec requires (UTF-8, no BOM, one JSON text, paired surrogate escapes,
//! depth, `in` and `params` each exactly once) before it is answered, and the responses to one read go
//! out in one write. README.md says what serde_json does with each check and where this server deviates.

use std::fmt;
use std::net::SocketAddr;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The largest body accepted, in octets (`frame.max-size-minimum`: 1 MiB).
const MAX_BODY: usize = 1_048_576;
/// serde_json refuses the 128th nested `[` or `{` (its recursion limit): 127 levels are accepted.
const MAX_DEPTH: usize = 127;

fn main() {
    let mut host = "127.0.0.1".to_string();
    let mut port = 8080u16;
    let mut threads = 1usize;
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        let value = arguments.next().unwrap_or_else(|| usage(&argument));
        match argument.as_str() {
            "--host" => host = value,
            "--port" => port = value.parse().unwrap_or_else(|_| usage(&argument)),
            "--threads" => threads = value.parse().ok().filter(|n| *n >= 1).unwrap_or_else(|| usage(&argument)),
            _ => usage(&argument),
        }
    }
    let runtime = if threads == 1 {
        tokio::runtime::Builder::new_current_thread().enable_io().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_io().build()
    }
    .expect("a tokio runtime");
    runtime.block_on(serve(host, port, threads));
}

fn usage(argument: &str) -> ! {
    eprintln!("lpj-tokio-baseline: bad argument {argument}\nusage: lpj-tokio-baseline [--host 127.0.0.1] [--port 8080] [--threads 1]");
    std::process::exit(2)
}

async fn serve(host: String, port: u16, threads: usize) {
    let listener = match TcpListener::bind((host.as_str(), port)).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("lpj-tokio-baseline: cannot listen on {host}:{port}: {error}");
            std::process::exit(1)
        }
    };
    let address: SocketAddr = listener.local_addr().expect("the bound address");
    println!("lpj-tokio-baseline: listening on {address} (threads {threads})");
    loop {
        if let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(connection(stream));
        }
    }
}

/// One connection: read, answer every whole frame in the buffer, write the answers in one write.
async fn connection(mut stream: TcpStream) {
    let mut input: Vec<u8> = Vec::new();
    let mut output: Vec<u8> = Vec::new();
    loop {
        if input.capacity() - input.len() < 1024 {
            input.reserve(4096); // reads go straight into the input buffer
        }
        match stream.read_buf(&mut input).await {
            Ok(0) | Err(_) => return, // end of stream: whole frames were answered; a cut frame gets nothing
            Ok(_) => {}
        }
        let mut start = 0;
        let mut oversize = false;
        while input.len() - start >= 4 {
            let length = u32::from_le_bytes(input[start..start + 4].try_into().unwrap()) as usize;
            if length > MAX_BODY {
                write_frame(&mut output, &json!({"out": "error", "result": {
                    "code": "frame-too-large", "rule": "frame.oversize-close",
                    "message": format!("frame length {length} exceeds the limit of {MAX_BODY} octets")}}));
                oversize = true;
                break;
            }
            if input.len() - start - 4 < length {
                break;
            }
            answer(&input[start + 4..start + 4 + length], &mut output);
            start += 4 + length;
        }
        input.drain(..start);
        if !output.is_empty() {
            if stream.write_all(&output).await.is_err() {
                return;
            }
            output.clear();
        }
        if oversize {
            return;
        }
    }
}

/// Appends `value` as a frame: a 4-octet little-endian length, then serde_json's compact text.
fn write_frame<T: serde::Serialize>(output: &mut Vec<u8>, value: &T) {
    let start = output.len();
    output.extend_from_slice(&[0; 4]);
    serde_json::to_writer(&mut *output, value).expect("a JSON value serializes");
    let length = (output.len() - start - 4) as u32;
    output[start..start + 4].copy_from_slice(&length.to_le_bytes());
}

/// The answer to one request body, appended to `output` as a frame.
fn answer(body: &[u8], output: &mut Vec<u8>) {
    let request = match read_request(body) {
        Ok(request) => request,
        Err(error) => return write_frame(output, &error.response()),
    };
    match request.method.as_str() {
        "ping" => write_frame(output, &Reply { out: "pong", result: &request.params }),
        "lpj.describe" => write_frame(output, &Reply { out: "lpj.description", result: &json!({
            "protocol": "lpj/1", "byteOrder": "little", "maxBody": MAX_BODY, "maxDepth": MAX_DEPTH,
            "methods": ["lpj.describe", "ping"], "server": "lpj-tokio-baseline/1.0 (tokio, serde_json)",
            "duplicates": "last", "numbers": "text"}) }),
        other => write_frame(output, &Refusal::new("unknown-method", "msg.unknown-method",
                                                   format!("unknown method {other:?}"), None).response()),
    }
}

#[derive(serde::Serialize)]
struct Reply<'a> {
    out: &'a str,
    result: &'a Value,
}

/// A request that passed every check: its method and params.
struct Request {
    method: String,
    params: Value,
}

/// Why a body is not a request: an error code, the rule, a message and the offset where it applies.
struct Refusal {
    code: &'static str,
    rule: &'static str,
    message: String,
    offset: Option<usize>,
}

impl Refusal {
    fn new(code: &'static str, rule: &'static str, message: String, offset: Option<usize>) -> Self {
        Refusal { code, rule, message, offset }
    }

    fn response(&self) -> Value {
        let mut result = json!({"code": self.code, "message": self.message, "rule": self.rule});
        if let Some(offset) = self.offset {
            result["offset"] = json!(offset);
        }
        json!({"out": "error", "result": result})
    }
}

/// Steps 1 to 5 of spec section 4: UTF-8, BOM, one JSON text (serde_json: escapes, surrogates, depth,
/// no NaN), an object, `in` a string and `params` present, each exactly once.
fn read_request(body: &[u8]) -> Result<Request, Refusal> {
    if body.is_empty() {
        return Err(Refusal::new("invalid-json", "frame.zero-length", "empty body".into(), Some(0)));
    }
    if let Err(error) = std::str::from_utf8(body) {
        return Err(utf8_refusal(body, error.valid_up_to()));
    }
    if body.starts_with(&[0xef, 0xbb, 0xbf]) {
        return Err(Refusal::new("invalid-json", "body.no-bom", "a body must not begin with a byte order mark".into(), Some(0)));
    }
    let message = serde_json::from_slice::<Message>(body).map_err(|error| json_refusal(body, &error))?;
    match message {
        Message::NotObject => Err(Refusal::new("invalid-request", "body.object", "the body is not an object".into(), None)),
        Message::Object { method, params, duplicated } => {
            if let Some(name) = duplicated {
                return Err(Refusal::new("invalid-request", "msg.duplicate-members", format!("member {name:?} appears more than once"), None));
            }
            match (method, params) {
                (Some(Value::String(method)), Some(params)) => Ok(Request { method, params }),
                (Some(_), Some(_)) => Err(Refusal::new("invalid-request", "msg.request", "\"in\" is not a string".into(), None)),
                (None, _) => Err(Refusal::new("invalid-request", "msg.request", "no \"in\" member".into(), None)),
                (_, None) => Err(Refusal::new("invalid-request", "msg.request", "no \"params\" member".into(), None)),
            }
        }
    }
}

/// The first ill-formed UTF-8 sequence starts at `start`: `invalid-utf8` there, unless the JSON text
/// already fails before it (`body.utf8.precedence`), which serde_json tells by reading the valid prefix.
fn utf8_refusal(body: &[u8], start: usize) -> Refusal {
    if let Err(error) = serde_json::from_slice::<IgnoredAny>(&body[..start]) {
        if !error.is_eof() {
            let refusal = json_refusal(&body[..start], &error);
            if refusal.offset.map_or(false, |offset| offset < start) {
                return refusal;
            }
        }
    }
    Refusal::new("invalid-utf8", "body.utf8", "the body is not well-formed UTF-8".into(), Some(start))
}

/// serde_json's error as `invalid-json`: its line and column turned back into an octet offset.
fn json_refusal(body: &[u8], error: &serde_json::Error) -> Refusal {
    let offset = if error.is_eof() {
        body.len()
    } else {
        let mut line_start = 0;
        for _ in 1..error.line() {
            line_start += body[line_start..].iter().position(|&octet| octet == b'\n').map_or(0, |at| at + 1);
        }
        (line_start + error.column()).saturating_sub(1).min(body.len())
    };
    let text = error.to_string();
    if text.contains("recursion limit") {
        return Refusal::new("invalid-json", "body.nesting-limit", format!("nesting depth exceeds {MAX_DEPTH}"), Some(offset));
    }
    if text.contains("surrogate") || text.contains("unicode code point") || text.contains("hex escape") {
        // serde_json blames the octet after the escape it refused; the escape (or the pair it began) starts earlier.
        return Refusal::new("invalid-json", "body.no-lone-surrogates", text, Some(surrogate_escape_start(body, offset)));
    }
    Refusal::new("invalid-json", "body.json-text", text, Some(offset))
}

/// The start of the surrogate escape serde_json refused at `offset`: the last `\\uXXXX` from D800 to DFFF
/// that begins before it, or the high surrogate escape just before that one, whose pair it failed to end.
fn surrogate_escape_start(body: &[u8], offset: usize) -> usize {
    let surrogate = |at: usize| -> Option<u16> {
        let digits = body.get(at..at + 6).filter(|escape| escape.starts_with(b"\\u"))?;
        let value = u16::from_str_radix(std::str::from_utf8(&digits[2..]).ok()?, 16).ok()?;
        (0xd800..=0xdfff).contains(&value).then_some(value)
    };
    let last = match (0..offset.min(body.len())).rev().find(|&at| surrogate(at).is_some()) {
        Some(last) => last,
        None => return offset,
    };
    match last.checked_sub(6).and_then(|before| surrogate(before).map(|value| (before, value))) {
        Some((before, 0xd800..=0xdbff)) => before,
        _ => last,
    }
}

/// The message object as read: its `in` and `params` and the first duplicated one, or a top-level
/// value that is not an object (read whole, so that a later syntax error still wins).
enum Message {
    NotObject,
    Object { method: Option<Value>, params: Option<Value>, duplicated: Option<&'static str> },
}

impl<'de> de::Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MessageVisitor)
    }
}

struct MessageVisitor;

impl<'de> Visitor<'de> for MessageVisitor {
    type Value = Message;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Message, A::Error> {
        let (mut method, mut params, mut duplicated) = (None, None, None);
        while let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if name == "$serde_json::private::Number" && method.is_none() && params.is_none() {
                map.next_value::<IgnoredAny>()?; // arbitrary_precision hands a top-level number over as a map
                return Ok(Message::NotObject);
            }
            let value: Value = map.next_value()?; // every member is read whole, unknown ones too
            let (slot, label) = match name.as_ref() {
                "in" => (&mut method, "in"),
                "params" => (&mut params, "params"),
                _ => continue,
            };
            if slot.is_some() && duplicated.is_none() {
                duplicated = Some(label);
            }
            *slot = Some(value);
        }
        Ok(Message::Object { method, params, duplicated })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Message, A::Error> {
        while seq.next_element_seed(ValueSeed)?.is_some() {}
        Ok(Message::NotObject)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Message, E> { Ok(Message::NotObject) }
    fn visit_i64<E>(self, _: i64) -> Result<Message, E> { Ok(Message::NotObject) }
    fn visit_u64<E>(self, _: u64) -> Result<Message, E> { Ok(Message::NotObject) }
    fn visit_f64<E>(self, _: f64) -> Result<Message, E> { Ok(Message::NotObject) }
    fn visit_str<E>(self, _: &str) -> Result<Message, E> { Ok(Message::NotObject) }
    fn visit_unit<E>(self) -> Result<Message, E> { Ok(Message::NotObject) }
}

/// Reads one array element as a whole `Value` (so it is fully validated) and drops it.
struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        Value::deserialize(deserializer).map(|_| ())
    }
}

use serde::Deserialize;
