//! One finding about Django settings, as `corsair lint --django` prints it and `manage.py check`
//! shows it: its kind (and so its id and severity), the Django setting by the name the project
//! uses, the value as a Python literal, what is wrong and what to write.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use corsair::{Problem, Severity};

use super::kinds::Kind;

/// One finding.
#[derive(Debug, Clone, PartialEq)]
pub struct DjangoFinding {
    /// What kind of finding it is: its id (`corsair.W007`), name and severity.
    pub kind: &'static Kind,
    /// The Django setting, by the name the project uses (`CORS_ORIGIN_WHITELIST` when that is it).
    pub setting: String,
    /// The offending value (a string, number or boolean), absent for a missing setting.
    pub value: Option<serde_json::Value>,
    /// What is wrong, in django-cors-headers' terms.
    pub message: String,
    /// What to write instead.
    pub fix: String,
}

impl DjangoFinding {
    /// Whether it is an error (`corsair.E###`).
    pub fn is_error(&self) -> bool {
        self.kind.severity == Severity::Error
    }

    /// The message of the Django check: `SETTING = value: what is wrong`.
    pub fn check_message(&self) -> String {
        match &self.value {
            Some(value) => format!(
                "{} = {}: {}",
                self.setting,
                python_literal(value),
                self.message
            ),
            None => format!("{}: {}", self.setting, self.message),
        }
    }

    /// The finding as one object of `corsair lint --django --json`'s `findings`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.kind.id,
            "kind": self.kind.name,
            "severity": self.kind.severity.to_string(),
            "setting": self.setting,
            "value": self.value,
            "message": self.message,
            "fix": self.fix,
            "check_message": self.check_message(),
        })
    }
}

impl Problem for DjangoFinding {
    fn severity(&self) -> Severity {
        self.kind.severity
    }

    fn id(&self) -> &str {
        self.kind.id
    }

    /// `corsair.W007 origin-has-path`: the Django check's id and the finding's name.
    fn label(&self) -> Cow<'_, str> {
        Cow::Owned(format!("{} {}", self.kind.id, self.kind.name))
    }

    fn subject(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.setting)
    }

    /// The value as a Python literal, as `settings.py` would hold it.
    fn value(&self) -> Option<Cow<'_, str>> {
        self.value
            .as_ref()
            .map(|value| Cow::Owned(python_literal(value)))
    }

    fn message(&self) -> &str {
        &self.message
    }

    fn fix(&self) -> &str {
        &self.fix
    }
}

impl fmt::Display for DjangoFinding {
    /// The block of [`Problem::write_block`]:
    ///
    /// ```text
    /// warning[corsair.W007 origin-has-path] CORS_ALLOWED_ORIGINS
    ///    = value: 'https://example.com/'
    ///    = why:   ...
    ///    = fix:   write `https://example.com`
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_block(f, &[])
    }
}

/// A value as it would be written in `settings.py`: `True`, `600`, `'https://a.example'`, and a
/// raw string for a regex (`r'^https://\w+\.example\.com$'`).
pub(crate) fn python_literal(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "None".to_owned(),
        serde_json::Value::Bool(true) => "True".to_owned(),
        serde_json::Value::Bool(false) => "False".to_owned(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => python_str(s),
        serde_json::Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(python_literal).collect();
            format!("[{}]", inner.join(", "))
        }
        serde_json::Value::Object(_) => value.to_string(),
    }
}

/// A Python string literal for `s`: raw when it holds backslashes and a raw literal can say it.
pub(crate) fn python_str(s: &str) -> String {
    let raw_ok = s.contains('\\')
        && !s.contains('\'')
        && !s.ends_with('\\')
        && !s.chars().any(char::is_control);
    if raw_ok {
        return format!("r'{s}'");
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c) & 0xff);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_written_as_in_settings_py() {
        assert_eq!(python_literal(&json!(true)), "True");
        assert_eq!(python_literal(&json!(90000)), "90000");
        assert_eq!(
            python_literal(&json!("https://a.example")),
            "'https://a.example'"
        );
        assert_eq!(
            python_literal(&json!(r"^https://\w+\.example\.com$")),
            r"r'^https://\w+\.example\.com$'"
        );
        assert_eq!(python_literal(&json!(r"it's\d")), r"'it\'s\\d'");
        assert_eq!(python_literal(&json!("a\tb\\")), r"'a\tb\\'");
        assert_eq!(python_literal(&json!(["a", 1])), "['a', 1]");
    }
}
