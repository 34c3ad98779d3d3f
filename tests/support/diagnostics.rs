//! Diagnostics as a user meets them: the blocks of `terraform plan`/`apply` human output and the
//! `diagnostic` lines of `-json` output, read back into one shape so a scenario can say "this
//! error, at this config line, with these words" and have it checked in both.
//!
//! Terraform consolidates, in human output only, warnings that share a summary: the first is
//! shown in full and ends with "(and N more similar warnings elsewhere)". [`assert_reported`]
//! allows for that; the `-json` stream always carries every diagnostic.

use std::collections::BTreeMap;

use super::{Outcome, Workdir};

/// Terraform's warning about `dev_overrides`, present in every run of the harness.
const DEV_OVERRIDES: &str = "Provider development overrides are in effect";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    fn word(self) -> &'static str {
        match self {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        }
    }
}

/// One diagnostic as Terraform showed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub severity: Severity,
    pub summary: String,
    /// The detail; in human output its words joined by single spaces (Terraform wraps it).
    pub detail: String,
    /// e.g. `zenlayer_nic_attachment.a`, when Terraform knows the resource.
    pub address: Option<String>,
    pub file: Option<String>,
    pub line: Option<usize>,
    /// The config line Terraform quoted, trimmed.
    pub source: Option<String>,
    /// Where the line is, e.g. `resource "zenlayer_nic_attachment" "a"`.
    pub context: Option<String>,
    /// Human output only: N of "(and N more similar warnings elsewhere)".
    pub more_similar: usize,
}

/// The diagnostics of a `-json` run (plan or apply), without the `dev_overrides` warning.
pub fn from_json(outcome: &Outcome) -> Vec<Shown> {
    let mut out = Vec::new();
    for line in outcome.stdout.lines().filter(|l| l.starts_with('{')) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| {
            panic!("{}: not a JSON line ({e}): {line}", outcome.command);
        });
        if v["type"] != "diagnostic" {
            continue;
        }
        let d = &v["diagnostic"];
        let severity = match d["severity"].as_str() {
            Some("error") => Severity::Error,
            Some("warning") => Severity::Warning,
            other => panic!("{}: diagnostic severity {other:?}: {line}", outcome.command),
        };
        let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
        let shown = Shown {
            severity,
            summary: text(&d["summary"]).unwrap_or_default(),
            detail: text(&d["detail"]).unwrap_or_default(),
            address: text(&d["address"]),
            file: text(&d["range"]["filename"]),
            line: d["range"]["start"]["line"].as_u64().map(|n| n as usize),
            source: text(&d["snippet"]["code"]).map(|c| c.trim().to_owned()),
            context: text(&d["snippet"]["context"]),
            more_similar: 0,
        };
        if shown.summary != DEV_OVERRIDES {
            out.push(shown);
        }
    }
    out
}

/// The diagnostics of a human (`-no-color`) run, from both streams, without the
/// `dev_overrides` warning.
pub fn from_human(outcome: &Outcome) -> Vec<Shown> {
    let mut out = parse_human(&outcome.stdout);
    out.extend(parse_human(&outcome.stderr));
    out
}

fn parse_human(text: &str) -> Vec<Shown> {
    let lines: Vec<&str> = text
        .lines()
        .map(|l| {
            l.trim_start_matches(['│', '╷', '╵'])
                .trim_start_matches(' ')
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((severity, summary)) = header(lines[i]) else {
            i += 1;
            continue;
        };
        let mut shown = Shown {
            severity,
            summary: summary.to_owned(),
            detail: String::new(),
            address: None,
            file: None,
            line: None,
            source: None,
            context: None,
            more_similar: 0,
        };
        i += 1;
        let mut detail: Vec<&str> = Vec::new();
        while i < lines.len() && header(lines[i]).is_none() && !ends_block(lines[i]) {
            let l = lines[i].trim();
            if l.is_empty() {
                i += 1;
                continue;
            }
            if let Some(addr) = l.strip_prefix("with ").and_then(|a| a.strip_suffix(',')) {
                shown.address = Some(addr.to_owned());
            } else if let Some(rest) = l.strip_prefix("on ").filter(|r| r.contains(" line "))
                && shown.line.is_none()
                && detail.is_empty()
            {
                let (file, after) = rest.split_once(" line ").expect("checked");
                let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
                shown.file = Some(file.to_owned());
                shown.line = digits.parse().ok();
                shown.context = after
                    .split_once(", in ")
                    .map(|(_, c)| c.trim_end_matches(':').to_owned());
            } else if let Some(n) = shown
                .line
                .filter(|_| shown.source.is_none() && detail.is_empty())
                && let Some(code) = l.strip_prefix(&format!("{n}:"))
            {
                shown.source = Some(code.trim().to_owned());
            } else if let Some(n) = more_similar(l) {
                shown.more_similar = n;
            } else {
                detail.push(l);
            }
            i += 1;
        }
        shown.detail = detail
            .iter()
            .flat_map(|l| l.split_whitespace())
            .collect::<Vec<_>>()
            .join(" ");
        if shown.summary != DEV_OVERRIDES {
            out.push(shown);
        }
    }
    out
}

fn header(line: &str) -> Option<(Severity, &str)> {
    if let Some(s) = line.strip_prefix("Error: ") {
        return Some((Severity::Error, s.trim()));
    }
    line.strip_prefix("Warning: ")
        .map(|s| (Severity::Warning, s.trim()))
}

/// Lines Terraform prints after the last diagnostic of a block.
fn ends_block(line: &str) -> bool {
    line.starts_with('─')
        || line.starts_with("Note: You didn't use the -out option")
        || line.starts_with("Plan: ")
        || line.starts_with("Terraform used the selected providers")
        || line.starts_with("Apply complete!")
}

fn more_similar(line: &str) -> Option<usize> {
    let rest = line.strip_prefix("(and ")?;
    let (n, tail) = rest.split_once(' ')?;
    if !tail.starts_with("more similar warning") {
        return None;
    }
    // Terraform spells out a single one.
    if n == "one" { Some(1) } else { n.parse().ok() }
}

/// What a scenario expects Terraform to show for one resource.
#[derive(Clone, Debug)]
pub struct Expect {
    pub severity: Severity,
    /// e.g. `zenlayer_nic_attachment.a`.
    pub address: String,
    /// The attribute the diagnostic points at; `None`: the resource block itself.
    pub attr: Option<&'static str>,
    pub summary: String,
    /// Words the detail must contain (an API code, observed values, the fix).
    pub mentions: Vec<String>,
}

impl Expect {
    pub fn error(address: &str, attr: &'static str, summary: &str) -> Expect {
        Expect::new(Severity::Error, address, Some(attr), summary)
    }

    pub fn warning(address: &str, attr: &'static str, summary: &str) -> Expect {
        Expect::new(Severity::Warning, address, Some(attr), summary)
    }

    pub fn new(
        severity: Severity,
        address: &str,
        attr: Option<&'static str>,
        summary: &str,
    ) -> Expect {
        Expect {
            severity,
            address: address.to_owned(),
            attr,
            summary: summary.to_owned(),
            mentions: Vec::new(),
        }
    }

    /// The detail must also say each of `words`.
    pub fn mentioning(mut self, words: &[&str]) -> Expect {
        self.mentions.extend(words.iter().map(|w| (*w).to_owned()));
        self
    }

    /// The same finding with another severity (for `plan_checks = "warn"`).
    pub fn warned(mut self) -> Expect {
        self.severity = Severity::Warning;
        self
    }
}

/// The 1-based line of `attr` inside `resource "<type>" "<name>"` in `config` (`attr` `None`:
/// the resource's own first line); panics when the config has no such line.
pub fn line_of(config: &str, address: &str, attr: Option<&str>) -> usize {
    let (ty, name) = address
        .split_once('.')
        .unwrap_or_else(|| panic!("{address} is not TYPE.NAME"));
    let opening = format!("resource \"{ty}\" \"{name}\"");
    let lines: Vec<&str> = config.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_start().starts_with(&opening))
        .unwrap_or_else(|| panic!("the config has no {opening}:\n{config}"));
    let Some(attr) = attr else {
        return start + 1;
    };
    let found = lines[start + 1..]
        .iter()
        .take_while(|l| !l.starts_with('}'))
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix(attr)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .unwrap_or_else(|| panic!("{address} has no `{attr}` line:\n{config}"));
    start + 1 + found + 1
}

/// Words folded to single spaces, so wrapped and unwrapped text compare equal.
pub fn folded(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs `terraform plan` and `terraform plan -json` in `dir` (whose `main.tf` is `config`) and
/// asserts that both show exactly `expected` (plus nothing else from the provider), each at
/// its config line, and that the plan fails exactly when an error is expected.
/// Returns the `-json` diagnostics for further checks.
#[track_caller]
pub fn assert_plan_reports(dir: &Workdir, config: &str, expected: &[Expect]) -> Vec<Shown> {
    let human = dir.plan();
    let json = dir.run(&["plan", "-json", "-input=false"]);
    assert_reported(&human, &json, config, expected)
}

/// [`assert_plan_reports`] for any pair of runs (`human` with `-no-color`, `json` with `-json`)
/// of the same command.
#[track_caller]
pub fn assert_reported(
    human: &Outcome,
    json: &Outcome,
    config: &str,
    expected: &[Expect],
) -> Vec<Shown> {
    let fails = expected.iter().any(|e| e.severity == Severity::Error);
    for run in [human, json] {
        assert_eq!(
            run.success(),
            !fails,
            "{} should {} for {expected:#?}\n{}",
            run.command,
            if fails { "fail" } else { "succeed" },
            transcript(run)
        );
    }

    let shown_json = from_json(json);
    assert_eq!(
        shown_json.len(),
        expected.len(),
        "{}: expected exactly {} diagnostics, got {shown_json:#?}\n{}",
        json.command,
        expected.len(),
        transcript(json)
    );
    for e in expected {
        let line = line_of(config, &e.address, e.attr);
        let source = config
            .lines()
            .nth(line - 1)
            .expect("line_of is in range")
            .trim();
        let matching: Vec<&Shown> = shown_json
            .iter()
            .filter(|s| s.address.as_deref() == Some(e.address.as_str()) && s.summary == e.summary)
            .collect();
        assert_eq!(
            matching.len(),
            1,
            "{}: expected one {:?} {:?} at {}, got {shown_json:#?}",
            json.command,
            e.severity,
            e.summary,
            e.address
        );
        let s = matching[0];
        let what = format!("{} ({} at {})", json.command, e.summary, e.address);
        assert_eq!(s.severity, e.severity, "{what}: {s:#?}");
        assert_eq!(s.file.as_deref(), Some("main.tf"), "{what}: {s:#?}");
        assert_eq!(
            s.line,
            Some(line),
            "{what}: points at the wrong line: {s:#?}"
        );
        assert_eq!(s.source.as_deref(), Some(source), "{what}: {s:#?}");
        assert_eq!(s.context, Some(context_of(&e.address)), "{what}: {s:#?}");
        assert_detail(&what, &s.detail, e);
    }

    let shown_human = from_human(human);
    let mut by_summary: BTreeMap<(Severity, &str), Vec<&Expect>> = BTreeMap::new();
    for e in expected {
        by_summary
            .entry((e.severity, e.summary.as_str()))
            .or_default()
            .push(e);
    }
    let mut blocks = 0;
    for ((severity, summary), group) in &by_summary {
        let shown: Vec<&Shown> = shown_human
            .iter()
            .filter(|s| s.severity == *severity && s.summary == *summary)
            .collect();
        blocks += shown.len();
        let what = format!("{} ({} {summary:?})", human.command, severity.word());
        let accounted: usize = shown.iter().map(|s| 1 + s.more_similar).sum();
        assert_eq!(
            accounted,
            group.len(),
            "{what}: expected {} such diagnostics (shown or counted as similar), got {shown:#?}\n{}",
            group.len(),
            transcript(human)
        );
        for s in shown {
            let e = group
                .iter()
                .find(|e| s.address.as_deref() == Some(e.address.as_str()))
                .unwrap_or_else(|| panic!("{what}: unexpected resource: {s:#?}"));
            let line = line_of(config, &e.address, e.attr);
            let source = config.lines().nth(line - 1).expect("in range").trim();
            assert_eq!(s.file.as_deref(), Some("main.tf"), "{what}: {s:#?}");
            assert_eq!(s.line, Some(line), "{what}: wrong line: {s:#?}");
            assert_eq!(s.source.as_deref(), Some(source), "{what}: {s:#?}");
            assert_eq!(s.context, Some(context_of(&e.address)), "{what}: {s:#?}");
            assert_detail(&what, &s.detail, e);
        }
    }
    assert_eq!(
        blocks,
        shown_human.len(),
        "{}: unexpected diagnostics in {shown_human:#?}\n{}",
        human.command,
        transcript(human)
    );
    shown_json
}

/// `resource "T" "N"` for `T.N`, as Terraform names a config line's block.
fn context_of(address: &str) -> String {
    let (ty, name) = address.split_once('.').expect("TYPE.NAME");
    format!("resource \"{ty}\" \"{name}\"")
}

fn assert_detail(what: &str, detail: &str, e: &Expect) {
    let detail = folded(detail);
    for m in &e.mentions {
        assert!(
            detail.contains(&folded(m)),
            "{what}: the detail does not say {m:?}:\n{detail}"
        );
    }
}

fn transcript(o: &Outcome) -> String {
    o.transcript()
}
