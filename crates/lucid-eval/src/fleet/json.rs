//! A JSON value with ordered keys, so output bytes never depend on serde_json's map features.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum J<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    Arr(Vec<J<'a>>),
    Obj(Vec<(&'static str, J<'a>)>),
}

impl<'a> J<'a> {
    pub(crate) fn s(text: &'a str) -> Self {
        J::Str(Cow::Borrowed(text))
    }

    pub(crate) fn owned(text: String) -> Self {
        J::Str(Cow::Owned(text))
    }

    /// The value as plain text: strings without quotes, numbers and booleans as written.
    pub(crate) fn plain(&self) -> String {
        match self {
            J::Str(text) => text.to_string(),
            J::Int(n) => n.to_string(),
            J::Bool(b) => b.to_string(),
            J::Float(f) => f.to_string(),
            J::Null => "null".to_string(),
            other => to_string(other),
        }
    }
}

impl Serialize for J<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            J::Null => serializer.serialize_unit(),
            J::Bool(b) => serializer.serialize_bool(*b),
            J::Int(n) => serializer.serialize_i64(*n),
            J::Float(f) => serializer.serialize_f64(*f),
            J::Str(text) => serializer.serialize_str(text),
            J::Arr(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            J::Obj(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (key, value) in fields {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

#[expect(clippy::expect_used, reason = "serialising to memory cannot fail")]
pub(crate) fn write(out: &mut Vec<u8>, value: &J<'_>) {
    serde_json::to_writer(out, value).expect("serialising to memory cannot fail");
}

#[expect(clippy::expect_used, reason = "serialising to memory cannot fail")]
pub(crate) fn to_string(value: &J<'_>) -> String {
    serde_json::to_string(value).expect("serialising to memory cannot fail")
}

/// `{"k": v, …}` with keys in the given order.
pub(crate) fn obj<'a>(fields: Vec<(&'static str, J<'a>)>) -> J<'a> {
    J::Obj(fields)
}
