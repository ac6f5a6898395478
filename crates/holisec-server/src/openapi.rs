//! The OpenAPI 3.1 document of the JSON API (`GET /api/v1/openapi.json`),
//! generated from the code: the paths, methods and who may call them come from
//! [`ROUTES`], the schemas from the request and response types themselves
//! (`utoipa::ToSchema`, derived in this crate and, behind their `openapi`
//! features, in the library crates), and [`describe`] adds each route's
//! summary and body types. A JSON route missing from [`describe`] fails the
//! tests, as a route missing from [`ROUTES`] is unreachable.

use std::sync::OnceLock;

use holisec_store::{Assessment, User};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref,
    RefOr, Required, ResponseBuilder, Schema, schema::ArrayBuilder,
};
use utoipa::{PartialSchema, ToSchema};

use crate::api::{assessments, jobs, models, session, sharing, users};
use crate::{ErrorBody, ROUTES, RouteSpec, SESSION_COOKIE, Verb};

/// Name of the security scheme: the session cookie.
const COOKIE_AUTH: &str = "session_cookie";

/// The schemas a document refers to, collected while routes are described.
#[derive(Default)]
struct Schemas(Vec<(String, RefOr<Schema>)>);

impl Schemas {
    /// A reference to `T`'s schema, adding it and what it refers to.
    fn one<T: ToSchema>(&mut self) -> RefOr<Schema> {
        let name = T::name().into_owned();
        if !self.0.iter().any(|(n, _)| *n == name) {
            self.0.push((name.clone(), T::schema()));
            T::schemas(&mut self.0);
        }
        Ref::from_schema_name(name).into()
    }

    /// An array of `T`.
    fn list<T: ToSchema>(&mut self) -> RefOr<Schema> {
        let item = self.one::<T>();
        ArrayBuilder::new().items(item).build().into()
    }
}

/// What the document says of one JSON route beyond [`ROUTES`].
struct RouteDoc {
    summary: &'static str,
    request: Option<RefOr<Schema>>,
    /// Whether the request body may be left out (`POST /api/v1/assessments`).
    body_optional: bool,
    /// The success status and its body.
    ok: (u16, RefOr<Schema>),
    /// The success body's media type.
    ok_type: &'static str,
}

/// Summary and body types of a JSON route; `None` for a route that is not
/// part of the JSON API (pages, assets).
fn describe(spec: &RouteSpec, s: &mut Schemas) -> Option<RouteDoc> {
    let doc = |summary, request, ok| {
        Some(RouteDoc {
            summary,
            request,
            body_optional: false,
            ok,
            ok_type: "application/json",
        })
    };
    match (spec.method, spec.path) {
        (Verb::Get, "/healthz") => doc(
            "Liveness; no login needed",
            None,
            (200, s.one::<session::Status>()),
        ),
        (Verb::Post, "/api/v1/login") => doc(
            "Log in with email and password; sets the session cookie",
            Some(s.one::<session::LoginRequest>()),
            (200, s.one::<session::Me>()),
        ),
        (Verb::Post, "/api/v1/logout") => {
            doc("End the session", None, (200, s.one::<session::Status>()))
        }
        (Verb::Get, "/api/v1/me") => doc("Who is logged in", None, (200, s.one::<session::Me>())),
        (Verb::Post, "/api/v1/me/password") => doc(
            "Change one's password (the current one required); one's other sessions end",
            Some(s.one::<session::PasswordChange>()),
            (200, s.one::<session::Status>()),
        ),
        (Verb::Get, "/api/v1/openapi.json") => doc(
            "This document (to logged-in users only)",
            None,
            (200, serde_json::Value::schema()),
        ),
        (Verb::Get, "/api/v1/assessments") => doc(
            "The organisation's assessments",
            None,
            (200, s.list::<Assessment>()),
        ),
        (Verb::Post, "/api/v1/assessments") => doc(
            "Start the organisation's next assessment (an empty body is `{}`)",
            Some(s.one::<assessments::NewAssessment>()),
            (201, s.one::<Assessment>()),
        )
        .map(|d| RouteDoc {
            body_optional: true,
            ..d
        }),
        (Verb::Get, "/api/v1/assessments/{id}") => doc(
            "An assessment with its answers",
            None,
            (200, s.one::<holisec_api::assess::AssessmentView>()),
        ),
        (Verb::Get, "/api/v1/assessments/{id}/score") => doc(
            "An assessment's scores per domain",
            None,
            (200, s.one::<assessments::ScoreView>()),
        ),
        (Verb::Get, "/api/v1/assessments/{id}/plan") => doc(
            "The assessment's costed plan computed last (by a `plan` job or `holisec assess plan`), with `stale` when the answers changed since; `latest` is null before the first",
            None,
            (200, s.one::<assessments::PlanView>()),
        ),
        (Verb::Put, "/api/v1/assessments/{id}/answers/{item}") => doc(
            "Save one answer (the item is the questionnaire's item id)",
            Some(s.one::<assessments::AnswerRequest>()),
            (200, s.one::<Assessment>()),
        ),
        (Verb::Get, "/api/v1/users") => doc(
            "The organisation's users (admin)",
            None,
            (200, s.list::<User>()),
        ),
        (Verb::Post, "/api/v1/users") => doc(
            "Create a user in the organisation (admin)",
            Some(s.one::<users::NewUserRequest>()),
            (201, s.one::<User>()),
        ),
        (Verb::Post, "/api/v1/users/{id}/disable") => doc(
            "Disable a user of the organisation (admin); their sessions end",
            None,
            (200, s.one::<User>()),
        ),
        (Verb::Post, "/api/v1/users/{id}/enable") => doc(
            "Enable a disabled user of the organisation again (admin)",
            None,
            (200, s.one::<User>()),
        ),
        (Verb::Put, "/api/v1/users/{id}/role") => doc(
            "Set the role of a user of the organisation (admin; not one's own)",
            Some(s.one::<users::RoleRequest>()),
            (200, s.one::<User>()),
        ),
        (Verb::Get, "/api/v1/models") => doc(
            "The organisation's uploaded models and scenarios (without their text)",
            None,
            (200, s.list::<holisec_store::UploadSummary>()),
        ),
        (Verb::Post, "/api/v1/models") => doc(
            "Upload a model or scenario, checked as `holisec validate` checks files; \
             422 with `diagnostics` (line, column, message) and `rendered` (the CLI's text)",
            Some(s.one::<models::UploadRequestDoc>()),
            (201, s.one::<holisec_store::UploadSummary>()),
        ),
        (Verb::Get, "/api/v1/models/{id}") => doc(
            "An upload with its text",
            None,
            (200, s.one::<holisec_store::Upload>()),
        ),
        (Verb::Get, "/api/v1/jobs") => doc(
            "The organisation's risk, simulation, plan and report jobs, newest first",
            None,
            (200, s.list::<jobs::JobView>()),
        ),
        (Verb::Post, "/api/v1/jobs") => doc(
            "Start a risk, simulation, plan or report job (202); one queued or running job per organisation (429)",
            Some(s.one::<jobs::JobRequestDoc>()),
            (202, s.one::<jobs::JobView>()),
        ),
        (Verb::Get, "/api/v1/jobs/{id}") => doc(
            "A job, with its stored result once done",
            None,
            (200, s.one::<jobs::JobView>()),
        ),
        (Verb::Get, "/api/v1/jobs/{id}/events") => doc(
            "Server-sent events: `progress` and `state` until a final state",
            None,
            (200, String::schema()),
        )
        .map(|d| RouteDoc {
            ok_type: "text/event-stream",
            ..d
        }),
        (Verb::Get, "/api/v1/jobs/{id}/report.html") => doc(
            "A finished report job's document: one self-contained HTML file, as a download \
             (`Content-Disposition: attachment`); another kind of job 404, a report not done 409",
            None,
            (200, String::schema()),
        )
        .map(|d| RouteDoc {
            ok_type: "text/html",
            ..d
        }),
        (Verb::Post, "/api/v1/jobs/{id}/cancel") => doc(
            "Cancel a queued or running job (a finished one is returned unchanged)",
            None,
            (200, s.one::<jobs::JobView>()),
        ),
        (Verb::Get, "/api/v1/map") => doc(
            "The ecosystem map: cytoscape elements, per-stakeholder details, a motivation's attack paths",
            None,
            (200, s.one::<holisec_api::map::EcosystemMap>()),
        ),
        _ => describe_sharing(spec, s),
    }
}

/// The sharing routes (docs/sharing.md). Their bodies are the library's
/// types, described in words here and in docs/sharing.md.
fn describe_sharing(spec: &RouteSpec, s: &mut Schemas) -> Option<RouteDoc> {
    let any = serde_json::Value::schema;
    let doc = |summary, request, ok| {
        Some(RouteDoc {
            summary,
            request,
            body_optional: false,
            ok,
            ok_type: "application/json",
        })
    };
    match (spec.method, spec.path) {
        (Verb::Get, "/api/v1/organisation/sharing") => doc(
            "The organisation's sharing profile: country, size band, agency, suppliers, benchmark opt-in",
            None,
            (200, any()),
        ),
        (Verb::Put, "/api/v1/organisation/sharing") => doc(
            "Set the organisation's sharing profile (`country`, `size_band`, `agency`, `suppliers`, `benchmark_opt_in`)",
            Some(s.one::<holisec_api::sharing::ProfileRequest>()),
            (200, any()),
        ),
        (Verb::Get, "/api/v1/incidents") => doc(
            "The incident reports the organisation may see (its own, and others' the TLP rules open to it), each with the rule's reason",
            None,
            (200, any()),
        ),
        (Verb::Post, "/api/v1/incidents") => doc(
            "Report an incident (VERIS essentials) under a TLP 2.0 label; alerts the organisations the model's relations reach",
            Some(s.one::<sharing::NewIncidentBody>()),
            (201, any()),
        ),
        (Verb::Post, "/api/v1/incidents/import") => doc(
            "Report every valid record of a VERIS file (one document, an array or JSON Lines) under one label; the others are listed with line, path and reason (422 when none could be stored)",
            Some(s.one::<sharing::ImportBody>()),
            (200, any()),
        ),
        (Verb::Get, "/api/v1/incidents/{id}") => {
            doc("An incident the organisation may see", None, (200, any()))
        }
        (Verb::Put, "/api/v1/incidents/{id}") => doc(
            "Replace the report of one of the organisation's incidents (a new version)",
            Some(s.one::<holisec_api::sharing::IncidentReport>()),
            (200, any()),
        ),
        (Verb::Put, "/api/v1/incidents/{id}/tlp") => doc(
            "Change the label of one of the organisation's incidents (owner only)",
            Some(s.one::<sharing::TlpBody>()),
            (200, any()),
        ),
        (Verb::Get, "/api/v1/incidents/{id}/history") => doc(
            "The versions of one of the organisation's incidents, oldest first",
            None,
            (200, any()),
        ),
        (Verb::Post, "/api/v1/incidents/{id}/withdraw") => doc(
            "Withdraw one of the organisation's incidents (kept with its history, shared no more)",
            None,
            (200, any()),
        ),
        (Verb::Get, "/api/v1/alerts") => doc(
            "The organisation's alert inbox, each alert with its priority and the chain of relations that reached it",
            None,
            (200, any()),
        ),
        (Verb::Post, "/api/v1/alerts") => doc(
            "Issue an alert (agency-institution organisations only): title, text, tlp, incidents, factors, suppliers",
            Some(s.one::<holisec_api::sharing::AgencyAlert>()),
            (201, any()),
        ),
        (Verb::Post, "/api/v1/alerts/{id}/acknowledge") => doc(
            "Acknowledge an alert of the organisation's inbox",
            None,
            (200, any()),
        ),
        (Verb::Get, "/api/v1/agency") => doc(
            "The agency's national view of incidents (agency-institution organisations only)",
            None,
            (200, any()),
        ),
        (Verb::Get, "/api/v1/organisations/directory") => doc(
            "The community directory: id, name and stakeholder kind of every organisation (to name suppliers and an agency); nothing else",
            None,
            (200, any()),
        ),
        (Verb::Get, "/api/v1/assessments/{id}/benchmark") => doc(
            "The organisation's latest domain scores against its opted-in peers', shown only with k or more contributors",
            None,
            (200, any()),
        ),
        (Verb::Get, "/api/v1/tokens") => doc(
            "The API tokens of the organisation's users for TAXII clients (admin), without secrets, newest first",
            None,
            (200, any()),
        ),
        (Verb::Post, "/api/v1/tokens") => doc(
            "Issue an API token acting as a user of the organisation (admin): `name`, `user`; \
             201 with `secret`, shown this once (send it as `Authorization: Bearer`)",
            Some(s.one::<crate::api::tokens::NewTokenRequest>()),
            (201, any()),
        ),
        (Verb::Post, "/api/v1/tokens/{id}/revoke") => doc(
            "Revoke one of the organisation's API tokens (admin)",
            None,
            (200, any()),
        ),
        _ => None,
    }
}

/// The query parameters of a route: name and accepted values.
fn query_parameters(spec: &RouteSpec) -> Vec<(&'static str, Vec<&'static str>)> {
    match (spec.method, spec.path) {
        (Verb::Get, "/api/v1/map") => vec![
            (
                "domain",
                holisec_model::Domain::ALL
                    .iter()
                    .map(|d| d.as_str())
                    .collect(),
            ),
            (
                "motivation",
                holisec_model::Motivation::ALL
                    .iter()
                    .map(|m| m.as_str())
                    .collect(),
            ),
        ],
        (Verb::Get, "/api/v1/assessments/{id}/benchmark") => {
            vec![("scope", vec!["country", "community"])]
        }
        _ => Vec::new(),
    }
}

/// The statuses any route may answer with an [`ErrorBody`], and why.
const ERRORS: &[(u16, &str)] = &[
    (400, "Invalid input; `field` names the field at fault"),
    (
        401,
        "Not logged in, session ended, or wrong email or password",
    ),
    (
        403,
        "The role may not do this, or a cross-origin state change",
    ),
    (404, "No such object in the session's organisation"),
    (405, "Method not allowed on this path"),
    (408, "The request took too long"),
    (
        409,
        "A unique name or email is taken, or the object is not in a state for this",
    ),
    (413, "The request body is too large"),
    (415, "The body is not `application/json`"),
    (422, "The body is JSON of the wrong shape or types"),
    (
        429,
        "Too many failed logins (`Retry-After` says how long to wait)",
    ),
];

fn method(v: Verb) -> HttpMethod {
    match v {
        Verb::Get => HttpMethod::Get,
        Verb::Post => HttpMethod::Post,
        Verb::Put => HttpMethod::Put,
    }
}

/// The `{name}` segments of a path.
fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

/// The whole document, built once.
pub fn document() -> &'static OpenApi {
    static DOC: OnceLock<OpenApi> = OnceLock::new();
    DOC.get_or_init(build)
}

fn build() -> OpenApi {
    let mut schemas = Schemas::default();
    let error = schemas.one::<ErrorBody>();
    let mut paths = PathsBuilder::new();
    for spec in ROUTES {
        let Some(doc) = describe(spec, &mut schemas) else {
            continue;
        };
        let json = |schema: RefOr<Schema>| ContentBuilder::new().schema(Some(schema)).build();
        let mut op = OperationBuilder::new()
            .summary(Some(doc.summary))
            .operation_id(Some(operation_id(spec)))
            .response(
                doc.ok.0.to_string(),
                ResponseBuilder::new()
                    .description("Success")
                    .content(doc.ok_type, json(doc.ok.1)),
            );
        for (status, why) in ERRORS {
            op = op.response(
                status.to_string(),
                ResponseBuilder::new()
                    .description(*why)
                    .content("application/json", json(error.clone())),
            );
        }
        if let Some(request) = doc.request {
            op = op.request_body(Some(
                RequestBodyBuilder::new()
                    .content("application/json", json(request))
                    .required(Some(if doc.body_optional {
                        Required::False
                    } else {
                        Required::True
                    }))
                    .build(),
            ));
        }
        for name in path_parameters(spec.path) {
            let schema: RefOr<Schema> = if name == "id" {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::Integer)
                    .minimum(Some(1))
                    .into()
            } else {
                String::schema()
            };
            op = op.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(schema)),
            );
        }
        for (name, values) in query_parameters(spec) {
            let schema = utoipa::openapi::schema::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String)
                .enum_values(Some(values));
            op = op.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Query)
                    .required(Required::False)
                    .schema(Some(schema)),
            );
        }
        if spec.min_role.is_some() {
            op = op.security(SecurityRequirement::new::<_, [&str; 0], &str>(
                COOKIE_AUTH,
                [],
            ));
        }
        paths = paths.path(
            spec.path,
            utoipa::openapi::PathItem::new(method(spec.method), op.build()),
        );
    }
    let components = ComponentsBuilder::new()
        .schemas_from_iter(schemas.0)
        .security_scheme(
            COOKIE_AUTH,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "The session cookie set by `POST /api/v1/login`",
            ))),
        )
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("holisec serve")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "The JSON API of holisec's multi-organisation web application. Every object \
                     belongs to the session's organisation; another organisation's id answers 404.",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components))
        .build()
}

/// `get_api_v1_assessments_id_score`: from the method and path.
fn operation_id(spec: &RouteSpec) -> String {
    let verb = match spec.method {
        Verb::Get => "get",
        Verb::Post => "post",
        Verb::Put => "put",
    };
    let path: String = spec
        .path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let mut id = format!("{verb}_{path}");
    while id.contains("__") {
        id = id.replace("__", "_");
    }
    id.trim_end_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_json_route_is_described_with_its_method() {
        let doc = serde_json::to_value(document()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let mut described = 0;
        for spec in ROUTES {
            let is_json = spec.path.starts_with("/api/") || spec.path == "/healthz";
            let verb = match spec.method {
                Verb::Get => "get",
                Verb::Post => "post",
                Verb::Put => "put",
            };
            let op = &doc["paths"][spec.path][verb];
            assert_eq!(
                op.is_object(),
                is_json,
                "{verb} {}: a JSON route must be described in openapi::describe",
                spec.path
            );
            if is_json {
                described += 1;
                assert_eq!(
                    op["security"].is_array(),
                    spec.min_role.is_some(),
                    "{}",
                    spec.path
                );
            }
        }
        assert!(described >= 13, "{described}");
    }

    #[test]
    fn every_reference_resolves_to_a_schema() {
        let text = serde_json::to_string(document()).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for (at, _) in text.match_indices("#/components/schemas/") {
            let rest = &text[at + "#/components/schemas/".len()..];
            let name = &rest[..rest.find('"').unwrap()];
            assert!(schemas.contains_key(name), "dangling $ref to {name}");
        }
        assert!(schemas.contains_key("Assessment"));
        assert!(schemas.contains_key("DomainScore"));
    }

    #[test]
    fn operation_ids_are_unique_and_readable() {
        let ids: Vec<String> = ROUTES.iter().map(operation_id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len());
        assert!(ids.contains(&"put_api_v1_assessments_id_answers_item".to_owned()));
    }
}
