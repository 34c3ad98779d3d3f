//! The "API" is hostile: its codes, messages, request ids, states, regions and zones carry
//! escape sequences (clear screen, set the terminal title), a fake "Apply complete!" line after
//! a line break, a bidi override and a C1 control, and 3,000 characters of padding. A user runs
//! `terraform plan` and `terraform apply` against it; whatever the API says, the output shows
//! it as data: escaped, on the line it belongs to, cut with a marker. So do the provider's
//! trace logs.

mod support;

use support::api_sessions::{every_kind, short_wait_config};
use support::hostile_api::{FAKE_LINE, Hostile};
use support::{Outcome, Terraform, Versions};

/// The marker the provider puts after a value it cut.
const CUT: &str = "… (cut: ";

/// Characters that must never reach a terminal from the API.
const RAW: [char; 5] = ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\r'];

/// Asserts one command's whole output shows the hostile text only as data.
#[track_caller]
fn assert_inert(out: &Outcome, context: &str) {
    for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        for c in RAW {
            assert!(
                !text.contains(c),
                "{context}: {} {stream} holds a raw {c:?}:\n{}",
                out.command,
                text.escape_debug()
            );
        }
        for line in text.lines() {
            // Terraform frames diagnostics with box-drawing characters and indents them.
            let content = line.trim_start_matches(['│', '╷', '╵', ' ']);
            assert!(
                !content.starts_with("Apply complete! Resources: 9"),
                "{context}: {} {stream} has the fake line on a line of its own: {line:?}",
                out.command
            );
        }
        assert!(
            !text.contains(&"A".repeat(300)),
            "{context}: {} {stream} repeats the 3,000-character text uncut",
            out.command
        );
    }
}

/// What the user must read in each case: the hostile text's start, escaped, where it belongs.
fn expectations(hostile: Hostile) -> (&'static [&'static str], &'static [&'static str]) {
    match hostile {
        Hostile::ErrorCode => (
            &[
                "Plan checks were skipped for this run",
                "\"\\x1b[2J\\x1b]0;pwned\\x07boom\\nApply complete! Resources: 9 added",
            ],
            &[
                "The Zenlayer API refused the request",
                "Zenlayer API code: \"\\x1b[2J\\x1b]0;pwned\\x07boom\\nApply complete!",
                "The API said: \"\\x1b[2J\\x1b]0;pwned\\x07boom\\nApply complete!",
                "\\r\\n\\u{202e}gnp.exe\\u{9b}31m",
            ],
        ),
        Hostile::ErrorMessage => (
            &[
                "The request signature has expired",
                "Synchronise this machine's clock",
                "The API said: \"\\x1b[2J\\x1b]0;pwned\\x07boom\\nApply complete!",
            ],
            &[
                "The request signature has expired",
                "Zenlayer API code: AUTHFAILURE_SIGNATURE_EXPIRED, request id: \"\\x1b[2J",
                "The API said: \"\\x1b[2J\\x1b]0;pwned\\x07boom\\nApply complete!",
            ],
        ),
        Hostile::StatusFields => (
            &[
                "The NIC is in an unfamiliar state",
                "reports the state \"\\x1b[2J\\x1b]0;pwned\\x07boom\\nApply complete!",
            ],
            &[
                "Timed out waiting for the NIC to attach",
                "\"\\x1b[2J\\x1b]0;pwned",
            ],
        ),
    }
}

/// Both streams, whitespace folded: Terraform wraps diagnostics at 78 columns, at spaces.
fn folded(out: &Outcome) -> String {
    format!("{}\n{}", out.stdout, out.stderr)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Asserts the command said each of `words` (whitespace compared loosely) and cut a value.
#[track_caller]
fn assert_says(out: &Outcome, words: &[&str], context: &str) {
    let all = folded(out);
    for w in words.iter().chain([&CUT]) {
        let w = w.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            all.contains(&w),
            "{context}: {} does not say {w:?}:\n{}\n{}",
            out.command,
            out.stdout,
            out.stderr
        );
    }
}

/// One user session: plan (with provider trace logs), then apply.
fn session(tf: &Terraform, hostile: Hostile) {
    let api = hostile.serve();
    let context = format!("Terraform {}, {hostile:?}", tf.version);
    let dir = tf.workdir().config(&short_wait_config(&api.domain(), 0));
    let log = dir.path().join("trace.log");
    let dir = dir.env("TF_LOG", "trace").env("TF_LOG_PATH", &log);
    let (at_plan, at_apply) = expectations(hostile);

    let plan = dir.plan();
    assert_inert(&plan, &context);
    assert_says(&plan, at_plan, &context);

    let apply = dir.apply();
    assert_inert(&apply, &context);
    assert!(!apply.success(), "{context}: the apply succeeded");
    assert_says(&apply, at_apply, &context);
    assert!(
        !folded(&apply).contains(FAKE_LINE) || folded(&apply).contains(&format!("\\n{FAKE_LINE}")),
        "{context}: the fake line appears without its escaped line break"
    );

    // The provider's own log lines, as Terraform writes them at TF_LOG=trace.
    let trace = std::fs::read_to_string(&log).unwrap_or_default();
    let provider_lines: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("provider.terraform-provider-zenlayer"))
        .collect();
    assert!(
        !provider_lines.is_empty(),
        "{context}: no provider log lines"
    );
    for line in trace.lines() {
        for c in RAW {
            assert!(
                !line.contains(c),
                "{context}: a TF_LOG=trace line holds a raw {c:?}: {}",
                line.escape_debug()
            );
        }
    }
    assert!(
        provider_lines.iter().any(|l| l.contains("x1b[2J")),
        "{context}: the hostile text never reached the provider's log (escaped)"
    );
    assert!(
        api.calls() > 0,
        "{context}: the provider never called the API"
    );
}

#[test]
fn hostile_api_text_is_shown_escaped_on_its_own_line_and_cut_at_plan_apply_and_in_logs() {
    let sessions = every_kind(Versions::All, &Hostile::ALL, Hostile::ALL.len(), session);
    assert!(sessions >= 6, "only {sessions} sessions ran");
}
