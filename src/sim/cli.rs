//! The `zenlayer-sim` command line: flags, the one stdout line, logs on stderr, signals.

use std::ffi::OsString;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::fixture;
use super::fixture::DEFAULT_STATE_JSON;
use super::server::{ZEC_PATH, serve};
use super::simulator::{
    DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_PASSWORD, DEFAULT_ACCESS_TOKEN, Delays, Policy, Sim,
    SimConfig,
};
use super::state::State;
use super::timing::{Spread, Timing};

/// Where the simulator listens when `--listen` is not given.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8089";

/// The `--help` text.
pub const USAGE: &str = "\
zenlayer-sim: a local Zenlayer ZEC API (POST /api/v2/zec, version 2025-09-01)

Usage: zenlayer-sim [OPTIONS]

Options:
  --listen ADDR               where to listen [default: 127.0.0.1:8089]; port 0 picks a free one;
                              only loopback addresses unless --allow-remote
  --allow-remote              allow a --listen address other machines can reach (the admin
                              endpoints have no authentication)
  --state FILE                initial state (JSON, see --print-default-state) [default: built-in]
  --access-key-id ID          accepted access key id [default: sim-access-key-id]
  --access-key-password PW    accepted access key password [default: sim-access-key-password]
  --access-token TOKEN        accepted bearer token, empty to refuse all [default: sim-access-token]
  --transition-delay DUR      how long ATTACHING and DETACHING last, e.g. 300ms, 2s, 0 [default: 300ms]
  --attach-delay DUR          how long ATTACHING lasts (overrides --transition-delay)
  --detach-delay DUR          how long DETACHING lasts (overrides --transition-delay)
  --latency DUR               added to every API call, half on the way there and half on the way
                              back, as a distant API costs a round trip, e.g. 100ms [default: 0]
  --durations MEDIAN,P95[,SEED]
                              draw each attach and detach's duration from a log-normal with this
                              median and 95th percentile, seeded (default seed 0), e.g. 3s,20s,7;
                              overrides the delays above
  --deny-action ACTION        refuse ACTION to the credentials with AUTHFAILURE_UNAUTHORIZED_OPERATION
                              (403), as a least-privilege key's policy does; repeatable
  --log-level LEVEL           off, error, warn, info or debug [default: info]
  --print-default-state       print the built-in state as JSON and exit
  -h, --help                  print this help
  -V, --version               print the version

Admin endpoints (plain JSON, no signing, no authentication) are under /_sim/; see docs/zenlayer-sim.md.
";

/// Settings for serving.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub listen: String,
    /// `--allow-remote`: listening where other machines can connect was asked for explicitly.
    pub allow_remote: bool,
    pub state: Option<PathBuf>,
    pub access_key_id: String,
    pub access_key_password: String,
    pub access_token: Option<String>,
    pub delays: Delays,
    /// `--latency` and `--durations`.
    pub timing: Timing,
    /// Actions refused to the credentials (`--deny-action`).
    pub policy: Policy,
    pub log_level: Option<tracing::Level>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            listen: DEFAULT_LISTEN.to_owned(),
            allow_remote: false,
            state: None,
            access_key_id: DEFAULT_ACCESS_KEY_ID.to_owned(),
            access_key_password: DEFAULT_ACCESS_KEY_PASSWORD.to_owned(),
            access_token: Some(DEFAULT_ACCESS_TOKEN.to_owned()),
            delays: Delays::default(),
            timing: Timing::default(),
            policy: Policy::default(),
            log_level: Some(tracing::Level::INFO),
        }
    }
}

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Serve(Box<Options>),
    PrintDefaultState,
    Help,
    Version,
}

/// A command line that cannot be followed; the message names the flag.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(String);

impl From<lexopt::Error> for UsageError {
    fn from(e: lexopt::Error) -> Self {
        UsageError(e.to_string())
    }
}

/// Parses `300ms`, `2s`, `1.5s`, `1m` or `0`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write e.g. 300ms, 2s or 0"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        "" => return Err(format!("`{text}` needs a unit: ms, s or m (e.g. {text}ms)")),
        _ => {
            return Err(format!(
                "`{text}` has unknown unit `{unit}`; use ms, s or m"
            ));
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("`{text}` is out of range"))
}

fn parse_level(text: &str) -> Result<Option<tracing::Level>, String> {
    Ok(Some(match text {
        "off" => return Ok(None),
        "error" => tracing::Level::ERROR,
        "warn" => tracing::Level::WARN,
        "info" => tracing::Level::INFO,
        "debug" => tracing::Level::DEBUG,
        other => {
            return Err(format!(
                "--log-level `{other}` is not one of off, error, warn, info, debug"
            ));
        }
    }))
}

/// `MEDIAN,P95[,SEED]`, e.g. `3s,20s,7`: a log-normal spread of operation durations.
pub fn parse_spread(text: &str) -> Result<Spread, String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let (median, p95, seed) = match parts.as_slice() {
        [m, p] => (*m, *p, "0"),
        [m, p, s] => (*m, *p, *s),
        _ => {
            return Err(format!(
                "`{text}` is not MEDIAN,P95[,SEED]; write e.g. 3s,20s,7"
            ));
        }
    };
    let spread = Spread {
        median_ms: parse_duration(median)?.as_millis() as u64,
        p95_ms: parse_duration(p95)?.as_millis() as u64,
        seed: seed
            .parse()
            .map_err(|_| format!("the seed `{seed}` is not a whole number"))?,
    };
    spread.check()?;
    Ok(spread)
}

/// Parses the arguments after the program name.
pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Command, UsageError> {
    use lexopt::prelude::*;

    let mut opts = Options::default();
    let (mut attach, mut detach) = (None, None);
    let mut parser = lexopt::Parser::from_args(args);
    let string = |parser: &mut lexopt::Parser, flag: &str| -> Result<String, UsageError> {
        parser
            .value()?
            .into_string()
            .map_err(|_| UsageError(format!("{flag} must be valid UTF-8")))
    };
    let duration = |parser: &mut lexopt::Parser, flag: &str| -> Result<Duration, UsageError> {
        let text = string(parser, flag)?;
        parse_duration(&text).map_err(|e| UsageError(format!("{flag}: {e}")))
    };
    while let Some(arg) = parser.next()? {
        match arg {
            Long("listen") => opts.listen = string(&mut parser, "--listen")?,
            Long("allow-remote") => opts.allow_remote = true,
            Long("state") => opts.state = Some(PathBuf::from(parser.value()?)),
            Long("access-key-id") => opts.access_key_id = string(&mut parser, "--access-key-id")?,
            Long("access-key-password") => {
                opts.access_key_password = string(&mut parser, "--access-key-password")?;
            }
            Long("access-token") => {
                let token = string(&mut parser, "--access-token")?;
                opts.access_token = (!token.is_empty()).then_some(token);
            }
            Long("transition-delay") => {
                opts.delays = Delays::both(duration(&mut parser, "--transition-delay")?);
            }
            Long("attach-delay") => attach = Some(duration(&mut parser, "--attach-delay")?),
            Long("detach-delay") => detach = Some(duration(&mut parser, "--detach-delay")?),
            Long("latency") => {
                opts.timing.latency_ms = duration(&mut parser, "--latency")?.as_millis() as u64;
            }
            Long("durations") => {
                let text = string(&mut parser, "--durations")?;
                opts.timing.spread =
                    Some(parse_spread(&text).map_err(|e| UsageError(format!("--durations: {e}")))?);
            }
            Long("deny-action") => {
                let action = string(&mut parser, "--deny-action")?;
                opts.policy.deny.insert(action);
            }
            Long("log-level") => {
                let text = string(&mut parser, "--log-level")?;
                opts.log_level = parse_level(&text).map_err(UsageError)?;
            }
            Long("print-default-state") => return Ok(Command::PrintDefaultState),
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            _ => return Err(arg.unexpected().into()),
        }
    }
    if opts.access_key_id.is_empty() || opts.access_key_password.is_empty() {
        return Err(UsageError(
            "--access-key-id and --access-key-password must not be empty".into(),
        ));
    }
    opts.policy
        .check()
        .map_err(|e| UsageError(format!("--deny-action: {e}")))?;
    opts.delays.attach = attach.unwrap_or(opts.delays.attach);
    opts.delays.detach = detach.unwrap_or(opts.delays.detach);
    Ok(Command::Serve(Box::new(opts)))
}

/// Whether every address `--listen` resolves to is this machine, and so whether the
/// simulator may listen there: `Ok(None)` for loopback only, `Ok(Some(warning))` for a remote
/// address allowed by `--allow-remote`, `Err(refusal)` otherwise. The admin endpoints have no
/// authentication, and the API accepts well-known default credentials, so anyone who can
/// connect could change the simulated account.
pub fn listen_check(
    listen: &str,
    addrs: &[SocketAddr],
    allow_remote: bool,
) -> Result<Option<String>, String> {
    let remote: Vec<String> = addrs
        .iter()
        .filter(|a| !crate::zenlayer::config::is_loopback_host(&a.ip().to_string()))
        .map(|a| a.ip().to_string())
        .collect();
    if remote.is_empty() {
        return Ok(None);
    }
    let remote = remote.join(", ");
    if !allow_remote {
        return Err(format!(
            "refusing to listen on {listen} ({remote} is not a loopback address, so other \
             machines could connect): the admin endpoints under /_sim/ have no authentication \
             and the API accepts the default credentials. Listen on 127.0.0.1 or [::1] (the \
             default is {DEFAULT_LISTEN}), or add --allow-remote if other machines must reach it."
        ));
    }
    Ok(Some(format!(
        "WARNING: --allow-remote: listening on {listen} ({remote}), which other machines can \
         reach. The admin endpoints under /_sim/ have NO AUTHENTICATION: anyone who can connect \
         can read and replace the whole state, change NICs and instances, and inject faults. \
         Use it only on a network you trust, with your own --access-key-password."
    )))
}

/// The binary's whole life: parse, then serve until SIGINT/SIGTERM.
pub fn main() -> ExitCode {
    match parse_args(std::env::args_os().skip(1)) {
        Err(e) => {
            eprintln!("zenlayer-sim: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Ok(Command::Help) => print_and_exit(USAGE),
        Ok(Command::Version) => print_and_exit(&format!("zenlayer-sim {}\n", crate::VERSION)),
        Ok(Command::PrintDefaultState) => print_and_exit(DEFAULT_STATE_JSON),
        Ok(Command::Serve(opts)) => match run(*opts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("zenlayer-sim: {message}");
                ExitCode::FAILURE
            }
        },
    }
}

fn print_and_exit(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn load_state(opts: &Options) -> Result<State, String> {
    match &opts.state {
        None => Ok(fixture::default_state()),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--state {}: {e}", path.display()))?;
            State::from_json(&text).map_err(|e| format!("--state {}: {e}", path.display()))
        }
    }
}

fn run(opts: Options) -> Result<(), String> {
    if let Some(level) = opts.log_level {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(level)
            .with_target(false)
            .init();
    }
    let sim = Sim::new(SimConfig {
        access_key_id: opts.access_key_id.clone(),
        access_key_password: opts.access_key_password.clone(),
        access_token: opts.access_token.clone(),
        state: load_state(&opts)?,
        delays: opts.delays,
        policy: opts.policy.clone(),
    })
    .map_err(|e| e.to_string())?;
    sim.set_timing(opts.timing)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the runtime: {e}"))?;
    runtime.block_on(async move {
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host(&opts.listen)
            .await
            .map_err(|e| format!("could not listen on {}: {e}", opts.listen))?
            .collect();
        if let Some(warning) = listen_check(&opts.listen, &addrs, opts.allow_remote)? {
            eprintln!("zenlayer-sim: {warning}");
            tracing::warn!("{warning}");
        }
        // The addresses just checked, not a second lookup that could answer differently.
        let listener = tokio::net::TcpListener::bind(addrs.as_slice())
            .await
            .map_err(|e| format!("could not listen on {}: {e}", opts.listen))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("could not read the listening address: {e}"))?;
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "zenlayer-sim listening on http://{addr} (access key id {}; API at POST {ZEC_PATH}, admin under /_sim/)",
            opts.access_key_id
        )
        .and_then(|()| out.flush())
        .map_err(|e| format!("could not write to stdout: {e}"))?;
        drop(out);
        tracing::info!(
            attach_delay_ms = opts.delays.attach.as_millis() as u64,
            detach_delay_ms = opts.delays.detach.as_millis() as u64,
            bearer_token = opts.access_token.is_some(),
            denied_actions = ?opts.policy.deny,
            "serving"
        );
        serve(listener, sim, shutdown_signal()).await;
        tracing::info!("stopped");
        Ok(())
    })
}

async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutdown requested");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, UsageError> {
        parse_args(args.iter().map(OsString::from))
    }

    #[test]
    fn no_flags_give_the_documented_defaults() {
        let Command::Serve(opts) = parse(&[]).unwrap() else {
            panic!("expected serve")
        };
        assert_eq!(*opts, Options::default());
        assert_eq!(opts.listen, "127.0.0.1:8089");
        assert_eq!(opts.delays, Delays::both(Duration::from_millis(300)));
    }

    #[test]
    fn latency_and_durations_flags_set_the_pacing() {
        let Command::Serve(opts) =
            parse(&["--latency", "100ms", "--durations", "3s,20s,7"]).unwrap()
        else {
            panic!("expected serve")
        };
        assert_eq!(
            opts.timing,
            Timing {
                latency_ms: 100,
                spread: Some(Spread {
                    median_ms: 3000,
                    p95_ms: 20_000,
                    seed: 7
                })
            }
        );
        let err = parse(&["--durations", "20s,3s"]).unwrap_err().0;
        assert!(
            err.starts_with("--durations:") && err.contains("at most p95"),
            "{err}"
        );
        let err = parse(&["--durations", "3s"]).unwrap_err().0;
        assert!(err.contains("MEDIAN,P95"), "{err}");
    }

    #[test]
    fn flags_override_defaults() {
        let Command::Serve(opts) = parse(&[
            "--listen",
            "127.0.0.1:0",
            "--state",
            "s.json",
            "--access-key-id",
            "id",
            "--access-key-password=pw",
            "--access-token",
            "",
            "--transition-delay",
            "2s",
            "--detach-delay",
            "0",
            "--log-level",
            "off",
        ])
        .unwrap() else {
            panic!("expected serve")
        };
        assert_eq!(opts.listen, "127.0.0.1:0");
        assert_eq!(opts.state, Some(PathBuf::from("s.json")));
        assert_eq!(
            (
                opts.access_key_id.as_str(),
                opts.access_key_password.as_str()
            ),
            ("id", "pw")
        );
        assert_eq!(opts.access_token, None);
        assert_eq!(
            opts.delays,
            Delays {
                attach: Duration::from_secs(2),
                detach: Duration::ZERO
            }
        );
        assert_eq!(opts.log_level, None);
    }

    #[test]
    fn bad_flags_are_explained() {
        let err = parse(&["--transition-delay", "300"]).unwrap_err().0;
        assert!(err.contains("needs a unit"), "{err}");
        let err = parse(&["--bogus"]).unwrap_err().0;
        assert!(err.contains("--bogus"), "{err}");
        let err = parse(&["--listen"]).unwrap_err().0;
        assert!(err.contains("--listen"), "{err}");
        assert!(matches!(
            parse(&["--print-default-state"]),
            Ok(Command::PrintDefaultState)
        ));
    }

    #[test]
    fn only_loopback_addresses_are_listened_on_without_allow_remote() {
        let at = |text: &str| -> SocketAddr { text.parse().unwrap() };
        for local in ["127.0.0.1:8089", "127.3.2.1:0", "[::1]:8089"] {
            assert_eq!(
                listen_check(local, &[at(local)], false),
                Ok(None),
                "{local}"
            );
        }
        for remote in [
            "0.0.0.0:8089",
            "[::]:8089",
            "192.168.1.5:8089",
            "[2001:db8::1]:1",
        ] {
            let refusal = listen_check(remote, &[at(remote)], false).unwrap_err();
            for needle in [
                "refusing to listen",
                "no authentication",
                "--allow-remote",
                "127.0.0.1",
            ] {
                assert!(refusal.contains(needle), "{remote}: {refusal}");
            }
            let warning = listen_check(remote, &[at(remote)], true).unwrap().unwrap();
            assert!(warning.starts_with("WARNING"), "{warning}");
            assert!(warning.contains("NO AUTHENTICATION"), "{warning}");
        }
        // A name that resolves to loopback and elsewhere is remote.
        let both = [at("127.0.0.1:8089"), at("10.1.2.3:8089")];
        assert!(listen_check("myhost:8089", &both, false).is_err());
        assert!(
            parse(&["--allow-remote"])
                .is_ok_and(|c| matches!(c, Command::Serve(o) if o.allow_remote))
        );
    }

    #[test]
    fn deny_action_builds_the_policy_and_refuses_unknown_actions() {
        let Command::Serve(opts) = parse(&[
            "--deny-action",
            "DescribeZones",
            "--deny-action=DescribeInstances",
        ])
        .unwrap() else {
            panic!("expected serve")
        };
        assert_eq!(
            opts.policy,
            Policy::denying(&["DescribeInstances", "DescribeZones"]).unwrap()
        );
        let err = parse(&["--deny-action", "DescribeZone"]).unwrap_err().0;
        assert!(
            err.contains("--deny-action") && err.contains("`DescribeZone`"),
            "{err}"
        );
    }

    #[test]
    fn durations_parse_in_every_documented_unit() {
        assert_eq!(parse_duration("300ms"), Ok(Duration::from_millis(300)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("5h").is_err());
    }
}
