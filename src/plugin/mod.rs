//! go-plugin transport: the handshake line, AutoMTLS with a pinned client certificate, the unix
//! socket, go-plugin's controller/stdio/broker services, debug (reattach) mode and hclog logs.
//!
//! Invariant: stdout carries exactly one line, the handshake (in debug mode: the reattach
//! instructions); [`handshake::announce`] is its only writer. Everything else goes to stderr.
//! Invariant: with AutoMTLS, only a peer presenting exactly Terraform's `PLUGIN_CLIENT_CERT`,
//! with a valid handshake signature, reaches gRPC.

#![deny(clippy::print_stdout)]

mod debug;
mod error;
mod handshake;
mod incoming;
mod log;
mod serve;
mod services;
mod socket;
mod tls;

use std::process::ExitCode;
use std::sync::Arc;

pub use error::PluginError;
pub use handshake::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE};

use crate::framework::Provider;

/// Generated go-plugin messages and service traits.
#[allow(clippy::all, missing_docs, unreachable_pub)]
pub mod proto {
    tonic::include_proto!("plugin");
}

/// How the binary was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Started by Terraform (go-plugin handshake, AutoMTLS, exits on Shutdown).
    Terraform,
    /// `--debug`: plaintext, prints `TF_REATTACH_PROVIDERS`, serves until Ctrl-C.
    Debug,
}

/// Serves `provider` to Terraform; the binary's whole life after argument parsing.
pub fn run(provider: Arc<dyn Provider>, mode: Mode) -> ExitCode {
    log::init();
    let setup = match mode {
        Mode::Terraform => {
            let cookie = std::env::var(MAGIC_COOKIE_KEY).ok();
            if !handshake::started_by_terraform(cookie.as_deref()) {
                eprintln!("{}", not_started_by_terraform());
                return ExitCode::FAILURE;
            }
            terraform_setup()
        }
        Mode::Debug => Ok(serve::Setup {
            client_certs: None,
            socket_base: socket_base(),
            mode: Mode::Debug,
        }),
    };
    match setup.and_then(|setup| serve::run(provider, setup)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "the provider could not serve Terraform");
            ExitCode::FAILURE
        }
    }
}

/// Reads what go-plugin's client put in the environment.
fn terraform_setup() -> Result<serve::Setup, PluginError> {
    handshake::negotiate(std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok().as_deref())?;
    let client_certs = match std::env::var("PLUGIN_CLIENT_CERT") {
        // Set but holding no certificate (blank, a key, garbage) is an error, never plaintext.
        Ok(pem) if !pem.is_empty() => Some(tls::client_certs_from_pem(&pem)?),
        // Unset (or empty, as go-plugin reads it) when TF_DISABLE_PLUGIN_TLS is set: Terraform
        // then connects in plaintext.
        _ => None,
    };
    Ok(serve::Setup {
        client_certs,
        socket_base: socket_base(),
        mode: Mode::Terraform,
    })
}

fn socket_base() -> Option<std::path::PathBuf> {
    std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
        .filter(|dir| !dir.is_empty())
        .map(Into::into)
}

/// For a person who ran the binary by hand: what it is and how to use it.
fn not_started_by_terraform() -> String {
    let dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.display().to_string()))
        .unwrap_or_else(|| "/path/to/the/directory/of/this/binary".to_owned());
    format!(
        "terraform-provider-zenlayer {version} is a Terraform provider plugin: Terraform starts it, \
         it is not meant to be run directly.\n\
         \n\
         To use this build, write a Terraform CLI config file such as\n\
         \n\
         \x20 provider_installation {{\n\
         \x20   dev_overrides {{\n\
         \x20     \"zenlayer/zenlayer\" = \"{dir}\"\n\
         \x20   }}\n\
         \x20   direct {{}}\n\
         \x20 }}\n\
         \n\
         point TF_CLI_CONFIG_FILE at it, and run terraform plan/apply (no terraform init needed).\n\
         To debug the provider, start it with --debug and paste the line it prints into the shell \
         that runs Terraform.",
        version = crate::VERSION,
    )
}
