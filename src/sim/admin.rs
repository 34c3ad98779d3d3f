//! Admin endpoints under `/_sim/`: plain JSON, no signing, never faulted. They let tests and
//! users read and change the world, count calls, set delays, deny actions and inject faults.
//! Errors are `{"error": "<what is wrong and how to fix it>"}` with a 4xx status.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::faults::FaultConfig;
use super::outside::{ChangeError, InstancePatch, NewInstances, NewNics, NicPatch};
use super::simulator::{DelaysMs, Policy, Sim};
use super::state::State as SimState;

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
        .route(
            "/policy",
            get(get_policy).put(put_policy).delete(clear_policy),
        )
        .route(
            "/faults",
            get(get_faults).put(put_faults).delete(clear_faults),
        )
}
