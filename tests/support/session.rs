//! Steps many sessions take with a working directory beyond `mod.rs`'s basics: an apply or
//! destroy with extra flags, and the official provider's `ZENLAYERCLOUD_*` settings for a
//! simulator, so each is written once.

use super::{Outcome, Sim, Workdir};

impl Workdir {
    /// `terraform apply` as [`Workdir::apply`] runs it, plus `flags` (e.g. `-refresh=false`,
    /// `-refresh-only`, `-replace=<address>`).
    pub fn apply_with(&self, flags: &[&str]) -> Outcome {
        self.run(
            &[
                &["apply", "-no-color", "-input=false", "-auto-approve"],
                flags,
            ]
            .concat(),
        )
    }

    /// `terraform destroy` as [`Workdir::destroy`] runs it, plus `flags` (e.g. `-refresh=false`).
    pub fn destroy_with(&self, flags: &[&str]) -> Outcome {
        self.run(
            &[
                &["destroy", "-no-color", "-input=false", "-auto-approve"],
                flags,
            ]
            .concat(),
        )
    }

    /// This directory with the provider's run journal out of reach (its directory is one other
    /// users could enter, which the provider refuses), as where `/proc` cannot be read: for
    /// the ways out that hold without it.
    pub fn without_run_journal(self) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let runtime = self.path().join("open-runtime");
        let journals = runtime.join("terraform-provider-zenlayer");
        std::fs::create_dir_all(&journals).expect("journal directory");
        std::fs::set_permissions(&journals, std::fs::Permissions::from_mode(0o755))
            .expect("open it to others");
        self.env("XDG_RUNTIME_DIR", runtime)
    }

    /// This directory with `sim`'s address and credentials in the `ZENLAYERCLOUD_*`
    /// variables, as a user of the official provider (or of the testing kit) sets them.
    pub fn with_sim_env(self, sim: &Sim) -> Self {
        let api = sim.api();
        self.env("ZENLAYERCLOUD_DOMAIN", sim.domain())
            .env("ZENLAYERCLOUD_SCHEME", "http")
            .env("ZENLAYERCLOUD_ACCESS_KEY_ID", api.access_key_id())
            .env(
                "ZENLAYERCLOUD_ACCESS_KEY_PASSWORD",
                api.access_key_password(),
            )
    }
}
