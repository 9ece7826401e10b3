//! Configuration: the config directory (XDG, or `$SCPDECK_CONFIG_DIR`), the
//! settings file, the keymap, themes and saved places. Loading never fails:
//! a broken file is reported (file, line, column) and its defaults are used.

mod error;
mod host_settings;
mod key;
mod keymap;
mod lenient;
mod paths;
mod places;
mod settings;
mod style;
mod theme;

use std::path::{Path, PathBuf};

pub use error::ConfigError;
pub use host_settings::HostSettings;
pub use key::Key;
pub use keymap::Keymap;
pub use paths::{
    BOOKMARKS_FILE, CONFIG_DIR_ENV, CONFIG_FILE, KEYMAP_FILE, RECENT_FILE, THEMES_DIR, config_dir,
};
pub use places::{
    Bookmark, RECENT_LIMIT, Recent, load_bookmarks, load_recent, load_recent_dirs, save_bookmarks,
    save_recent, save_recent_dirs,
};
pub use settings::Settings;
pub use theme::{BUILT_IN as BUILT_IN_THEMES, Theme, ThemeStyles, Themes};

/// Everything read from the config directory.
#[derive(Debug, Clone)]
pub struct Config {
    pub dir: Option<PathBuf>,
    pub settings: Settings,
    pub keymap: Keymap,
    pub theme: Theme,
    pub bookmarks: Vec<Bookmark>,
    pub recent: Recent,
    /// What was wrong with the files; shown in the status line.
    pub problems: Vec<ConfigError>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dir: None,
            settings: Settings::default(),
            keymap: Keymap::default(),
            theme: Theme::built_in_default(),
            bookmarks: Vec::new(),
            recent: Recent::default(),
            problems: Vec::new(),
        }
    }
}

/// Reads the configuration from `dir` (`None`: defaults only). `theme`
/// (from `--theme`) wins over the config file's.
pub fn load(dir: Option<&Path>, theme: Option<&str>) -> Config {
    let mut config = Config { dir: dir.map(Path::to_path_buf), ..Config::default() };
    let mut themes = Themes::built_in();
    if let Some(dir) = dir {
        let path = dir.join(CONFIG_FILE);
        if let Some(text) = read_optional(&path, &mut config.problems) {
            // One bad entry costs that entry, not the file (lenient.rs).
            let (settings, problems) = lenient::read::<Settings>(&path, &text);
            config.settings = settings.unwrap_or_default();
            config.problems.extend(problems);
        }
        let path = dir.join(KEYMAP_FILE);
        if let Some(text) = read_optional(&path, &mut config.problems) {
            let (keymap, problems) = Keymap::from_file(&path, &text);
            config.keymap = keymap;
            config.problems.extend(problems);
        }
        add_user_themes(&dir.join(THEMES_DIR), &mut themes, &mut config.problems);
        let (bookmarks, problems) = load_bookmarks(dir);
        config.bookmarks = bookmarks;
        config.problems.extend(problems);
        let (recent, problems) = load_recent(dir);
        config.recent = recent;
        config.problems.extend(problems);
    }
    let name = theme.unwrap_or(&config.settings.theme).to_owned();
    let (mut chosen, problems) = themes.resolve(&name);
    config.problems.extend(problems);
    if let Some(dir) = dir {
        let path = dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        config.problems.extend(chosen.apply(&config.settings.theme_overrides, &path, &text));
    }
    config.theme = chosen;
    config
}

fn read_optional(path: &Path, problems: &mut Vec<ConfigError>) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            problems.push(ConfigError::Read { path: path.to_path_buf(), message: e.to_string() });
            None
        }
    }
}

fn add_user_themes(dir: &Path, themes: &mut Themes, problems: &mut Vec<ConfigError>) {
    themes.set_user_dir(dir.to_path_buf());
    let Ok(items) = std::fs::read_dir(dir) else { return };
    for item in items.flatten() {
        let path = item.path();
        let name = match (path.file_stem(), path.extension()) {
            (Some(stem), Some(ext)) if ext == "toml" => stem.to_string_lossy().into_owned(),
            _ => continue,
        };
        if let Some(text) = read_optional(&path, problems) {
            themes.add_user(name, path, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_dir_gives_the_defaults_without_complaint() {
        let dir = tempfile::tempdir().unwrap();
        let config = load(Some(&dir.path().join("absent")), None);
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        assert_eq!(config.settings, Settings::default());
        assert_eq!(config.theme, Theme::built_in_default());
    }

    /// The settings block in docs/user-guide.md is the defaults, exactly.
    #[test]
    fn documented_defaults_are_the_defaults() {
        let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/user-guide.md"))
            .unwrap();
        let block = doc
            .split("<!-- settings:start -->")
            .nth(1)
            .unwrap()
            .split("<!-- settings:end -->")
            .next()
            .unwrap();
        let toml_text = block.trim().trim_start_matches("```toml").trim_end_matches("```");
        let settings: Settings = toml::from_str(toml_text).unwrap();
        assert_eq!(settings, Settings::default());
        let documented: Vec<&str> =
            toml_text.lines().filter_map(|l| l.split_once(" = ")).map(|(k, _)| k).collect();
        assert_eq!(documented.len(), 18, "every setting is documented: {documented:?}");
    }

    #[test]
    fn a_broken_config_file_names_file_and_line_and_falls_back() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "theme = \"light\"\nshow_hidden = yes\n").unwrap();
        let config = load(Some(dir.path()), None);
        assert_eq!(config.settings, Settings::default());
        let message = config.problems[0].to_string();
        let expected = format!("{}:2:", dir.path().join(CONFIG_FILE).display());
        assert!(message.starts_with(&expected), "{message}");
    }

    #[test]
    fn an_unknown_setting_is_named_with_its_line_and_the_others_apply() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "show_hidden = true\n\nshow_hiden = true\n").unwrap();
        let config = load(Some(dir.path()), None);
        assert!(config.settings.show_hidden);
        assert!(
            matches!(&config.problems[..], [ConfigError::UnknownKey { line: 3, key, .. }] if key == "show_hiden"),
            "{:?}",
            config.problems
        );
    }

    #[test]
    fn settings_overrides_user_themes_and_the_command_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(THEMES_DIR)).unwrap();
        std::fs::write(
            dir.path().join(THEMES_DIR).join("mine.toml"),
            "inherits = \"light\"\n[styles]\ndir = { fg = \"red\" }\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "theme = \"mine\"\nshow_hidden = true\n[theme_overrides]\nfile = { fg = \"green\" }\n",
        )
        .unwrap();
        let config = load(Some(dir.path()), None);
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        assert!(config.settings.show_hidden);
        assert_eq!(config.theme.dir.fg, Some(ratatui::style::Color::Red));
        assert_eq!(config.theme.file.fg, Some(ratatui::style::Color::Green));
        let light = Themes::built_in().resolve("light").0;
        assert_eq!(config.theme.cursor, light.cursor);
        let forced = load(Some(dir.path()), Some("gruvbox"));
        assert_eq!(forced.theme.dir, Themes::built_in().resolve("gruvbox").0.dir);
    }
}
