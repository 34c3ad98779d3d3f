//! Terraform commands started in the background, so a scenario can interrupt them the way a
//! user pressing Ctrl-C does (SIGINT to the whole foreground process group).

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Outcome, Workdir, eventually};

/// A Terraform command running in its own process group.
pub struct Running {
    child: Option<Child>,
    command: String,
    stdout: Option<JoinHandle<String>>,
    stderr: Option<JoinHandle<String>>,
}

/// Reads a pipe to its end on a thread, so a chatty command never blocks on a full pipe.
fn drain(pipe: Option<impl Read + Send + 'static>) -> Option<JoinHandle<String>> {
    let mut pipe = pipe?;
    Some(std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    }))
}

fn joined(handle: Option<JoinHandle<String>>) -> String {
    handle
        .map(|h| h.join().unwrap_or_default())
        .unwrap_or_default()
}

impl Workdir {
    /// Starts `terraform <args>` here without waiting for it.
    pub fn spawn(&self, args: &[&str]) -> Running {
        use std::os::unix::process::CommandExt;
        let mut child = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own group, like a shell job: the interrupt reaches Terraform and its
            // providers, never the test runner.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.terraform.path.display()));
        Running {
            stdout: drain(child.stdout.take()),
            stderr: drain(child.stderr.take()),
            child: Some(child),
            command: format!("terraform {} (v{})", args.join(" "), self.terraform.version),
        }
    }
}

impl Running {
    /// Sends SIGINT to the command's process group, as Ctrl-C in a terminal does.
    pub fn interrupt(&self) {
        assert!(
            self.signal_group("INT"),
            "could not send SIGINT to {}",
            self.command
        );
    }

    /// Waits (up to `limit`) until `ready` holds, as [`eventually`] does; fails at once if
    /// the command exits before it does.
    #[track_caller]
    pub fn wait_until(&mut self, limit: Duration, what: &str, mut ready: impl FnMut() -> bool) {
        let command = self.command.clone();
        eventually(what, limit, || {
            let done = ready();
            assert!(done || self.is_running(), "{command} exited before {what}");
            done
        });
    }

    /// Whether the command is still running.
    pub fn is_running(&mut self) -> bool {
        let child = self.child.as_mut().expect("not waited for yet");
        child.try_wait().expect("poll the child").is_none()
    }

    fn signal_group(&self, signal: &str) -> bool {
        let Some(child) = self.child.as_ref() else {
            return false;
        };
        Command::new("kill")
            .args([&format!("-{signal}"), "--", &format!("-{}", child.id())])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Waits for the command to exit, at most `limit`; returns what it did and how long the
    /// wait took. Kills it (and fails the test) when it outlives `limit`.
    #[track_caller]
    pub fn wait(mut self, limit: Duration) -> (Outcome, Duration) {
        let started = Instant::now();
        let mut child = self.child.take().expect("waited once");
        loop {
            if child.try_wait().expect("poll the child").is_some() {
                break;
            }
            if started.elapsed() > limit {
                self.child = Some(child);
                self.signal_group("KILL");
                let mut child = self.child.take().expect("just put back");
                let _ = child.wait();
                panic!(
                    "{} did not exit within {limit:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                    self.command,
                    joined(self.stdout.take()),
                    joined(self.stderr.take())
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let took = started.elapsed();
        let status = child.wait().expect("reap the child");
        let outcome = Outcome {
            command: self.command.clone(),
            code: status.code(),
            stdout: joined(self.stdout.take()),
            stderr: joined(self.stderr.take()),
        };
        (outcome, took)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.signal_group("KILL");
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        }
    }
}
