//! Small JSON helpers shared by the importers: forgiving field deserializers, accessors on
//! `serde_json::Value`, and timestamp parsing.
//!
//! Transcripts come from many tool versions; a field that changed type (a number where a
//! string was expected) must not make a whole line unreadable, so typed records use the
//! lenient deserializers here, which turn anything unexpected into `None` without allocating.

use std::fmt;

use lucid_core::Timestamp;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Accepts any JSON value; keeps it only when it is a string.
pub(crate) fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(StringOrSkip)
}

/// Accepts any JSON value; `true` only for a JSON `true`.
pub(crate) fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    d.deserialize_any(TrueOrSkip)
}

/// A JSON object deserialized as `T`, or `None` when the value is not an object.
pub(crate) struct Lenient<T>(pub Option<T>);

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Lenient(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjectOrSkip(std::marker::PhantomData))
            .map(Lenient)
    }
}

/// Drains a sequence without keeping anything.
fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Drains a map without keeping anything.
fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Implements the visitor methods for the scalars a lenient field ignores.
macro_rules! ignore_scalars {
    ($none:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
}

struct StringOrSkip;

impl<'de> Visitor<'de> for StringOrSkip {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq).map(|()| None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        skip_map(map).map(|()| None)
    }

    ignore_scalars!(None);
}

struct TrueOrSkip;

impl<'de> Visitor<'de> for TrueOrSkip {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(false)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq).map(|()| false)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        skip_map(map).map(|()| false)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(false)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(false)
    }
}

struct ObjectOrSkip<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOrSkip<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq).map(|()| None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    ignore_scalars!(None);
}

/// The string at `key`, when there is one.
pub(crate) fn str_at<'v>(object: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    object.get(key).and_then(Value::as_str)
}

/// The text of a chat message's `content`: a string, or its parts (strings, or objects with
/// `text`) joined with newlines.
pub(crate) fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|part| match part {
                Value::String(text) => Some(text.as_str()),
                Value::Object(part) => str_at(part, "text"),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The string at `key`, trimmed, or empty when it is absent or not a string.
pub(crate) fn text_at(object: &Map<String, Value>, key: &str) -> String {
    str_at(object, key).unwrap_or_default().trim().to_string()
}

/// The first non-empty string among `keys`.
pub(crate) fn first_str<'v>(object: &'v Map<String, Value>, keys: &[&str]) -> Option<&'v str> {
    keys.iter()
        .filter_map(|key| str_at(object, key))
        .find(|text| !text.trim().is_empty())
}

/// A non-empty string, trimmed; `None` for blank ones.
pub(crate) fn non_blank(text: &str) -> Option<&str> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then_some(trimmed)
}

/// Describes a value's JSON type for error messages ("a string", "an array", …).
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A time given as RFC 3339 text or as Unix seconds (OpenAI's `created`).
pub(crate) fn time_value(value: &Value) -> Option<Timestamp> {
    match value {
        Value::String(text) => lucid_core::parse_timestamp(text),
        Value::Number(number) => {
            let seconds = number
                .as_i64()
                .or_else(|| number.as_f64().map(|f| f as i64))?;
            chrono::DateTime::from_timestamp(seconds, 0)
        }
        _ => None,
    }
}

/// A time as RFC 3339 text, or as a date and time without a zone (`2025-01-27T22:44:56.900854`,
/// `2023-05-20 10:12:24`), which is taken as UTC: harnesses that write local times without an
/// offset (OpenHands, aider) give no way to know the zone, and UTC keeps the order of one file.
pub(crate) fn time_text(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Some(at) = lucid_core::parse_timestamp(text) {
        return Some(at);
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|pattern| chrono::NaiveDateTime::parse_from_str(text, pattern).ok())
        .map(|naive| naive.and_utc())
}

/// Milliseconds since the epoch (Cline's `ts`, OpenCode's `time.created`), as a number or a
/// numeric string.
pub(crate) fn millis_time(value: &Value) -> Option<Timestamp> {
    let millis = match value {
        Value::Number(number) => number
            .as_i64()
            .or_else(|| number.as_f64().map(|f| f as i64))?,
        Value::String(text) => text.trim().parse::<i64>().ok()?,
        _ => return None,
    };
    chrono::DateTime::from_timestamp_millis(millis)
}

/// The first time found among `keys` of `object`.
pub(crate) fn time_at(object: &Map<String, Value>, keys: &[&str]) -> Option<Timestamp> {
    keys.iter()
        .filter_map(|key| object.get(*key))
        .find_map(time_value)
}

/// A tool's `arguments` as sent by OpenAI-style APIs: a JSON string that usually holds an
/// object. Parsed when it is valid JSON; otherwise kept as the string itself so nothing is lost.
pub(crate) fn parse_arguments(arguments: Option<Value>) -> Value {
    match arguments {
        Some(Value::String(text)) => {
            if text.trim().is_empty() {
                Value::Object(Map::new())
            } else {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            }
        }
        Some(other) => other,
        None => Value::Object(Map::new()),
    }
}
