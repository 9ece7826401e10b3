//! Colours and styles. Themes are TOML files: the built-in ones live in
//! `themes/` and are embedded in the binary; `themes/NAME.toml` in the config
//! dir adds a theme or replaces a built-in one. A theme may start from
//! another (`inherits = "default"`) and set only what differs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ratatui::style::Style;
use serde::Deserialize;

use super::error::ConfigError;
use super::style::StyleSpec;

/// The built-in themes: name and file contents.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
    ("gruvbox", include_str!("../../themes/gruvbox.toml")),
];

macro_rules! theme_fields {
    ($($field:ident: $doc:literal,)*) => {
        /// Every style the renderer uses.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct Theme {
            $(#[doc = $doc] pub $field: Style,)*
        }

        /// The `[styles]` table of a theme file (or `[theme_overrides]` in
        /// the config file): every field optional.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct ThemeStyles {
            $(#[serde(default)] $field: Option<StyleSpec>,)*
        }

        impl ThemeStyles {
            /// Field names with their specs, for applying and checking.
            fn specs(&self) -> Vec<(&'static str, Option<&StyleSpec>)> {
                vec![$((stringify!($field), self.$field.as_ref()),)*]
            }
        }

        impl Theme {
            fn field_mut(&mut self, name: &str) -> Option<&mut Style> {
                match name {
                    $(stringify!($field) => Some(&mut self.$field),)*
                    _ => None,
                }
            }

            fn styles_mut(&mut self) -> Vec<&mut Style> {
                vec![$(&mut self.$field,)*]
            }
        }
    };
}

theme_fields! {
    border: "Border of the unfocused pane",
    border_focused: "Border of the focused pane",
    title: "Pane title (host:path)",
    header: "Column header",
    file: "Regular files",
    dir: "Directories",
    symlink: "Symbolic links",
    dangling: "Symbolic links whose target does not exist (or that loop)",
    executable: "Executable files",
    special: "Devices, fifos, sockets",
    cursor: "Cursor row in the focused pane",
    cursor_unfocused: "Cursor row in the other pane (patched onto the entry style)",
    selected: "Selected entries (patched onto the entry style)",
    footer: "Pane footer: counts, selection, free space",
    status: "Status line",
    error: "Errors in the status line and dialogs",
    key: "Key names in the key bar",
    key_label: "Labels in the key bar",
    dialog: "Dialog body",
    dialog_border: "Dialog border",
    dialog_title: "Dialog title",
    input: "Text input fields",
    menu_selected: "Highlighted item in menus and lists",
    hint: "Secondary text: hints, help key column",
    search_match: "Matches of the viewer's search",
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    inherits: Option<String>,
    #[serde(default)]
    styles: ThemeStyles,
}

impl Theme {
    /// This theme without colour (NO_COLOR, `--color never`): bold, italic
    /// and underline stay; a style that had a background is shown in
    /// reverse video instead, so the cursor and the selection stay visible.
    pub fn without_color(mut self) -> Theme {
        for style in self.styles_mut() {
            let had_background = style.bg.is_some_and(|c| c != ratatui::style::Color::Reset);
            *style = Style { fg: None, bg: None, underline_color: None, ..*style };
            if had_background {
                *style = style.add_modifier(ratatui::style::Modifier::REVERSED);
            }
        }
        self
    }

    /// The built-in default theme.
    pub fn built_in_default() -> Theme {
        Themes::built_in().resolve("default").0
    }

    /// Applies `styles` (from `text`, the contents of `path`) over this theme.
    pub fn apply(&mut self, styles: &ThemeStyles, path: &Path, text: &str) -> Vec<ConfigError> {
        let mut problems = Vec::new();
        for (name, spec) in styles.specs() {
            let Some(spec) = spec else { continue };
            match spec.to_style() {
                Ok(style) => {
                    if let Some(slot) = self.field_mut(name) {
                        *slot = style;
                    }
                }
                Err((offset, message)) => problems.push(ConfigError::entry(path, text, offset, message)),
            }
        }
        problems
    }
}

/// The themes that can be chosen: built-in ones and the user's.
#[derive(Debug, Clone)]
pub struct Themes {
    /// Name to (where it came from, contents).
    files: BTreeMap<String, (PathBuf, String)>,
    user_dir: PathBuf,
}

impl Themes {
    pub fn built_in() -> Themes {
        let files = BUILT_IN
            .iter()
            .map(|(name, text)| {
                (name.to_string(), (PathBuf::from(format!("themes/{name}.toml")), text.to_string()))
            })
            .collect();
        Themes { files, user_dir: PathBuf::from("themes") }
    }

    /// Adds (or replaces) a theme read from the user's theme directory.
    pub fn add_user(&mut self, name: String, path: PathBuf, text: String) {
        self.files.insert(name, (path, text));
    }

    pub fn set_user_dir(&mut self, dir: PathBuf) {
        self.user_dir = dir;
    }

    pub fn names(&self) -> Vec<&str> {
        self.files.keys().map(String::as_str).collect()
    }

    /// The theme called `name`, following `inherits`. Problems are reported;
    /// an unknown theme gives the default one.
    pub fn resolve(&self, name: &str) -> (Theme, Vec<ConfigError>) {
        let mut problems = Vec::new();
        if !self.files.contains_key(name) {
            problems.push(ConfigError::UnknownTheme {
                name: name.to_owned(),
                known: self.names().join(", "),
                dir: self.user_dir.clone(),
            });
            let (theme, more) = self.resolve_chain("default", 0);
            problems.extend(more);
            return (theme, problems);
        }
        let (theme, more) = self.resolve_chain(name, 0);
        problems.extend(more);
        (theme, problems)
    }

    fn resolve_chain(&self, name: &str, depth: usize) -> (Theme, Vec<ConfigError>) {
        let Some((path, text)) = self.files.get(name) else {
            return (Theme::default(), Vec::new());
        };
        // One bad entry costs that entry (`lenient.rs`); a file that is not
        // TOML falls back to the default theme.
        let (file, read) = super::lenient::read::<ThemeFile>(path, text);
        let Some(file) = file else {
            let (theme, problems) = if name == "default" {
                (Theme::default(), Vec::new())
            } else {
                self.resolve_chain("default", depth + 1)
            };
            return (theme, read.into_iter().chain(problems).collect());
        };
        let parent = file.inherits.as_deref().filter(|p| *p != name && depth < 8);
        let (mut theme, mut problems) = match parent {
            Some(parent) => self.resolve_chain(parent, depth + 1),
            None => (Theme::default(), Vec::new()),
        };
        problems.extend(read);
        problems.extend(theme.apply(&file.styles, path, text));
        (theme, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_color_keeps_the_cursor_visible() {
        for (name, _) in BUILT_IN {
            let theme = Themes::built_in().resolve(name).0;
            let had = theme.cursor.bg.is_some();
            let mut plain = theme.without_color();
            for style in plain.styles_mut() {
                assert_eq!((style.fg, style.bg), (None, None), "{name}");
            }
            assert!(!had || plain.cursor.add_modifier.contains(ratatui::style::Modifier::REVERSED), "{name}");
        }
    }

    #[test]
    fn built_in_themes_parse_completely() {
        let themes = Themes::built_in();
        for (name, text) in BUILT_IN {
            let (_, problems) = themes.resolve(name);
            assert!(problems.is_empty(), "{name}: {problems:?}");
            let file: ThemeFile = toml::from_str(text).unwrap();
            assert!(file.inherits.is_none(), "built-in {name} must stand alone");
            for (field, spec) in file.styles.specs() {
                assert!(spec.is_some(), "built-in theme {name} lacks {field}");
            }
        }
    }

    #[test]
    fn user_theme_inherits_and_overrides() {
        let mut themes = Themes::built_in();
        let text = "inherits = \"gruvbox\"\n[styles]\ncursor = { fg = \"black\", bg = \"#ff0000\" }\n";
        themes.add_user("mine".into(), "mine.toml".into(), text.into());
        let (theme, problems) = themes.resolve("mine");
        assert!(problems.is_empty(), "{problems:?}");
        let gruvbox = themes.resolve("gruvbox").0;
        assert_eq!(theme.dir, gruvbox.dir);
        assert_eq!(theme.cursor.bg, Some(ratatui::style::Color::Rgb(255, 0, 0)));
    }

    #[test]
    fn an_unknown_style_costs_only_itself() {
        let mut themes = Themes::built_in();
        let text = "inherits = \"light\"\n[styles]\ncursr = { fg = \"red\" }\ndir = { fg = \"green\" }\n";
        themes.add_user("typo".into(), "typo.toml".into(), text.into());
        let (theme, problems) = themes.resolve("typo");
        assert_eq!(theme.dir.fg, Some(ratatui::style::Color::Green));
        assert_eq!(theme.cursor, themes.resolve("light").0.cursor);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].to_string().starts_with("typo.toml:3:1:"), "{problems:?}");
        assert!(problems[0].to_string().contains("cursr"), "{problems:?}");
    }

    #[test]
    fn bad_colours_and_unknown_themes_are_reported() {
        let mut themes = Themes::built_in();
        themes.add_user("bad".into(), "bad.toml".into(), "[styles]\n\ndir = { fg = \"blurple\" }\n".into());
        let (_, problems) = themes.resolve("bad");
        assert!(problems[0].to_string().starts_with("bad.toml:3:"), "{problems:?}");
        let (theme, problems) = themes.resolve("nope");
        assert_eq!(theme, Theme::built_in_default());
        assert!(problems[0].to_string().contains("unknown theme \"nope\""));
    }
}
