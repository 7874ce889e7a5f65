//! The Providers screen: each IAM OIDC provider and whether the token's issuer and audience fit,
//! with the token's own provider in full below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, Wrap};

use super::Theme;
use crate::account::Provider;
use crate::eval::{Fix, accepted_audience};
use crate::token::tls::{HostTrust, ServedChain};
use crate::tui::app::{AccountState, App};
use serde_json::{Map, Value};

/// Draws the Providers screen.
pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let AccountState::Ready(account, source) = &app.account else {
        frame.render_widget(
            Paragraph::new("The account is not loaded.").block(Block::bordered()),
            area,
        );
        return;
    };
    let claims = app.token().map(|t| t.token.claims());
    let issuer = app.token().and_then(|t| t.token.issuer());
    let rows: Vec<Row> = account
        .providers
        .iter()
        .map(|provider| {
            let issuer_fits = issuer == Some(provider.issuer().as_str());
            let audience = claims.and_then(|c| accepted_audience(c, &provider.client_ids));
            let fit = match (issuer_fits, audience) {
                (false, _) => Span::styled("· not this token's issuer", theme.dim()),
                (true, Some(aud)) if provider.client_ids.contains(&aud) => {
                    Span::styled("✔ issuer and audience match", theme.good())
                }
                (true, Some(aud)) => Span::styled(
                    format!("✘ audience \"{aud}\" is not a client ID"),
                    theme.bad(),
                ),
                (true, None) => Span::styled("✘ the token has no audience", theme.bad()),
            };
            Row::new(vec![
                Span::raw(provider.issuer()),
                Span::raw(provider.client_ids.join(", ")),
                fit,
                Span::styled(
                    provider.create_date.clone().unwrap_or_default(),
                    theme.dim(),
                ),
            ])
        })
        .collect();
    // The chains the token's issuer served while its keys were fetched: a line each.
    let served = app
        .signature
        .as_ref()
        .map_or(&[][..], |evidence| evidence.served.as_slice());
    // A TLS line wraps to about three rows at 80–100 columns.
    let detail_rows = 8 + 3 * u16::try_from(served.len()).unwrap_or(0).min(2);
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(detail_rows)]).areas(area);
    let table = Table::new(
        rows,
        [
            Constraint::Fill(3),
            Constraint::Fill(2),
            Constraint::Fill(2),
            Constraint::Length(20),
        ],
    )
    .header(Row::new(vec!["URL", "CLIENT IDS", "THIS TOKEN", "CREATED"]).style(theme.strong()))
    .block(Block::bordered().title(format!(
        " {} OIDC provider{} — {source} ",
        account.providers.len(),
        if account.providers.len() == 1 {
            ""
        } else {
            "s"
        }
    )));
    frame.render_widget(table, list_area);
    let detail = match (issuer, claims) {
        (Some(issuer), Some(claims)) => {
            match account.providers.iter().find(|p| p.issuer() == issuer) {
                Some(provider) => provider_detail(provider, claims, served, theme),
                None => {
                    let fix = Fix::CreateProvider {
                        url: issuer.to_owned(),
                        partition: account.partition.clone(),
                        account: account.id.clone(),
                        client_id: accepted_audience(claims, &[]),
                        close_provider_arn: None,
                    };
                    vec![
                        Line::styled(format!("No OIDC provider for {issuer}."), theme.bad()),
                        Line::raw(format!(
                            "STS refuses every role: No OpenIDConnect provider found in your account for {issuer}"
                        )),
                        Line::raw(format!("Fix: {}", fix.aws_command().unwrap_or_default())),
                    ]
                }
            }
        }
        _ => vec![Line::styled(
            "Load a token to see which provider it needs.",
            theme.dim(),
        )],
    };
    frame.render_widget(
        Paragraph::new(detail)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" This token's provider ")),
        detail_area,
    );
}

/// The token's provider in full: ARN, client IDs, thumbprints and what STS makes of them for
/// the chains the issuer served, and what is missing when the token's audience is not one of
/// its client IDs.
fn provider_detail<'a>(
    provider: &'a Provider,
    claims: &Map<String, Value>,
    served: &[ServedChain],
    theme: Theme,
) -> Vec<Line<'a>> {
    let thumbprints = if provider.thumbprints.is_empty() {
        "none (needed only for a host whose certificate no CA of AWS's trusted library signs)"
            .to_owned()
    } else {
        provider.thumbprints.join(", ")
    };
    let mut lines = vec![
        Line::raw(provider.arn.as_str()),
        Line::raw(format!("Client IDs: {}", provider.client_ids.join(", "))),
        Line::raw(format!("Thumbprints: {thumbprints}")),
    ];
    for chain in served {
        let trust = chain.trust(Some(&provider.thumbprints));
        let style = match trust {
            HostTrust::Library | HostTrust::TopIntermediate { .. } => theme.good(),
            HostTrust::OtherCertificate { .. }
            | HostTrust::NoProvider { .. }
            | HostTrust::LocalOnly { .. } => theme.dim(),
            HostTrust::Mismatch { .. } => theme.bad(),
        };
        lines.push(Line::styled(
            format!("TLS: {}", chain.describe(&trust)),
            style,
        ));
    }
    match accepted_audience(claims, &provider.client_ids) {
        Some(aud) if provider.client_ids.contains(&aud) => lines.push(Line::styled(
            format!("✔ the token's audience \"{aud}\" is a client ID"),
            theme.good(),
        )),
        Some(aud) => {
            let fix = Fix::AddClientId {
                provider_arn: provider.arn.clone(),
                client_id: aud.clone(),
            };
            lines.push(Line::styled(
                format!(
                    "✘ missing client ID \"{aud}\" — {}",
                    fix.aws_command().unwrap_or_default()
                ),
                theme.bad(),
            ));
        }
        None => lines.push(Line::styled(
            "✘ the token has no aud (or azp) claim: STS needs one that is a client ID",
            theme.bad(),
        )),
    }
    lines
}
