//! Reading a configuration file (`config.toml`, `keymap.toml`, a theme)
//! so that one bad entry costs only that entry:
//! a key the settings do not have is named with its line and skipped, a
//! value that does not fit its key is reported (with serde's words, at
//! its line) and skipped, and every other setting applies. Inside a table
//! (`[theme_overrides]`, `[hosts."ALIAS"]`) the same holds entry by entry.
//! Only a file that is not TOML at all falls back to the defaults whole.
//!
//! Generic over the settings type: the known keys are the struct's own
//! field names, read from its `Deserialize` impl (`field_names`), so a
//! field added to `Settings` (or a table such as `hosts`) needs nothing
//! here.

use std::path::Path;

use serde::de::{self, DeserializeOwned, Visitor};
use toml::Spanned;
use toml::de::{DeTable, DeValue, Deserializer};

use super::error::{ConfigError, line_column};

/// `text` (the contents of `path`) as a `T`, with what was skipped and why.
/// `None` only when the file is not TOML.
pub(super) fn read<T: DeserializeOwned>(path: &Path, text: &str) -> (Option<T>, Vec<ConfigError>) {
    let mut doc = match DeTable::parse(text) {
        Ok(doc) => doc,
        Err(e) => return (None, vec![ConfigError::parse(path, text, &e)]),
    };
    let mut problems = Vec::new();
    let fields = field_names::<T>();
    let span = doc.span();
    let table = doc.get_mut();
    let unknown: Vec<_> = table.keys().filter(|k| !fields.contains(&k.get_ref().as_ref())).cloned().collect();
    for key in unknown {
        let (line, column) = line_column(text, key.span().start);
        let name = key.get_ref().to_string();
        problems.push(ConfigError::UnknownKey { path: path.to_path_buf(), line, column, key: name });
        table.remove(&key);
    }
    let keys: Vec<_> = table.keys().cloned().collect();
    for key in keys {
        let Some(value) = table.get(&key).cloned() else { continue };
        if fits::<T>(&key, &value, &span) {
            continue;
        }
        let original = value.clone();
        match value.into_inner() {
            // Entry by entry: keep those that fit.
            DeValue::Table(mut inner) => {
                let entries: Vec<_> = inner.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                for (sub, sub_value) in entries {
                    let mut one = DeTable::new();
                    one.insert(sub.clone(), sub_value);
                    let nested = Spanned::new(sub.span(), DeValue::Table(one));
                    if let Err(e) = check::<T>(&key, &nested, &span) {
                        problems.push(entry_error(path, text, &e, sub.span().start));
                        inner.remove(&sub);
                    }
                }
                let kept = Spanned::new(key.span(), DeValue::Table(inner));
                match check::<T>(&key, &kept, &span) {
                    Ok(()) => {
                        table.insert(key, kept);
                    }
                    Err(e) => {
                        problems.push(entry_error(path, text, &e, key.span().start));
                        table.remove(&key);
                    }
                }
            }
            _ => {
                if let Err(e) = check::<T>(&key, &original, &span) {
                    problems.push(entry_error(path, text, &e, key.span().start));
                }
                table.remove(&key);
            }
        }
    }
    match T::deserialize(Deserializer::from(doc)) {
        Ok(value) => (Some(value), problems),
        Err(e) => {
            problems.push(ConfigError::parse(path, text, &e));
            (None, problems)
        }
    }
}

type Key<'i> = Spanned<toml::de::DeString<'i>>;

fn fits<T: DeserializeOwned>(key: &Key, value: &Spanned<DeValue>, span: &std::ops::Range<usize>) -> bool {
    check::<T>(key, value, span).is_ok()
}

/// Whether a document of only `key = value` reads as a `T` (every other
/// field has its default).
fn check<T: DeserializeOwned>(
    key: &Key,
    value: &Spanned<DeValue>,
    span: &std::ops::Range<usize>,
) -> Result<(), toml::de::Error> {
    let mut one = DeTable::new();
    one.insert(key.clone(), value.clone());
    T::deserialize(Deserializer::from(Spanned::new(span.clone(), one))).map(drop)
}

/// A skipped entry, at the error's own place when it has one.
fn entry_error(path: &Path, text: &str, error: &toml::de::Error, fallback: usize) -> ConfigError {
    let offset = error.span().map_or(fallback, |s| s.start);
    ConfigError::entry(path, text, offset, error.message().trim().to_owned())
}

/// The field names `T`'s `Deserialize` asks for (`deserialize_struct`'s
/// `fields`), or none when `T` is not a struct.
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Fields(&'static [&'static str]);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("field names read")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    struct Introspect<'a>(&'a mut Fields);
    impl<'de> de::Deserializer<'de> for Introspect<'_> {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0.0 = fields;
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
            unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields = Fields(&[]);
    let _ = T::deserialize(Introspect(&mut fields));
    fields.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn messages(problems: &[ConfigError]) -> Vec<String> {
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line_and_the_rest_applies() {
        let text = "theme = \"light\"\n\nshow_hiden = true\nmouse = false\n";
        let (settings, problems) = read::<Settings>(Path::new("/c/config.toml"), text);
        let settings = settings.unwrap();
        assert_eq!(settings.theme, "light");
        assert!(!settings.mouse);
        assert_eq!(
            messages(&problems),
            ["/c/config.toml:3:1: unknown setting \"show_hiden\" is ignored; the other settings apply \
                 (see docs/user-guide.md)"]
        );
    }

    #[test]
    fn a_bad_value_costs_only_its_key_and_a_bad_style_only_its_entry() {
        let text = "show_hidden = yes\n";
        let (_, problems) = read::<Settings>(Path::new("c.toml"), text);
        assert!(matches!(problems[0], ConfigError::Parse { line: 1, .. }), "{problems:?}");
        let text = "max_connections = \"many\"\nlive_refresh = false\n[theme_overrides]\nfile = { fg = \"red\" }\nfiel = { fg = \"red\" }\n";
        let (settings, problems) = read::<Settings>(Path::new("c.toml"), text);
        let settings = settings.unwrap();
        assert!(!settings.live_refresh);
        assert_eq!(settings.max_connections, Settings::default().max_connections);
        assert_ne!(settings.theme_overrides, Default::default());
        let messages = messages(&problems);
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].starts_with("c.toml:1:19: invalid type: string \"many\", expected usize"),
            "{}",
            messages[0]
        );
        assert!(messages[1].starts_with("c.toml:5:") && messages[1].contains("fiel"), "{}", messages[1]);
    }

    #[test]
    fn the_settings_fields_are_read_from_the_type() {
        let fields = field_names::<Settings>();
        assert!(fields.contains(&"theme") && fields.contains(&"theme_overrides"), "{fields:?}");
    }
}
