//! Registering probe agents and turning them off (admins): ledger changes without the
//! key, which is shown on the agents page for the agent's key file (docs/checks.md).

use super::actions::settle;
use super::staff::{ManageStaff, StaffPost};
use crate::domain::change::{Change, NewProbeAgent, ProbeAgentChange};
use crate::web::kit::secret::random_hex;
use axum::body::Body;
use axum::http::Response;

const AGENTS: &str = "/admin/agents";

/// Registers a probe agent (a ledger change; its key is not in the ledger) with a fresh
/// key, shown on the agents page.
pub async fn add_agent(post: StaffPost<ManageStaff>) -> Response<Body> {
    let StaffPost {
        session,
        form,
        lang,
        changes,
        me,
        ..
    } = post;
    let agent = NewProbeAgent {
        name: form.text("name").trim().to_string(),
        secret: random_hex(32),
    };
    let result = changes
        .apply(&me.name, Change::AddProbeAgent(agent))
        .await
        .map(|_| ());
    settle(
        &session,
        &form,
        lang,
        result,
        AGENTS,
        AGENTS,
        (
            "에이전트를 등록했습니다. 키를 에이전트의 키 파일에 넣으세요.",
            "The agent is registered. Put its key in the agent's key file.",
        ),
    )
    .await
}

pub async fn set_agent_active(post: StaffPost<ManageStaff>) -> Response<Body> {
    let StaffPost {
        session,
        form,
        lang,
        changes,
        me,
        ..
    } = post;
    let change = ProbeAgentChange {
        name: form.text("name"),
        active: form.checked("active"),
    };
    let result = changes
        .apply(&me.name, Change::SetProbeAgentActive(change))
        .await
        .map(|_| ());
    settle(
        &session,
        &form,
        lang,
        result,
        AGENTS,
        AGENTS,
        ("에이전트를 바꿨습니다.", "The agent is changed."),
    )
    .await
}
