//! A scripted stand-in for the Zenlayer API in unit tests: NICs and instances with the API's
//! preconditions and asynchronous transitions on tokio's (pausable) clock, call counters, and
//! injectable faults.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use crate::provider::api::Zec;
use crate::zenlayer::lookup::{LatestReads, seen_together};
use crate::zenlayer::models::{
    DescribeNetworkInterfacesRequest, DescribeNetworkInterfacesResponse, InstanceInfo,
    InstanceStatus, NicInfo, NicStatus,
};
use crate::zenlayer::{ApiError, CallLimits, Error, GiveUpReason, codes};

/// How many calls of each kind the fake served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Calls {
    pub nic_reads: usize,
    pub instance_reads: usize,
    pub zone_reads: usize,
    pub attaches: usize,
    pub detaches: usize,
}

impl Calls {
    pub(crate) fn total(&self) -> usize {
        self.nic_reads + self.instance_reads + self.zone_reads + self.attaches + self.detaches
    }
}

/// What an accepted attach does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AttachEnds {
    /// USED after the attach delay.
    Used,
    /// Back to AVAILABLE after the attach delay (the attach failed inside Zenlayer).
    Reverts,
    /// Stays ATTACHING for ever.
    Hangs,
}

struct Pending {
    at: Instant,
    status: NicStatus,
    instance: Option<String>,
}

#[derive(Default)]
struct World {
    nics: HashMap<String, NicInfo>,
    nic_transitions: HashMap<String, Pending>,
    instances: HashMap<String, InstanceInfo>,
    instance_transitions: HashMap<String, (Instant, InstanceStatus)>,
    zones: HashMap<String, String>,
    calls: Calls,
    attach_delay: Duration,
    detach_delay: Duration,
    attach_ends: Option<AttachEnds>,
    /// Errors returned (in order) by the next attach calls, which change nothing.
    attach_faults: VecDeque<Error>,
    /// Errors returned by the next attach calls *after* the attach was applied, as when a
    /// retried request meets its own first attempt.
    attach_echoes: VecDeque<Error>,
    detach_faults: VecDeque<Error>,
    /// Errors returned by the next detach calls after the detach was applied.
    detach_echoes: VecDeque<Error>,
    read_faults: VecDeque<Error>,
    /// How long each NIC or instance read takes (a distant API); zero answers at once.
    read_latency: Duration,
    reads_in_flight: usize,
    /// The most reads that were in flight at once: two when a settle reads side by side.
    most_reads_in_flight: usize,
    /// Set by [`FakeZec::remember_reads`]: the latest reads, kept as the live lookup keeps
    /// them for [`Zec::seen_together`].
    seen: Option<Seen>,
}

/// The latest reads of the NICs and of the instances.
#[derive(Default)]
struct Seen {
    nics: LatestReads<NicInfo>,
    instances: LatestReads<InstanceInfo>,
}

/// The fake API.
pub(crate) struct FakeZec {
    world: Mutex<World>,
}

pub(crate) fn api_error(code: &str) -> Error {
    Error::Api {
        action: "Test",
        source: ApiError {
            http_status: 400,
            code: code.to_owned(),
            message: format!("{code} (fake)"),
            request_id: format!("REQ-{code}"),
            sent_with: None,
            caller: None,
        },
    }
}

pub(crate) fn lost(action: &'static str) -> Error {
    Error::OutcomeUnknown {
        action,
        message: "connection reset after the request was sent".into(),
    }
}

impl FakeZec {
    /// One region `r1` with zone `r1a`; attaches and detaches take one second.
    pub(crate) fn new() -> FakeZec {
        let w = World {
            attach_delay: Duration::from_secs(1),
            detach_delay: Duration::from_secs(1),
            zones: HashMap::from([
                ("r1a".to_owned(), "r1".to_owned()),
                ("r2a".to_owned(), "r2".to_owned()),
            ]),
            ..World::default()
        };
        FakeZec {
            world: Mutex::new(w),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut World) -> T) -> T {
        let mut w = self.world.lock().expect("fake world lock");
        w.settle();
        f(&mut w)
    }

    /// Gives the NIC a name.
    pub(crate) fn rename_nic(&self, id: &str, name: &str) {
        self.with(|w| {
            if let Some(n) = w.nics.get_mut(id) {
                n.name = Some(name.to_owned());
            }
        });
    }

    /// An AVAILABLE secondary NIC in `region`.
    pub(crate) fn add_nic(&self, id: &str, region: &str) -> &Self {
        self.with(|w| {
            w.nics.insert(
                id.to_owned(),
                NicInfo {
                    nic_id: id.to_owned(),
                    status: NicStatus::Available,
                    region_id: region.to_owned(),
                    nic_type: Some("Secondary".into()),
                    primary_ipv4: Some("10.0.0.5".into()),
                    mac_address: Some("fa:16:3e:00:00:05".into()),
                    ..NicInfo::default()
                },
            )
        });
        self
    }

    /// A RUNNING instance in `zone`.
    pub(crate) fn add_instance(&self, id: &str, zone: &str) -> &Self {
        self.with(|w| {
            w.instances.insert(
                id.to_owned(),
                InstanceInfo {
                    instance_id: id.to_owned(),
                    zone_id: zone.to_owned(),
                    status: InstanceStatus::Running,
                    ..InstanceInfo::default()
                },
            )
        });
        self
    }

    pub(crate) fn set_nic(&self, id: &str, status: NicStatus, instance: Option<&str>) {
        self.with(|w| {
            if let Some(n) = w.nics.get_mut(id) {
                n.status = status;
                n.instance_id = instance.map(str::to_owned);
            }
            w.nic_transitions.remove(id);
        });
    }

    /// Schedules the NIC to become `status` on `instance` after `after`.
    pub(crate) fn nic_later(
        &self,
        id: &str,
        after: Duration,
        status: NicStatus,
        instance: Option<&str>,
    ) {
        self.with(|w| {
            w.nic_transitions.insert(
                id.to_owned(),
                Pending {
                    at: Instant::now() + after,
                    status,
                    instance: instance.map(str::to_owned),
                },
            );
        });
    }

    pub(crate) fn set_instance(&self, id: &str, status: InstanceStatus) {
        self.with(|w| {
            if let Some(i) = w.instances.get_mut(id) {
                i.status = status;
            }
        });
    }

    /// Schedules the instance to become `status` after `after`.
    pub(crate) fn instance_later(&self, id: &str, after: Duration, status: InstanceStatus) {
        self.with(|w| {
            w.instance_transitions
                .insert(id.to_owned(), (Instant::now() + after, status));
        });
    }

    pub(crate) fn remove_nic(&self, id: &str) {
        self.with(|w| {
            w.nics.remove(id);
            w.nic_transitions.remove(id);
        });
    }

    pub(crate) fn set_primary(&self, id: &str) {
        self.with(|w| {
            if let Some(n) = w.nics.get_mut(id) {
                n.nic_type = Some("Primary".into());
            }
        });
    }

    pub(crate) fn attach_ends(&self, how: AttachEnds) {
        self.with(|w| w.attach_ends = Some(how));
    }

    pub(crate) fn detach_delay(&self, d: Duration) {
        self.with(|w| w.detach_delay = d);
    }

    /// The next attach calls fail with these errors and change nothing.
    pub(crate) fn fail_attach(&self, e: Error) {
        self.with(|w| w.attach_faults.push_back(e));
    }

    /// The next attach is applied, then answered with `e`.
    pub(crate) fn echo_attach(&self, e: Error) {
        self.with(|w| w.attach_echoes.push_back(e));
    }

    /// The next detach takes effect but answers `e`.
    pub(crate) fn echo_detach(&self, e: Error) {
        self.with(|w| w.detach_echoes.push_back(e));
    }

    pub(crate) fn fail_detach(&self, e: Error) {
        self.with(|w| w.detach_faults.push_back(e));
    }

    /// Makes every NIC and instance read take `d`, as over a distant network.
    pub(crate) fn read_latency(&self, d: Duration) {
        self.with(|w| w.read_latency = d);
    }

    /// The most NIC and instance reads that were in flight at once.
    pub(crate) fn most_reads_in_flight(&self) -> usize {
        self.with(|w| w.most_reads_in_flight)
    }

    /// One read's trip to the API and back, counted while in flight.
    async fn read_trip(&self) {
        let latency = self.with(|w| {
            w.reads_in_flight += 1;
            w.most_reads_in_flight = w.most_reads_in_flight.max(w.reads_in_flight);
            w.read_latency
        });
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        self.with(|w| w.reads_in_flight -= 1);
    }

    pub(crate) fn fail_reads(&self, e: Error) {
        self.with(|w| w.read_faults.push_back(e));
    }

    pub(crate) fn nic(&self, id: &str) -> Option<NicInfo> {
        self.with(|w| w.nics.get(id).cloned())
    }

    /// Remembers what reads find, so that a create may go on its plan's reads as it does
    /// with the live API.
    pub(crate) fn remember_reads(&self) {
        self.with(|w| w.seen = Some(Seen::default()));
    }

    pub(crate) fn calls(&self) -> Calls {
        self.with(|w| w.calls)
    }
}

impl World {
    fn settle(&mut self) {
        let now = Instant::now();
        let due: Vec<String> = self
            .nic_transitions
            .iter()
            .filter(|(_, p)| p.at <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for id in due {
            if let (Some(p), Some(n)) = (self.nic_transitions.remove(&id), self.nics.get_mut(&id)) {
                n.status = p.status;
                n.instance_id = p.instance;
            }
        }
        let due: Vec<String> = self
            .instance_transitions
            .iter()
            .filter(|(_, (at, _))| *at <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for id in due {
            if let (Some((_, s)), Some(i)) = (
                self.instance_transitions.remove(&id),
                self.instances.get_mut(&id),
            ) {
                i.status = s;
            }
        }
    }

    fn read_fault(&mut self) -> Result<(), Error> {
        match self.read_faults.pop_front() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn try_attach(&mut self, nic_id: &str, instance_id: &str) -> Result<(), Error> {
        let region = self
            .instances
            .get(instance_id)
            .and_then(|i| self.zones.get(&i.zone_id).cloned());
        let Some(nic) = self.nics.get(nic_id) else {
            return Err(api_error(codes::INVALID_NIC_NOT_FOUND));
        };
        let Some(instance) = self.instances.get(instance_id) else {
            return Err(api_error(codes::INVALID_INSTANCE_NOT_FOUND));
        };
        if region.as_deref() != Some(nic.region_id.as_str()) {
            return Err(api_error(codes::INVALID_NIC_INSTANCE_REGION_MISMATCH));
        }
        if matches!(nic.status, NicStatus::Used | NicStatus::Attaching) {
            return Err(api_error(codes::INVALID_NIC_ATTACHED));
        }
        if nic.status != NicStatus::Available {
            return Err(api_error(codes::INVALID_NIC_STATUS));
        }
        if instance.status != InstanceStatus::Running {
            return Err(api_error(
                codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
            ));
        }
        let ends = self.attach_ends.unwrap_or(AttachEnds::Used);
        if let Some(n) = self.nics.get_mut(nic_id) {
            n.status = NicStatus::Attaching;
            n.instance_id = Some(instance_id.to_owned());
        }
        let (status, instance) = match ends {
            AttachEnds::Used => (NicStatus::Used, Some(instance_id.to_owned())),
            AttachEnds::Reverts => (NicStatus::Available, None),
            AttachEnds::Hangs => return Ok(()),
        };
        self.nic_transitions.insert(
            nic_id.to_owned(),
            Pending {
                at: Instant::now() + self.attach_delay,
                status,
                instance,
            },
        );
        Ok(())
    }

    fn try_detach(&mut self, nic_id: &str) -> Result<(), Error> {
        let Some(nic) = self.nics.get(nic_id) else {
            return Err(api_error(codes::INVALID_NIC_NOT_FOUND));
        };
        let Some(on) = nic.instance_id.clone() else {
            return Err(api_error(codes::OPERATION_DENIED_NIC_NOT_EXIST_INSTANCE));
        };
        if nic.status != NicStatus::Used {
            return Err(api_error(codes::INVALID_NIC_STATUS));
        }
        if nic.is_primary() {
            return Err(api_error(codes::INVALID_NIC_PRIMARY_CANT_DETACH));
        }
        if self
            .instances
            .get(&on)
            .is_some_and(|i| i.status != InstanceStatus::Running)
        {
            return Err(api_error(
                codes::OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT,
            ));
        }
        if let Some(n) = self.nics.get_mut(nic_id) {
            n.status = NicStatus::Detaching;
        }
        self.nic_transitions.insert(
            nic_id.to_owned(),
            Pending {
                at: Instant::now() + self.detach_delay,
                status: NicStatus::Available,
                instance: None,
            },
        );
        Ok(())
    }
}

/// Calls honour a cancelled token and a passed deadline the way the real client does: no
/// attempt starts after either.
fn cancelled(limits: &CallLimits, action: &'static str) -> Result<(), Error> {
    let reason = if limits.cancel.is_cancelled() {
        GiveUpReason::Stopped
    } else if limits.deadline.is_some_and(|d| Instant::now() >= d) {
        GiveUpReason::Deadline
    } else {
        return Ok(());
    };
    Err(Error::GaveUp {
        action,
        attempts: 0,
        reason,
        last: None,
    })
}

#[async_trait]
impl Zec for FakeZec {
    async fn nic_page(
        &self,
        req: &DescribeNetworkInterfacesRequest,
        limits: &CallLimits,
    ) -> Result<DescribeNetworkInterfacesResponse, Error> {
        cancelled(limits, "DescribeNetworkInterfaces")?;
        self.with(|w| {
            w.calls.nic_reads += 1;
            w.read_fault()?;
            let same = |want: &Option<String>, have: Option<&str>| {
                want.as_deref().is_none_or(|w| Some(w) == have)
            };
            let mut all: Vec<NicInfo> = w
                .nics
                .values()
                .filter(|n| same(&req.region_id, Some(&n.region_id)))
                .filter(|n| same(&req.instance_id, n.named_instance()))
                .filter(|n| same(&req.nic_type, n.nic_type.as_deref()))
                .cloned()
                .collect();
            all.sort_by(|a, b| a.nic_id.cmp(&b.nic_id));
            let size = req.page_size.unwrap_or(20).max(1) as usize;
            let skip = (req.page_num.unwrap_or(1).max(1) as usize - 1) * size;
            Ok(DescribeNetworkInterfacesResponse {
                request_id: "fake".into(),
                total_count: all.len() as u64,
                data_set: all.into_iter().skip(skip).take(size).collect(),
            })
        })
    }

    async fn find_nic(&self, nic_id: &str, limits: &CallLimits) -> Result<Option<NicInfo>, Error> {
        cancelled(limits, "DescribeNetworkInterfaces")?;
        self.read_trip().await;
        self.with(|w| {
            w.calls.nic_reads += 1;
            w.read_fault()?;
            let found = w.nics.get(nic_id).cloned();
            if let Some(seen) = &w.seen {
                seen.nics.saw(nic_id, found.as_ref(), Instant::now());
            }
            Ok(found)
        })
    }

    async fn find_instance(
        &self,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<InstanceInfo>, Error> {
        cancelled(limits, "DescribeInstances")?;
        self.read_trip().await;
        self.with(|w| {
            w.calls.instance_reads += 1;
            w.read_fault()?;
            let found = w.instances.get(instance_id).cloned();
            if let Some(seen) = &w.seen {
                seen.instances
                    .saw(instance_id, found.as_ref(), Instant::now());
            }
            Ok(found)
        })
    }

    fn seen_together(
        &self,
        nic_id: &str,
        instance_id: &str,
        max_age: Duration,
    ) -> Option<(NicInfo, InstanceInfo)> {
        let w = self.world.lock().ok()?;
        let seen = w.seen.as_ref()?;
        seen_together(&seen.nics, &seen.instances, (nic_id, instance_id), max_age)
    }

    async fn region_of_zone(
        &self,
        zone_id: &str,
        limits: &CallLimits,
    ) -> Result<Option<String>, Error> {
        cancelled(limits, "DescribeZones")?;
        self.with(|w| {
            w.calls.zone_reads += 1;
            Ok(w.zones.get(zone_id).cloned())
        })
    }

    async fn attach(
        &self,
        nic_id: &str,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<String, Error> {
        cancelled(limits, "AttachNetworkInterface")?;
        self.with(|w| {
            w.calls.attaches += 1;
            if let Some(seen) = &w.seen {
                seen.nics.wrote(nic_id);
                seen.instances.wrote(instance_id);
            }
            match w.attach_faults.pop_front() {
                Some(e) => Err(e),
                None => match w.attach_echoes.pop_front() {
                    Some(e) => {
                        let _ = w.try_attach(nic_id, instance_id);
                        Err(e)
                    }
                    None => w
                        .try_attach(nic_id, instance_id)
                        .map(|()| "REQ-attach".into()),
                },
            }
        })
    }

    async fn detach(&self, nic_id: &str, limits: &CallLimits) -> Result<String, Error> {
        cancelled(limits, "DetachNetworkInterface")?;
        self.with(|w| {
            w.calls.detaches += 1;
            if let Some(seen) = &w.seen {
                seen.nics.wrote(nic_id);
            }
            match w.detach_faults.pop_front() {
                Some(e) => Err(e),
                None => match w.detach_echoes.pop_front() {
                    Some(e) => {
                        let _ = w.try_detach(nic_id);
                        Err(e)
                    }
                    None => w.try_detach(nic_id).map(|()| "REQ-detach".into()),
                },
            }
        })
    }
}
