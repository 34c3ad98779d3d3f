//! The summary table every case adds rows to, printed once at the end, and the line that
//! identifies the machine and its load.

use std::cell::RefCell;
use std::time::Duration;

use crate::stats::{mib, ratio, secs};

/// One measured target.
pub(crate) struct Row {
    pub case: &'static str,
    pub measured: &'static str,
    pub ours: String,
    pub reference: String,
    pub ratio: String,
    pub target: String,
    pub met: bool,
}

impl Row {
    /// The provider's memory in KiB beside Go's (`go_kib`, named by `go`): at most 8 MiB and
    /// at most half of Go's.
    pub(crate) fn memory(measured: &'static str, ours_kib: u64, go: &str, go_kib: u64) -> Row {
        Row {
            case: "memory",
            measured,
            ours: mib(ours_kib),
            reference: format!("{go} {}", mib(go_kib)),
            ratio: ratio(ours_kib as f64, go_kib as f64),
            target: "≤ 8 MiB and ≤ ½ Go".into(),
            met: ours_kib <= 8 * 1024 && ours_kib * 2 <= go_kib,
        }
    }

    /// The API calls a run made beside the naive count (one call a read), at most `ceiling`.
    pub(crate) fn api_calls(measured: &'static str, calls: u64, naive: usize, ceiling: u64) -> Row {
        Row {
            case: "API calls",
            measured,
            ours: calls.to_string(),
            reference: format!("naive {naive} (arithmetic)"),
            ratio: ratio(calls as f64, naive as f64),
            target: format!("≤ {ceiling}"),
            met: calls <= ceiling,
        }
    }

    /// A median wall time and the API calls it took, with no reference to compare against.
    pub(crate) fn wall_and_calls(
        case: &'static str,
        measured: &'static str,
        wall: Duration,
        calls: u64,
        target: &str,
        met: bool,
    ) -> Row {
        Row {
            case,
            measured,
            ours: format!("{} ; {calls} calls", secs(wall)),
            reference: "-".into(),
            ratio: "-".into(),
            target: target.into(),
            met,
        }
    }
}

#[derive(Default)]
pub(crate) struct Report {
    rows: RefCell<Vec<Row>>,
}

impl Report {
    pub(crate) fn add(&self, row: Row) {
        self.rows.borrow_mut().push(row);
    }

    pub(crate) fn print(&self) {
        let rows = self.rows.borrow();
        if rows.is_empty() {
            return;
        }
        println!("\nsummary ({})", load_line());
        let head = [
            "case",
            "measured",
            "zenlayer",
            "reference",
            "ratio",
            "target",
            "",
        ];
        let cells: Vec<[String; 7]> = rows
            .iter()
            .map(|r| {
                [
                    r.case.to_owned(),
                    r.measured.to_owned(),
                    r.ours.clone(),
                    r.reference.clone(),
                    r.ratio.clone(),
                    r.target.clone(),
                    if r.met { "met" } else { "MISSED" }.to_owned(),
                ]
            })
            .collect();
        let mut widths = head.map(|h| h.chars().count());
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cols: Vec<&str>| {
            let padded: Vec<String> = cols
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect();
            println!("| {} |", padded.join(" | "));
        };
        line(head.to_vec());
        println!(
            "|{}|",
            widths
                .iter()
                .map(|w| "-".repeat(w + 2))
                .collect::<Vec<_>>()
                .join("|")
        );
        for row in &cells {
            line(row.iter().map(String::as_str).collect());
        }
        let missed = rows.iter().filter(|r| !r.met).count();
        println!(
            "{} of {} targets met{}",
            rows.len() - missed,
            rows.len(),
            if missed > 0 { " (see MISSED)" } else { "" }
        );
    }
}

/// CPU, cores, kernel, load: what a reader needs to compare numbers between runs.
pub(crate) fn machine_line() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|k| k.trim().to_owned())
        .unwrap_or_default();
    format!(
        "machine: {cpu}, {} cores, Linux {kernel}; {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_line()
    )
}

/// The 1/5/15-minute load averages: other work on the machine skews every number.
pub(crate) fn load_line() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let parts: Vec<&str> = load.split_whitespace().take(3).collect();
    format!("load average {}", parts.join(" "))
}
