//! The explorer's speed: the first frame on the demo, and a Roles frame with 5,000 roles
//! (figures in benches/README.md).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use trustlens::account::{Account, demo};
use trustlens::token::Origin;
use trustlens::tui::app::{App, LoadedToken};
use trustlens::tui::ui::{Theme, render};

const NOW: i64 = 1_795_629_600;

fn token() -> Vec<LoadedToken> {
    let token = demo::token("semaphore-pr", NOW)
        .ok()
        .and_then(|text| text.decode().ok());
    token
        .map(|token| LoadedToken {
            origin: Origin::Demo("semaphore-pr".to_owned()),
            token,
        })
        .into_iter()
        .collect()
}

/// The demo account with its roles repeated to 5,000.
fn big_account() -> Option<Account> {
    let mut account = demo::account().ok()?;
    let roles = account.roles.clone();
    account.roles = (0..5_000)
        .map(|index| {
            let mut role = roles[index % roles.len()].clone();
            role.name = format!("{}-{index:04}", role.name);
            role.arn = format!("{}-{index:04}", role.arn);
            role
        })
        .collect();
    Some(account)
}

fn frames(c: &mut Criterion) {
    let Ok(account) = demo::account() else { return };
    c.bench_function(
        "first frame on the demo (state, scan, draw at 120x40)",
        |b| {
            b.iter(|| {
                let app = App::loaded(token(), account.clone(), "demo", NOW);
                let mut terminal = Terminal::new(TestBackend::new(120, 40)).ok()?;
                terminal
                    .draw(|frame| render(black_box(&app), frame, Theme { color: true }))
                    .ok()
                    .map(|_| ())
            })
        },
    );
    let Some(big) = big_account() else { return };
    let app = App::loaded(token(), big, "5,000 roles", NOW);
    let Ok(mut terminal) = Terminal::new(TestBackend::new(120, 40));
    c.bench_function("Roles frame with 5,000 roles (120x40)", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| render(black_box(&app), frame, Theme { color: true }))
                .map(|_| ())
        })
    });
}

criterion_group!(benches, frames);
criterion_main!(benches);
