//! Reading CloudTrail: one event, a `{"Records": […]}` file (also gzip), or the output of
//! `aws cloudtrail lookup-events` (`{"Events": [{"CloudTrailEvent": "<JSON text>"}]}`), into
//! what each `AssumeRoleWithWebIdentity` event tells (lint-cloudtrail-generation.md §2).

use std::io::Read;

use serde::Serialize;
use serde_json::{Map, Value};
use thiserror::Error;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::arn::Arn;
use crate::json::kind_of;

/// The event name this module reads; every other event is skipped.
pub const EVENT_NAME: &str = "AssumeRoleWithWebIdentity";

/// The most a gzip file may expand to (a compressed bomb stops here, as bad input).
pub const MAX_EXPANDED_BYTES: u64 = 512 * 1024 * 1024;

/// Why the input cannot be read, and where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{place}: {message}")]
pub struct TrailError {
    /// Where: `line 3, column 7`, `Records[2].userIdentity`, `Events[0].CloudTrailEvent: line 1, column 9`.
    pub place: String,
    /// What is wrong there.
    pub message: String,
}

impl TrailError {
    fn new(place: impl Into<String>, message: impl Into<String>) -> TrailError {
        TrailError {
            place: place.into(),
            message: message.into(),
        }
    }
}

/// Where the role named by an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoleSource {
    /// `requestParameters.roleArn`.
    Request,
    /// `resources[]` (the request's `roleArn` was null).
    Resources,
}

/// What one `AssumeRoleWithWebIdentity` event tells. Every field is what CloudTrail wrote;
/// `None` where the event does not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrailEvent {
    /// `eventID`.
    pub event_id: Option<String>,
    /// `eventTime` as written.
    pub time: Option<String>,
    /// `eventTime` in epoch seconds, when it reads as RFC 3339.
    #[serde(skip)]
    pub epoch: Option<i64>,
    /// `awsRegion`: where the call was served and recorded.
    pub region: Option<String>,
    /// `tlsDetails.clientProvidedHostHeader`: the STS endpoint the client called.
    pub endpoint: Option<String>,
    /// `sourceIPAddress`.
    pub source_ip: Option<String>,
    /// `userAgent`: which client made the call.
    pub user_agent: Option<String>,
    /// `errorCode`; `None` for a successful call.
    pub error_code: Option<String>,
    /// `errorMessage` (for denials usually "An unknown error occurred").
    pub error_message: Option<String>,
    /// `userIdentity.identityProvider` (the provider ARN for IAM OIDC providers).
    pub provider: Option<String>,
    /// The issuer the provider stands for (`https://` + the provider ARN's URL).
    pub issuer: Option<String>,
    /// The account owning the provider (from its ARN).
    pub provider_account: Option<String>,
    /// The audience the token was accepted for (from `principalId`, else `responseElements.audience`).
    pub audience: Option<String>,
    /// The token's `sub` (`userIdentity.userName`, else `responseElements.subjectFromWebIdentityToken`).
    pub subject: Option<String>,
    /// The role asked for.
    pub role_arn: Option<String>,
    /// Where `role_arn` came from.
    pub role_source: Option<RoleSource>,
    /// `requestParameters.roleSessionName`.
    pub session_name: Option<String>,
    /// `requestParameters.durationSeconds`.
    pub duration_seconds: Option<i64>,
    /// `additionalEventData.identityProviderConnectionVerificationMethod` (`IAMTrustStore`, `Thumbprint`).
    pub verification_method: Option<String>,
    /// `responseElements.assumedRoleUser.arn` (successful calls).
    pub assumed_role_arn: Option<String>,
}

impl TrailEvent {
    /// True when STS refused the call.
    pub fn failed(&self) -> bool {
        self.error_code.is_some()
    }

    /// The facts the event gives, labelled, in the order a person asks for them.
    pub fn facts(&self) -> Vec<(&'static str, String)> {
        let event = self;
        let mut facts = Vec::new();
        let mut push = |label: &'static str, value: Option<String>| {
            if let Some(value) = value {
                facts.push((label, value));
            }
        };
        push(
            "issuer",
            event
                .issuer
                .clone()
                .map(|issuer| match &event.provider_account {
                    Some(account) => format!("{issuer} (provider in account {account})"),
                    None => issuer,
                }),
        );
        push("audience", event.audience.clone());
        push("subject", event.subject.clone());
        push(
            "role",
            Some(match (&event.role_arn, event.role_source) {
                (Some(arn), Some(RoleSource::Resources)) => {
                    format!("{arn} (from resources[]: requestParameters.roleArn is null)")
                }
                (Some(arn), _) => arn.clone(),
                (None, _) => "not recorded (requestParameters.roleArn is null)".to_owned(),
            }),
        );
        push("session", event.session_name.clone());
        let place = [
            event.region.clone(),
            event.endpoint.clone().map(|e| format!("via {e}")),
            event.source_ip.clone().map(|ip| format!("from {ip}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        push("where", (!place.is_empty()).then_some(place));
        push("client", event.user_agent.clone());
        push(
            "CloudTrail",
            event
                .error_code
                .clone()
                .map(|code| match &event.error_message {
                    Some(message) => format!("{code}: {message}"),
                    None => code,
                }),
        );
        push("event ID", event.event_id.clone());
        facts
    }
}

/// What an input held: the `AssumeRoleWithWebIdentity` events, and how many others were skipped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedEvents {
    /// The events, in input order.
    pub events: Vec<TrailEvent>,
    /// Events of other names (`AssumeRole`, `GetCallerIdentity`, …), skipped.
    pub skipped: usize,
}

/// Reads CloudTrail input: gzip is expanded first; then one event, `{"Records": […]}`,
/// `{"Events": […]}` from `lookup-events`, or a JSON array of either kind of item.
pub fn parse_input(bytes: &[u8]) -> Result<ParsedEvents, TrailError> {
    let expanded;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        expanded = gunzip(bytes)?;
        expanded.as_slice()
    } else {
        bytes
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        TrailError::new(
            format!("byte {}", e.valid_up_to()),
            "not UTF-8 text (CloudTrail writes JSON)",
        )
    })?;
    let value = parse_json(text)?;
    let mut parsed = ParsedEvents::default();
    match &value {
        Value::Object(object) if object.contains_key("Records") => {
            let records = array_at(object, "Records", "Records")?;
            for (index, record) in records.iter().enumerate() {
                add_item(record, &format!("Records[{index}]"), &mut parsed)?;
            }
        }
        Value::Object(object) if object.contains_key("Events") => {
            let events = array_at(object, "Events", "Events")?;
            for (index, event) in events.iter().enumerate() {
                add_item(event, &format!("Events[{index}]"), &mut parsed)?;
            }
        }
        Value::Object(_) => add_item(&value, "the event", &mut parsed)?,
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                add_item(item, &format!("[{index}]"), &mut parsed)?;
            }
        }
        other => {
            return Err(TrailError::new(
                "the top level",
                format!(
                    "expected a CloudTrail event, {{\"Records\": […]}} or lookup-events output, found {}",
                    kind_of(other)
                ),
            ));
        }
    }
    Ok(parsed)
}

/// Reads one event's JSON text, as `LookupEvents` returns it in `CloudTrailEvent`; `None` for
/// an event of another name.
pub fn parse_event_text(text: &str, place: &str) -> Result<Option<TrailEvent>, TrailError> {
    let value = parse_json(text)
        .map_err(|e| TrailError::new(format!("{place}: {}", e.place), e.message))?;
    parse_event(&value, place)
}

fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, TrailError> {
    let mut out = Vec::new();
    let mut decoder = flate2::read::MultiGzDecoder::new(bytes).take(MAX_EXPANDED_BYTES + 1);
    decoder.read_to_end(&mut out).map_err(|e| {
        TrailError::new(
            format!("the gzip data, after {} expanded bytes", out.len()),
            format!("damaged or truncated ({e})"),
        )
    })?;
    if out.len() as u64 > MAX_EXPANDED_BYTES {
        return Err(TrailError::new(
            "gzip",
            format!("expands to more than {MAX_EXPANDED_BYTES} bytes"),
        ));
    }
    Ok(out)
}

fn parse_json(text: &str) -> Result<Value, TrailError> {
    serde_json::from_str(text).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "the JSON ends too early (truncated?)".to_owned(),
            _ => format!("not valid JSON: {}", strip_position(&e.to_string())),
        };
        TrailError::new(format!("line {}, column {}", e.line(), e.column()), what)
    })
}

/// serde_json's message without its own " at line L column C" (the place says it).
fn strip_position(message: &str) -> &str {
    message
        .rsplit_once(" at line ")
        .map_or(message, |(before, _)| before)
}

/// One item of a list: an event object, or a lookup-events entry whose `CloudTrailEvent` is text.
fn add_item(item: &Value, place: &str, parsed: &mut ParsedEvents) -> Result<(), TrailError> {
    let event = match item {
        Value::Object(object) if object.contains_key("CloudTrailEvent") => {
            let place = format!("{place}.CloudTrailEvent");
            match object.get("CloudTrailEvent") {
                Some(Value::String(text)) => parse_event_text(text, &place)?,
                Some(Value::Object(_)) => parse_event(&object["CloudTrailEvent"], &place)?,
                Some(other) => {
                    return Err(TrailError::new(
                        place,
                        format!("expected the event as JSON text, found {}", kind_of(other)),
                    ));
                }
                None => None,
            }
        }
        _ => parse_event(item, place)?,
    };
    match event {
        Some(event) => parsed.events.push(event),
        None => parsed.skipped += 1,
    }
    Ok(())
}

/// One event object; `None` when it is not an `AssumeRoleWithWebIdentity` event.
fn parse_event(value: &Value, place: &str) -> Result<Option<TrailEvent>, TrailError> {
    let Value::Object(event) = value else {
        return Err(TrailError::new(
            place,
            format!(
                "expected a CloudTrail event (an object), found {}",
                kind_of(value)
            ),
        ));
    };
    let at = Fields {
        object: event,
        place: place.to_owned(),
    };
    let Some(name) = at.string("eventName")? else {
        return Err(TrailError::new(
            place,
            "not a CloudTrail event: no eventName",
        ));
    };
    if name != EVENT_NAME {
        return Ok(None);
    }
    let identity = at.object("userIdentity")?;
    let request = at.object("requestParameters")?;
    let response = at.object("responseElements")?;
    let additional = at.object("additionalEventData")?;
    let tls = at.object("tlsDetails")?;

    let provider = identity.string("identityProvider")?;
    let subject = match identity.string("userName")? {
        Some(subject) => Some(subject),
        None => response.string("subjectFromWebIdentityToken")?,
    };
    let principal_id = identity.string("principalId")?;
    let audience = principal_id
        .as_deref()
        .and_then(|id| audience_in(id, provider.as_deref()?, subject.as_deref()?))
        .or(response.string("audience")?);
    let provider_arn = provider.as_deref().and_then(|p| Arn::parse(p).ok());
    let issuer = provider_arn
        .as_ref()
        .and_then(Arn::oidc_provider_url)
        .map(|url| format!("https://{url}"))
        .or_else(|| provider.as_ref().map(|bare| format!("https://{bare}")));
    let (role_arn, role_source) = match request.string("roleArn")? {
        Some(arn) => (Some(arn), Some(RoleSource::Request)),
        None => match role_in_resources(event, place)? {
            Some(arn) => (Some(arn), Some(RoleSource::Resources)),
            None => (None, None),
        },
    };
    let time = at.string("eventTime")?;
    Ok(Some(TrailEvent {
        event_id: at.string("eventID")?,
        epoch: time
            .as_deref()
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
            .map(OffsetDateTime::unix_timestamp),
        time,
        region: at.string("awsRegion")?,
        endpoint: tls.string("clientProvidedHostHeader")?,
        source_ip: at.string("sourceIPAddress")?,
        user_agent: at.string("userAgent")?,
        error_code: at.string("errorCode")?,
        error_message: at.string("errorMessage")?,
        provider_account: provider_arn
            .as_ref()
            .filter(|arn| !arn.account().is_empty())
            .map(|arn| arn.account().to_owned()),
        provider,
        issuer,
        audience,
        subject,
        role_arn,
        role_source,
        session_name: request.string("roleSessionName")?,
        duration_seconds: request.integer("durationSeconds")?,
        verification_method: additional.string("identityProviderConnectionVerificationMethod")?,
        assumed_role_arn: response.object("assumedRoleUser")?.string("arn")?,
    }))
}

/// The audience inside `principalId` = `<provider>:<aud>:<sub>`, cut by the known parts (never
/// on `:`: audiences such as `https://acme.semaphoreci.com` and subjects hold colons).
pub fn audience_in(principal_id: &str, provider: &str, subject: &str) -> Option<String> {
    let rest = principal_id.strip_prefix(provider)?.strip_prefix(':')?;
    let audience = rest.strip_suffix(subject)?.strip_suffix(':')?;
    Some(audience.to_owned())
}

/// The first `AWS::IAM::Role` ARN in `resources[]`.
fn role_in_resources(
    event: &Map<String, Value>,
    place: &str,
) -> Result<Option<String>, TrailError> {
    let resources = match event.get("resources") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(TrailError::new(
                format!("{place}.resources"),
                format!("expected an array, found {}", kind_of(other)),
            ));
        }
    };
    for (index, resource) in resources.iter().enumerate() {
        let place = format!("{place}.resources[{index}]");
        let Value::Object(object) = resource else {
            return Err(TrailError::new(
                place,
                format!("expected an object, found {}", kind_of(resource)),
            ));
        };
        let fields = Fields {
            object,
            place: place.clone(),
        };
        if fields.string("type")?.as_deref() == Some("AWS::IAM::Role")
            && let Some(arn) = fields.string("ARN")?
        {
            return Ok(Some(arn));
        }
    }
    Ok(None)
}

fn array_at<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    place: &str,
) -> Result<&'a [Value], TrailError> {
    match object.get(key) {
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(TrailError::new(
            place,
            format!("expected an array, found {}", kind_of(other)),
        )),
        None => Ok(&[]),
    }
}

/// An object's fields, read with errors that name where they are.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    place: String,
}

/// An object that is absent or null reads as empty.
static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl<'a> Fields<'a> {
    fn place_of(&self, key: &str) -> String {
        format!("{}.{key}", self.place)
    }

    /// A string field; absent or null is `None`, another type is an error.
    fn string(&self, key: &str) -> Result<Option<String>, TrailError> {
        match self.object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => Err(TrailError::new(
                self.place_of(key),
                format!("expected a string, found {}", kind_of(other)),
            )),
        }
    }

    /// An integer field (CloudTrail writes numbers; some tools write them as strings).
    fn integer(&self, key: &str) -> Result<Option<i64>, TrailError> {
        match self.object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(number)) if number.is_i64() => Ok(number.as_i64()),
            Some(Value::String(text)) if text.parse::<i64>().is_ok() => Ok(text.parse().ok()),
            Some(other) => Err(TrailError::new(
                self.place_of(key),
                format!("expected an integer, found {}", kind_of(other)),
            )),
        }
    }

    /// A nested object; absent or null reads as an empty one.
    fn object(&self, key: &str) -> Result<Fields<'a>, TrailError> {
        let place = self.place_of(key);
        match self.object.get(key) {
            None | Some(Value::Null) => Ok(Fields {
                object: &EMPTY,
                place,
            }),
            Some(Value::Object(object)) => Ok(Fields { object, place }),
            Some(other) => Err(TrailError::new(
                place,
                format!("expected an object, found {}", kind_of(other)),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audience_is_cut_by_the_known_parts_not_on_colons() {
        let provider = "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com";
        let subject = "org:acme:project:936a:repo:web:ref_type:branch:ref:refs/heads/main";
        let id = format!("{provider}:https://acme.semaphoreci.com:{subject}");
        assert_eq!(
            audience_in(&id, provider, subject).as_deref(),
            Some("https://acme.semaphoreci.com")
        );
        assert_eq!(audience_in("other", provider, subject), None);
        assert_eq!(audience_in(provider, provider, subject), None);
    }

    #[test]
    fn other_events_are_skipped_and_wrong_types_are_placed() {
        let parsed = parse_input(br#"{"Records":[{"eventName":"AssumeRole"}]}"#);
        assert_eq!(parsed.map(|p| p.skipped), Ok(1));
        let error = parse_input(
            br#"{"Records":[{"eventName":"AssumeRoleWithWebIdentity","userIdentity":{"userName":7}}]}"#,
        );
        assert_eq!(
            error.map_err(|e| e.place),
            Err("Records[0].userIdentity.userName".to_owned())
        );
    }

    #[test]
    fn truncated_json_names_the_line_and_column() {
        let error = parse_input(b"{\"Records\": [\n{\"eventName\": \"Assu");
        let error = error.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.starts_with("line 2, column "), "{error}");
        assert!(error.contains("truncated"), "{error}");
    }
}
