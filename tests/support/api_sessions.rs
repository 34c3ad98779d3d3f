//! What `bad_answers` and `hostile_text` share: a user's plan and apply of one attachment
//! against an API that misbehaves, one session per kind of misbehaviour, many side by side.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::lifecycle::{attachment, main_tf};
use super::{Terraform, Versions, for_each_terraform};

/// `main.tf` for an API at `domain` (http, throwaway keys, `max_retries`) and one attachment,
/// `web`, whose create gives up after 3 s, so an answer that never gets better fails fast.
pub fn short_wait_config(domain: &str, max_retries: u32) -> String {
    let provider = format!(
        r#"provider "zenlayer" {{
  domain              = "{domain}"
  scheme              = "http"
  access_key_id       = "AKID"
  access_key_password = "pw"
  max_retries         = {max_retries}
}}
"#
    );
    main_tf(
        &provider,
        &[attachment(
            "web",
            "nic-app-1",
            "ins-web-1",
            "\n  timeouts {\n    create = \"3s\"\n  }\n",
        )],
    )
}

/// Runs `session(tf, kind)` on every Terraform in `versions` for every one of `kinds`,
/// `at_once` sessions per Terraform at a time on their own threads (each is mostly waiting
/// on Terraform); returns how many sessions ran, so a test can say it ran them all.
pub fn every_kind<K: Copy + Send + Sync>(
    versions: Versions,
    kinds: &[K],
    at_once: usize,
    session: fn(&Terraform, K),
) -> usize {
    let ran = AtomicUsize::new(0);
    for_each_terraform(versions, |tf| {
        for some in kinds.chunks(at_once) {
            std::thread::scope(|s| {
                for &kind in some {
                    s.spawn(move || session(tf, kind));
                }
            });
            ran.fetch_add(some.len(), Ordering::Relaxed);
        }
    });
    ran.into_inner()
}
