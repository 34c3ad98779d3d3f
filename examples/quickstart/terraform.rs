//! Runs one Terraform command the way the quickstart shows it: its output goes to the reader as
//! it comes, and is kept (without colours) to check what it said.

use std::ffi::{OsStr, OsString};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;

/// Variables from the user's shell that would change what the quickstart's commands do.
const SCRUBBED_PREFIXES: &[&str] = &["TF_CLI_ARGS", "ZENLAYERCLOUD_"];
const SCRUBBED: &[&str] = &[
    "TF_WORKSPACE",
    "TF_DATA_DIR",
    "TF_INPUT",
    "TF_REATTACH_PROVIDERS",
    "TF_DISABLE_PLUGIN_TLS",
];

/// A Terraform CLI bound to one working directory and environment.
pub(crate) struct Cli {
    pub(crate) path: PathBuf,
    pub(crate) dir: PathBuf,
    pub(crate) env: Vec<(OsString, OsString)>,
    pub(crate) color: bool,
}

/// What one command did.
pub(crate) struct Ran {
    pub(crate) code: Option<i32>,
    /// stdout and stderr as they came, colours removed.
    pub(crate) text: String,
}

impl Ran {
    /// True if the output says `text`, comparing whitespace loosely (Terraform wraps
    /// diagnostics at 78 columns and frames them with `│`).
    pub(crate) fn says(&self, text: &str) -> bool {
        folded(&self.text).contains(&folded(text))
    }

    /// How many times the output says `text`, whitespace compared loosely.
    pub(crate) fn count(&self, text: &str) -> usize {
        folded(&self.text).matches(&folded(text)).count()
    }
}

impl Cli {
    /// Runs `terraform <args>`, copying its output to `out` line by line as it comes.
    pub(crate) fn run(&self, args: &[&str], out: &mut dyn Write) -> io::Result<Ran> {
        let mut command = Command::new(&self.path);
        command.args(args);
        if !self.color {
            command.arg("-no-color");
        }
        for (key, _) in std::env::vars_os() {
            if scrubbed(&key) {
                command.env_remove(&key);
            }
        }
        let mut child = command
            .current_dir(&self.dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                io::Error::new(e.kind(), format!("cannot run {}: {e}", self.path.display()))
            })?;
        let (lines, received) = mpsc::channel::<Vec<u8>>();
        let mut readers = Vec::new();
        let stdout = child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        let stderr = child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        for stream in [stdout, stderr].into_iter().flatten() {
            let lines = lines.clone();
            readers.push(thread::spawn(move || forward_lines(stream, &lines)));
        }
        drop(lines);
        // Keep draining after a failed write, so Terraform is never left blocked on a pipe.
        let mut write_error = None;
        let mut captured = Vec::new();
        for line in received {
            if write_error.is_none()
                && let Err(e) = out.write_all(&line).and_then(|()| out.flush())
            {
                write_error = Some(e);
            }
            captured.extend_from_slice(&line);
        }
        for reader in readers {
            let _ = reader.join();
        }
        let status = child.wait()?;
        if let Some(e) = write_error {
            return Err(e);
        }
        Ok(Ran {
            code: status.code(),
            text: without_colours(&String::from_utf8_lossy(&captured)),
        })
    }
}

fn scrubbed(key: &OsStr) -> bool {
    let key = key.to_string_lossy();
    SCRUBBED.contains(&key.as_ref()) || SCRUBBED_PREFIXES.iter().any(|p| key.starts_with(p))
}

fn forward_lines(stream: Box<dyn Read + Send>, lines: &mpsc::Sender<Vec<u8>>) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                if lines.send(line).is_err() {
                    return;
                }
            }
        }
    }
}

/// `text` without ANSI escape sequences (`ESC [ … letter`).
fn without_colours(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Every run of whitespace (and Terraform's `│` frame) folded to one space.
fn folded(text: &str) -> String {
    text.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
