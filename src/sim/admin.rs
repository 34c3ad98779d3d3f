//! Admin endpoints under `/_sim/`: plain JSON, no signing, never faulted. They let tests and
//! users read and change the world, count calls, set delays, deny actions and inject faults.
//! Errors are `{"error": "<what is wrong and how to fix it>"}` with a 4xx status.
//!
//! They have no authentication, so they refuse what a web page in a browser could send to
//! this machine across origins: a POST, PUT or PATCH must say `Content-Type:
//! application/json` (a form or a `no-cors` fetch cannot), and a request whose `Origin` is not
//! this machine is refused whatever it is.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::faults::FaultConfig;
use super::outside::{ChangeError, InstancePatch, NewInstances, NewNics, NicPatch};
use super::simulator::{DelaysMs, Policy, Sim};
use super::state::State as SimState;
use super::timing::Timing;

/// The prefix of every admin path.
pub const ADMIN_PREFIX: &str = "/_sim";

struct AdminError(StatusCode, String);

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(serde_json::json!({ "error": self.1 }))).into_response()
    }
}

impl From<ChangeError> for AdminError {
    fn from(e: ChangeError) -> Self {
        let status = match e {
            ChangeError::NotFound(_) => StatusCode::NOT_FOUND,
            ChangeError::Conflict(_) => StatusCode::CONFLICT,
            ChangeError::Invalid(_) => StatusCode::BAD_REQUEST,
        };
        AdminError(status, e.to_string())
    }
}

fn bad_request(message: impl Into<String>) -> AdminError {
    AdminError(StatusCode::BAD_REQUEST, message.into())
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AdminError> {
    serde_json::from_slice(body).map_err(|e| bad_request(format!("invalid JSON body: {e}")))
}

fn ok<T: Serialize>(value: T) -> Response {
    axum::Json(value).into_response()
}

type Answer = Result<Response, AdminError>;

/// Why a request is refused before it reaches an admin endpoint, if it is: one a browser page
/// of another origin could have sent.
fn cross_origin_refusal(method: &Method, headers: &HeaderMap) -> Option<AdminError> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("(not text)");
        if !is_loopback_origin(origin) {
            return Some(AdminError(
                StatusCode::FORBIDDEN,
                format!(
                    "the admin endpoints have no authentication, so they refuse requests from \
                     web pages of other origins (Origin: {}); send them from a program \
                     (curl, a test) without an Origin header",
                    crate::untrusted::quoted(origin)
                ),
            ));
        }
    }
    let has_body = [Method::POST, Method::PUT, Method::PATCH].contains(method);
    if has_body && !is_json(headers) {
        return Some(AdminError(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "{method} to an admin endpoint needs `Content-Type: application/json` (even \
                 with an empty body), so that a web page cannot send it across origins; with \
                 curl add `-H 'Content-Type: application/json'`"
            ),
        ));
    }
    None
}

/// `application/json`, with or without parameters such as `charset`.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// `http(s)://<this machine>[:port]`; `null` (sandboxed pages, files) and anything else is
/// another origin.
fn is_loopback_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    let host = match rest.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((ip, port)) if port.is_empty() || port.starts_with(':') => ip,
            _ => return false,
        },
        None => rest.split(':').next().unwrap_or(rest),
    };
    crate::zenlayer::config::is_loopback_host(host)
}

async fn same_origin_only(request: Request, next: Next) -> Response {
    match cross_origin_refusal(request.method(), request.headers()) {
        Some(refusal) => refusal.into_response(),
        None => next.run(request).await,
    }
}

async fn get_state(State(sim): State<Sim>) -> Response {
    ok(sim.state())
}

async fn put_state(State(sim): State<Sim>, body: Bytes) -> Answer {
    let state: SimState = parse(&body)?;
    sim.replace_state(state)
        .map_err(|e| bad_request(e.to_string()))?;
    Ok(ok(sim.state()))
}

async fn reset(State(sim): State<Sim>) -> Response {
    sim.reset();
    ok(sim.state())
}

async fn get_nic(State(sim): State<Sim>, Path(id): Path<String>) -> Answer {
    sim.nic(&id)
        .map(ok)
        .ok_or_else(|| AdminError(StatusCode::NOT_FOUND, format!("NIC `{id}` does not exist")))
}

async fn patch_nic(State(sim): State<Sim>, Path(id): Path<String>, body: Bytes) -> Answer {
    let patch: NicPatch = parse(&body)?;
    Ok(ok(sim.patch_nic(&id, patch)?))
}

async fn delete_nic(State(sim): State<Sim>, Path(id): Path<String>) -> Answer {
    Ok(ok(sim.delete_nic(&id)?))
}

async fn create_nics(State(sim): State<Sim>, body: Bytes) -> Answer {
    let req: NewNics = parse(&body)?;
    let nic_ids = sim.create_nics(req)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(serde_json::json!({ "nicIds": nic_ids })),
    )
        .into_response())
}

async fn get_instance(State(sim): State<Sim>, Path(id): Path<String>) -> Answer {
    sim.instance(&id).map(ok).ok_or_else(|| {
        AdminError(
            StatusCode::NOT_FOUND,
            format!("instance `{id}` does not exist"),
        )
    })
}

async fn patch_instance(State(sim): State<Sim>, Path(id): Path<String>, body: Bytes) -> Answer {
    let patch: InstancePatch = parse(&body)?;
    Ok(ok(sim.patch_instance(&id, patch)?))
}

async fn delete_instance(State(sim): State<Sim>, Path(id): Path<String>) -> Answer {
    Ok(ok(sim.delete_instance(&id)?))
}

async fn create_instances(State(sim): State<Sim>, body: Bytes) -> Answer {
    let req: NewInstances = parse(&body)?;
    let created = sim.create_instances(req)?;
    Ok((StatusCode::CREATED, axum::Json(created)).into_response())
}

async fn get_calls(State(sim): State<Sim>) -> Response {
    ok(sim.calls())
}

async fn reset_calls(State(sim): State<Sim>) -> Response {
    sim.reset_calls();
    ok(sim.calls())
}

async fn get_delays(State(sim): State<Sim>) -> Response {
    ok(DelaysMs::from(sim.delays()))
}

async fn put_delays(State(sim): State<Sim>, body: Bytes) -> Answer {
    let update: DelaysMs = parse(&body)?;
    sim.set_delays(update.apply_to(sim.delays()));
    Ok(ok(DelaysMs::from(sim.delays())))
}

async fn get_policy(State(sim): State<Sim>) -> Response {
    ok(sim.policy())
}

async fn put_policy(State(sim): State<Sim>, body: Bytes) -> Answer {
    let policy: Policy = parse(&body)?;
    sim.set_policy(policy).map_err(bad_request)?;
    Ok(ok(sim.policy()))
}

async fn clear_policy(State(sim): State<Sim>) -> Response {
    // The empty policy names no action, so it is always accepted.
    let _ = sim.set_policy(Policy::default());
    ok(sim.policy())
}

async fn get_faults(State(sim): State<Sim>) -> Response {
    ok(sim.faults())
}

async fn put_faults(State(sim): State<Sim>, body: Bytes) -> Answer {
    let config: FaultConfig = parse(&body)?;
    sim.set_faults(config).map_err(bad_request)?;
    Ok(ok(sim.faults()))
}

async fn clear_faults(State(sim): State<Sim>) -> Response {
    sim.clear_faults();
    ok(sim.faults())
}

async fn get_timing(State(sim): State<Sim>) -> Response {
    ok(sim.timing())
}

async fn put_timing(State(sim): State<Sim>, body: Bytes) -> Answer {
    let timing: Timing = parse(&body)?;
    sim.set_timing(timing).map_err(bad_request)?;
    Ok(ok(sim.timing()))
}

async fn get_operations(State(sim): State<Sim>) -> Response {
    ok(sim.operations())
}

async fn clear_operations(State(sim): State<Sim>) -> Response {
    sim.clear_operations();
    ok(sim.operations())
}

/// The admin routes, to be nested under `ADMIN_PREFIX`.
pub(crate) fn routes() -> Router<Sim> {
    Router::new()
        .route("/state", get(get_state).put(put_state))
        .route("/reset", post(reset))
        .route("/nics", post(create_nics))
        .route(
            "/nics/{id}",
            get(get_nic).patch(patch_nic).delete(delete_nic),
        )
        .route("/instances", post(create_instances))
        .route(
            "/instances/{id}",
            get(get_instance)
                .patch(patch_instance)
                .delete(delete_instance),
        )
        .route("/calls", get(get_calls).delete(reset_calls))
        .route("/delays", get(get_delays).put(put_delays))
        .route("/timing", get(get_timing).put(put_timing))
        .route("/operations", get(get_operations).delete(clear_operations))
        .route(
            "/policy",
            get(get_policy).put(put_policy).delete(clear_policy),
        )
        .route(
            "/faults",
            get(get_faults).put(put_faults).delete(clear_faults),
        )
        .route_layer(middleware::from_fn(same_origin_only))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(name.clone(), value.parse().unwrap());
        }
        h
    }

    fn status(method: Method, pairs: &[(header::HeaderName, &str)]) -> Option<StatusCode> {
        cross_origin_refusal(&method, &headers(pairs)).map(|e| e.0)
    }

    #[test]
    fn writes_need_a_json_content_type_and_reads_do_not() {
        let json = (header::CONTENT_TYPE, "application/json");
        for method in [Method::POST, Method::PUT, Method::PATCH] {
            assert_eq!(
                status(method.clone(), std::slice::from_ref(&json)),
                None,
                "{method}"
            );
            assert_eq!(
                status(
                    method.clone(),
                    &[(header::CONTENT_TYPE, "Application/JSON; charset=utf-8")]
                ),
                None
            );
            // What a form or a no-cors fetch can send.
            for simple in [
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "application/jsonp",
            ] {
                assert_eq!(
                    status(method.clone(), &[(header::CONTENT_TYPE, simple)]),
                    Some(StatusCode::UNSUPPORTED_MEDIA_TYPE),
                    "{method} {simple}"
                );
            }
            assert_eq!(
                status(method.clone(), &[]),
                Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            );
        }
        assert_eq!(status(Method::GET, &[]), None);
        assert_eq!(status(Method::DELETE, &[]), None);
    }

    #[test]
    fn only_origins_on_this_machine_are_served() {
        let json = (header::CONTENT_TYPE, "application/json");
        for local in [
            "http://127.0.0.1:8089",
            "http://localhost",
            "https://LOCALHOST:3000",
            "http://[::1]:8089",
            "http://127.9.9.9",
        ] {
            assert_eq!(
                status(Method::POST, &[json.clone(), (header::ORIGIN, local)]),
                None,
                "{local}"
            );
        }
        for foreign in [
            "https://evil.example",
            "http://127.0.0.1.evil.example",
            "http://sim.localhost:8089",
            "null",
            "file://",
            "http://[::1]x",
            "http://10.0.0.1:8089",
        ] {
            for method in [Method::GET, Method::POST, Method::DELETE] {
                assert_eq!(
                    status(method.clone(), &[json.clone(), (header::ORIGIN, foreign)]),
                    Some(StatusCode::FORBIDDEN),
                    "{method} from {foreign}"
                );
            }
        }
    }
}
