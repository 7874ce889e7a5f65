//! The explorer in a real terminal: the binary runs inside tmux, keys and a bracketed paste go
//! in with `send-keys` / `paste-buffer -p`, the screen comes back with `capture-pane`. Waits are
//! on screen content, never fixed sleeps. A missing tmux fails the test with an install hint.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use trustlens::account::demo;
use trustlens::tui::PASTE_QUIET;

#[path = "support/moto.rs"]
mod moto;

use moto::Moto;

/// A tmux server of our own (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` in a 120×40 session.
    fn start(command: &str) -> Tmux {
        let socket = format!("trustlens-test-{}-{}", std::process::id(), rand_suffix());
        let tmux = Tmux { socket };
        let output = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "120",
            "-y",
            "40",
            // Relative paths in the tests start at the package, whatever the checkout's path.
            "-c",
            env!("CARGO_MANIFEST_DIR"),
            command,
        ]);
        assert!(
            output.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .env("TERM", "xterm-256color")
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run tmux ({e}): install it (apt-get install tmux; .ci/run does)")
            })
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    /// The screen with the lines the terminal wrapped joined again, their spaces kept (a plain
    /// capture drops the space a line wrapped at).
    fn unwrapped_screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-J", "-t", "t"]).stdout)
            .into_owned()
    }

    /// Waits until the screen shows `text` (15 s at most), and then until the frame is whole:
    /// a capture can land while the explorer is still writing the frame, half old and half
    /// new, so the screen is returned once two captures 100 ms apart agree.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last: Option<String> = None;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                // (A screen that never settles, a spinner say, is taken as it is at the end.)
                if last.as_deref() == Some(screen.as_str()) || Instant::now() >= deadline {
                    return screen;
                }
                last = Some(screen);
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            last = None;
            assert!(
                Instant::now() < deadline,
                "the screen never showed {text:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Answers the assume confirmation as a person does: once it is on screen and has been
    /// read (the explorer ignores an `enter` that comes faster than a person reads).
    fn confirm(&self) {
        self.wait_for("for real?");
        std::thread::sleep(Duration::from_millis(600));
        self.keys(&["Enter"]);
    }

    /// Pastes `text` as a bracketed paste, as a terminal does, then waits as a person would
    /// before the next key: the explorer drops keys that arrive within 0.3 s of a paste.
    fn paste(&self, text: &str) {
        assert!(self.run(&["set-buffer", "--", text]).status.success());
        assert!(
            self.run(&["paste-buffer", "-p", "-t", "t"])
                .status
                .success()
        );
        std::thread::sleep(Duration::from_millis(600));
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn rand_suffix() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap()
}

fn explorer(args: &str) -> Tmux {
    let binary = env!("CARGO_BIN_EXE_trustlens");
    // After the explorer exits, the shell reports its exit code and keeps the pane open.
    Tmux::start(&format!(
        "TRUSTLENS_NO_FETCH=1 {binary} {args}; echo EXITED $?; sleep 600"
    ))
}

#[test]
fn demo_start_navigate_paste_and_quit() {
    let tmux = explorer("--demo --token demo:semaphore-pr");
    tmux.wait_for("Roles ✔1 ~9 ✘6 ·29");

    // Down to the Semaphore deploy role: denied by the sub condition of a PR job.
    tmux.keys(&["/"]);
    tmux.keys(&["semaphore-web-deploy"]);
    tmux.wait_for("/semaphore-web-d");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("Why: this job ran for pull request #42");
    assert!(screen.contains("✘ DENIED"), "{screen}");
    assert!(
        screen.contains("↳ token:  …eb:ref_type:pull-request"),
        "{screen}"
    );

    // A pasted token (Bearer prefix and all) becomes token 2 and is scanned.
    let github = demo::token("github-main", now()).unwrap();
    tmux.paste(&format!(
        "Bearer {}",
        String::from_utf8_lossy(github.text.expose())
    ));
    tmux.wait_for("token 2/2: repo:octo-org");
    // Keys within PASTE_QUIET of the paste being read are taken as part of it and dropped
    // (src/tui/guard.rs); a loaded machine may read it late, so wait that long after it shows.
    std::thread::sleep(PASTE_QUIET + Duration::from_millis(200));
    tmux.keys(&["Escape"]);
    tmux.wait_for("Roles ✔");

    // Tabs, help, quit: the terminal comes back and the exit code is 0.
    tmux.keys(&["3"]);
    tmux.wait_for("OIDC providers");
    tmux.keys(&["?"]);
    tmux.wait_for("Keys (esc closes)");
    tmux.keys(&["Escape", "q"]);
    let screen = tmux.wait_for("EXITED 0");
    assert!(
        !screen.contains("OIDC providers"),
        "the alternate screen is gone:\n{screen}"
    );
}

#[test]
fn ctrl_c_restores_the_terminal() {
    let tmux = explorer("--demo");
    tmux.wait_for("Roles ✔");
    tmux.keys(&["C-c"]);
    let screen = tmux.wait_for("EXITED 0");
    assert!(!screen.contains("Roles ✔"), "{screen}");
}

/// A paste holding the bracketed-paste end marker: the terminal ends the paste there and the
/// rest arrives as keys — `2` (Roles), `a` (assume), `enter` (yes), here on an account where
/// `a` asks for real. None of them may act, even when the tail takes longer to arrive than the
/// quiet time after a paste.
#[test]
fn pasted_keys_cannot_confirm_an_assume() {
    let moto = Moto::start();
    let tmux = explorer_on_moto(&moto);
    tmux.wait_for("Roles ✔1");
    tmux.keys(&["1"]);
    tmux.wait_for("Header");
    tmux.paste("not-a-token\u{1b}[201~2a\r");
    tmux.wait_for("keys that arrived with the paste were ignored");
    // A slower tail: a burst every 60 ms for about a second, past the quiet time (each burst
    // one tmux call, so the gaps stay well under the quiet time on a loaded machine too).
    assert!(
        tmux.run(&["set-buffer", "--", "not-a-token\u{1b}[201~"])
            .status
            .success()
    );
    assert!(
        tmux.run(&["paste-buffer", "-p", "-t", "t"])
            .status
            .success()
    );
    for _ in 0..12 {
        tmux.keys(&["2", "a", "Enter"]);
        std::thread::sleep(Duration::from_millis(60));
    }
    std::thread::sleep(PASTE_QUIET * 3);
    let screen = tmux.screen();
    assert!(
        !screen.contains("for real?"),
        "pasted keys asked for an assume:\n{screen}"
    );
    // The Assume tab's history: nothing was sent to STS.
    tmux.keys(&["4"]);
    tmux.wait_for("No attempts yet");

    // Typed by a person, the same key still works: `a` asks first.
    tmux.keys(&["2"]);
    tmux.wait_for("Roles ✔1");
    tmux.keys(&["a"]);
    tmux.wait_for("for real?");
    tmux.keys(&["Escape", "q"]);
    tmux.wait_for("EXITED 0");
}

/// `kill -SIGNAL` on the explorer leaves the terminal as it was: out of the alternate screen,
/// mouse reporting off, the line discipline back (`icanon`), exit 0.
fn signal_restores_the_terminal(signal: &str) {
    let pid_file = std::env::temp_dir().join(format!(
        "trustlens-{signal}-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    let binary = env!("CARGO_BIN_EXE_trustlens");
    // `exec` keeps the shell's PID, which it wrote down first, for the explorer.
    let tmux = Tmux::start(&format!(
        "sh -c 'echo $$ > {}; exec {binary} --demo'; echo EXITED $?; \
         stty -a | tr ' ' '\\n' | grep -x -- '-*icanon' | sed 's/^/STTY /'; sleep 600",
        pid_file.display()
    ));
    tmux.wait_for("Roles ✔");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), pid.trim()])
        .status()
        .unwrap();
    assert!(killed.success());
    let _ = std::fs::remove_file(&pid_file);
    let screen = tmux.wait_for("EXITED 0");
    assert!(!screen.contains("Roles ✔"), "{signal}: {screen}");
    let screen = tmux.wait_for("STTY ");
    assert!(
        screen.contains("STTY icanon"),
        "{signal} left raw mode: {screen}"
    );
    let flags = tmux.run(&[
        "display-message",
        "-p",
        "-t",
        "t",
        "#{alternate_on}#{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag}#{mouse_sgr_flag}",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&flags.stdout).trim(),
        "00000",
        "{signal}: alternate screen and mouse reporting are off"
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_restores_the_terminal("TERM");
}

#[test]
fn sigint_sighup_and_sigquit_restore_the_terminal() {
    for signal in ["INT", "HUP", "QUIT"] {
        signal_restores_the_terminal(signal);
    }
}

/// The explorer on `moto`'s account, where the role `deploy` admits the demo Semaphore token.
fn explorer_on_moto(moto: &Moto) -> Tmux {
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"}}}]});
    moto.create_provider_and_role(
        "https://acme.semaphoreci.com",
        "https://acme.semaphoreci.com",
        "deploy",
        &policy.to_string(),
    );
    let token = demo::token("semaphore-main", now()).unwrap();
    let token = String::from_utf8_lossy(token.text.expose()).into_owned();
    let binary = env!("CARGO_BIN_EXE_trustlens");
    Tmux::start(&format!(
        "env -i PATH=\"$PATH\" TRUSTLENS_NO_FETCH=1 TERM=xterm-256color AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
         AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null \
         AWS_SHARED_CREDENTIALS_FILE=/dev/null T={token} {binary} --endpoint-url {} --token env:T; \
         echo EXITED $?; sleep 600",
        moto.endpoint
    ))
}

#[test]
fn assume_a_role_against_moto_and_see_the_assumed_role() {
    let moto = Moto::start();
    let tmux = explorer_on_moto(&moto);
    let screen = tmux.wait_for("Roles ✔1");
    assert!(
        screen.contains("(AWS, region us-east-1, as arn:aws:"),
        "the header names the region and the caller:\n{screen}"
    );
    tmux.keys(&["a"]);
    tmux.confirm();
    let screen = tmux.wait_for("assumed-role/deploy/trustlens");
    assert!(
        screen.contains("SecretAccessKey ••••••••"),
        "masked until r:\n{screen}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED 0");
}

/// Without AWS credentials the explorer still opens, says what is missing, and `:demo`
/// switches to the embedded demo account (where assuming then says it needs AWS).
#[test]
fn without_credentials_it_says_so_and_offers_the_demo() {
    let binary = env!("CARGO_BIN_EXE_trustlens");
    let tmux = Tmux::start(&format!(
        "env -i PATH=\"$PATH\" TRUSTLENS_NO_FETCH=1 TERM=xterm-256color HOME=/nonexistent AWS_REGION=us-east-1 \
         AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
         {binary} --endpoint-url http://127.0.0.1:9 --token demo:semaphore-main; echo EXITED $?; sleep 600"
    ));
    let screen = tmux.wait_for("could not be loaded");
    assert!(
        screen.contains("credentials"),
        "names what is missing:\n{screen}"
    );
    tmux.keys(&[":"]);
    tmux.keys(&["demo"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("token 2/2");
    tmux.wait_for("Roles ✔5");
    tmux.keys(&["a"]);
    tmux.wait_for("assuming needs live AWS");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED 0");
}

/// A private X server (Xvfb) on a free display number, stopped on drop.
struct Xvfb {
    child: std::process::Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        // A display whose socket and lock are both free (killed servers can leave either).
        let free = |n: &u32| {
            !std::path::Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !std::path::Path::new(&format!("/tmp/.X{n}-lock")).exists()
        };
        let number = (90..2000)
            .find(free)
            .unwrap_or_else(|| panic!("no free X display between :90 and :1999 for Xvfb"));
        let display = format!(":{number}");
        let child = Command::new("Xvfb")
            .args([
                display.as_str(),
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "640x480x24",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start Xvfb ({e}): install it (apt-get install xvfb xclip; .ci/run does)"
                )
            });
        let socket = format!("/tmp/.X11-unix/X{number}");
        let deadline = Instant::now() + Duration::from_secs(15);
        while !std::path::Path::new(&socket).exists() {
            assert!(Instant::now() < deadline, "Xvfb did not start on {display}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Xvfb { child, display }
    }

    /// The X clipboard's text, read with xclip.
    fn clipboard(&self) -> String {
        let output = Command::new("xclip")
            .args(["-o", "-selection", "clipboard"])
            .env("DISPLAY", &self.display)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run xclip ({e}): install it (apt-get install xclip)")
            });
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Opens the explorer on the PR token, selects the Semaphore deploy role, chooses the
/// pull-request scope in the Generate view (no scope is picked for a PR job by default) and
/// copies the role's policy edited to admit PR jobs (copy menu item 2).
fn copy_the_fixed_condition(tmux: &Tmux) {
    tmux.wait_for("Roles ✔1");
    tmux.keys(&["/"]);
    tmux.keys(&["semaphore-web-deploy"]);
    tmux.wait_for("/semaphore-web-d");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Why: this job ran for pull request #42");
    tmux.keys(&["5"]);
    tmux.wait_for("choose one with --scope");
    // From no scope, `[` goes to the last (project), then to pull-request.
    tmux.keys(&["["]);
    tmux.wait_for("project · json");
    tmux.keys(&["["]);
    tmux.wait_for("pull-request · json");
    tmux.wait_for("semaphore-web-deploy: its policy edited");
    tmux.keys(&["y"]);
    tmux.wait_for("Copy (digit chooses, esc closes)");
    tmux.keys(&["2"]);
}

/// The copied policy: main's statement kept, a pull-request statement of its own added.
fn assert_edited_policy(copied: &str) {
    let policy: serde_json::Value =
        serde_json::from_str(copied).unwrap_or_else(|e| panic!("{e}: {copied:?}"));
    let statements = policy["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 2, "{copied}");
    assert_eq!(
        statements[0]["Condition"]["StringEquals"]["acme.semaphoreci.com:sub"],
        "org:acme:project:936a5312-a3b8-4921-8b3f-2cec8baac574:repo:web:ref_type:branch:ref:refs/heads/main"
    );
    assert_eq!(
        statements[1]["Condition"]["StringLike"]["acme.semaphoreci.com:sub"],
        "org:acme:project:936a5312-a3b8-4921-8b3f-2cec8baac574:repo:web:ref_type:pull-request:ref:*"
    );
}

#[test]
fn copying_a_trust_condition_reaches_the_x_clipboard() {
    let xvfb = Xvfb::start();
    let binary = env!("CARGO_BIN_EXE_trustlens");
    let tmux = Tmux::start(&format!(
        "DISPLAY={} {binary} --demo --token demo:semaphore-pr; echo EXITED $?; sleep 600",
        xvfb.display
    ));
    copy_the_fixed_condition(&tmux);
    tmux.wait_for("(pull-request scope) to the system clipboard");
    assert_edited_policy(&xvfb.clipboard());
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED 0");
}

#[test]
fn without_a_display_copying_goes_through_osc52() {
    let binary = env!("CARGO_BIN_EXE_trustlens");
    let tmux = Tmux::start(&format!(
        "env -u DISPLAY -u WAYLAND_DISPLAY {binary} --demo --token demo:semaphore-pr; echo EXITED $?; sleep 600"
    ));
    // tmux turns an application's OSC 52 into a paste buffer when set-clipboard is on.
    assert!(
        tmux.run(&["set-option", "-g", "set-clipboard", "on"])
            .status
            .success()
    );
    copy_the_fixed_condition(&tmux);
    tmux.wait_for("through the terminal (OSC 52");
    let buffer = String::from_utf8_lossy(&tmux.run(&["show-buffer"]).stdout).into_owned();
    assert_edited_policy(&buffer);
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED 0");
}

#[test]
fn tokens_come_in_from_a_file_prompt_and_from_the_clipboard() {
    let xvfb = Xvfb::start();
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tui_tmux");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("github.jwt");
    let github = demo::token("github-prod", now()).unwrap();
    std::fs::write(&file, github.text.expose()).unwrap();

    let binary = env!("CARGO_BIN_EXE_trustlens");
    let tmux = Tmux::start(&format!(
        "DISPLAY={} {binary} --demo --token demo:semaphore-main; echo EXITED $?; sleep 600",
        xvfb.display
    ));
    tmux.wait_for("Roles ✔");
    // `o` opens the command line with `token @` typed.
    tmux.keys(&["o"]);
    tmux.wait_for(":token @");
    tmux.keys(&[&file.display().to_string(), "Enter"]);
    tmux.wait_for("token 2/2: repo:octo-org");

    // `p` reads the X clipboard.
    let eks = demo::token("eks-app", now()).unwrap();
    let mut xclip = Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .env("DISPLAY", &xvfb.display)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(xclip.stdin.as_mut().unwrap(), eks.text.expose()).unwrap();
    drop(xclip.stdin.take());
    xclip.wait().unwrap();
    tmux.keys(&["p"]);
    tmux.wait_for("token 3/3 (Amazon EKS): system:servi");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED 0");
}

#[test]
fn an_invalid_keymap_file_is_reported_before_the_screen_switches() {
    let config = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tui_tmux-config");
    std::fs::create_dir_all(config.join("trustlens")).unwrap();
    std::fs::write(
        config.join("trustlens/keymap"),
        "x = quit\nz = frobnicate\n",
    )
    .unwrap();
    let binary = env!("CARGO_BIN_EXE_trustlens");
    let tmux = Tmux::start(&format!(
        "XDG_CONFIG_HOME={} {binary} --demo; echo EXITED $?; sleep 600",
        config.display()
    ));
    tmux.wait_for("EXITED 2");
    // The message names the file, so where it wraps depends on the checkout's path.
    let screen = tmux.unwrapped_screen();
    assert!(
        screen.contains("is invalid: line 2: unknown command \"frobnicate\""),
        "{screen}"
    );

    // A valid file rebinds: `x` quits.
    std::fs::write(config.join("trustlens/keymap"), "x = quit\n").unwrap();
    let tmux = Tmux::start(&format!(
        "XDG_CONFIG_HOME={} {binary} --demo; echo EXITED $?; sleep 600",
        config.display()
    ));
    tmux.wait_for("Roles ✔");
    tmux.keys(&["x"]);
    tmux.wait_for("EXITED 0");
}

#[test]
fn the_events_view_explains_the_demo_s_cloudtrail_history_and_reads_a_gzip_file() {
    let tmux = explorer("--demo --token demo:semaphore-main");
    tmux.wait_for("Roles ✔");
    tmux.keys(&["6"]);
    // Failed attempts first, the newest selected and explained like a token.
    let screen = tmux.wait_for("Events ✘4 ✔3");
    assert!(
        screen.contains("certain: the policy's conditions use only what the event"),
        "{screen}"
    );
    assert!(
        screen.contains("Why: this job ran for a pull_request event"),
        "{screen}"
    );
    // Down to the Semaphore pull request: the audience with its :// kept whole.
    tmux.keys(&["j", "j", "j"]);
    let screen = tmux.wait_for("audience    https://acme.semaphoreci.com");
    assert!(screen.contains("semaphore-web-deploy"), "{screen}");
    assert!(
        screen.contains("Why: this job ran for pull request #42"),
        "{screen}"
    );
    // The retried job shows its count.
    tmux.keys(&["k"]);
    tmux.wait_for("retried: 3 events until 2026-11-30T11:02:12Z");

    // A gzip Records file through the command line.
    // Relative paths, so what wraps on screen does not depend on where the checkout lives.
    let records = "tests/fixtures/trail/records.json.gz";
    tmux.keys(&[":"]);
    tmux.keys(&[&format!("events {records}")]);
    tmux.keys(&["Enter"]);
    // The file has no Semaphore event: three failed attempts, where the demo history has four.
    let screen = tmux.wait_for("Events ✘3 ✔3");
    assert!(
        screen.contains("records.json.gz"),
        "the title names the file, its end kept in view whatever the checkout's path: {screen}"
    );
    // A file that does not read: the place, and how to retry.
    let truncated = "tests/fixtures/trail/truncated.json";
    tmux.keys(&[":"]);
    tmux.keys(&[&format!("events {truncated}")]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("The events could not be read");
    assert!(
        screen.contains("truncated.json: line 33, column"),
        "{screen}"
    );
}

#[test]
fn the_generate_view_switches_scope_and_format_and_writes_the_policy_to_a_file() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tmux-generate");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("trust.tf");
    let _ = std::fs::remove_file(&file);
    let tmux = explorer("--demo --token demo:semaphore-main");
    tmux.wait_for("Roles ✔");
    tmux.keys(&["5"]);
    let screen = tmux.wait_for("ref · json");
    assert!(
        screen.contains("Also admits 0 of 4 (by the engine)"),
        "{screen}"
    );
    tmux.keys(&["]"]);
    tmux.wait_for("branch · json");
    tmux.keys(&["[", "["]);
    let screen = tmux.wait_for("project · json");
    assert!(
        screen.contains("caution: this admits every job"),
        "{screen}"
    );
    assert!(screen.contains("Also admits 3 of 4"), "{screen}");
    tmux.keys(&["f"]);
    tmux.wait_for("project · terraform");
    tmux.keys(&["w"]);
    tmux.wait_for(":write");
    tmux.keys(&[file.to_str().unwrap()]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("wrote ");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        written.contains("data \"aws_iam_policy_document\""),
        "{written}"
    );
    assert!(written.contains("StringLike"), "{written}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED 0");
}

/// The Setup screen from an empty moto account: the plan, a confirmation before each change,
/// the checks made again after each, until every step is done.
#[test]
fn setup_walks_the_three_steps_against_moto_asking_before_each_change() {
    let moto = Moto::start();
    let token = demo::token("semaphore-main", now()).unwrap();
    let token = String::from_utf8_lossy(token.text.expose()).into_owned();
    let binary = env!("CARGO_BIN_EXE_trustlens");
    let tmux = Tmux::start(&format!(
        "env -i PATH=\"$PATH\" TRUSTLENS_NO_FETCH=1 TERM=xterm-256color AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
         AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null \
         AWS_SHARED_CREDENTIALS_FILE=/dev/null T={token} {binary} --endpoint-url {} --token env:T; \
         echo EXITED $?; sleep 600",
        moto.endpoint
    ));
    tmux.wait_for("Roles");
    tmux.keys(&["7"]);
    tmux.wait_for("the seed guide's three steps");
    tmux.keys(&[":"]);
    tmux.keys(&[
        "setup semaphore --org acme --project 936a5312-a3b8-4921-8b3f-2cec8baac574 --repo web",
    ]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("2 changes left");
    assert!(
        screen.contains("✘ no provider for https://acme.semaphoreci.com"),
        "{screen}"
    );
    tmux.keys(&["a"]);
    let screen = tmux.wait_for("Make this IAM change for real?");
    assert!(
        screen.contains("call iam:CreateOpenIDConnectProvider"),
        "{screen}"
    );
    tmux.keys(&["Escape"]);
    // esc said no: the confirmation closes and nothing is made (wait before the next key, or
    // the terminal reads esc and `a` as alt-a).
    let deadline = Instant::now() + Duration::from_secs(15);
    while tmux.screen().contains("for real?") {
        assert!(
            Instant::now() < deadline,
            "esc did not close the confirmation"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(tmux.screen().contains("2 changes left"));
    tmux.keys(&["a"]);
    tmux.confirm();
    let screen = tmux.wait_for("1 change left");
    assert!(
        screen.contains("✔ made: create the OIDC provider https://acme.semaphoreci.com"),
        "{screen}"
    );
    assert!(
        screen.contains("✔ the provider for https://acme.semaphoreci.com exists"),
        "checked again after the change: {screen}"
    );
    tmux.keys(&["a"]);
    tmux.confirm();
    let screen = tmux.wait_for("every step is done");
    assert!(
        screen.contains("✔ the role exists: arn:aws:iam::123456789012:role/ci-oidc"),
        "{screen}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED 0");
}

/// `setup --apply` on a terminal asks before each change: a yes makes it, a no stops there and
/// the report says what was and was not done.
#[test]
fn setup_apply_asks_on_the_terminal_before_each_change() {
    let moto = Moto::start();
    let binary = env!("CARGO_BIN_EXE_trustlens");
    let tmux = Tmux::start(&format!(
        "env -i PATH=\"$PATH\" TRUSTLENS_NO_FETCH=1 TERM=xterm-256color AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
         AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null \
         AWS_SHARED_CREDENTIALS_FILE=/dev/null {binary} --endpoint-url {} setup --platform github \
         --org octo --project web --apply | tail -4; echo EXITED ${{PIPESTATUS[0]}}; sleep 600",
        moto.endpoint
    ));
    let screen = tmux.wait_for("Make this change? [y/N]");
    assert!(
        screen.contains("create the OIDC provider https://token.actions.githubusercontent.com"),
        "{screen}"
    );
    tmux.keys(&["y", "Enter"]);
    tmux.wait_for("(iam:CreateRole)\nMake this change? [y/N]");
    tmux.keys(&["n", "Enter"]);
    let screen = tmux.wait_for("EXITED 3");
    assert!(
        screen.contains(
            "✔ made: create the OIDC provider https://token.actions.githubusercontent.com"
        ),
        "{screen}"
    );
    assert!(
        screen.contains("– declined: create the role ci-oidc"),
        "{screen}"
    );
    assert!(
        screen.contains("1 of 2 changes made; the rest were not"),
        "{screen}"
    );
}

/// The filter edits as a line: `ctrl-u` clears what was typed (it typed a `u` once), `left`
/// and a typed character insert at the cursor, and `tab` completes a role name on the command
/// line.
#[test]
fn typed_lines_edit_as_a_shell_line_does() {
    let tmux = explorer("--demo --token demo:semaphore-main");
    tmux.wait_for("Roles ✔");
    tmux.keys(&["/"]);
    tmux.keys(&["xyz"]);
    tmux.wait_for("/xyz · 0 of 45");
    tmux.keys(&["C-u"]);
    tmux.keys(&["ek"]);
    tmux.keys(&["Left"]);
    tmux.keys(&["e"]);
    tmux.wait_for("/eek ·");
    tmux.keys(&["Home", "DC"]);
    let screen = tmux.wait_for("/ek ·");
    assert!(screen.contains("eks-payments-api"), "{screen}");
    // A key right after `esc` would read as alt-key: wait for the filter to clear first.
    tmux.keys(&["Escape"]);
    tmux.wait_for(" by verdict ┘");
    tmux.keys(&[":"]);
    tmux.keys(&["role semaphore-web-pr-preview-t"]);
    tmux.keys(&["Tab"]);
    tmux.wait_for(":role semaphore-web-pr-preview-typo");
    tmux.keys(&["Enter"]);
    tmux.wait_for("┌ semaphore-web-pr-preview-typo ");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED 0");
}

/// `--color never` turns the explorer's colours off as `NO_COLOR` does; `--color always` and
/// the default keep them (the selected row is reversed either way).
#[test]
fn the_explorer_follows_color() {
    let binary = env!("CARGO_BIN_EXE_trustlens");
    let coloured = |env: &str, args: &str| {
        let tmux = Tmux::start(&format!(
            "{env} TRUSTLENS_NO_FETCH=1 {binary} --demo --token demo:semaphore-pr {args}; \
             echo EXITED $?; sleep 600"
        ));
        tmux.wait_for("Roles ✔");
        let styled =
            String::from_utf8_lossy(&tmux.run(&["capture-pane", "-p", "-e", "-t", "t"]).stdout)
                .into_owned();
        tmux.keys(&["q"]);
        tmux.wait_for("EXITED 0");
        // SGR foreground colours 30–37 / 38;5 (green ✔, red ✘, yellow ~).
        ["\u{1b}[32m", "\u{1b}[31m", "\u{1b}[33m", "38;5;"]
            .iter()
            .any(|sgr| styled.contains(sgr))
    };
    assert!(coloured("", ""));
    assert!(!coloured("", "--color never"));
    assert!(coloured("NO_COLOR=1", "--color always"));
    // `auto` reads the variables as text output does.
    assert!(!coloured("NO_COLOR=1", ""));
    assert!(!coloured("CLICOLOR=0", ""));
    assert!(coloured("NO_COLOR=1 CLICOLOR_FORCE=1", ""));
}
