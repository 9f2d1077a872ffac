//! Groups and memberships.

use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::LocalError;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS user_groups (
    group_name  TEXT PRIMARY KEY,
    description TEXT,
    precedence  INTEGER,
    role_arn    TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS group_members (
    group_name TEXT NOT NULL,
    username   TEXT NOT NULL,
    PRIMARY KEY (group_name, username)
);
CREATE INDEX IF NOT EXISTS group_members_user ON group_members(username);
";

/// One stored group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupRecord {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    /// Lower comes first in `cognito:groups`; `None` after every number.
    pub(crate) precedence: Option<i64>,
    pub(crate) role_arn: Option<String>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

const COLUMNS: &str =
    "g.group_name, g.description, g.precedence, g.role_arn, g.created_at, g.updated_at";
/// Cognito's token order: by precedence, groups without one last, then by name.
const ORDER: &str = "ORDER BY g.precedence IS NULL, g.precedence, g.group_name";

fn group_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<GroupRecord> {
    Ok(GroupRecord {
        name: row.get(0)?,
        description: row.get(1)?,
        precedence: row.get(2)?,
        role_arn: row.get(3)?,
        created_at: row.get(4)?,
        updated_at: row.get(5)?,
    })
}

impl Store {
    /// Inserts a new group; `Ok(false)` when the name is taken.
    pub(crate) fn insert_group(&self, group: &GroupRecord) -> Result<bool, LocalError> {
        let inserted = self.conn().execute(
            "INSERT OR IGNORE INTO user_groups
                (group_name, description, precedence, role_arn, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                group.name,
                group.description,
                group.precedence,
                group.role_arn,
                group.created_at,
                group.updated_at
            ],
        )?;
        Ok(inserted == 1)
    }

    /// Rewrites a group's mutable columns.
    pub(crate) fn update_group(&self, group: &GroupRecord) -> Result<(), LocalError> {
        self.conn().execute(
            "UPDATE user_groups SET description = ?2, precedence = ?3, role_arn = ?4, updated_at = ?5
             WHERE group_name = ?1",
            params![
                group.name,
                group.description,
                group.precedence,
                group.role_arn,
                group.updated_at
            ],
        )?;
        Ok(())
    }

    /// Looks a group up by name.
    pub(crate) fn group(&self, name: &str) -> Result<Option<GroupRecord>, LocalError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM user_groups g WHERE g.group_name = ?1"),
                [name],
                group_row,
            )
            .optional()?)
    }

    /// Deletes a group and its memberships; `Ok(false)` when there was none.
    pub(crate) fn delete_group(&self, name: &str) -> Result<bool, LocalError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM group_members WHERE group_name = ?1", [name])?;
        let deleted = tx.execute("DELETE FROM user_groups WHERE group_name = ?1", [name])?;
        tx.commit()?;
        Ok(deleted == 1)
    }

    /// Up to `limit` groups named after `after` (by name), in name order.
    pub(crate) fn list_groups(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<GroupRecord>, LocalError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM user_groups g WHERE ?1 IS NULL OR g.group_name > ?1
             ORDER BY g.group_name LIMIT ?2"
        ))?;
        let rows = statement.query_map(params![after, limit], group_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds a user to a group (no effect if already a member).
    pub(crate) fn add_member(&self, group: &str, username: &str) -> Result<(), LocalError> {
        self.conn().execute(
            "INSERT OR IGNORE INTO group_members (group_name, username) VALUES (?1, ?2)",
            params![group, username],
        )?;
        Ok(())
    }

    /// Removes a user from a group (no effect if not a member).
    pub(crate) fn remove_member(&self, group: &str, username: &str) -> Result<(), LocalError> {
        self.conn().execute(
            "DELETE FROM group_members WHERE group_name = ?1 AND username = ?2",
            params![group, username],
        )?;
        Ok(())
    }

    /// Every group of a user, in token order (precedence, then name).
    pub(crate) fn groups_of(&self, username: &str) -> Result<Vec<GroupRecord>, LocalError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM user_groups g JOIN group_members m ON m.group_name = g.group_name
             WHERE m.username = ?1 {ORDER}"
        ))?;
        let rows = statement.query_map([username], group_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Up to `limit` members of a group named after `after`, in name order.
    pub(crate) fn members_of(
        &self,
        group: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<String>, LocalError> {
        let conn = self.conn();
        let mut statement = conn.prepare_cached(
            "SELECT username FROM group_members WHERE group_name = ?1 AND (?2 IS NULL OR username > ?2)
             ORDER BY username LIMIT ?3",
        )?;
        let rows = statement.query_map(params![group, after, limit], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
