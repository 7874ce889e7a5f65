//! Every screen and overlay of the explorer, drawn on a `TestBackend` at 100×30 and 80×24 with
//! a fixed clock on the demo account, as insta snapshots (text; colour is off).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use trustlens::account::demo;
use trustlens::token::Origin;
use trustlens::token::tls::ServedChain;
use trustlens::token::verify::{Evidence, Verification};
use trustlens::tui::action::{Action, InputRequest, Tab};
use trustlens::tui::app::{App, LoadedToken};
use trustlens::tui::ui::{Theme, render};

const NOW: i64 = 1_795_629_600;

fn app(token: &str) -> App {
    let text = demo::token(token, NOW).unwrap();
    let loaded = LoadedToken {
        origin: Origin::Demo(token.to_owned()),
        token: text.decode().unwrap(),
    };
    App::loaded(
        vec![loaded],
        demo::account().unwrap(),
        "the embedded demo account",
        NOW,
    )
}

/// Selects the role `name` in the list, from the top.
fn select_role(app: &mut App, name: &str) {
    let index = app
        .visible_roles()
        .iter()
        .position(|r| r.name == name)
        .unwrap_or_else(|| panic!("no role {name}"));
    app.update(Action::Top);
    app.update(Action::Move(isize::try_from(index).unwrap()));
}

fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| render(app, frame, Theme { color: false }))
        .unwrap();
    terminal.backend().to_string()
}

#[test]
fn a_role_decided_by_the_callers_ip_is_marked_conditional() {
    let mut account = demo::account().unwrap();
    let provider = format!(
        "arn:aws:iam::{}:oidc-provider/acme.semaphoreci.com",
        account.id
    );
    let mut role = account.roles[0].clone();
    role.name = "office-only".into();
    role.arn = format!("arn:aws:iam::{}:role/office-only", account.id);
    role.trust_policy = trustlens::account::TrustPolicy::new(
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Federated": provider},
             "Action": "sts:AssumeRoleWithWebIdentity"},
            {"Effect": "Deny", "Principal": {"Federated": provider},
             "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]})
        .to_string(),
    );
    account.roles.push(role);
    let text = demo::token("semaphore-main", NOW).unwrap();
    let loaded = LoadedToken {
        origin: Origin::Demo("semaphore-main".to_owned()),
        token: text.decode().unwrap(),
    };
    let mut app = App::loaded(vec![loaded], account, "the embedded demo account", NOW);
    select_role(&mut app, "office-only");
    let screen = draw(&app, 100, 30);
    // The verdict's mark, then the lint mark (TL010: no condition on the audience).
    assert!(screen.contains("? ! office-only"), "{screen}");
    assert!(screen.contains("? CONDITIONAL"), "{screen}");
    insta::assert_snapshot!("roles_conditional_100x30", screen);
}

#[test]
fn the_selected_role_takes_the_sessions_region_as_the_requested_region() {
    let mut account = demo::account().unwrap();
    let provider = format!(
        "arn:aws:iam::{}:oidc-provider/acme.semaphoreci.com",
        account.id
    );
    let mut role = account.roles[0].clone();
    role.name = "eu-only".into();
    role.arn = format!("arn:aws:iam::{}:role/eu-only", account.id);
    role.trust_policy = trustlens::account::TrustPolicy::new(
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Federated": provider},
             "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]})
        .to_string(),
    );
    account.roles.push(role);
    let text = demo::token("semaphore-main", NOW).unwrap();
    let loaded = LoadedToken {
        origin: Origin::Demo("semaphore-main".to_owned()),
        token: text.decode().unwrap(),
    };
    let mut app = App::loaded(vec![loaded], account, "the embedded demo account", NOW);
    let select = |app: &mut App| {
        select_role(app, "eu-only");
        app.selected.as_ref().unwrap().verdict.decision.clone()
    };
    assert!(matches!(
        select(&mut app),
        trustlens::eval::Decision::Conditional { .. }
    ));
    app.region = Some("eu-west-1".to_owned());
    assert_eq!(select(&mut app), trustlens::eval::Decision::Allowed);
}

#[test]
fn roles_screen_on_a_pull_request_token() {
    let mut app = app("semaphore-pr");
    // The Semaphore deploy role: denied by its sub condition.
    select_role(&mut app, "semaphore-web-deploy");
    insta::assert_snapshot!("roles_100x30", draw(&app, 100, 30));
    insta::assert_snapshot!("roles_80x24", draw(&app, 80, 24));
}

/// The demo account's CloudTrail history, explained against the demo account.
fn demo_events() -> Box<trustlens::trail::TrailReport> {
    let text = include_str!("../assets/demo/cloudtrail.json");
    let parsed = trustlens::trail::parse_input(text.as_bytes()).unwrap();
    let account = demo::account().unwrap();
    let filters = trustlens::trail::Filters::default();
    let targets = trustlens::trail::targets_in(&account, &parsed.events, &filters);
    Box::new(trustlens::trail::analyze(
        &parsed.events,
        parsed.skipped,
        &filters,
        &targets,
    ))
}

#[test]
fn events_screen() {
    let mut app = app("semaphore-main");
    app.update(Action::ShowTab(Tab::Events));
    insta::assert_snapshot!("events_loading_80x24", draw(&app, 80, 24));
    // While a live history loads, the count read so far.
    app.update(Action::EventsProgress {
        generation: 1,
        events: 150,
    });
    assert!(
        draw(&app, 80, 24).contains("Reading CloudTrail events… 150 so far"),
        "{}",
        draw(&app, 80, 24)
    );
    app.update(Action::EventsLoaded {
        generation: 1,
        result: Ok((
            demo_events(),
            "the demo account's CloudTrail history".into(),
        )),
    });
    insta::assert_snapshot!("events_100x30", draw(&app, 100, 30));
    insta::assert_snapshot!("events_80x24", draw(&app, 80, 24));
    // At 120×40 every fact fits, down to what the event cannot tell; smaller, the box says
    // how much is cut.
    let large = draw(&app, 120, 40);
    for fact in ["where ", "client ", "cannot tell the token's other claims"] {
        assert!(large.contains(fact), "{fact}: {large}");
    }
    assert!(!large.contains("y copies the event as JSON"), "{large}");
    insta::assert_snapshot!("events_120x40", large);
    assert!(draw(&app, 80, 24).contains("more lines: y copies the event as JSON"));
    // The Why and Fix are taller than their box at 100×30: `J` scrolls them to the end of the
    // Fix, and a line says what is above; moving to another event starts at the top again.
    let top = draw(&app, 100, 30);
    assert!(
        top.contains("more lines: J scrolls down") && !top.contains("add a separate role"),
        "{top}"
    );
    let mut fix_seen = false;
    for _ in 0..30 {
        app.update(Action::ScrollWhy(1));
        fix_seen |= draw(&app, 100, 30).contains("add a separate role");
    }
    assert!(fix_seen, "J scrolls through the Fix");
    // At the end: the role's facts that did not fit under its answer.
    let scrolled = draw(&app, 100, 30);
    assert!(
        scrolled.contains("lines above: K scrolls up")
            && scrolled.contains("tags  team=platform")
            && !scrolled.contains("more lines: J scrolls"),
        "{scrolled}"
    );
    app.update(Action::Move(1));
    app.update(Action::Move(-1));
    assert_eq!(draw(&app, 100, 30), top);
    // The Semaphore pull request: the sub condition fails, the audience shown whole.
    app.update(Action::Move(3));
    let screen = draw(&app, 100, 30);
    assert!(screen.contains("https://acme.semaphoreci.com"), "{screen}");
    insta::assert_snapshot!("events_semaphore_100x30", screen);
    // A group of successful calls.
    app.update(Action::Bottom);
    insta::assert_snapshot!("events_success_100x30", draw(&app, 100, 30));
}

#[test]
fn token_screen() {
    let mut app = app("semaphore-tagged");
    app.update(Action::ShowTab(Tab::Token));
    insta::assert_snapshot!("token_100x30", draw(&app, 100, 30));
    insta::assert_snapshot!("token_80x24", draw(&app, 80, 24));
    // The table cuts a long value at its column; the selected claim is shown whole below it,
    // and the findings wrap in full.
    app.update(Action::Move(2));
    let screen = draw(&app, 80, 24);
    let flat: String = screen
        .lines()
        .filter_map(|line| line.trim_matches('"').split('│').nth(1))
        .map(str::trim_end)
        .collect();
    assert!(
        flat.contains("\"org:acme:project:936a5312-a3b8-4921-8b3f-2cec8baac574:repo:web:ref_type:branch:ref:refs/heads/main\""),
        "{screen}"
    );
    assert!(
        flat.contains("allow sts:TagSession in its trust policy"),
        "{screen}"
    );
    assert!(screen.contains("r reveals"), "{screen}");
    // A claim below the table's last row: the table scrolls to it.
    app.update(Action::Bottom);
    let screen = draw(&app, 80, 24);
    let last: String = app
        .token()
        .and_then(|t| t.token.claims().keys().next_back().cloned())
        .unwrap()
        .chars()
        .take(20)
        .collect();
    assert!(
        screen
            .lines()
            .any(|line| line.starts_with(&format!("\"│{last}"))),
        "{last}: {screen}"
    );
}

#[test]
fn providers_screen() {
    let mut app = app("github-main");
    app.update(Action::ShowTab(Tab::Providers));
    insta::assert_snapshot!("providers_100x30", draw(&app, 100, 30));
    insta::assert_snapshot!("providers_80x24", draw(&app, 80, 24));

    // The chains the issuer served while its keys were fetched, judged with the thumbprints.
    let served = |trusted: bool| Evidence {
        verification: Verification::Verified {
            kid: "k".to_owned(),
        },
        served: vec![ServedChain {
            host: "token.actions.githubusercontent.com".to_owned(),
            trusted,
            locally_trusted: trusted,
            thumbprints: vec!["a".repeat(40), "b".repeat(40)],
        }],
    };
    app.signature = Some(served(true));
    let screen = draw(&app, 100, 30);
    assert!(
        screen
            .contains("TLS: token.actions.githubusercontent.com's certificate chains to a root CA"),
        "{screen}"
    );
    app.signature = Some(served(false));
    let screen = draw(&app, 100, 30);
    assert!(
        screen.contains(
            "TLS: token.actions.githubusercontent.com's certificate is not signed by a CA"
        ) && screen.contains(&"b".repeat(40)),
        "{screen}"
    );
    app.signature = None;

    // An audience the provider does not list: the pane names the missing client ID and the fix.
    edit_claim(&mut app, "aud", "my-app");
    app.update(Action::ShowTab(Tab::Providers));
    let screen = draw(&app, 100, 30);
    assert!(
        screen.contains("✘ missing client ID \"my-app\"")
            && screen.contains("add-client-id-to-open-id-connect-provider"),
        "{screen}"
    );

    // An issuer without a provider: STS's words and the command that creates one.
    edit_claim(&mut app, "iss", "https://ci.example.com");
    app.update(Action::ShowTab(Tab::Providers));
    let screen = draw(&app, 100, 30);
    assert!(
        screen.contains("No OIDC provider for https://ci.example.com")
            && screen.contains("create-open-id-connect-provider"),
        "{screen}"
    );
}

/// Replaces claim `name` of the current token through the what-if editor.
fn edit_claim(app: &mut App, name: &str, value: &str) {
    app.update(Action::ShowTab(Tab::Token));
    let index = app
        .token()
        .unwrap()
        .token
        .claims()
        .keys()
        .position(|key| key == name)
        .unwrap();
    app.update(Action::Top);
    app.update(Action::Move(isize::try_from(index).unwrap()));
    app.update(Action::EditClaim);
    for _ in 0..200 {
        app.update(Action::EditLine(InputRequest::DeletePrevChar));
    }
    for c in value.chars() {
        app.update(Action::EditLine(InputRequest::InsertChar(c)));
    }
    app.update(Action::Confirm);
}

#[test]
fn help_overlay_filter_and_small_terminals() {
    let mut app = app("semaphore-main");
    app.update(Action::ToggleHelp);
    insta::assert_snapshot!("help_80x24", draw(&app, 80, 24));
    // Taller than the screen: j/k scroll it, and the last rows come into view.
    app.update(Action::Bottom);
    insta::assert_snapshot!("help_80x24_scrolled", draw(&app, 80, 24));
    insta::assert_snapshot!("help_120x40", draw(&app, 120, 40));
    insta::assert_snapshot!("help_220x50", draw(&app, 220, 50));
    // No description is cut at these sizes.
    let keymap = trustlens::tui::keymap::Keymap::default();
    for (width, height) in [(120, 40), (220, 50)] {
        let screen = draw(&app, width, height);
        for (_, what) in keymap.help() {
            assert!(
                screen.contains(what),
                "{width}×{height} cuts {what:?}:\n{screen}"
            );
        }
    }
    app.update(Action::Back);
    app.update(Action::StartFilter);
    for c in "eks".chars() {
        app.update(Action::FilterLine(InputRequest::InsertChar(c)));
    }
    insta::assert_snapshot!("filtered_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("filtered_100x30", draw(&app, 100, 30));
    insta::assert_snapshot!("too_small", draw(&app, 60, 20));
}

#[test]
fn no_token_yet() {
    let app = App::loaded(
        Vec::new(),
        demo::account().unwrap(),
        "the embedded demo account",
        NOW,
    );
    insta::assert_snapshot!("no_token_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("no_token_100x30", draw(&app, 100, 30));
}

#[test]
fn assume_screen_with_every_kind_of_attempt() {
    use trustlens::aws::CallerIdentity;
    use trustlens::aws::{AssumedRole, Credentials};
    use trustlens::eval::Diagnosis;
    use trustlens::secret::Secret;
    use trustlens::session::{Assumed, Refusal};
    use trustlens::tui::app::{AssumeOutcome, Attempt};

    let mut app = app("semaphore-main");
    app.update(Action::AskAssume);
    insta::assert_snapshot!("assume_confirmation_80x24", draw(&app, 80, 24));
    insta::assert_snapshot!("assume_confirmation_100x30", draw(&app, 100, 30));
    app.update(Action::Back);
    let role = "arn:aws:iam::123456789012:role/ci/semaphore-web-deploy".to_owned();
    let assumed = AssumedRole {
        credentials: Credentials {
            access_key_id: "ASIAEXAMPLEKEY000001".into(),
            secret_access_key: Secret::new("wJalrXUtnFEMISECRET".into()),
            session_token: Secret::new("IQoJb3JpZ2luSESSIONTOKEN".into()),
            expiration: "2026-11-25T19:00:00Z".into(),
        },
        assumed_role_arn: "arn:aws:sts::123456789012:assumed-role/semaphore-web-deploy/trustlens"
            .into(),
        subject: None,
        audience: None,
        provider: None,
    };
    app.assume.attempts = vec![
        Attempt {
            role_arn: role.clone(),
            at: NOW - 30,
            outcome: AssumeOutcome::Cancelled,
            refused_locally: None,
        },
        Attempt {
            role_arn: role.clone(),
            at: NOW - 20,
            outcome: AssumeOutcome::Refused(Refusal {
                code: "InvalidIdentityToken".into(),
                message: "Incorrect token audience".into(),
                diagnosis: Diagnosis {
                    summary:
                        "the token's audience (azp, else aud) is not a client ID of the provider"
                            .into(),
                    agrees_with_local: false,
                    local_verdict: true,
                    explanations: vec!["locally the audience is a client ID: …".into()],
                },
            }),
            refused_locally: None,
        },
        Attempt {
            role_arn: role,
            at: NOW - 10,
            outcome: AssumeOutcome::Assumed(Box::new(Assumed {
                role: assumed,
                confirmed: Ok(CallerIdentity {
                    account: "123456789012".into(),
                    arn: "arn:aws:sts::123456789012:assumed-role/semaphore-web-deploy/trustlens"
                        .into(),
                    user_id: "AROAEXAMPLE:trustlens".into(),
                }),
            })),
            refused_locally: Some(
                "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity".into(),
            ),
        },
    ];
    app.update(Action::ShowTab(Tab::Assume));
    let masked = draw(&app, 100, 30);
    assert!(
        !masked.contains("wJalr") && !masked.contains("IQoJ"),
        "credentials are masked until r"
    );
    insta::assert_snapshot!("assume_100x30", masked);
    insta::assert_snapshot!("assume_80x24", draw(&app, 80, 24));
    app.update(Action::ToggleReveal);
    assert!(draw(&app, 100, 30).contains("wJalrXUtnFEMISECRET"));
}

#[test]
fn overlays_at_both_sizes() {
    let mut app = app("semaphore-main");
    app.update(Action::ToggleHelp);
    insta::assert_snapshot!("help_100x30", draw(&app, 100, 30));
    app.update(Action::Back);

    app.update(Action::OpenCopyMenu);
    insta::assert_snapshot!("copy_menu_100x30", draw(&app, 100, 30));
    insta::assert_snapshot!("copy_menu_80x24", draw(&app, 80, 24));
    app.update(Action::Back);

    app.update(Action::OpenPalette("role semaphore-".to_owned()));
    insta::assert_snapshot!("palette_100x30", draw(&app, 100, 30));
    insta::assert_snapshot!("palette_80x24", draw(&app, 80, 24));
    app.update(Action::Back);

    app.update(Action::ShowTab(Tab::Token));
    app.update(Action::Move(2)); // the sub claim
    app.update(Action::EditClaim);
    for c in "-edited".chars() {
        app.update(Action::EditLine(InputRequest::InsertChar(c)));
    }
    insta::assert_snapshot!("claim_editor_100x30", draw(&app, 100, 30));
    insta::assert_snapshot!("claim_editor_80x24", draw(&app, 80, 24));
}

#[test]
fn clicks_select_tabs_and_roles() {
    use ratatui::layout::Rect;
    use trustlens::tui::ui::click;

    let mut app = app("semaphore-pr");
    let size = Rect::new(0, 0, 100, 30);
    // " Token │ Roles │ Providers │ Assume": Providers starts at column 16.
    assert_eq!(
        click(&app, size, 18, 1),
        Some(Action::ShowTab(Tab::Providers))
    );
    assert_eq!(click(&app, size, 2, 1), Some(Action::ShowTab(Tab::Token)));
    // Role rows start inside the list's border: screen row 3 is the first role.
    assert_eq!(click(&app, size, 5, 3), Some(Action::SelectRow(0)));
    let Some(action) = click(&app, size, 5, 6) else {
        panic!("a click on the fourth row")
    };
    app.update(action);
    assert_eq!(app.roles.selected, 3);
    assert_eq!(
        click(&app, size, 60, 6),
        None,
        "the explanation pane is not a list"
    );
}

/// A role whose trust policy does not parse is listed, and its detail says why and shows the
/// policy as IAM returned it (instead of "No role matches").
#[test]
fn a_role_with_an_unparsable_trust_policy_is_shown_as_such() {
    let text = demo::token("semaphore-main", NOW).unwrap();
    let loaded = LoadedToken {
        origin: Origin::Demo("semaphore-main".to_owned()),
        token: text.decode().unwrap(),
    };
    let mut account = demo::account().unwrap();
    let mut broken = account.roles[0].clone();
    broken.name = "aaa-broken".into();
    broken.arn = "arn:aws:iam::123456789012:role/aaa-broken".into();
    broken.trust_policy =
        trustlens::account::TrustPolicy::new(r#"{"Version": "2012-10-17", "Statement": ["#);
    account.roles.push(broken);
    let mut app = App::loaded(vec![loaded], account, "the demo", NOW);
    app.update(Action::ToggleSort);
    app.update(Action::Top);
    let screen = draw(&app, 120, 30);
    assert!(screen.contains("aaa-broken"), "{screen}");
    assert!(
        screen.contains("the trust policy does not parse"),
        "{screen}"
    );
    assert!(screen.contains(r#""Statement": ["#), "{screen}");
}

#[test]
fn generate_screen_with_a_diff_against_the_selected_role() {
    // A tag job and the main-only deploy role: the tag's exact ref, the blast radius, and the
    // role's policy with the tag's subject added.
    let mut app = app("semaphore-tag");
    select_role(&mut app, "semaphore-web-deploy");
    app.update(Action::ShowTab(Tab::Generate));
    insta::assert_snapshot!("generate_100x30", draw(&app, 100, 30));
    insta::assert_snapshot!("generate_80x24", draw(&app, 80, 24));
    // The policy pane wraps: the provider's ARN is there whole, in pieces, at 80 columns.
    let flat: String = draw(&app, 80, 24)
        .lines()
        .filter_map(|line| line.trim_matches('"').split('│').nth(1))
        .map(str::trim)
        .collect();
    assert!(
        flat.contains("\"arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com\""),
        "{flat}"
    );
    assert!(draw(&app, 80, 24).contains("more lines: y copies it all"));
    // The blast radius also says what the role admits now and would after the edit.
    let screen = draw(&app, 100, 30);
    assert!(
        screen.contains("role now edited") && screen.contains("this job             ✘        ✔"),
        "{screen}"
    );
    // Terraform at a wide scope, with its caution; no role selected on a fresh app.
    let mut app = app_without_selection("semaphore-main");
    app.update(Action::CycleScope(-1));
    app.update(Action::CycleFormat(1));
    insta::assert_snapshot!("generate_terraform_100x30", draw(&app, 100, 30));
}

fn app_without_selection(token: &str) -> App {
    let mut app = app(token);
    app.selected = None;
    app.update(Action::ShowTab(Tab::Generate));
    app
}

#[test]
fn the_first_frame_on_the_demo_says_the_token_is_being_minted() {
    let (app, _) = App::minting_demo(NOW);
    assert!(draw(&app, 100, 30).contains("Minting the demo token…"));
    let mut app = app;
    app.update(Action::ShowTab(Tab::Token));
    assert!(draw(&app, 100, 30).contains("Minting the demo token…"));
}

#[test]
fn setup_screen_walks_the_three_steps_and_asks_before_a_change() {
    let mut app = app("semaphore-main");
    app.update(Action::ShowTab(Tab::Setup));
    insta::assert_snapshot!("setup_intro_100x30", draw(&app, 100, 30));
    app.update(Action::OpenPalette(
        "setup semaphore --org acme --project 936a5312-a3b8-4921-8b3f-2cec8baac574 --repo web --role-name ci-oidc".into(),
    ));
    app.update(Action::Confirm);
    insta::assert_snapshot!("setup_planning_80x24", draw(&app, 80, 24));
    let account = demo::account().unwrap();
    let request = app.setup.request.clone().unwrap();
    let state = trustlens::setup::AccountState {
        partition: &account.partition,
        account_id: &account.id,
        providers: &account.providers,
        role: None,
        attached: &[],
        tls: None,
    };
    let plan = trustlens::setup::plan(&request, &state, "us-east-1", None, NOW).unwrap();
    app.update(Action::SetupPlanned {
        generation: 1,
        result: Ok((Box::new(plan), "the embedded demo account".into())),
    });
    insta::assert_snapshot!("setup_plan_100x30", draw(&app, 100, 30));
    insta::assert_snapshot!("setup_plan_80x24", draw(&app, 80, 24));
    app.update(Action::AskAssume);
    insta::assert_snapshot!("setup_confirm_100x30", draw(&app, 100, 30));
    // esc says no; j/k scroll down to step 3's snippets.
    app.update(Action::Back);
    app.update(Action::Move(30));
    insta::assert_snapshot!("setup_step3_100x30", draw(&app, 100, 30));
}

/// The footer's hints name the active keys: after a rebinding they name the new ones. The
/// Roles title counts what the filter shows and says the order.
#[test]
fn footer_hints_follow_the_keymap_and_the_title_counts_the_filter() {
    let mut app = app("semaphore-main");
    let footer = |app: &App| {
        draw(app, 100, 30)
            .lines()
            .last()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(footer(&app).contains("s sort"), "{}", footer(&app));
    app.keymap = trustlens::tui::keymap::Keymap::with_overlay("x = sort\ns = none\n").unwrap();
    let rebound = footer(&app);
    assert!(
        rebound.contains("x sort") && !rebound.contains("s sort"),
        "{rebound}"
    );

    let title = |app: &App| {
        let screen = draw(app, 100, 30);
        let top = screen.lines().nth(2).unwrap_or_default().to_owned();
        let bottom = screen.lines().rev().nth(1).unwrap_or_default().to_owned();
        format!("{top}\n{bottom}")
    };
    assert!(title(&app).contains("by verdict"), "{}", title(&app));
    app.update(Action::ToggleSort);
    assert!(title(&app).contains("by name"), "{}", title(&app));
    app.update(Action::StartFilter);
    for c in "web deploy".chars() {
        app.update(Action::FilterLine(InputRequest::InsertChar(c)));
    }
    let shown = app.visible_roles().len();
    let total = app.counts().iter().map(|(_, n)| n).sum::<usize>();
    let filtered = title(&app);
    assert!(
        filtered.contains(&format!("{shown} of {total}")),
        "{filtered}"
    );
    let allowed_shown = app.shown_counts()[0].1;
    assert!(
        filtered.contains(&format!("✔{allowed_shown} ")),
        "{filtered}"
    );
}

/// At 120×40 and 80×24 the selected role's detail keeps everything whole: STS's answer wraps,
/// the role's ARN, path, description and tags are shown, the failed condition's values and
/// where they part are in view, and the why and fix are not cut.
#[test]
fn role_detail_wraps_instead_of_cutting() {
    let mut app = app("semaphore-pr");
    select_role(&mut app, "semaphore-web-deploy");
    for (width, height, name) in [(120, 40, "roles_120x40"), (80, 24, "roles_detail_80x24")] {
        let screen = draw(&app, width, height);
        insta::assert_snapshot!(name, screen);
        let flat: String = screen
            .lines()
            .map(|line| {
                line.trim_matches('"')
                    .rsplit('│')
                    .nth(1)
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            flat.contains("AssumeRoleWithWebIdentity"),
            "{width}: {screen}"
        );
        assert!(
            flat.contains("refs/heads/main"),
            "{width}: the value's tail:\n{screen}"
        );
    }
    let screen = draw(&app, 120, 40);
    assert!(screen.contains("arn:aws:iam::123456789012:role/ci/semaphore-web-deploy"));
    assert!(screen.contains("team=web"), "{screen}");
    // At 80×24 what of the role does not fit under the answer is below the Fix: J reaches it.
    let small = draw(&app, 80, 24);
    assert!(!small.contains("team=web"), "{small}");
    for _ in 0..30 {
        app.update(Action::ScrollWhy(1));
        let _ = draw(&app, 80, 24);
    }
    let scrolled = draw(&app, 80, 24);
    assert!(scrolled.contains("team=web"), "{scrolled}");
    assert!(screen.contains("Fix: "), "{screen}");
    // The header keeps the token part and the expiry at 120 columns, and the expiry at 80.
    assert!(
        screen
            .lines()
            .next()
            .is_some_and(|l| l.contains("token 1/1") && l.contains("expires in"))
    );
    let narrow = draw(&app, 80, 24);
    assert!(
        narrow
            .lines()
            .next()
            .is_some_and(|l| l.contains("expires in")),
        "{narrow}"
    );
}

#[test]
fn a_dangerous_but_allowed_role_is_marked_with_its_lint_findings() {
    let mut app = app("github-main");
    select_role(&mut app, "github-actions-no-sub");
    let screen = draw(&app, 160, 40);
    let row = screen
        .lines()
        .find(|line| line.contains("✔ ! github-actions-no-sub"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(row.contains("— any repository on GitHub"), "{row}");
    assert!(screen.contains("Lint: 1 error, 0 warnings"), "{screen}");
    assert!(
        screen.contains("TL009 token.actions.githubusercontent.com is a shared issuer"),
        "{screen}"
    );
    insta::assert_snapshot!("roles_lint_160x40", screen);
}
