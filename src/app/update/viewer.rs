//! The viewer's keys (from the keymap's viewer place), its prompts for a
//! search and a line number, and following a file as it grows.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};

use super::dialog_keys::is_ctrl_c;
use crate::app::dialog::{Dialog, Follow, LineInput, Search, Viewer, ViewerPrompt};
use crate::app::effect::Effect;
use crate::app::help::HelpTopic;
use crate::app::state::State;
use crate::app::work_error::WorkError;
use crate::choices::{Action, KeyContext};
use crate::config::Key;

/// How often a followed file is read again: often enough to watch a log,
/// seldom enough to cost nothing (a remote poll is one short command).
pub(super) const FOLLOW_INTERVAL: Duration = Duration::from_millis(1000);

pub(super) fn key(state: &mut State, mut viewer: Viewer, key: &KeyEvent) -> Vec<Effect> {
    if viewer.prompt.is_some() {
        prompt_key(&mut viewer, key);
        state.dialogs.push(Dialog::Viewer(viewer));
        return Vec::new();
    }
    let action = state.keymap.action_in(KeyContext::Viewer, &Key::from_event(key));
    let closes = action == Some(Action::ViewerClose) || is_ctrl_c(key);
    // Any key stops following (as in `less +F`); the closing keys close too.
    if viewer.follow.take().is_some() && !closes {
        viewer.note = Some("follow stopped".into());
        state.dialogs.push(Dialog::Viewer(viewer));
        return Vec::new();
    }
    if closes {
        return Vec::new();
    }
    viewer.note = None;
    let page = viewer.rows.saturating_sub(1).max(1) as isize;
    let mut effects = Vec::new();
    match action {
        Some(Action::ViewerUp) => viewer.scroll_by(-1),
        Some(Action::ViewerDown) => viewer.scroll_by(1),
        Some(Action::ViewerPageUp) => viewer.scroll_by(-page),
        Some(Action::ViewerPageDown) => viewer.scroll_by(page),
        Some(Action::ViewerTop) => viewer.scroll = 0,
        Some(Action::ViewerBottom) => viewer.scroll_by(isize::MAX),
        Some(Action::ViewerHex) => viewer.toggle_hex(),
        Some(Action::ViewerWrap) => viewer.toggle_wrap(),
        Some(Action::ViewerSearch | Action::ViewerSearchBack) => {
            let backward = action == Some(Action::ViewerSearchBack);
            viewer.prompt = Some(ViewerPrompt::Search { backward, input: LineInput::default() });
        }
        Some(Action::ViewerNext) => {
            let forward = !viewer.search.as_ref().is_some_and(|s| s.backward);
            viewer.search_next(forward);
        }
        Some(Action::ViewerPrevious) => {
            let forward = viewer.search.as_ref().is_some_and(|s| s.backward);
            viewer.search_next(forward);
        }
        Some(Action::ViewerGoTo) => viewer.prompt = Some(ViewerPrompt::GoTo { input: LineInput::default() }),
        Some(Action::ViewerFollow) => effects = start_follow(state, &mut viewer),
        Some(Action::ViewerHelp) => {
            state.dialogs.push(Dialog::Viewer(viewer));
            state.dialogs.push(Dialog::Help { scroll: 0, topic: HelpTopic::Keys(KeyContext::Viewer) });
            return Vec::new();
        }
        _ => {}
    }
    state.dialogs.push(Dialog::Viewer(viewer));
    effects
}

/// Typing a search or a line number on the bottom line.
fn prompt_key(viewer: &mut Viewer, key: &KeyEvent) {
    let Some(prompt) = viewer.prompt.as_mut() else { return };
    match key.code {
        KeyCode::Esc => viewer.prompt = None,
        _ if is_ctrl_c(key) => viewer.prompt = None,
        KeyCode::Enter => match viewer.prompt.take() {
            Some(ViewerPrompt::Search { backward, input }) if !input.text().is_empty() => {
                viewer.start_search(Search { pattern: input.text().to_owned(), backward });
            }
            Some(ViewerPrompt::GoTo { input }) => match input.text().trim().parse::<usize>() {
                Ok(n) if n > 0 => {
                    viewer.found = None;
                    viewer.go_to_line(n - 1);
                    viewer.note = None;
                }
                _ => {
                    viewer.note =
                        Some(format!("not a line number: {}", crate::text::escape_str(input.text())))
                }
            },
            _ => {}
        },
        _ => {
            let (ViewerPrompt::Search { input, .. } | ViewerPrompt::GoTo { input }) = prompt;
            input.handle(key);
        }
    }
}

/// `F`: follow the file from where the view ends; a view that holds only
/// the start of a longer file first reads its end.
fn start_follow(state: &mut State, viewer: &mut Viewer) -> Vec<Effect> {
    let (Some(Ok(content)), Some(location)) = (&viewer.content, viewer.location.clone()) else {
        viewer.note = Some("nothing to follow yet".into());
        return Vec::new();
    };
    let limit = state.settings.viewer_max_bytes;
    let replace = content.base == 0 && content.truncated();
    let offset = if replace { content.total.saturating_sub(limit) } else { content.end() };
    let generation = state.token();
    viewer.follow = Some(Follow { offset, generation, replace });
    let delay = if replace { Duration::ZERO } else { FOLLOW_INTERVAL };
    vec![Effect::Follow { token: viewer.token, generation, location, offset, limit, delay }]
}

/// A follow poll came back: add what was read and poll again, unless the
/// viewer closed, following stopped, or a newer poll is under way.
pub(super) fn followed(
    state: &mut State,
    token: u64,
    generation: u64,
    result: Result<(Vec<u8>, u64), WorkError>,
) -> Vec<Effect> {
    let limit = state.settings.viewer_max_bytes;
    let Some(viewer) = state.dialogs.iter_mut().find_map(|d| match d {
        Dialog::Viewer(v) if v.token == token && v.follow.is_some_and(|f| f.generation == generation) => {
            Some(v)
        }
        _ => None,
    }) else {
        return Vec::new();
    };
    state.needs_render = true;
    let again = match result {
        Ok((bytes, size)) => viewer.follow_read(bytes, size, limit),
        Err(error) => {
            viewer.follow = None;
            viewer.note = Some("follow stopped: the file could not be read (see the log)".into());
            let host = viewer.host.clone();
            state.failed(host.as_deref(), &error);
            return Vec::new();
        }
    };
    let (Some(follow), Some(location)) = (viewer.follow, viewer.location.clone()) else { return Vec::new() };
    if !again {
        return Vec::new();
    }
    let delay = FOLLOW_INTERVAL;
    vec![Effect::Follow { token, generation, location, offset: follow.offset, limit, delay }]
}
