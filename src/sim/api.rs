//! `POST /api/v2/zec`: injected faults first, then the call itself, then one log line.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::actions::Action;
use super::calls::{Outcome, UNKNOWN_ACTION};
use super::failure::Failure;
use super::faults::FaultKind;
use super::simulator::Sim;
use crate::zenlayer::codes;
use crate::zenlayer::models::{ErrorBody, SuccessEnvelope};

/// Marks a response the server must not send: the connection is closed instead.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CloseWithoutAnswer;

fn close_without_answer() -> Response {
    let mut response = Response::new(axum::body::Body::empty());
    response.extensions_mut().insert(CloseWithoutAnswer);
    response
}

fn json_response(status: u16, body: &impl serde::Serialize) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn failure_response(request_id: &str, failure: &Failure) -> Response {
    json_response(
        failure.http_status(),
        &ErrorBody {
            request_id: request_id.to_owned(),
            code: failure.code.to_owned(),
            message: failure.message.clone(),
        },
    )
}

fn injected_failure(kind: FaultKind) -> Option<Failure> {
    let (code, message) = match kind {
        FaultKind::RateLimited => (
            codes::REQUEST_LIMIT_EXCEEDED,
            "Request limit exceeded; retry later (injected by zenlayer-sim).".to_owned(),
        ),
        FaultKind::Internal => (
            codes::INTERNAL_SERVER_ERROR,
            "Internal server error (injected by zenlayer-sim).".to_owned(),
        ),
        FaultKind::Unavailable => (
            codes::SERVICE_TEMPORARY_UNAVAILABLE,
            "Service temporarily unavailable; retry later (injected by zenlayer-sim).".to_owned(),
        ),
        FaultKind::Code(code) => (
            code,
            format!("Refused with {code} (injected by zenlayer-sim)."),
        ),
        FaultKind::Drop | FaultKind::Lost => return None,
    };
    Some(Failure::new(code, message))
}

pub(crate) async fn zec(State(sim): State<Sim>, headers: HeaderMap, body: Bytes) -> Response {
    let started = Instant::now();
    let request_id = sim.next_request_id();
    let raw_action = headers
        .get("x-zc-action")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let action = raw_action
        .as_deref()
        .and_then(Action::from_name)
        .map_or(UNKNOWN_ACTION, Action::name);

    let timing = sim.timing();
    if timing.latency_ms > 0 {
        tokio::time::sleep(timing.there()).await;
    }
    let decision = sim.decide_fault(raw_action.as_deref());
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }

    let (response, outcome, code, caller) = match decision.fault {
        Some(FaultKind::Drop) => (
            close_without_answer(),
            Outcome::Faulted,
            "fault:drop".to_owned(),
            None,
        ),
        Some(
            kind @ (FaultKind::RateLimited
            | FaultKind::Internal
            | FaultKind::Unavailable
            | FaultKind::Code(_)),
        ) => {
            let failure = injected_failure(kind)
                .unwrap_or_else(|| Failure::new(codes::INTERNAL_SERVER_ERROR, "injected failure"));
            let code = format!("fault:{}", failure.code);
            (
                failure_response(&request_id, &failure),
                Outcome::Faulted,
                code,
                None,
            )
        }
        Some(FaultKind::Lost) | None => {
            let handled = sim.handle(&headers, &body, &request_id);
            let code = match &handled.result {
                Ok(_) => "OK",
                Err(f) => f.code,
            };
            if decision.fault == Some(FaultKind::Lost) {
                (
                    close_without_answer(),
                    Outcome::Faulted,
                    format!("fault:lost({code})"),
                    handled.caller,
                )
            } else {
                match handled.result {
                    Ok(response) => (
                        json_response(
                            200,
                            &SuccessEnvelope::<Value> {
                                request_id: request_id.clone(),
                                response,
                            },
                        ),
                        Outcome::Succeeded,
                        code.to_owned(),
                        handled.caller,
                    ),
                    Err(failure) => (
                        failure_response(&request_id, &failure),
                        Outcome::Failed(failure.code),
                        code.to_owned(),
                        handled.caller,
                    ),
                }
            }
        }
    };

    sim.record(action, outcome);
    if timing.latency_ms > 0 {
        tokio::time::sleep(timing.back()).await;
    }
    let status = match response.extensions().get::<CloseWithoutAnswer>() {
        Some(_) => "closed".to_owned(),
        None => response.status().as_u16().to_string(),
    };
    let caller = match caller {
        Some(super::auth::Caller::AccessKey(id)) => id,
        Some(super::auth::Caller::Token) => "<token>".to_owned(),
        None => "-".to_owned(),
    };
    tracing::info!(
        action = raw_action.as_deref().unwrap_or("-"),
        code = %code,
        status = %status,
        request_id = %request_id,
        caller = %caller,
        duration_ms = started.elapsed().as_millis() as u64,
        "api call"
    );
    response
}
