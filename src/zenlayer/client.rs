//! The HTTP client: signs, sends, classifies answers and retries what is safe to retry.

use std::collections::HashSet;
use std::sync::Arc;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::Error;
use super::answer::{Success, interpret};
use super::config::ClientConfig;
use super::error::{ConfigError, GiveUpReason};
use super::filter::NicFilter;
use super::models::{
    AttachNetworkInterfaceRequest, DescribeInstancesRequest, DescribeInstancesResponse,
    DescribeNetworkInterfacesRequest, DescribeNetworkInterfacesResponse, DescribePage,
    DescribeZonesRequest, DescribeZonesResponse, DetachNetworkInterfaceRequest, InstanceInfo,
    MAX_IDS_PER_CALL, NicInfo, RequestIdOnly, ZoneInfo, action, more_pages,
};
use super::retry::{CallKind, RetryPolicy, Verdict, judge_answer};
use super::transport::{Failure, Transport, human};
use crate::untrusted::word;

/// Bounds for one logical call, including its retries.
#[derive(Clone, Debug, Default)]
pub struct CallLimits {
    /// No attempt starts, and no backoff sleeps, past this instant.
    pub deadline: Option<Instant>,
    /// Cancelled when Terraform sends Stop.
    pub cancel: CancellationToken,
}

impl CallLimits {
    /// Resolves once the call must end, saying why as a `GaveUp` reason: Terraform sent Stop
    /// (checked first), or the deadline passed.
    pub async fn ended(&self) -> GiveUpReason {
        let deadline = async {
            match self.deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            () = self.cancel.cancelled() => GiveUpReason::Stopped,
            () = deadline => GiveUpReason::Deadline,
        }
    }
}

/// Log target of every API call, retry and give-up.
pub const LOG_TARGET: &str = "zenlayer.api";

/// A Zenlayer ZEC API client. Cheap to clone; clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: ClientConfig,
    policy: RetryPolicy,
    transport: Transport,
}

impl Client {
    /// Builds the client and its TLS-verified connection pool; fails if the configuration
    /// cannot be put on the wire (a domain with a path, a header-unsafe credential).
    pub fn new(config: ClientConfig) -> Result<Client, ConfigError> {
        let transport = Transport::new(&config)?;
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                policy: RetryPolicy::default(),
                transport,
            }),
        })
    }

    /// The same client (sharing its pool) with another backoff; tests use millisecond waits.
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Client {
        Client {
            inner: Arc::new(Inner {
                config: self.inner.config.clone(),
                policy,
                transport: self.inner.transport.clone(),
            }),
        }
    }

    /// The configuration this client was built from.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// `AttachNetworkInterface`; returns the request id. Asynchronous: the NIC goes ATTACHING.
    pub async fn attach_network_interface(
        &self,
        nic_id: &str,
        instance_id: &str,
        limits: &CallLimits,
    ) -> Result<String, Error> {
        let req = AttachNetworkInterfaceRequest {
            nic_id: nic_id.to_owned(),
            instance_id: instance_id.to_owned(),
        };
        self.write(action::ATTACH_NETWORK_INTERFACE, &req, limits)
            .await
    }

    /// A write whose answer is only a request id (attach, detach).
    async fn write(
        &self,
        action: &'static str,
        req: &impl Serialize,
        limits: &CallLimits,
    ) -> Result<String, Error> {
        let ok: Success<RequestIdOnly> =
            self.call(action, CallKind::Write, req, &[], limits).await?;
        Ok(ok.request_id)
    }

    /// `DetachNetworkInterface`; returns the request id. Asynchronous: the NIC goes DETACHING.
    pub async fn detach_network_interface(
        &self,
        nic_id: &str,
        limits: &CallLimits,
    ) -> Result<String, Error> {
        let req = DetachNetworkInterfaceRequest {
            nic_id: nic_id.to_owned(),
        };
        self.write(action::DETACH_NETWORK_INTERFACE, &req, limits)
            .await
    }

    /// One page of `DescribeNetworkInterfaces`.
    pub async fn describe_network_interfaces(
        &self,
        req: &DescribeNetworkInterfacesRequest,
        limits: &CallLimits,
    ) -> Result<DescribeNetworkInterfacesResponse, Error> {
        self.describe_page(req, limits).await
    }

    /// One page of `DescribeInstances`.
    pub async fn describe_instances(
        &self,
        req: &DescribeInstancesRequest,
        limits: &CallLimits,
    ) -> Result<DescribeInstancesResponse, Error> {
        self.describe_page(req, limits).await
    }

    /// One page of a Describe action, which must carry `dataSet`; the page keeps the
    /// envelope's request id when its own is empty.
    pub async fn describe_page<P: DescribePage>(
        &self,
        req: &P::Request,
        limits: &CallLimits,
    ) -> Result<P, Error> {
        let ok: Success<P> = self
            .call(P::ACTION, CallKind::Read, req, &["dataSet"], limits)
            .await?;
        let mut page = ok.response;
        if page.request_id_mut().is_empty() {
            *page.request_id_mut() = ok.request_id;
        }
        Ok(page)
    }

    /// Every NIC `filter` matches, the filters sent to the API and every page read
    /// ([`NicFilter::read_pages`]).
    pub async fn describe_nics_where(
        &self,
        filter: &NicFilter,
        limits: &CallLimits,
    ) -> Result<Vec<NicInfo>, Error> {
        (filter.read_pages(|req| async move { self.describe_page(&req, limits).await })).await
    }

    /// The NICs with these IDs (chunks of 100, every page); missing IDs are simply absent.
    pub async fn describe_nics_by_id(
        &self,
        ids: &[String],
        limits: &CallLimits,
    ) -> Result<Vec<NicInfo>, Error> {
        self.describe_by_id::<DescribeNetworkInterfacesResponse>(ids, limits)
            .await
    }

    /// The instances with these IDs (chunks of 100, every page); missing IDs are absent.
    pub async fn describe_instances_by_id(
        &self,
        ids: &[String],
        limits: &CallLimits,
    ) -> Result<Vec<InstanceInfo>, Error> {
        self.describe_by_id::<DescribeInstancesResponse>(ids, limits)
            .await
    }

    /// The objects with these IDs, in chunks of 100 IDs, every page of each; each object once.
    ///
    /// The server's `totalCount` is never trusted for memory or calls: a chunk's pages stop
    /// once every ID of it was answered, or a page brings none not seen yet, so a chunk of `n`
    /// IDs costs at most `n` pages; objects that were not asked for are dropped as they come.
    pub async fn describe_by_id<P: DescribePage>(
        &self,
        ids: &[String],
        limits: &CallLimits,
    ) -> Result<Vec<P::Item>, Error> {
        let mut found = Vec::new();
        for chunk in unique(ids).chunks(MAX_IDS_PER_CALL) {
            let mut wanted: HashSet<&str> = chunk.iter().map(String::as_str).collect();
            let mut pages = Pager::new();
            while let Some(page_num) = pages.next_page() {
                let req = P::request(Some(chunk.to_vec()), page_num, PAGE_SIZE);
                let (total, items) = self.describe_page::<P>(&req, limits).await?.into_items();
                let returned = items.len();
                let before = found.len();
                found.extend(
                    items
                        .into_iter()
                        .filter(|item| wanted.remove(P::id_of(item))),
                );
                let new = found.len() - before;
                if new == 0 || wanted.is_empty() || page_num as usize >= chunk.len() {
                    break;
                }
                pages.saw(returned, total);
            }
        }
        Ok(found)
    }

    /// Every zone with its region.
    pub async fn describe_zones(&self, limits: &CallLimits) -> Result<Vec<ZoneInfo>, Error> {
        let ok: Success<DescribeZonesResponse> = self
            .call(
                action::DESCRIBE_ZONES,
                CallKind::Read,
                &DescribeZonesRequest::default(),
                &["zoneSet"],
                limits,
            )
            .await?;
        Ok(ok.response.zone_set)
    }

    /// One logical call: attempts, each freshly signed, until a final answer, `max_retries`
    /// retries, the deadline, or cancellation.
    async fn call<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        action: &'static str,
        kind: CallKind,
        req: &Req,
        required: &[&str],
        limits: &CallLimits,
    ) -> Result<Success<Resp>, Error> {
        let body = Bytes::from(serde_json::to_vec(req).map_err(|e| Error::Network {
            action,
            message: format!("the request could not be encoded: {e}"),
            lasting: true,
        })?);
        let max_attempts = self.inner.config.max_retries.saturating_add(1);
        let mut last: Option<Error> = None;
        let mut attempt: u32 = 0;
        loop {
            if limits.cancel.is_cancelled() {
                return Err(give_up(action, attempt, GiveUpReason::Stopped, last));
            }
            let timeout = match limits.deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(give_up(action, attempt, GiveUpReason::Deadline, last));
                    }
                    left.min(self.inner.config.client_timeout)
                }
                None => self.inner.config.client_timeout,
            };
            attempt += 1;
            let started = Instant::now();
            let result = tokio::select! {
                biased;
                () = limits.cancel.cancelled() => {
                    tracing::debug!(target: LOG_TARGET, action, attempt, "cancelled while waiting for the answer");
                    return Err(match kind {
                        CallKind::Read => give_up(action, attempt, GiveUpReason::Stopped, last),
                        CallKind::Write => Error::OutcomeUnknown {
                            action,
                            message: format!("{} before the answer arrived", GiveUpReason::Stopped),
                        },
                    });
                }
                r = self.inner.transport.attempt(action, &body, timeout) => r,
            };
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

            let (verdict, retry_after) = match result {
                Ok(answer) => {
                    let status = answer.raw.status;
                    match interpret::<Resp>(action, &answer.raw, required) {
                        Ok(ok) => {
                            tracing::debug!(
                                target: LOG_TARGET, action, attempt, http_status = status,
                                request_id = %word(&ok.request_id), elapsed_ms, "API call succeeded"
                            );
                            return Ok(ok);
                        }
                        Err(err) => {
                            let config = &self.inner.config;
                            let err = err
                                .sent_with(config.credentials.kind())
                                .sent_by(config.caller());
                            tracing::debug!(
                                target: LOG_TARGET, action, attempt, http_status = status,
                                request_id = %word(err.api_error().map(|a| a.request_id.as_str()).unwrap_or("")),
                                elapsed_ms, error = %err, "API call failed"
                            );
                            (judge_answer(kind, status, err), answer.retry_after)
                        }
                    }
                }
                Err(Failure::NotSent { message, retryable }) => {
                    tracing::debug!(target: LOG_TARGET, action, attempt, elapsed_ms, error = %message, "API call not sent");
                    let err = Error::Network {
                        action,
                        message,
                        lasting: !retryable,
                    };
                    let verdict = if retryable {
                        Verdict::Retry(err)
                    } else {
                        Verdict::Stop(err)
                    };
                    (verdict, None)
                }
                Err(Failure::Lost { message }) => {
                    tracing::debug!(target: LOG_TARGET, action, attempt, elapsed_ms, error = %message, "API call lost its answer");
                    match kind {
                        CallKind::Write => (
                            Verdict::Stop(Error::OutcomeUnknown { action, message }),
                            None,
                        ),
                        CallKind::Read => {
                            let err = Error::Network {
                                action,
                                message,
                                lasting: false,
                            };
                            // Cut short by the caller's deadline: the previous attempt's error
                            // says more about the failure than "no answer in the time left".
                            if limits.deadline.is_some_and(|d| Instant::now() >= d) {
                                let last = last.or(Some(err));
                                return Err(give_up(action, attempt, GiveUpReason::Deadline, last));
                            }
                            (Verdict::Retry(err), None)
                        }
                    }
                }
            };

            let err = match verdict {
                Verdict::Stop(err) => return Err(err),
                Verdict::Retry(err) => err,
            };
            if attempt >= max_attempts {
                tracing::warn!(target: LOG_TARGET, action, attempts = attempt, error = %err, "giving up: no retries left");
                return Err(err);
            }
            let wait = self.inner.policy.wait(attempt, retry_after);
            if limits
                .deadline
                .is_some_and(|deadline| Instant::now() + wait >= deadline)
            {
                tracing::warn!(target: LOG_TARGET, action, attempts = attempt, error = %err, "giving up: the next attempt would start after the deadline");
                return Err(give_up(action, attempt, GiveUpReason::Deadline, Some(err)));
            }
            tracing::warn!(
                target: LOG_TARGET, action, attempt, wait = %human(wait),
                reason = %err, "retrying API call"
            );
            last = Some(err);
            tokio::select! {
                biased;
                () = limits.cancel.cancelled() => {
                    return Err(give_up(action, attempt, GiveUpReason::Stopped, last));
                }
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}

/// The error of a call that ended before an answer: `attempts` made, the last failure kept.
pub(super) fn give_up(
    action: &'static str,
    attempts: u32,
    reason: GiveUpReason,
    last: Option<Error>,
) -> Error {
    Error::GaveUp {
        action,
        attempts,
        reason,
        last: last.map(Box::new),
    }
}

/// Page size for by-ID reads: a chunk of at most 100 IDs fits one page.
const PAGE_SIZE: u32 = MAX_IDS_PER_CALL as u32;

/// Walks the pages of one query: on until `totalCount` items were seen, a page comes back
/// empty, or (without a `totalCount`) a page comes back short.
struct Pager {
    next: Option<u32>,
    seen: u64,
}

impl Pager {
    fn new() -> Pager {
        Pager {
            next: Some(1),
            seen: 0,
        }
    }

    fn next_page(&mut self) -> Option<u32> {
        self.next
    }

    fn saw(&mut self, items: usize, total: u64) {
        let Some(current) = self.next else { return };
        self.seen += items as u64;
        let more = more_pages(items, self.seen, total, PAGE_SIZE);
        self.next = more.then(|| current.saturating_add(1));
    }
}

/// The IDs without repeats or blanks, in first-seen order.
fn unique(ids: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.iter()
        .filter(|id| !id.is_empty() && seen.insert(id.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::config::{Credentials, Scheme};
    use super::*;
    use std::time::Duration;

    fn pages(answers: &[(usize, u64)]) -> Vec<u32> {
        let mut p = Pager::new();
        let mut asked = Vec::new();
        for &(items, total) in answers {
            let Some(n) = p.next_page() else { break };
            asked.push(n);
            p.saw(items, total);
        }
        if let Some(n) = p.next_page() {
            asked.push(n);
        }
        asked
    }

    #[test]
    fn paging_follows_total_count() {
        assert_eq!(pages(&[(40, 100), (40, 100), (20, 100)]), [1, 2, 3]);
        assert_eq!(pages(&[(100, 100)]), [1]);
    }

    #[test]
    fn paging_stops_on_an_empty_page_even_if_total_promises_more() {
        assert_eq!(pages(&[(10, 50), (0, 50)]), [1, 2]);
    }

    #[test]
    fn paging_without_total_stops_on_a_short_page() {
        assert_eq!(pages(&[(100, 0), (3, 0)]), [1, 2]);
    }

    #[test]
    fn unique_drops_repeats_and_blanks_keeping_order() {
        let ids = ["b", "a", "", "b", "c"].map(String::from);
        assert_eq!(unique(&ids), ["b", "a", "c"]);
    }

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn call_futures_are_send_so_resources_can_await_them_anywhere() {
        let client = Client::new(ClientConfig {
            credentials: Credentials::Token("t".into()),
            scheme: Scheme::Http,
            domain: "127.0.0.1:1".into(),
            client_timeout: Duration::from_secs(1),
            max_retries: 0,
            user_agent: "ua".into(),
            extra_roots: Default::default(),
        })
        .expect("valid config");
        let l = CallLimits::default();
        let ids = vec!["x".to_owned()];
        assert_send(&client.attach_network_interface("n", "i", &l));
        assert_send(&client.detach_network_interface("n", &l));
        assert_send(&client.describe_nics_by_id(&ids, &l));
        assert_send(&client.describe_instances_by_id(&ids, &l));
        assert_send(&client.describe_zones(&l));
        let lookup = super::super::Lookup::new(client);
        assert_send(&lookup.nic("n", &l));
        assert_send(&lookup.instance("i", &l));
        assert_send(&lookup.region_of_zone("z", &l));
    }
}
