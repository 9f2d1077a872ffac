//! Groups: CreateGroup, GetGroup, UpdateGroup, ListGroups, DeleteGroup,
//! AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
//! ListUsersInGroup. All of them need a signed request, as in Cognito
//! ([`super::admin_auth`]).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::admin::user_json;
use super::common::{check_pool, epoch, existing_user};
use crate::api_error::{ApiError, ErrorCode};
use crate::db::GroupRecord;
use crate::state::AppState;

/// The most items one list page holds (Cognito's `Limit` maximum).
const MAX_PAGE: u32 = 60;
/// The longest group description Cognito accepts.
const MAX_DESCRIPTION: usize = 2048;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GroupRequest {
    user_pool_id: String,
    group_name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    precedence: Option<i64>,
    #[serde(default)]
    role_arn: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct MembershipRequest {
    user_pool_id: String,
    username: String,
    group_name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListRequest {
    user_pool_id: String,
    #[serde(default)]
    group_name: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    next_token: Option<String>,
}

/// A `GroupType`.
fn group_json(state: &AppState, group: &GroupRecord) -> Value {
    let mut out = Map::new();
    out.insert("GroupName".into(), json!(group.name));
    out.insert("UserPoolId".into(), json!(state.user_pool_id));
    if let Some(description) = &group.description {
        out.insert("Description".into(), json!(description));
    }
    if let Some(role_arn) = &group.role_arn {
        out.insert("RoleArn".into(), json!(role_arn));
    }
    if let Some(precedence) = group.precedence {
        out.insert("Precedence".into(), json!(precedence));
    }
    out.insert("LastModifiedDate".into(), epoch(group.updated_at));
    out.insert("CreationDate".into(), epoch(group.created_at));
    Value::Object(out)
}

/// Checks a group name: Cognito's pattern and length are the username's.
pub(crate) fn check_group_name(name: &str) -> Result<(), ApiError> {
    crate::users::check_username(name).map_err(|reason| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!(
                "1 validation error detected: Value at 'groupName' failed to satisfy constraint: {}",
                reason.to_string().replace("username", "group name")
            ),
        )
    })
}

fn check_details(request: &GroupRequest) -> Result<(), ApiError> {
    if request
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
    {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("Description must be at most {MAX_DESCRIPTION} characters"),
        ));
    }
    if request
        .precedence
        .is_some_and(|p| !(0..=i64::from(i32::MAX)).contains(&p))
    {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "Precedence must be between 0 and 2147483647",
        ));
    }
    if request
        .role_arn
        .as_ref()
        .is_some_and(|arn| !arn.starts_with("arn:") || !(20..=2048).contains(&arn.len()))
    {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "RoleArn must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
        ));
    }
    Ok(())
}

fn group_not_found() -> ApiError {
    ApiError::new(ErrorCode::ResourceNotFound, "Group not found.")
}

fn existing_group(state: &AppState, name: &str) -> Result<GroupRecord, ApiError> {
    state.store.group(name)?.ok_or_else(group_not_found)
}

/// Creates a group; `GroupExistsException` when the name is taken. Shared
/// with [`crate::LocalBackend::add_user_to_group`].
pub(crate) fn create(state: &AppState, group: &GroupRecord) -> Result<(), ApiError> {
    if state.store.insert_group(group)? {
        tracing::info!(group = %group.name, "created group");
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::GroupExists,
            format!("A group with the name {} already exists.", group.name),
        ))
    }
}

/// `CreateGroup`.
pub(super) fn create_group(state: &AppState, request: GroupRequest) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    check_group_name(&request.group_name)?;
    check_details(&request)?;
    let now = state.now();
    let group = GroupRecord {
        name: request.group_name,
        description: request.description,
        precedence: request.precedence,
        role_arn: request.role_arn,
        created_at: now,
        updated_at: now,
    };
    create(state, &group)?;
    Ok(json!({ "Group": group_json(state, &group) }))
}

/// `GetGroup`.
pub(super) fn get_group(state: &AppState, request: GroupRequest) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    let group = existing_group(state, &request.group_name)?;
    Ok(json!({ "Group": group_json(state, &group) }))
}

/// `UpdateGroup`: given fields replace the stored ones.
pub(super) fn update_group(state: &AppState, request: GroupRequest) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    check_details(&request)?;
    let mut group = existing_group(state, &request.group_name)?;
    if request.description.is_some() {
        group.description = request.description;
    }
    if request.precedence.is_some() {
        group.precedence = request.precedence;
    }
    if request.role_arn.is_some() {
        group.role_arn = request.role_arn;
    }
    group.updated_at = state.now();
    state.store.update_group(&group)?;
    Ok(json!({ "Group": group_json(state, &group) }))
}

/// `DeleteGroup`: the group and its memberships.
pub(super) fn delete_group(state: &AppState, request: GroupRequest) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    if !state.store.delete_group(&request.group_name)? {
        return Err(group_not_found());
    }
    Ok(json!({}))
}

/// `AdminAddUserToGroup`.
pub(super) fn admin_add_user_to_group(
    state: &AppState,
    request: MembershipRequest,
) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    let user = existing_user(state, &request.username)?;
    existing_group(state, &request.group_name)?;
    state
        .store
        .add_member(&request.group_name, &user.username)?;
    Ok(json!({}))
}

/// `AdminRemoveUserFromGroup`.
pub(super) fn admin_remove_user_from_group(
    state: &AppState,
    request: MembershipRequest,
) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    let user = existing_user(state, &request.username)?;
    existing_group(state, &request.group_name)?;
    state
        .store
        .remove_member(&request.group_name, &user.username)?;
    Ok(json!({}))
}

/// A page's size and where it starts (the `NextToken` is the last name of
/// the previous page, encoded).
fn page(request: &ListRequest) -> Result<(u32, Option<String>), ApiError> {
    let limit = match request.limit {
        None => MAX_PAGE,
        Some(limit @ 1..=MAX_PAGE) => limit,
        Some(_) => {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!("Limit must be between 1 and {MAX_PAGE}"),
            ));
        }
    };
    let after = match request.next_token.as_deref() {
        None | Some("") => None,
        Some(token) => Some(
            URL_SAFE_NO_PAD
                .decode(token)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::InvalidParameter,
                        "Invalid NextToken: pass the NextToken of the previous answer unchanged",
                    )
                })?,
        ),
    };
    Ok((limit, after))
}

/// Adds `NextToken` when the page is full.
fn with_next(mut body: Value, limit: u32, count: usize, last: Option<&str>) -> Value {
    if u32::try_from(count).is_ok_and(|count| count == limit)
        && let Some(last) = last
    {
        body["NextToken"] = json!(URL_SAFE_NO_PAD.encode(last));
    }
    body
}

/// A page of groups, with the `NextToken` of the page after it when it is full.
fn groups_page(state: &AppState, groups: &[GroupRecord], limit: u32) -> Value {
    let body = json!({
        "Groups": groups.iter().map(|g| group_json(state, g)).collect::<Vec<_>>(),
    });
    with_next(
        body,
        limit,
        groups.len(),
        groups.last().map(|g| g.name.as_str()),
    )
}

/// `ListGroups`.
pub(super) fn list_groups(state: &AppState, request: ListRequest) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    let (limit, after) = page(&request)?;
    let groups = state.store.list_groups(after.as_deref(), limit)?;
    Ok(groups_page(state, &groups, limit))
}

/// `AdminListGroupsForUser`: the user's groups, by name.
pub(super) fn admin_list_groups_for_user(
    state: &AppState,
    request: ListRequest,
) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    let username = request
        .username
        .as_deref()
        .ok_or_else(|| ApiError::missing("Username"))?;
    let user = existing_user(state, username)?;
    let (limit, after) = page(&request)?;
    let mut groups = state.store.groups_of(&user.username)?;
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    let groups: Vec<GroupRecord> = groups
        .into_iter()
        .filter(|g| after.as_deref().is_none_or(|after| g.name.as_str() > after))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    Ok(groups_page(state, &groups, limit))
}

/// `ListUsersInGroup`.
pub(super) fn list_users_in_group(
    state: &AppState,
    request: ListRequest,
) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    let name = request
        .group_name
        .as_deref()
        .ok_or_else(|| ApiError::missing("GroupName"))?;
    existing_group(state, name)?;
    let (limit, after) = page(&request)?;
    let usernames = state.store.members_of(name, after.as_deref(), limit)?;
    let mut users = Vec::with_capacity(usernames.len());
    for username in &usernames {
        if let Some(user) = state.store.user(username)? {
            users.push(user_json(&user));
        }
    }
    Ok(with_next(
        json!({ "Users": users }),
        limit,
        usernames.len(),
        usernames.last().map(String::as_str),
    ))
}
