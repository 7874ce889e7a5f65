//! The Token screen: claims with their meaning for AWS, the header, and the findings.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState, Wrap};
use serde_json::Value;

use super::Theme;
use crate::account::strip_scheme;
use crate::eval::{GENERIC_CLAIMS, exposed_claims};
use crate::platforms;
use crate::token::rules::CLOCK_SKEW_SECONDS;
use crate::token::times::{TimeClaim, claim_time_phrase, utc};
use crate::token::verify::Verification;
use crate::token::{CI_TOKEN_VARIABLES, Severity, TOKEN_FILE_VARIABLE};
use crate::tui::app::App;

/// Draws the Token screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let Some(loaded) = app.token() else {
        if app.minting {
            frame.render_widget(
                Paragraph::new("Minting the demo token…").block(Block::bordered()),
                area,
            );
            return;
        }
        let text = vec![
            Line::styled("No token yet.", theme.strong()),
            Line::raw(""),
            Line::raw(
                "Paste one into this terminal, press p to read the clipboard or o to open a file, or start trustlens with --token SRC (@FILE, -, env:NAME, demo:NAME).",
            ),
            Line::raw(format!(
                "Looked for {} and the file named by {TOKEN_FILE_VARIABLE}.",
                CI_TOKEN_VARIABLES.join(", ")
            )),
        ];
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .block(Block::bordered()),
            area,
        );
        return;
    };
    let token = &loaded.token;
    let findings = token.findings(app.now);
    let prefix = token.issuer().map(strip_scheme).unwrap_or_default();
    let exposed = exposed_claims(prefix);
    // The selected claim whole, under the table that cuts long values at its column's edge.
    let selected = token
        .claims()
        .iter()
        .nth(app.claim_selected)
        .map(|(name, value)| {
            let note = annotation(name, value, app.now, prefix, exposed.extra);
            super::printable(&format!("{name} = {value} · {note}"))
        });
    let about = about(app, token, selected, theme);
    let findings_box = findings_paragraph(&findings, theme);
    // Both boxes as tall as their wrapped text, within a share of the screen; the table keeps
    // the rest.
    let width = area.width.saturating_sub(2);
    // (`line_count` counts the block's borders.)
    let rows = |paragraph: &Paragraph, least: u16, most: u16| {
        u16::try_from(paragraph.line_count(width))
            .unwrap_or(u16::MAX)
            .clamp(least, most.max(least))
    };
    let about_rows = rows(&about, 6, area.height / 2);
    let findings_rows = rows(&findings_box, 3, area.height / 4);
    let [claims_area, about_area, findings_area] = Layout::vertical([
        Constraint::Min(4),
        Constraint::Length(about_rows),
        Constraint::Length(findings_rows),
    ])
    .areas(area);
    frame.render_widget(about, about_area);
    frame.render_widget(findings_box, findings_area);

    let rows: Vec<Row> = token
        .claims()
        .iter()
        .enumerate()
        .map(|(index, (name, value))| {
            let note = annotation(name, value, app.now, prefix, exposed.extra);
            let note_style = if note.starts_with("not a condition key") {
                theme.dim()
            } else {
                theme.good()
            };
            let row = Row::new(vec![
                Span::styled(super::printable(name), theme.strong()),
                Span::raw(super::printable(&value.to_string())),
                Span::styled(note, note_style),
            ]);
            if index == app.claim_selected {
                row.style(theme.selected())
            } else {
                row
            }
        })
        .collect();
    let verification = app
        .signature
        .as_ref()
        .map(|evidence| &evidence.verification);
    // Keys from a host outside the trusted library count only with the provider's thumbprint.
    let private = app
        .signature
        .as_ref()
        .is_some_and(|evidence| evidence.served.iter().any(|chain| !chain.trusted));
    let signature = match (verification, token.is_edited()) {
        (_, true) => "edited — not signed",
        (Some(Verification::Verified { .. }), false) if private => {
            "signature verified with keys from a private-CA host (see a role's checks)"
        }
        (Some(Verification::Verified { .. }), false) => "signature verified",
        (Some(Verification::NoKey { .. } | Verification::BadSignature { .. }), false) => {
            "signature REJECTED (see a role's checks)"
        }
        (Some(Verification::CouldNotCheck { .. }) | None, false) => "signature not verified",
    };
    let header = format!(
        " Claims — {} · alg {} · {signature} · from {} ",
        token.issuer().unwrap_or("(no iss)"),
        token.algorithm().unwrap_or("?"),
        loaded.origin
    );
    let table = Table::new(
        rows,
        [
            Constraint::Length(22),
            Constraint::Fill(3),
            Constraint::Fill(2),
        ],
    )
    .block(Block::bordered().title(header));
    // Scrolled so the selected claim is in view.
    let mut state = TableState::default().with_selected(Some(app.claim_selected));
    frame.render_stateful_widget(table, claims_area, &mut state);
}

/// The findings, wrapped.
fn findings_paragraph(findings: &[crate::token::Finding], theme: Theme) -> Paragraph<'static> {
    let lines: Vec<Line> = if findings.is_empty() {
        vec![Line::styled(
            "✔ nothing in this token makes STS reject it before reading a trust policy",
            theme.good(),
        )]
    } else {
        findings
            .iter()
            .map(|finding| {
                let (mark, style) = match finding.severity {
                    Severity::Error => ("✘", theme.bad()),
                    Severity::Warning => ("!", theme.warn()),
                    Severity::Info => ("·", theme.dim()),
                };
                Line::from(vec![
                    Span::styled(format!("{mark} {} ", finding.code), style),
                    Span::raw(finding.message.clone()),
                ])
            })
            .collect()
    };
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(Block::bordered().title(" Findings "))
}

/// The subject's named parts, the JOSE header, and the raw token (masked until `r`).
fn about<'a>(
    app: &App,
    token: &'a crate::token::Token,
    selected: Option<String>,
    theme: Theme,
) -> Paragraph<'a> {
    let platform = token.issuer().and_then(platforms::detect);
    let subject = match (platform, token.subject()) {
        (Some(platform), Some(sub)) => {
            let parts = platforms::subject_parts(platform, sub);
            if parts.is_empty() {
                format!(
                    "{}: sub is not in the default format (a customised subject?)",
                    platform.name()
                )
            } else {
                let named: Vec<String> = parts
                    .iter()
                    .map(|(key, value)| format!("{key} {value}"))
                    .collect();
                format!("{} sub: {}", platform.name(), named.join(" · "))
            }
        }
        (None, _) => "issuer of no known CI platform".to_owned(),
        (Some(platform), None) => format!("{}: the token has no sub", platform.name()),
    };
    let raw = token.raw().expose();
    let raw_line = if app.raw_revealed {
        raw.clone()
    } else {
        format!(
            "{}… ({} characters, masked — r reveals)",
            raw.chars().take(12).collect::<String>(),
            token.char_count()
        )
    };
    let header = serde_json::Value::Object(token.header().clone()).to_string();
    let mut lines: Vec<Line> = selected
        .map(|claim| {
            Line::from(vec![
                Span::styled("Claim   ", theme.strong()),
                Span::raw(claim),
            ])
        })
        .into_iter()
        .collect();
    lines.extend([
        Line::from(vec![
            Span::styled("Subject ", theme.strong()),
            Span::raw(subject),
        ]),
        Line::from(vec![
            Span::styled("Header  ", theme.strong()),
            Span::raw(header),
        ]),
        Line::from(vec![
            Span::styled("Raw     ", theme.strong()),
            Span::styled(raw_line, theme.dim()),
        ]),
    ]);
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(Block::bordered())
}

/// What a claim means here: a time in words, or whether AWS can test it.
fn annotation(name: &str, value: &Value, now: i64, prefix: &str, extra: &[&str]) -> String {
    if let Some(at) = ["exp", "iat", "nbf"]
        .contains(&name)
        .then(|| TimeClaim::read(value).seconds())
        .flatten()
    {
        let phrase = claim_time_phrase(name, at, now);
        let skew = if name == "exp" && now >= at && now < at + CLOCK_SKEW_SECONDS {
            " (within STS's skew)"
        } else {
            ""
        };
        return format!("{} · {phrase}{skew}", utc(at));
    }
    if GENERIC_CLAIMS.contains(&name) || extra.contains(&name) {
        format!("condition key {prefix}:{name}")
    } else {
        "not a condition key (AWS does not expose it)".to_owned()
    }
}
