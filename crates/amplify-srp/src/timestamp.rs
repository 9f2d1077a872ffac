//! Cognito's `TIMESTAMP` format and user pool name extraction.

use time::{OffsetDateTime, UtcOffset};

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats an instant the way Cognito expects the `TIMESTAMP` challenge
/// response: `"Tue Nov 5 09:03:07 UTC 2026"` (in UTC, day of month not
/// zero-padded, hours/minutes/seconds zero-padded).
pub fn cognito_timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    let weekday = WEEKDAYS[usize::from(at.weekday().number_days_from_monday())];
    let month = MONTHS[usize::from(u8::from(at.month()) - 1)];
    format!(
        "{weekday} {month} {} {:02}:{:02}:{:02} UTC {}",
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.year()
    )
}

/// The pool name used by SRP: the part of a user pool id after its `_`
/// (`"us-east-1_AbC123"` → `"AbC123"`). `None` when there is no `_` or
/// nothing after it.
pub fn pool_name(user_pool_id: &str) -> Option<&str> {
    match user_pool_id.split_once('_') {
        Some((_, name)) if !name.is_empty() => Some(name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamp_has_unpadded_day() {
        assert_eq!(
            cognito_timestamp(datetime!(2026-11-05 09:03:07 UTC)),
            "Thu Nov 5 09:03:07 UTC 2026"
        );
        assert_eq!(
            cognito_timestamp(datetime!(2026-01-25 23:00:00 +02:00)),
            "Sun Jan 25 21:00:00 UTC 2026"
        );
    }

    #[test]
    fn pool_name_is_after_underscore() {
        assert_eq!(pool_name("us-east-1_AbC123"), Some("AbC123"));
        assert_eq!(pool_name("us-east-1"), None);
        assert_eq!(pool_name("us-east-1_"), None);
    }
}
