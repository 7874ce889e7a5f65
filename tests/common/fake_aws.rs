//! A fake AWS endpoint for IAM, STS and CloudTrail: a small HTTP/1.1 server on 127.0.0.1 that
//! answers the AWS Query protocol (`POST /` with an `Action=` form body) with the XML bodies AWS
//! documents, and the JSON protocol (`X-Amz-Target: <service>.<Operation>`, awsJson1_1, as
//! CloudTrail speaks it) with JSON bodies.
//! Every request is recorded, so tests can count calls and read their parameters.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The STS XML namespace.
pub const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
/// The IAM XML namespace.
pub const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Request {
    /// The HTTP method (`POST`, `PUT`, …).
    pub method: String,
    /// The request target (`/`, `/latest/api/token`, …).
    pub path: String,
    /// The `Action=` form parameter, else the operation named by `X-Amz-Target` (empty when
    /// neither is there).
    pub action: String,
    /// The body as text (the JSON request of the JSON protocol).
    pub body: String,
    /// The decoded form parameters.
    pub params: HashMap<String, String>,
    /// The headers, names in lower case.
    pub headers: HashMap<String, String>,
    /// When it had been read whole.
    pub received: std::time::Instant,
}

impl Request {
    /// A form parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// A header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// An HTTP reply: status, content type and body (XML, unless a test wants something else).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

impl Reply {
    /// HTTP 200 with `body`.
    pub fn ok(body: String) -> Reply {
        Reply::raw(200, "text/xml", &body)
    }

    /// Any status, content type and body: for replies that are not AWS's.
    pub fn raw(status: u16, content_type: &'static str, body: &str) -> Reply {
        Reply {
            status,
            content_type,
            body: body.to_owned(),
        }
    }

    /// AWS's Query-protocol error body, `<ErrorResponse>` in namespace `ns`.
    pub fn error(status: u16, ns: &str, code: &str, message: &str) -> Reply {
        Reply {
            status,
            content_type: "text/xml",
            body: format!(
                "<ErrorResponse xmlns=\"{ns}\">\n  <Error>\n    <Type>Sender</Type>\n    \
                 <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  \
                 <RequestId>4d1a3b52-6c7e-4f0a-9d2b-1c8e5f7a9b30</RequestId>\n</ErrorResponse>\n",
                escape(code),
                escape(message)
            ),
        }
    }

    /// HTTP 200 with a JSON-protocol (awsJson1_1) body.
    pub fn json(body: &serde_json::Value) -> Reply {
        Reply {
            status: 200,
            content_type: "application/x-amz-json-1.1",
            body: body.to_string(),
        }
    }

    /// A JSON-protocol error: `{"__type": code, "message": …}`.
    pub fn json_error(status: u16, code: &str, message: &str) -> Reply {
        Reply {
            status,
            content_type: "application/x-amz-json-1.1",
            body: serde_json::json!({ "__type": code, "message": message }).to_string(),
        }
    }

    /// An STS error reply.
    pub fn sts_error(status: u16, code: &str, message: &str) -> Reply {
        Reply::error(status, STS_NS, code, message)
    }

    /// An IAM error reply.
    pub fn iam_error(status: u16, code: &str, message: &str) -> Reply {
        Reply::error(status, IAM_NS, code, message)
    }
}

type Router = dyn Fn(&Request) -> Reply + Send + Sync;

/// A running fake endpoint; stopped on drop.
pub struct FakeAws {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeAws {
    /// Starts the server; `route` answers each request.
    pub fn start(route: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> FakeAws {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let route: Arc<Router> = Arc::new(route);
        let thread = {
            let (requests, stop) = (Arc::clone(&requests), Arc::clone(&stop));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (requests, route) = (Arc::clone(&requests), Arc::clone(&route));
                    std::thread::spawn(move || serve(stream, &requests, route.as_ref()));
                }
            })
        };
        FakeAws {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("request log").clone()
    }

    /// The actions received so far, in arrival order.
    pub fn actions(&self) -> Vec<String> {
        self.requests().into_iter().map(|r| r.action).collect()
    }

    /// How many requests named `action`.
    pub fn count(&self, action: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.action == action)
            .count()
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for FakeAws {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An endpoint on 127.0.0.1 that accepts connections and never answers; stopped on drop.
pub struct Silent {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Silent {
    /// Starts listening; every connection is held open, unread and unanswered.
    pub fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut held = Vec::new();
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    held.extend(stream.ok());
                }
            })
        };
        Silent {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A 127.0.0.1 port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

fn serve(stream: TcpStream, requests: &Mutex<Vec<Request>>, route: &Router) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut headers = HashMap::new();
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return; // The drop's wake-up connection, or a client that gave up.
    }
    let mut target = request_line.split_whitespace();
    let method = target.next().unwrap_or_default().to_owned();
    let path = target.next().unwrap_or_default().to_owned();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    if headers
        .get("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        let _ = writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let body = String::from_utf8_lossy(&body).into_owned();
    let params = parse_form(&body);
    let target = headers
        .get("x-amz-target")
        .and_then(|target| target.rsplit_once('.'))
        .map(|(_, operation)| operation.to_owned());
    let request = Request {
        method,
        path,
        action: params.get("Action").cloned().or(target).unwrap_or_default(),
        params,
        headers,
        body,
        received: std::time::Instant::now(),
    };
    requests.lock().expect("request log").push(request.clone());
    let reply = route(&request);
    let reason = match reply.status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Error",
    };
    let response = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         x-amzn-RequestId: 4d1a3b52-6c7e-4f0a-9d2b-1c8e5f7a9b30\r\nConnection: close\r\n\r\n{}",
        reply.status,
        reply.content_type,
        reply.body.len(),
        reply.body
    );
    let _ = writer.write_all(response.as_bytes());
    let _ = writer.flush();
}

/// Decodes an `application/x-www-form-urlencoded` body.
pub fn parse_form(body: &str) -> HashMap<String, String> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(name), form_decode(value))
        })
        .collect()
}

fn form_decode(text: &str) -> String {
    let hex = |b: u8| char::from(b).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', high, low]) => hex(*high).zip(hex(*low)),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some((high, low)), _) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, byte) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// URL-encodes like IAM does for policy documents (RFC 3986: all but unreserved characters).
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Escapes XML text.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

const REQUEST_ID: &str = "c6104cbe-af31-11e0-8154-cbc7ccf896c7";

/// `GetCallerIdentity` success.
pub fn get_caller_identity(arn: &str, user_id: &str, account: &str) -> Reply {
    Reply::ok(format!(
        "<GetCallerIdentityResponse xmlns=\"{STS_NS}\">\n  <GetCallerIdentityResult>\n    \
         <Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{account}</Account>\n  \
         </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>{REQUEST_ID}</RequestId>\n  \
         </ResponseMetadata>\n</GetCallerIdentityResponse>\n",
        escape(arn),
        escape(user_id)
    ))
}

/// What a role looks like to `GetRole`.
#[derive(Debug, Clone)]
pub struct FakeRole {
    /// `RoleName`.
    pub name: String,
    /// `Arn`.
    pub arn: String,
    /// The trust policy as JSON (sent URL-encoded, as IAM does).
    pub trust_policy: String,
    /// `MaxSessionDuration`.
    pub max_session_duration: u32,
}

fn role_xml(role: &FakeRole) -> String {
    format!(
        "<Role>\n      <Path>/</Path>\n      <AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument>\n      \
         <MaxSessionDuration>{}</MaxSessionDuration>\n      <RoleId>AROADBQP57FF2AEXAMPLE</RoleId>\n      \
         <RoleName>{}</RoleName>\n      <Arn>{}</Arn>\n      <CreateDate>2026-05-08T23:34:01Z</CreateDate>\n    \
         </Role>",
        url_encode(&role.trust_policy),
        role.max_session_duration,
        escape(&role.name),
        escape(&role.arn)
    )
}

/// `GetRole` success.
pub fn get_role(role: &FakeRole) -> Reply {
    Reply::ok(format!(
        "<GetRoleResponse xmlns=\"{IAM_NS}\">\n  <GetRoleResult>\n    {}\n  </GetRoleResult>\n  \
         <ResponseMetadata>\n    <RequestId>{REQUEST_ID}</RequestId>\n  </ResponseMetadata>\n\
         </GetRoleResponse>\n",
        role_xml(role)
    ))
}

/// `ListRoles` success: one page.
pub fn list_roles(roles: &[FakeRole]) -> Reply {
    list_roles_page(roles, None)
}

/// A `ListRoles` page; with a `marker`, `IsTruncated` is true and more pages follow.
pub fn list_roles_page(roles: &[FakeRole], marker: Option<&str>) -> Reply {
    let members: String = roles
        .iter()
        .map(|role| format!("\n      <member>{}</member>", role_xml(role)))
        .collect();
    let more = match marker {
        Some(marker) => format!(
            "true</IsTruncated>\n    <Marker>{}</Marker>",
            escape(marker)
        ),
        None => "false</IsTruncated>".to_owned(),
    };
    Reply::ok(format!(
        "<ListRolesResponse xmlns=\"{IAM_NS}\">\n  <ListRolesResult>\n    <IsTruncated>{more}\n    \
         <Roles>{members}\n    </Roles>\n  </ListRolesResult>\n  <ResponseMetadata>\n    \
         <RequestId>{REQUEST_ID}</RequestId>\n  </ResponseMetadata>\n</ListRolesResponse>\n"
    ))
}

/// `ListOpenIDConnectProviders` success.
pub fn list_open_id_connect_providers(arns: &[&str]) -> Reply {
    let members: String = arns
        .iter()
        .map(|arn| {
            format!(
                "\n      <member>\n        <Arn>{}</Arn>\n      </member>",
                escape(arn)
            )
        })
        .collect();
    Reply::ok(format!(
        "<ListOpenIDConnectProvidersResponse xmlns=\"{IAM_NS}\">\n  <ListOpenIDConnectProvidersResult>\n    \
         <OpenIDConnectProviderList>{members}\n    </OpenIDConnectProviderList>\n  \
         </ListOpenIDConnectProvidersResult>\n  <ResponseMetadata>\n    <RequestId>{REQUEST_ID}</RequestId>\n  \
         </ResponseMetadata>\n</ListOpenIDConnectProvidersResponse>\n"
    ))
}

/// `GetOpenIDConnectProvider` success; `url` without the scheme, as IAM returns it.
pub fn get_open_id_connect_provider(url: &str, client_ids: &[&str]) -> Reply {
    let ids: String = client_ids
        .iter()
        .map(|id| format!("\n      <member>{}</member>", escape(id)))
        .collect();
    Reply::ok(format!(
        "<GetOpenIDConnectProviderResponse xmlns=\"{IAM_NS}\">\n  <GetOpenIDConnectProviderResult>\n    \
         <ThumbprintList>\n      <member>990f4193972f2becf12ddeda5237f9c952f20d9e</member>\n    </ThumbprintList>\n    \
         <CreateDate>2026-01-09T03:32:51.398Z</CreateDate>\n    <ClientIDList>{ids}\n    </ClientIDList>\n    \
         <Url>{}</Url>\n  </GetOpenIDConnectProviderResult>\n  <ResponseMetadata>\n    \
         <RequestId>{REQUEST_ID}</RequestId>\n  </ResponseMetadata>\n</GetOpenIDConnectProviderResponse>\n",
        escape(url)
    ))
}

/// Temporary credentials in an `AssumeRoleWithWebIdentity` reply.
#[derive(Debug, Clone)]
pub struct FakeCredentials {
    /// `AccessKeyId`.
    pub access_key_id: String,
    /// `SecretAccessKey`.
    pub secret_access_key: String,
    /// `SessionToken`.
    pub session_token: String,
    /// `Expiration` (ISO 8601).
    pub expiration: String,
}

/// `AssumeRoleWithWebIdentity` success.
pub fn assume_role_with_web_identity(
    credentials: &FakeCredentials,
    assumed_role_arn: &str,
    subject: &str,
    audience: &str,
    provider: &str,
) -> Reply {
    Reply::ok(format!(
        "<AssumeRoleWithWebIdentityResponse xmlns=\"{STS_NS}\">\n  <AssumeRoleWithWebIdentityResult>\n    \
         <SubjectFromWebIdentityToken>{}</SubjectFromWebIdentityToken>\n    <Audience>{}</Audience>\n    \
         <AssumedRoleUser>\n      <Arn>{}</Arn>\n      <AssumedRoleId>AROADBQP57FF2AEXAMPLE:session</AssumedRoleId>\n    \
         </AssumedRoleUser>\n    <Credentials>\n      <SessionToken>{}</SessionToken>\n      \
         <SecretAccessKey>{}</SecretAccessKey>\n      <Expiration>{}</Expiration>\n      \
         <AccessKeyId>{}</AccessKeyId>\n    </Credentials>\n    <SourceIdentity></SourceIdentity>\n    \
         <Provider>{}</Provider>\n  </AssumeRoleWithWebIdentityResult>\n  <ResponseMetadata>\n    \
         <RequestId>{REQUEST_ID}</RequestId>\n  </ResponseMetadata>\n</AssumeRoleWithWebIdentityResponse>\n",
        escape(subject),
        escape(audience),
        escape(assumed_role_arn),
        escape(&credentials.session_token),
        escape(&credentials.secret_access_key),
        escape(&credentials.expiration),
        escape(&credentials.access_key_id),
        escape(provider)
    ))
}

/// A CloudTrail `LookupEvents` page holding `events` (each a CloudTrail event as JSON text);
/// with `next_token`, more pages follow.
pub fn lookup_events_page(events: &[String], next_token: Option<&str>) -> Reply {
    let events: Vec<serde_json::Value> = events
        .iter()
        .map(|text| {
            let event: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
            serde_json::json!({
                "EventId": event["eventID"],
                "EventName": event["eventName"],
                "ReadOnly": "true",
                "EventTime": 1_795_990_000.0,
                "EventSource": "sts.amazonaws.com",
                "Username": event["userIdentity"]["userName"],
                "Resources": [],
                "CloudTrailEvent": text,
            })
        })
        .collect();
    let mut body = serde_json::json!({ "Events": events });
    if let Some(token) = next_token {
        body["NextToken"] = serde_json::json!(token);
    }
    Reply::json(&body)
}
