//! The Zenlayer provider: its configuration, `zenlayer_nic_attachment`, the NIC data
//! sources, plan checks, the one
//! catalogue of readable messages per API code, and waiters. Knows nothing of gRPC.

mod api;
mod catalogue;
mod checks;
mod config;
mod duration;
#[cfg(test)]
mod fake;
mod handover;
mod invocation;
mod journal;
mod nic_attachment;
mod nic_data;
mod reference;
#[cfg(test)]
mod testing;
mod waiters;

/// The `tracing` target of the provider's own log lines (the API client logs as `zenlayer.api`).
pub(crate) const LOG_TARGET: &str = "zenlayer.provider";

use std::sync::{Arc, RwLock};

use async_trait::async_trait;

use crate::cty::Value;
use crate::framework::{self, Context, Diagnostic, Diagnostics, Resource, Schema};
use crate::zenlayer::{Client, Lookup};

pub use reference::{
    CatalogueMessage, OtherDiagnostic, catalogue_messages, fill_template, other_diagnostics,
};

use api::{LiveZec, Zec};
use checks::Notices;
use checks::claims::PlanClaims;
use checks::memory::StateMemory;
use config::{PlanChecks, ProcessEnv, Resolution};

/// The provider Terraform talks to; the binary serves exactly this.
pub fn new() -> Arc<dyn framework::Provider> {
    Arc::new(ZenlayerProvider {
        shared: Arc::new(Shared::default()),
    })
}

/// The Zenlayer provider.
struct ZenlayerProvider {
    shared: Arc<Shared>,
}

/// What the provider and its resources share for the life of the process.
#[derive(Default)]
pub(crate) struct Shared {
    setup: RwLock<Setup>,
    /// The (NIC, instance) pairs objects in state hold, as this process has seen them.
    pub(crate) memory: StateMemory,
    /// Once-per-process plan-check messages.
    pub(crate) notices: Notices,
    /// NICs that attachments planned in this process mean to attach.
    pub(crate) claims: PlanClaims,
    /// The polling grid all waits share, and how soon attaches and detaches finish here.
    pub(crate) waits: waiters::Waits,
    /// Attachments changing hands between objects of this state in this run.
    pub(crate) handovers: handover::Handovers,
    /// The Terraform command that started this process, read once.
    invocation: std::sync::OnceLock<invocation::Invocation>,
    /// What the review walk of this run tells its apply walk, found once.
    journal: std::sync::OnceLock<Option<journal::Journal>>,
    /// `(major, minor)` of the Terraform that configured this process.
    terraform_release: std::sync::OnceLock<(u32, u32)>,
}

/// How far configuration got.
#[derive(Clone, Default)]
pub(crate) enum Setup {
    /// Configure has not run (or failed).
    #[default]
    Unconfigured,
    /// The provider block depends on values known only after apply.
    Deferred,
    Ready(Arc<Ready>),
}

/// A configured provider: the API and the plan-check mode.
pub(crate) struct Ready {
    pub(crate) api: Arc<dyn Zec>,
    pub(crate) plan_checks: PlanChecks,
}

impl Shared {
    pub(crate) fn setup(&self) -> Setup {
        match self.setup.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set(&self, setup: Setup) {
        match self.setup.write() {
            Ok(mut s) => *s = setup,
            Err(poisoned) => *poisoned.into_inner() = setup,
        }
    }

    /// The configured API, or the diagnostic that explains why a resource call cannot run.
    pub(crate) fn ready(&self) -> Result<Arc<Ready>, Diagnostic> {
        match self.setup() {
            Setup::Ready(r) => Ok(r),
            Setup::Deferred => Err(Diagnostic::error(
                "The provider configuration is not known yet",
                "The `provider \"zenlayer\"` block uses values that are known only after apply \
                 (for example attributes of resources not created yet), so the provider cannot \
                 reach the Zenlayer API in this run. Give the provider block values known at \
                 plan time, or create the resources it depends on first \
                 (`terraform apply -target=...`).",
            )),
            Setup::Unconfigured => Err(Diagnostic::error(
                "The provider is not configured",
                "Terraform called the Zenlayer provider before configuring it, or configuring \
                 it failed (see the errors above). Fix the `provider \"zenlayer\"` block and \
                 run the command again.",
            )),
        }
    }

    /// Whether the command that started this process is a destroy.
    pub(crate) fn invocation(&self) -> invocation::Invocation {
        *self.invocation.get_or_init(invocation::current)
    }

    /// This run's journal (see `journal`), if the command has one and it can be kept safely.
    /// A destroy creates nothing, so it has none.
    pub(crate) fn journal(&self) -> Option<&journal::Journal> {
        self.journal
            .get_or_init(|| match self.invocation() {
                invocation::Invocation::Destroy => None,
                _ => journal::Journal::for_this_process(),
            })
            .as_ref()
    }

    /// Which plan this is: what Terraform said (1.9 and later), else what this run's journal
    /// tells (decided when the provider was configured).
    pub(crate) fn plan_pass(&self, said: framework::PlanPass) -> framework::PlanPass {
        if said != framework::PlanPass::Unknown {
            return said;
        }
        match self.journal().map(journal::Journal::role) {
            Some(journal::Role::Review) => framework::PlanPass::Review,
            Some(journal::Role::Final) => framework::PlanPass::Final,
            None => framework::PlanPass::Unknown,
        }
    }

    /// Notes the Terraform version ConfigureProvider named (`1.2.9`); unreadable ones are
    /// ignored.
    pub(crate) fn note_terraform_version(&self, version: &str) {
        let mut parts = version.split('.').map(|p| p.parse::<u32>());
        if let (Some(Ok(major)), Some(Ok(minor))) = (parts.next(), parts.next()) {
            let _ = self.terraform_release.set((major, minor));
        }
    }

    /// False on Terraform before 1.3, which plans destroys without the provider, so a
    /// delete there cannot have learned of a handover at plan time. True when unknown.
    pub(crate) fn plans_destroys(&self) -> bool {
        self.terraform_release.get().is_none_or(|r| *r >= (1, 3))
    }

    /// A provider wired to `api`, for tests of the resource logic.
    #[cfg(test)]
    pub(crate) fn with_api(api: Arc<dyn Zec>, plan_checks: PlanChecks) -> Arc<Shared> {
        let shared = Arc::new(Shared::default());
        shared.set(Setup::Ready(Arc::new(Ready { api, plan_checks })));
        // Tests of the resource logic never read the journal of whatever runs them.
        let _ = shared.journal.set(None);
        shared
    }
}

#[async_trait]
impl framework::Provider for ZenlayerProvider {
    fn schema(&self) -> Schema {
        config::schema()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(nic_attachment::NicAttachment::new(
            self.shared.clone(),
        ))]
    }

    fn data_sources(&self) -> Vec<Arc<dyn framework::DataSource>> {
        vec![
            Arc::new(nic_data::one::NicLookup::new(self.shared.clone())),
            Arc::new(nic_data::many::NicSearch::new(self.shared.clone())),
        ]
    }

    fn list_resources(&self) -> Vec<Arc<dyn crate::framework::ListResource>> {
        vec![Arc::new(nic_attachment::list::NicAttachments::new(
            self.shared.clone(),
        ))]
    }

    async fn validate(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        config::validate(config, &ProcessEnv)
    }

    async fn configure(&self, _ctx: &Context, req: framework::ConfigureRequest) -> Diagnostics {
        self.shared.note_terraform_version(&req.terraform_version);
        // Every process of a walk configures as the walk starts, while the others of the same
        // walk still run (see `journal`): this is where the process learns its role.
        if let Some(journal) = self.shared.journal() {
            journal.role();
        }
        match config::resolve(&req.config, &req.terraform_version, &ProcessEnv) {
            Resolution::Deferred => {
                self.shared.set(Setup::Deferred);
                Diagnostics::new()
            }
            Resolution::Failed(diags) => {
                self.shared.set(Setup::Unconfigured);
                diags
            }
            Resolution::Ready(resolved, mut diags) => match Client::new(resolved.client) {
                Ok(client) => {
                    let api = Arc::new(LiveZec::new(Lookup::new(client)));
                    self.shared.set(Setup::Ready(Arc::new(Ready {
                        api,
                        plan_checks: resolved.plan_checks,
                    })));
                    diags
                }
                Err(e) => {
                    self.shared.set(Setup::Unconfigured);
                    diags.push(Diagnostic::error(
                        "The Zenlayer API client could not be set up",
                        format!(
                            "{e}. Check the `domain` and `scheme` settings and the proxy \
                             environment variables (HTTPS_PROXY, NO_PROXY)."
                        ),
                    ));
                    diags
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn resource_calls_before_configure_explain_themselves() {
        let shared = Shared::default();
        let err = shared.ready().err().expect("not configured");
        assert!(err.detail.contains("provider \"zenlayer\""));
        shared.set(Setup::Deferred);
        let err = shared.ready().err().expect("deferred");
        assert!(err.summary.contains("not known yet"));
    }

    #[tokio::test]
    async fn the_provider_serves_the_nic_attachment_resource() {
        let p = new();
        let names: Vec<_> = p.resources().iter().map(|r| r.type_name()).collect();
        assert_eq!(names, ["zenlayer_nic_attachment"]);
        assert_eq!(p.schema().block.attributes.len(), config::ALL.len());
    }
}
