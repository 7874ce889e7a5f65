//! How fast a pasted token is decoded and checked (figures in benches/README.md).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use trustlens::account::demo;
use trustlens::token::Token;

const NOW: i64 = 1_795_000_000;

fn decode(c: &mut Criterion) {
    let Ok(text) = demo::semaphore_token(NOW) else {
        return;
    };
    let pasted = format!(
        "SEMAPHORE_OIDC_TOKEN=\"{}\"",
        String::from_utf8_lossy(text.text.expose())
    );
    c.bench_function(
        "decode semaphore token (pasted with NAME= and quotes)",
        |b| b.iter(|| Token::decode(black_box(&pasted))),
    );
    let Ok(token) = Token::decode(&pasted) else {
        return;
    };
    c.bench_function("findings for semaphore token", |b| {
        b.iter(|| black_box(&token).findings(NOW))
    });
}

criterion_group!(benches, decode);
criterion_main!(benches);
