//! The Providers screen: each IAM OIDC provider and whether the token's issuer and audience fit.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph, Row, Table};

use super::Theme;
use crate::eval::accepted_audience;
use crate::tui::app::{AccountState, App};

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
        " {} OIDC providers — {source} ",
        account.providers.len()
    )));
    frame.render_widget(table, area);
}
