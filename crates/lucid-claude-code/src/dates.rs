//! Relative dates made absolute.
//!
//! A memory is read weeks after it was written: "we moved the staging host yesterday" is wrong
//! the next day. Each relative date in a memory is replaced by the calendar date it meant, taken
//! from the time of the session event the memory came from.

use std::sync::LazyLock;

use chrono::{Duration, NaiveDate};
use regex::{Captures, Regex};

#[expect(clippy::expect_used, reason = "a fixed pattern, compiled by the tests")]
static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(today|tonight|this morning|this afternoon|this evening)|(yesterday|last night)|(tomorrow)|(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten) days ago|(last week)|(next week))\b",
    )
    .expect("a fixed, tested pattern")
});

/// `text` with each relative date replaced by the date it meant on `day`. Returns the text
/// unchanged (borrowed in spirit: an equal string) when it holds none.
pub fn absolutize(text: &str, day: NaiveDate) -> String {
    RELATIVE
        .replace_all(text, |caps: &Captures<'_>| {
            let shifted = |days: i64| (day + Duration::days(days)).format("%Y-%m-%d").to_string();
            if caps.get(1).is_some() {
                shifted(0)
            } else if caps.get(2).is_some() {
                shifted(-1)
            } else if caps.get(3).is_some() {
                shifted(1)
            } else if let Some(count) = caps.get(4) {
                let days = number(count.as_str()).unwrap_or(0);
                shifted(-days)
            } else if caps.get(5).is_some() {
                format!("the week before {}", shifted(0))
            } else {
                format!("the week after {}", shifted(0))
            }
        })
        .into_owned()
}

fn number(word: &str) -> Option<i64> {
    if let Ok(n) = word.parse() {
        return Some(n);
    }
    let words = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    words
        .iter()
        .position(|w| w.eq_ignore_ascii_case(word))
        .map(|i| i as i64 + 1)
}

/// The calendar day of an RFC 3339 time (`2026-03-04T10:00:00Z` → 2026-03-04).
pub fn day_of(time: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(time.get(..10)?, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 4).expect("a valid date")
    }

    #[test]
    fn relative_days_become_calendar_dates() {
        assert_eq!(
            absolutize("We moved the staging host yesterday.", day()),
            "We moved the staging host 2026-03-03."
        );
        assert_eq!(
            absolutize(
                "Release freeze starts tomorrow; the API changed 3 days ago.",
                day()
            ),
            "Release freeze starts 2026-03-05; the API changed 2026-03-01."
        );
        assert_eq!(
            absolutize("Today the CI moved to arm64.", day()),
            "2026-03-04 the CI moved to arm64."
        );
        assert_eq!(
            absolutize("Postgres was upgraded last week.", day()),
            "Postgres was upgraded the week before 2026-03-04."
        );
    }

    #[test]
    fn words_that_only_contain_a_date_word_are_left_alone() {
        let text = "The todays_report job and yesterdays.csv stay as they are.";
        assert_eq!(absolutize(text, day()), text);
    }

    #[test]
    fn the_day_comes_from_an_rfc3339_time() {
        assert_eq!(day_of("2026-03-04T23:59:59Z"), Some(day()));
        assert_eq!(day_of("garbage"), None);
    }
}
