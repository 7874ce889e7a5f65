//! `update` tests: every action, the overlays, stale answers, the effects asked for.

use super::*;
use crate::account::demo;
use crate::tui::action::InputRequest;
use crate::tui::overlay::KeyMode;

const NOW: i64 = 1_795_629_600;

fn demo_token(name: &str) -> LoadedToken {
    let text = demo::token(name, NOW).map_err(|e| e.to_string());
    let token = text.and_then(|t| t.decode().map_err(|e| e.to_string()));
    match token {
        Ok(token) => LoadedToken {
            origin: Origin::Demo(name.to_owned()),
            token,
        },
        Err(error) => unreachable!("demo token {name}: {error}"),
    }
}

/// An app with the demo account loaded and the scan of `token` applied.
fn ready(token: &str) -> App {
    match demo::account() {
        Ok(account) => App::loaded(vec![demo_token(token)], account, "the demo", NOW),
        Err(error) => unreachable!("{error}"),
    }
}

#[test]
fn another_token_starts_with_its_raw_text_masked() {
    let mut app = ready("semaphore-main");
    app.tokens.push(demo_token("github-main"));
    app.update(Action::ShowTab(Tab::Token));
    app.update(Action::ToggleReveal);
    assert!(app.raw_revealed);
    app.update(Action::NextToken);
    assert_eq!(app.current, 1);
    assert!(
        !app.raw_revealed,
        "revealing one token does not reveal the next"
    );
}

#[test]
fn the_demo_command_reloads_with_the_demo_account_from_then_on() {
    let mut app = ready("semaphore-main");
    app.update(Action::OpenPalette("demo".to_owned()));
    let effects = app.update(Action::Confirm);
    assert!(
        matches!(
            effects.as_slice(),
            [
                Effect::LoadAccount {
                    generation: 2,
                    demo: true
                },
                Effect::MintDemoToken { now: NOW }
            ]
        ),
        "{effects:?}"
    );
    let effects = app.update(Action::Refresh);
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadAccount { demo: true, .. }]
    ));
}

#[test]
fn top_and_bottom_move_in_the_current_screen_s_list() {
    let mut app = ready("semaphore-main");
    app.update(Action::Move(2));
    app.update(Action::ShowTab(Tab::Token));
    app.update(Action::Bottom);
    let claims = app.token().map_or(0, |t| t.token.claims().len());
    assert_eq!(app.claim_selected, claims - 1);
    assert_eq!(app.roles.selected, 2, "the role list stays where it was");
    app.update(Action::Top);
    assert_eq!(app.claim_selected, 0);
    app.update(Action::ShowTab(Tab::Roles));
    app.update(Action::Top);
    assert_eq!(app.roles.selected, 0);
    app.update(Action::Bottom);
    assert_eq!(app.roles.selected, app.visible_roles().len() - 1);
}

#[test]
fn progress_counts_roles_and_a_stale_count_is_dropped() {
    let (mut app, _) = App::new(Vec::new(), NOW);
    app.update(Action::AccountProgress {
        generation: 1,
        roles: 100,
    });
    assert!(matches!(app.account, AccountState::Loading(100)));
    app.update(Action::AccountProgress {
        generation: 0,
        roles: 7,
    });
    assert!(matches!(app.account, AccountState::Loading(100)));
}

#[test]
fn filter_editing_rows_clock_and_notices() {
    let mut app = ready("semaphore-main");
    app.update(Action::StartFilter);
    for c in "eksx".chars() {
        app.update(Action::FilterLine(InputRequest::InsertChar(c)));
    }
    assert!(app.visible_roles().is_empty());
    app.update(Action::FilterLine(InputRequest::DeletePrevChar));
    assert_eq!(app.roles.filter, "eks");
    assert!(!app.visible_roles().is_empty());
    app.update(Action::ConfirmFilter);
    assert!(!app.roles.filtering, "enter keeps the filter and leaves it");
    assert_eq!(app.roles.filter, "eks");

    app.update(Action::Back);
    app.update(Action::SelectRow(3));
    assert_eq!(app.roles.selected, 3);
    let arn = app.visible_roles()[3].arn.clone();
    assert_eq!(app.selected.as_ref().map(|s| s.arn.clone()), Some(arn));

    app.update(Action::Tick(NOW + 60));
    assert_eq!(app.now, NOW + 60);
    app.update(Action::Notice("the clipboard is empty".to_owned()));
    assert_eq!(app.toast_text(), Some("the clipboard is empty"));
}

#[test]
fn starts_by_loading_the_account() {
    let (app, effects) = App::new(Vec::new(), NOW);
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadAccount {
            generation: 1,
            demo: false
        }]
    ));
    assert_eq!(
        app.tab,
        Tab::Token,
        "without a token the Token screen invites a paste"
    );
}

#[test]
fn a_scan_selects_and_explains_the_first_role() {
    let app = ready("semaphore-pr");
    let first = app.visible_roles()[0].name.clone();
    assert_eq!(first, "semaphore-web-pr-preview");
    assert_eq!(
        app.selected.as_ref().map(|s| s.verdict.decision.clone()),
        Some(crate::eval::Decision::Allowed)
    );
    assert_eq!(app.counts()[0], (ScanClass::Allowed, 1));
}

#[test]
fn stale_results_are_dropped() {
    let mut app = ready("semaphore-main");
    let effects = app.update(Action::Refresh);
    assert!(matches!(
        effects.as_slice(),
        [Effect::LoadAccount {
            generation: 2,
            demo: false
        }]
    ));
    app.update(Action::AccountLoaded {
        generation: 1,
        result: Err("late".to_owned()),
    });
    assert_eq!(
        app.account,
        AccountState::Loading(0),
        "an answer to an old load is ignored"
    );
    let before = app.scan.as_ref().map(Vec::len);
    app.update(Action::ScanFinished {
        generation: 99,
        results: Vec::new(),
        signature: None,
    });
    assert_eq!(
        app.scan.as_ref().map(Vec::len),
        before,
        "an answer to an old scan is ignored"
    );
}

#[test]
fn moving_filtering_and_sorting() {
    let mut app = ready("semaphore-pr");
    app.update(Action::Move(3));
    assert_eq!(app.roles.selected, 3);
    app.update(Action::Bottom);
    assert_eq!(app.roles.selected, app.visible_roles().len() - 1);
    app.update(Action::Move(-1000));
    assert_eq!(app.roles.selected, 0);
    app.update(Action::StartFilter);
    for c in "eks".chars() {
        app.update(Action::FilterLine(InputRequest::InsertChar(c)));
    }
    assert!(
        app.visible_roles().iter().all(|r| r.name.contains('e')),
        "fuzzy filter"
    );
    assert!(
        app.visible_roles()
            .iter()
            .any(|r| r.name.starts_with("eks-"))
    );
    app.update(Action::Back);
    assert!(app.roles.filter.is_empty() && !app.roles.filtering);
    app.update(Action::ToggleSort);
    assert_eq!(app.visible_roles()[0].name, "circleci-web-deploy");
}

#[test]
fn pasting_a_token_adds_it_and_rescans() {
    let mut app = ready("semaphore-main");
    let pasted = demo_token("github-main");
    let effects = app.update(Action::Paste(format!(
        "Bearer {}",
        pasted.token.raw().expose()
    )));
    assert_eq!(app.tokens.len(), 2);
    assert_eq!(app.current, 1);
    assert!(matches!(effects.as_slice(), [Effect::Scan { .. }]));
    assert!(
        app.scan.is_none(),
        "the old scan is gone until the new one answers"
    );
    let effects = app.update(Action::Paste("not a token".to_owned()));
    assert!(effects.is_empty());
    assert!(
        app.toast_text()
            .is_some_and(|t| t.starts_with("not a token:"))
    );
    let effects = app.update(Action::NextToken);
    assert_eq!(app.current, 0);
    assert!(matches!(effects.as_slice(), [Effect::Scan { .. }]));
}

#[test]
fn the_generate_view_cycles_scopes_and_formats_and_writes_a_file() {
    let mut app = ready("semaphore-main");
    let view = app.generate_view().unwrap();
    let policy = view.result.as_ref().unwrap();
    assert_eq!(policy.generated.scope, "ref");
    assert!(policy.radius[0].admitted);
    app.update(Action::CycleScope(1));
    assert_eq!(app.generate.scope, Some("branch"));
    app.update(Action::CycleScope(-1));
    assert_eq!(app.generate.scope, Some("ref"));
    app.update(Action::CycleScope(-1));
    assert_eq!(app.generate.scope, Some("project"), "wraps around");
    app.update(Action::CycleFormat(1));
    let view = app.generate_view().unwrap();
    assert_eq!(view.format, crate::generate::Format::Terraform);
    assert!(
        view.result
            .as_ref()
            .unwrap()
            .rendered
            .contains("aws_iam_role")
    );
    app.update(Action::CycleFormat(-2));
    assert_eq!(
        app.generate_view().unwrap().format,
        crate::generate::Format::Cli
    );
    app.update(Action::OpenPalette("write ".into()));
    let effects = app.update(Action::Confirm);
    let [Effect::WriteFile { path, text }] = effects.as_slice() else {
        unreachable!("{effects:?}")
    };
    assert_eq!(path, "trust.sh");
    assert!(text.contains("aws iam create-role"));
    app.update(Action::Written(Ok("trust.sh".into())));
    assert_eq!(app.toast_text(), Some("wrote trust.sh"));
}

#[test]
fn tabs_help_and_quit() {
    let mut app = ready("semaphore-main");
    app.update(Action::NextTab);
    assert_eq!(app.tab, Tab::Providers);
    app.update(Action::NextTab);
    assert_eq!(app.tab, Tab::Assume);
    app.update(Action::NextTab);
    assert_eq!(app.tab, Tab::Generate);
    let effects = app.update(Action::NextTab);
    assert_eq!(app.tab, Tab::Events);
    assert!(
        matches!(effects.as_slice(), [Effect::LoadEvents { file: None, .. }]),
        "the events load on the first visit"
    );
    app.update(Action::NextTab);
    assert_eq!(app.tab, Tab::Setup);
    app.update(Action::NextTab);
    assert_eq!(app.tab, Tab::Token);
    app.update(Action::PreviousTab);
    assert_eq!(app.tab, Tab::Setup);
    let effects = app.update(Action::PreviousTab);
    assert_eq!(app.tab, Tab::Events);
    assert!(effects.is_empty(), "a load is already under way");
    app.update(Action::PreviousTab);
    assert_eq!(app.tab, Tab::Generate);
    app.update(Action::ToggleHelp);
    app.update(Action::Back);
    assert!(!app.overlays.help_open());
    app.update(Action::Quit);
    assert!(app.should_quit);
}

#[test]
fn assume_asks_first_then_runs_one_call_and_records_its_outcome() {
    let mut app = ready("semaphore-main");
    assert!(
        app.update(Action::Confirm).is_empty(),
        "nothing to confirm yet"
    );
    app.update(Action::AskAssume);
    let arn = app.selected.as_ref().map(|s| s.arn.clone());
    assert_eq!(app.overlays.top(), arn.map(Overlay::ConfirmAssume).as_ref());
    app.update(Action::Back);
    assert_eq!(app.overlays.top(), None, "esc says no");

    app.update(Action::AskAssume);
    let effects = app.update(Action::Confirm);
    let [
        Effect::Assume {
            generation,
            verdict,
            ..
        },
    ] = effects.as_slice()
    else {
        unreachable!("{effects:?}")
    };
    assert!(
        verdict.is_some(),
        "the local verdict goes along for the diagnosis"
    );
    assert_eq!(app.tab, Tab::Assume);
    let generation = *generation;

    app.update(Action::AssumeFinished {
        generation: generation + 7,
        outcome: AssumeOutcome::Failed("stale".into()),
    });
    assert!(
        app.assume.attempts.is_empty() && app.assume.running.is_some(),
        "a stale answer is dropped"
    );
    app.update(Action::AssumeFinished {
        generation,
        outcome: AssumeOutcome::Failed("no network".into()),
    });
    assert_eq!(app.assume.attempts.len(), 1);
    assert!(app.assume.running.is_none());
}

#[test]
fn esc_cancels_a_running_call_and_its_late_answer_is_dropped() {
    let mut app = ready("semaphore-main");
    app.update(Action::AskAssume);
    let effects = app.update(Action::Confirm);
    let [Effect::Assume { generation, .. }] = effects.as_slice() else {
        unreachable!("{effects:?}")
    };
    let generation = *generation;
    app.update(Action::Back);
    assert_eq!(
        app.assume.attempts.last().map(|a| &a.outcome),
        Some(&AssumeOutcome::Cancelled)
    );
    app.update(Action::AssumeFinished {
        generation,
        outcome: AssumeOutcome::Failed("late".into()),
    });
    assert_eq!(
        app.assume.attempts.len(),
        1,
        "the cancelled call's answer is ignored"
    );
    app.update(Action::ToggleReveal);
    assert!(app.assume.revealed);
}

#[test]
fn the_copy_menu_fits_the_screen_and_never_shows_secrets() {
    let mut app = ready("semaphore-pr");
    let index = app
        .visible_roles()
        .iter()
        .position(|r| r.name == "semaphore-web-deploy");
    app.update(Action::Move(
        index.and_then(|i| isize::try_from(i).ok()).unwrap_or(0),
    ));
    app.update(Action::OpenCopyMenu);
    let labels: Vec<String> = match app.overlays.top() {
        Some(Overlay::CopyMenu(items)) => items.iter().map(|item| item.label.clone()).collect(),
        other => unreachable!("{other:?}"),
    };
    // A pull-request job widens nothing by default: no edit is offered until the Generate
    // view names a scope.
    assert_eq!(labels, ["the trust policy"]);
    app.update(Action::Back);
    while app.generate.scope != Some("pull-request") {
        app.update(Action::CycleScope(1));
    }
    assert_eq!(app.tab, Tab::Generate);
    app.update(Action::ShowTab(Tab::Roles));
    app.update(Action::OpenCopyMenu);
    let labels: Vec<String> = match app.overlays.top() {
        Some(Overlay::CopyMenu(items)) => items.iter().map(|item| item.label.clone()).collect(),
        other => unreachable!("{other:?}"),
    };
    assert_eq!(
        labels,
        [
            "the trust policy",
            "semaphore-web-deploy's trust policy edited to admit this token (pull-request scope)",
            "the diff of semaphore-web-deploy's trust policy",
        ]
    );
    assert_eq!(app.key_mode(), KeyMode::Menu);
    let effects = app.update(Action::CopyChoice(1));
    let [Effect::Copy { text, .. }] = effects.as_slice() else {
        unreachable!("{effects:?}")
    };
    assert!(
        text.expose().contains("\"TrustlensPullRequest\""),
        "{}",
        text.expose()
    );
    assert!(
        text.expose()
            .contains("ref_type:branch:ref:refs/heads/main"),
        "the main-branch condition stays"
    );
    assert!(
        text.expose().contains("ref_type:pull-request:ref:*"),
        "not only PR #42"
    );
    assert_eq!(app.overlays.top(), None);
    app.update(Action::Copied {
        label: "x".into(),
        how: "to the system clipboard",
    });
    assert_eq!(app.toast_text(), Some("copied x to the system clipboard"));

    app.update(Action::ShowTab(Tab::Providers));
    app.update(Action::OpenCopyMenu);
    assert_eq!(app.overlays.top(), None);
    assert_eq!(app.toast_text(), Some("nothing to copy on this screen"));
}

/// The claim editor, when it is the top overlay.
fn editor(app: &App) -> Option<&ClaimEdit> {
    match app.overlays.top() {
        Some(Overlay::Editor(edit)) => Some(edit),
        _ => None,
    }
}

#[test]
fn what_if_editing_a_claim_re_evaluates_every_role() {
    let mut app = ready("semaphore-pr");
    let allowed_before = app.counts()[0].1;
    app.update(Action::ShowTab(Tab::Token));
    app.update(Action::Move(2));
    app.update(Action::EditClaim);
    assert_eq!(app.key_mode(), KeyMode::Edit);
    assert_eq!(editor(&app).map(|e| e.name.as_str()), Some("sub"));
    let input = editor(&app)
        .map(|e| e.input.value().to_owned())
        .unwrap_or_default();
    let fixed = input.replace(
        "ref_type:pull-request:ref:refs/pull/42/merge",
        "ref_type:branch:ref:refs/heads/main",
    );
    for _ in 0..input.chars().count() {
        app.update(Action::EditLine(InputRequest::DeletePrevChar));
    }
    for c in fixed.chars() {
        app.update(Action::EditLine(InputRequest::InsertChar(c)));
    }
    let effects = app.update(Action::Confirm);
    assert_eq!(
        app.tokens.len(),
        2,
        "the edit is a new token; the original stays"
    );
    assert!(app.token().is_some_and(|t| t.token.is_edited()));
    app.run_scans(effects);
    assert!(
        app.counts()[0].1 > allowed_before,
        "the main-branch subject opens more roles"
    );

    app.update(Action::ShowTab(Tab::Roles));
    app.update(Action::AskAssume);
    assert!(
        app.update(Action::Confirm).is_empty(),
        "an unsigned what-if token is not sent to STS"
    );
    assert!(app.toast_text().is_some_and(|t| t.contains("not signed")));

    app.update(Action::ShowTab(Tab::Token));
    app.update(Action::Move(-10));
    app.update(Action::Move(3));
    app.update(Action::EditClaim);
    app.update(Action::EditLine(InputRequest::InsertChar('x')));
    assert!(
        app.update(Action::Confirm).is_empty(),
        "exp is a number: `…x` is not one"
    );
    assert!(
        app.toast_text()
            .is_some_and(|t| t.contains("is not a number") && t.contains("unchanged"))
    );
    assert!(
        editor(&app).is_some(),
        "the editor stays open to fix the input"
    );
}

#[test]
fn the_command_line_selects_roles_and_reads_tokens() {
    let mut app = ready("semaphore-pr");
    app.update(Action::OpenPalette(String::new()));
    assert_eq!(app.key_mode(), KeyMode::Edit);
    for c in "role semaphore-web-deploy".chars() {
        app.update(Action::EditLine(InputRequest::InsertChar(c)));
    }
    app.update(Action::Confirm);
    assert_eq!(app.overlays.top(), None);
    assert_eq!(
        app.selected
            .as_ref()
            .and_then(|s| crate::arn::Arn::parse(&s.arn).ok())
            .and_then(|arn| arn.role_name().map(str::to_owned)),
        Some("semaphore-web-deploy".to_owned())
    );

    app.update(Action::OpenPalette("token @".to_owned()));
    for c in "/tmp/t.jwt".chars() {
        app.update(Action::EditLine(InputRequest::InsertChar(c)));
    }
    let effects = app.update(Action::Confirm);
    assert!(
        matches!(effects.as_slice(), [Effect::ReadToken { source, .. }] if source == "@/tmp/t.jwt")
    );
    let text = demo_token("github-main").token.raw().expose().clone();
    let effects = app.update(Action::TokenRead(Ok((
        Origin::File("/tmp/t.jwt".into()),
        Secret::new(text),
    ))));
    assert_eq!(app.tokens.len(), 2);
    assert!(matches!(effects.as_slice(), [Effect::Scan { .. }]));
    app.update(Action::TokenRead(Err(
        "cannot read the token file /nope".to_owned()
    )));
    assert_eq!(app.toast_text(), Some("cannot read the token file /nope"));

    app.update(Action::OpenPalette(String::new()));
    for c in "frobnicate".chars() {
        app.update(Action::EditLine(InputRequest::InsertChar(c)));
    }
    app.update(Action::Confirm);
    assert!(
        app.toast_text()
            .is_some_and(|t| t.starts_with("unknown command :frobnicate"))
    );
    assert!(matches!(
        app.update(Action::PasteFromClipboard).as_slice(),
        [Effect::ReadClipboard]
    ));
}

#[test]
fn news_fades_after_a_few_seconds_and_errors_stay_until_esc() {
    let mut app = ready("semaphore-main");
    app.update(Action::Copied {
        label: "the claims".into(),
        how: "to the system clipboard",
    });
    for second in 1..NEWS_SECONDS {
        app.update(Action::Tick(NOW + second));
        app.update(Action::Move(1));
        assert!(app.toast_text().is_some(), "still shown after {second} s");
    }
    app.update(Action::Tick(NOW + NEWS_SECONDS));
    assert_eq!(app.toast_text(), None, "news fades");

    app.update(Action::Paste("not a token".into()));
    assert!(app.toast.as_ref().is_some_and(Toast::is_error));
    app.update(Action::Tick(NOW + 3_600));
    app.update(Action::Move(1));
    assert!(
        app.toast_text()
            .is_some_and(|t| t.starts_with("not a token"))
    );
    app.update(Action::Back);
    assert_eq!(app.toast_text(), None, "esc dismisses an error");
}

/// The demo account's CloudTrail history, explained against the demo account.
fn demo_events() -> Box<TrailReport> {
    let text = include_str!("../../../assets/demo/cloudtrail.json");
    let (parsed, account) = match (crate::trail::parse_input(text.as_bytes()), demo::account()) {
        (Ok(parsed), Ok(account)) => (parsed, account),
        _ => unreachable!("the demo events and account read"),
    };
    let filters = crate::trail::Filters::default();
    let targets = crate::trail::targets_in(&account, &parsed.events, &filters);
    Box::new(crate::trail::analyze(
        &parsed.events,
        parsed.skipped,
        &filters,
        &targets,
    ))
}

#[test]
fn the_events_screen_loads_once_shows_failures_first_and_explains_the_selected_one() {
    let mut app = ready("semaphore-main");
    let effects = app.update(Action::ShowTab(Tab::Events));
    let [
        Effect::LoadEvents {
            generation,
            file: None,
            now,
        },
    ] = effects.as_slice()
    else {
        unreachable!("{effects:?}")
    };
    assert_eq!(*now, NOW);
    let generation = *generation;
    app.update(Action::EventsProgress {
        generation,
        events: 4,
    });
    assert_eq!(app.events.state, EventsState::Loading(4));
    // A stale answer is dropped.
    app.update(Action::EventsLoaded {
        generation: generation + 7,
        result: Err("late".into()),
    });
    assert_eq!(app.events.state, EventsState::Loading(4));
    app.update(Action::EventsLoaded {
        generation,
        result: Ok((demo_events(), "the demo's history".into())),
    });
    let rows = app.events.rows();
    assert_eq!(rows.first(), Some(&EventRow::Attempt(0)));
    assert_eq!(rows.last(), Some(&EventRow::Success(1)));
    // The newest failure: the retried pull_request job against the GitHub deploy role.
    let selected = app.selected_event_role();
    let selected = selected.as_ref();
    assert_eq!(
        selected.map(|s| s.arn.as_str()),
        Some("arn:aws:iam::123456789012:role/ci/github-octo-repo-deploy")
    );
    assert!(
        selected.is_some_and(|s| s.policy.is_some()),
        "the policy is pretty-printed"
    );
    app.update(Action::Bottom);
    assert_eq!(app.events.selected_row(), Some(EventRow::Success(1)));
    assert!(app.selected_event_role().is_none());
    app.update(Action::Top);

    // Copying: the subject and the event. This attempt is a pull-request job, so no edited
    // policy is offered: as with `policy`, a PR scope is never chosen silently.
    app.update(Action::OpenCopyMenu);
    let labels: Vec<String> = match app.overlays.top() {
        Some(Overlay::CopyMenu(items)) => items.iter().map(|i| i.label.clone()).collect(),
        other => unreachable!("{other:?}"),
    };
    assert_eq!(labels, ["the subject", "what the event tells (JSON)"]);
    app.update(Action::Back);
    // The next attempt is a branch job: its role's policy, edited to admit it, comes first.
    app.update(Action::Move(1));
    app.update(Action::OpenCopyMenu);
    let first = match app.overlays.top() {
        Some(Overlay::CopyMenu(items)) => items.first().cloned(),
        other => unreachable!("{other:?}"),
    };
    assert!(
        first.is_some_and(
            |item| item.label.starts_with("the role's trust policy edited")
                && item.text.expose().contains("\"Statement\"")
        ),
        "the edited policy is offered"
    );
    app.update(Action::Back);
    app.update(Action::Top);

    // Coming back does not reload; R does, and :events FILE reads a file.
    app.update(Action::ShowTab(Tab::Roles));
    assert!(app.update(Action::ShowTab(Tab::Events)).is_empty());
    assert!(matches!(
        app.update(Action::Refresh).as_slice(),
        [Effect::LoadEvents { file: None, .. }]
    ));
    app.update(Action::OpenPalette("events trail.json.gz".into()));
    let effects = app.update(Action::Confirm);
    assert!(
        matches!(effects.as_slice(), [Effect::LoadEvents { file: Some(path), .. }] if path.as_os_str() == "trail.json.gz"),
        "{effects:?}"
    );
    app.update(Action::EventsLoaded {
        generation: app.events.generation,
        result: Err("cannot read trail.json.gz".into()),
    });
    assert_eq!(
        app.events.state,
        EventsState::Failed("cannot read trail.json.gz".into())
    );
    // R tries the file again; `:events` alone goes back to the account's.
    let effects = app.update(Action::Refresh);
    assert!(
        matches!(effects.as_slice(), [Effect::LoadEvents { file: Some(path), .. }] if path.as_os_str() == "trail.json.gz"),
        "{effects:?}"
    );
    app.update(Action::OpenPalette("events".into()));
    assert!(matches!(
        app.update(Action::Confirm).as_slice(),
        [Effect::LoadEvents { file: None, .. }]
    ));
}

#[test]
fn the_demo_token_minted_after_the_first_frame_is_shown_as_if_it_had_been_there() {
    let Ok(account) = demo::account() else {
        unreachable!("the demo account loads")
    };
    let minted = |app: &mut App| {
        let token = demo_token("semaphore-main");
        app.update(Action::DemoTokenMinted(Ok((
            token.origin,
            Secret::new(token.token.raw().expose().clone()),
        ))))
    };
    let loaded = |app: &mut App| {
        app.update(Action::AccountLoaded {
            generation: 1,
            result: Ok((account.clone(), "the demo".to_owned())),
        })
    };
    // The token before the account, and after it: either way one scan, no toast.
    let (mut early, effects) = App::minting_demo(NOW);
    assert!(matches!(
        effects.as_slice(),
        [
            Effect::LoadAccount { .. },
            Effect::MintDemoToken { now: NOW }
        ]
    ));
    assert_eq!((early.tab, early.minting), (Tab::Roles, true));
    assert!(minted(&mut early).is_empty());
    let effects = loaded(&mut early);
    let (mut late, _) = App::minting_demo(NOW);
    assert!(loaded(&mut late).is_empty());
    let late_effects = minted(&mut late);
    for (app, effects) in [(&mut early, effects), (&mut late, late_effects)] {
        assert!(matches!(effects.as_slice(), [Effect::Scan { .. }]));
        assert!(!app.minting);
        assert_eq!(
            (app.tab, app.tokens.len(), app.toast_text()),
            (Tab::Roles, 1, None)
        );
        app.run_scans(effects);
    }
    assert_eq!(
        early.visible_roles(),
        ready("semaphore-main").visible_roles()
    );
    assert_eq!(late.visible_roles(), early.visible_roles());

    let (mut failed, _) = App::minting_demo(NOW);
    failed.update(Action::DemoTokenMinted(Err("no demo key".to_owned())));
    assert_eq!(
        (failed.tab, failed.minting, failed.toast_text()),
        (Tab::Token, false, Some("no demo key"))
    );
}

/// The plan `:setup semaphore …` gets against the demo account (no role `ci-oidc` there).
fn demo_setup_plan(request: &crate::setup::Request) -> Box<crate::setup::Plan> {
    let account = demo::account().unwrap_or_else(|e| unreachable!("{e}"));
    let state = crate::setup::AccountState {
        partition: &account.partition,
        account_id: &account.id,
        providers: &account.providers,
        role: account.role(&request.role_name),
        attached: &[],
        tls: None,
    };
    Box::new(
        crate::setup::plan(request, &state, "us-east-1", None, NOW)
            .unwrap_or_else(|e| unreachable!("{e}")),
    )
}

#[test]
fn setup_plans_asks_before_each_change_makes_it_and_plans_again() {
    let mut app = ready("semaphore-main");
    app.update(Action::OpenPalette(
        "setup semaphore --org acme --project 936a5312-a3b8-4921-8b3f-2cec8baac574 --repo web"
            .to_owned(),
    ));
    let effects = app.update(Action::Confirm);
    assert_eq!(app.tab, Tab::Setup);
    let [
        Effect::PlanSetup {
            generation,
            request,
            claims,
            ..
        },
    ] = effects.as_slice()
    else {
        unreachable!("{effects:?}")
    };
    assert_eq!(request.platform, "semaphore");
    assert_eq!(request.repo.as_deref(), Some("web"));
    assert!(claims.is_some(), "the token at hand is checked too");
    assert_eq!(app.setup.state, SetupState::Planning);
    let generation = *generation;
    let plan = demo_setup_plan(request);
    app.update(Action::SetupPlanned {
        generation: generation + 7,
        result: Ok((plan.clone(), "stale".to_owned())),
    });
    assert_eq!(
        app.setup.state,
        SetupState::Planning,
        "a stale plan is dropped"
    );
    app.update(Action::SetupPlanned {
        generation,
        result: Ok((plan.clone(), "the demo".to_owned())),
    });
    assert!(matches!(app.setup.state, SetupState::Ready(..)));

    // `a` asks first; the confirmation is the guarded kind; `esc` says no.
    app.update(Action::AskAssume);
    let Some(Overlay::ConfirmChange(change)) = app.overlays.top() else {
        unreachable!("{:?}", app.overlays.top())
    };
    assert_eq!(change.action(), "iam:CreateRole");
    assert!(app.overlays.top().is_some_and(Overlay::is_confirmation));
    app.update(Action::Back);
    assert!(app.overlays.top().is_none());

    app.update(Action::AskAssume);
    let effects = app.update(Action::Confirm);
    let [Effect::ApplyChange { change, .. }] = effects.as_slice() else {
        unreachable!("{effects:?}")
    };
    assert_eq!(change.action(), "iam:CreateRole");
    assert!(app.setup.applying.is_some());
    app.update(Action::AskAssume);
    assert!(app.overlays.top().is_none(), "one change at a time");

    let made = crate::setup::Applied {
        change: (**change).clone(),
        outcome: crate::setup::Outcome::Made,
    };
    let effects = app.update(Action::ChangeApplied {
        generation,
        applied: Box::new(made),
    });
    assert!(
        matches!(effects.as_slice(), [Effect::PlanSetup { .. }]),
        "planned again, so the checks are live: {effects:?}"
    );
    assert_eq!(app.setup.applied.len(), 1);
    assert!(app.setup.applying.is_none());

    // A refusal is recorded and shown; nothing is planned again.
    let effects = app.update(Action::ChangeApplied {
        generation: generation + 1,
        applied: Box::new(crate::setup::Applied {
            change: (**change).clone(),
            outcome: crate::setup::Outcome::Failed {
                code: "AccessDenied".into(),
                message: "no".into(),
                explanation: "the credentials may not call iam:CreateRole".into(),
            },
        }),
    });
    assert!(effects.is_empty());
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|toast| toast.is_error() && toast.text.contains("may not call")),
        "{:?}",
        app.toast
    );

    // The copy menu offers the snippet.
    app.update(Action::SetupPlanned {
        generation: generation + 1,
        result: Ok((plan, "the demo".to_owned())),
    });
    app.update(Action::OpenCopyMenu);
    let Some(Overlay::CopyMenu(items)) = app.overlays.top() else {
        unreachable!("{:?}", app.overlays.top())
    };
    assert_eq!(items[0].label, "the step-3 pipeline snippet");
    assert!(items[0].text.expose().contains("SEMAPHORE_OIDC_TOKEN"));
}

#[test]
fn a_setup_command_without_a_platform_says_how() {
    let mut app = ready("semaphore-main");
    app.update(Action::OpenPalette("setup --org acme".to_owned()));
    let effects = app.update(Action::Confirm);
    assert!(effects.is_empty());
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|toast| toast.text.contains("which platform? :setup PLATFORM")),
        "{:?}",
        app.toast
    );
}

/// Scans `effects` here and now, then gives the visible row of the selected role's name.
fn selected_name(app: &App) -> Option<String> {
    let arn = app.selected.as_ref().map(|s| s.arn.clone())?;
    app.visible_roles()
        .iter()
        .find(|r| r.arn == arn)
        .map(|r| r.name.clone())
}

#[test]
fn the_selection_follows_its_role_across_sorts_token_switches_and_edits() {
    let mut app = ready("semaphore-main");
    app.update(Action::Move(3));
    let chosen = selected_name(&app);
    assert!(chosen.is_some());
    let row = app.roles.selected;
    app.update(Action::ToggleSort);
    assert_eq!(selected_name(&app), chosen, "a re-sort keeps the role");
    assert_ne!(app.roles.selected, row, "…at its new row");

    app.tokens.push(demo_token("semaphore-pr"));
    let effects = app.update(Action::NextToken);
    app.run_scans(effects);
    assert_eq!(selected_name(&app), chosen, "a token switch keeps the role");

    app.update(Action::ShowTab(Tab::Token));
    app.update(Action::EditClaim);
    app.update(Action::EditLine(InputRequest::InsertChar('x')));
    let effects = app.update(Action::Confirm);
    app.run_scans(effects);
    assert!(app.token().is_some_and(|t| t.token.is_edited()));
    assert_eq!(selected_name(&app), chosen, "a what-if edit keeps the role");
}

#[test]
fn r_on_an_edited_token_says_it_has_no_raw_form() {
    let mut app = ready("semaphore-main");
    app.update(Action::ShowTab(Tab::Token));
    app.update(Action::EditClaim);
    app.update(Action::EditLine(InputRequest::InsertChar('x')));
    app.update(Action::Confirm);
    app.update(Action::ToggleReveal);
    assert!(!app.raw_revealed);
    assert!(
        app.toast_text().is_some_and(|t| t.contains("no raw form")),
        "{:?}",
        app.toast_text()
    );
}

#[test]
fn the_demo_command_loads_the_demo_token_too() {
    let mut app = ready("github-main");
    app.update(Action::OpenPalette("demo".to_owned()));
    app.update(Action::Confirm);
    let text = demo::token("semaphore-main", NOW)
        .map(|t| String::from_utf8_lossy(t.text.expose()).into_owned())
        .map_err(|e| e.to_string());
    let minted = text.map(|text| (Origin::Demo("semaphore-main".into()), Secret::new(text)));
    let effects = app.update(Action::DemoTokenMinted(minted));
    assert_eq!(app.tokens.len(), 2);
    assert_eq!(app.current, 1, "the demo token is shown");
    assert!(
        matches!(effects.as_slice(), [] | [Effect::Scan { .. }]),
        "{effects:?}"
    );
    assert!(app.toast_text().is_some_and(|t| t.contains("token 2 of 2")));
}

#[test]
fn without_live_aws_assume_says_so_before_asking() {
    let mut app = ready("semaphore-main");
    app.live = false;
    app.update(Action::AskAssume);
    assert_eq!(app.overlays.top(), None, "no confirmation is asked");
    assert!(
        app.toast_text()
            .is_some_and(|t| t.contains("assuming needs live AWS")),
        "{:?}",
        app.toast_text()
    );
}

#[test]
fn a_grant_the_local_verdict_refused_is_recorded_with_the_local_answer() {
    let mut app = ready("semaphore-pr");
    let refused = app
        .visible_roles()
        .iter()
        .position(|r| r.class != ScanClass::Allowed && r.class != ScanClass::Unrelated);
    app.update(Action::SelectRow(refused.unwrap_or(0)));
    app.update(Action::AskAssume);
    let effects = app.update(Action::Confirm);
    let [Effect::Assume { generation, .. }] = effects.as_slice() else {
        unreachable!("{effects:?}")
    };
    app.update(Action::AssumeFinished {
        generation: *generation,
        outcome: AssumeOutcome::Failed("x".into()),
    });
    let local = app
        .assume
        .attempts
        .first()
        .and_then(|a| a.refused_locally.clone());
    assert!(
        local.is_some_and(|answer| answer.contains("AccessDenied") || answer.contains("Invalid"))
    );
}

fn type_into_filter(app: &mut App, text: &str) {
    app.update(Action::StartFilter);
    for c in text.chars() {
        app.update(Action::FilterLine(InputRequest::InsertChar(c)));
    }
}

#[test]
fn the_filter_takes_space_separated_terms_and_ranks_by_match() {
    let mut app = ready("semaphore-main");
    type_into_filter(&mut app, "deploy web");
    let names: Vec<String> = app.visible_roles().iter().map(|r| r.name.clone()).collect();
    assert!(!names.is_empty());
    assert!(
        names
            .iter()
            .all(|n| n.contains("deploy") && n.contains("web")),
        "every term must match: {names:?}"
    );
    app.update(Action::Back);
    type_into_filter(&mut app, "semaphore-web-ci");
    let first = app.visible_roles().first().map(|r| r.name.clone());
    assert_eq!(
        first.as_deref(),
        Some("semaphore-web-ci"),
        "the exact name ranks first"
    );
    assert_eq!(app.roles.selected, 0);
}

#[test]
fn a_paste_goes_into_the_line_being_typed() {
    let mut app = ready("semaphore-main");
    app.update(Action::OpenPalette("role ".to_owned()));
    let effects = app.update(Action::Paste("semaphore-web-ci\n".to_owned()));
    assert!(effects.is_empty());
    assert_eq!(app.tokens.len(), 1, "not taken as a token");
    assert!(
        matches!(app.overlays.top(), Some(Overlay::CommandLine(line)) if *line == "role semaphore-web-ci")
    );
    app.update(Action::Back);
    app.update(Action::StartFilter);
    app.update(Action::Paste("eks".to_owned()));
    assert_eq!(app.roles.filter, "eks");
}

#[test]
fn role_takes_a_unique_prefix_and_tab_completes_commands_and_names() {
    let mut app = ready("semaphore-main");
    app.update(Action::OpenPalette("ro".to_owned()));
    app.update(Action::Complete);
    assert!(matches!(app.overlays.top(), Some(Overlay::CommandLine(line)) if *line == "role "));
    for c in "semaphore-web-pr-preview-t".chars() {
        app.update(Action::EditLine(InputRequest::InsertChar(c)));
    }
    app.update(Action::Complete);
    assert!(
        matches!(app.overlays.top(), Some(Overlay::CommandLine(line)) if *line == "role semaphore-web-pr-preview-typo"),
        "{:?}",
        app.overlays.top()
    );
    app.update(Action::Back);

    app.update(Action::OpenPalette("role semaphore-web-".to_owned()));
    app.update(Action::Complete);
    assert!(
        app.toast_text().is_some_and(|t| t.contains("candidates")),
        "{:?}",
        app.toast_text()
    );
    app.update(Action::Confirm);
    assert!(
        app.toast_text()
            .is_some_and(|t| t.contains("roles start with")),
        "{:?}",
        app.toast_text()
    );

    app.update(Action::OpenPalette(
        "role semaphore-web-pr-preview-t".to_owned(),
    ));
    app.update(Action::Confirm);
    assert_eq!(
        app.selected
            .as_ref()
            .map(|s| s.arn.ends_with("semaphore-web-pr-preview-typo")),
        Some(true)
    );
}

#[test]
fn while_help_is_open_moves_scroll_it_not_the_list() {
    let mut app = ready("semaphore-main");
    app.update(Action::ToggleHelp);
    app.update(Action::Move(3));
    app.update(Action::Bottom);
    assert_eq!(app.roles.selected, 0, "the list stays");
    assert_eq!(app.help_scroll, app.keymap.help().len());
    app.update(Action::Top);
    assert_eq!(app.help_scroll, 0);
    app.update(Action::Move(2));
    app.update(Action::ToggleHelp);
    app.update(Action::ToggleHelp);
    assert_eq!(app.help_scroll, 0, "help opens at its top");
}
